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

/// The modules a file refers to as `crate::<name>` or `super::…` at
/// `depth` (1: top-level modules, 2: their children), outside its test
/// module; `prefix` is the file's own module path.
fn references(text: &str, prefix: &[&str], depth: usize) -> BTreeSet<String> {
    // Test code may reach anywhere; it is left out.
    let code = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let path: Vec<&str> = code[at + 7..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or("")
            .split("::")
            .filter(|s| !s.is_empty())
            .collect();
        if path.len() >= depth && path[..depth - 1] == prefix[..depth - 1] {
            out.insert(path[..depth].join("::"));
        }
    }
    out
}

/// The graph of `nodes` (module paths of one depth) and the references of
/// the files under each.
fn graph(src: &Path, nodes: &[&str], depth: usize) -> Vec<(String, BTreeSet<String>)> {
    fn files(path: &Path, out: &mut Vec<PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                files(&entry.unwrap().path(), out);
            }
        } else if path.is_file()
            && path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("tests.rs")
            && !path.components().any(|c| c.as_os_str() == "tests")
        {
            out.push(path.to_path_buf());
        }
    }
    nodes
        .iter()
        .map(|node| {
            let parts: Vec<&str> = node.split("::").collect();
            let base = parts.iter().fold(src.to_path_buf(), |p, part| p.join(part));
            let mut paths = Vec::new();
            files(&base, &mut paths);
            files(&base.with_extension("rs"), &mut paths);
            let mut refs = BTreeSet::new();
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap();
                refs.extend(references(&text, &parts, depth));
            }
            refs.retain(|r| r != node && nodes.contains(&r.as_str()));
            (node.to_string(), refs)
        })
        .collect()
}

/// A cycle in `graph`, if it has one.
fn cycle(graph: &[(String, BTreeSet<String>)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &[(String, BTreeSet<String>)],
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        let next = graph
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, r)| r.clone());
        for other in next.unwrap_or_default() {
            if let Some(found) = visit(&other, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .iter()
        .find_map(|(node, _)| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn dependencies_point_one_way() {
    let src = PathBuf::from(ROOT).join("src");
    let top = [
        "error", "data", "ops", "ml", "recipe", "chart", "engine", "ui", "publish", "cli",
    ];
    let modules = graph(&src, &top, 1);
    for (node, refs) in &modules {
        eprintln!(
            "{node} -> {}",
            refs.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert_eq!(cycle(&modules), None, "a cycle between top-level modules");
    // The core knows nothing of the edges.
    for core in ["data", "ops", "ml", "recipe", "chart"] {
        let refs = &modules.iter().find(|(n, _)| n == core).unwrap().1;
        for edge in ["engine", "ui", "publish", "cli"] {
            assert!(!refs.contains(edge), "{core} refers to {edge}");
        }
    }
    // ml is kernels: nothing of recipes or charts.
    let ml = &modules.iter().find(|(n, _)| n == "ml").unwrap().1;
    assert!(
        !ml.contains("recipe") && !ml.contains("chart"),
        "ml -> {ml:?}"
    );
    // The page's files: pages depend on the state and the route, the frame
    // on the pages, never back.
    let mut pages: Vec<String> = std::fs::read_dir(src.join("ui"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|p| format!("ui::{}", p.file_stem().unwrap().to_string_lossy()))
        .collect();
    pages.sort();
    pages.dedup();
    let names: Vec<&str> = pages.iter().map(String::as_str).collect();
    let ui = graph(&src, &names, 2);
    for (node, refs) in &ui {
        eprintln!(
            "{node} -> {}",
            refs.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert_eq!(cycle(&ui), None, "a cycle between the page's modules");
}
