//! The native command-line tool, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

use datalabb::data::Catalog;

fn datalabb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_datalabb"))
        .args(args)
        .output()
        .expect("the datalabb binary runs")
}

#[test]
fn fixtures_writes_a_catalog_that_check_catalog_accepts() {
    let dir = tempdir("fixtures");
    let out = dir.join("nested/data");
    let output = datalabb(&["fixtures", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let path = out.join("catalog.json");
    let catalog = Catalog::from_json(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(catalog.datasets.len(), 3);
    assert!(!out.join("catalog.json.partial").exists());

    let output = datalabb(&["check-catalog", path.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("a valid catalog v1 with 3 datasets and 4 versions"),
        "{stdout}"
    );
}

#[test]
fn check_catalog_names_the_file_and_the_problem() {
    let dir = tempdir("check");
    let path = dir.join("catalog.json");
    std::fs::write(&path, "{\"format\":\"datalabb-catalog\",\"version\":7}").unwrap();
    let output = datalabb(&["check-catalog", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("catalog.json: catalog format version 7 is not supported"),
        "{stderr}"
    );

    let output = datalabb(&["check-catalog", dir.join("absent.json").to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
