//! ARCHITECTURE.md is the module map: every module declared under `src/`
//! has a row in its module table, and every row names a module that
//! exists, so the map and the code cannot drift apart.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The modules declared from `file` (whose own path is `prefix`), recursively;
/// test modules (`#[cfg(test)]` before them, or named `tests`) are left out.
fn declared(file: &Path, prefix: &str, dir: &Path, out: &mut BTreeSet<String>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    let mut test_next = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("#[cfg(test)]") {
            test_next = true;
            continue;
        }
        let rest = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        if let Some(name) = rest.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            let name = name.trim();
            if !test_next && name != "tests" {
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}::{name}")
                };
                let (child, child_dir) = if dir.join(format!("{name}.rs")).exists() {
                    (dir.join(format!("{name}.rs")), dir.join(name))
                } else {
                    (dir.join(name).join("mod.rs"), dir.join(name))
                };
                declared(&child, &path, &child_dir, out);
                out.insert(path);
            }
        }
        if !line.starts_with("#[") {
            test_next = false;
        }
    }
}

/// The first column of ARCHITECTURE.md's module table: `` `a::b` `` cells.
fn mapped() -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).unwrap();
    let table = text
        .split("\n## Modules")
        .nth(1)
        .expect("ARCHITECTURE.md has a Modules section");
    table
        .lines()
        .skip_while(|l| !l.starts_with("| module"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            Some(cell.trim_matches('`').to_string())
        })
        .collect()
}

#[test]
fn every_module_is_on_the_map_and_every_row_is_a_module() {
    let src = PathBuf::from(ROOT).join("src");
    let mut modules = BTreeSet::new();
    declared(&src.join("lib.rs"), "", &src, &mut modules);
    assert!(modules.contains("data::load"), "{modules:?}");
    let map = mapped();
    let missing: Vec<_> = modules.difference(&map).collect();
    let stale: Vec<_> = map.difference(&modules).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "ARCHITECTURE.md's module table and src/ differ:\n  modules without a row: {missing:?}\n  rows without a module: {stale:?}"
    );
}
