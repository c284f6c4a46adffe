//! The publish pipeline, run on the real mirrored sources and on small
//! sources made here to exercise versions and bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::ipc::reader::FileReader;
use datalabb::data::Catalog;
use datalabb::data::hash::sha256_hex;
use datalabb::data::load::{Limits, decode};
use datalabb::error::PublishError;
use datalabb::publish::{Options, publish};

/// The project folder. Read when the test runs, not when it is compiled:
/// a build cached from a clone elsewhere would point at that clone.
fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The project's mirror of the upstream files (beside the project).
fn mirror() -> PathBuf {
    let mirror = root().join("../shared/data/raw");
    assert!(
        mirror.is_dir(),
        "the source mirror {} is missing",
        mirror.display()
    );
    mirror
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("publish-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file below `dir`, relative path -> bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn publishes_every_real_dataset_deterministically() {
    let out = tempdir("real");
    let options = Options {
        manifests: root().join("datasets"),
        out: out.clone(),
        mirror: Some(mirror()),
    };
    let report = publish(&options).unwrap();
    let ids: Vec<&str> = report.datasets.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "agencies",
            "agency_fte",
            "agency_staff",
            "agency_staff_gender",
            "appropriation_counts",
            "appropriation_letters",
            "counties",
            "municipalities",
            // Built after the others, from them.
            "entities"
        ]
    );
    assert!(report.datasets.iter().all(|d| d.new_version));
    let first = files(&out);
    assert!(
        first
            .keys()
            .all(|p| !p.to_string_lossy().ends_with(".partial"))
    );

    // Every listed version is a readable Arrow file with the listed rows.
    let catalog = Catalog::from_json(&first[Path::new("catalog.json")]).unwrap();
    for dataset in &catalog.datasets {
        let version = dataset.latest().unwrap();
        let bytes = &first[Path::new(&version.url)];
        assert_eq!(sha256_hex(bytes), version.sha256);
        assert_eq!(bytes.len() as u64, version.bytes);
        assert!(
            version
                .url
                .ends_with(&format!("{}.arrow", &version.sha256[..12]))
        );
        let reader = FileReader::try_new(std::io::Cursor::new(bytes.clone()), None).unwrap();
        let names: Vec<String> = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let listed: Vec<String> = version.columns.iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, listed, "{}", dataset.id);
        let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows as u64, version.rows, "{}", dataset.id);
        // The lab's own checked loader reads it the same.
        let table = decode(bytes.clone(), &Limits::default()).unwrap();
        assert_eq!(table.num_rows() as u64, version.rows, "{}", dataset.id);
    }
    let rows = |id: &str| catalog.dataset(id).unwrap().latest().unwrap().rows;
    assert_eq!(rows("counties"), 21);
    assert_eq!(rows("municipalities"), 290);
    assert_eq!(rows("appropriation_letters"), 15_433);

    // A second run changes nothing, byte for byte.
    let again = publish(&options).unwrap();
    assert!(again.datasets.iter().all(|d| !d.new_version));
    assert_eq!(files(&out), first);
}

/// A project with one dataset (counties) built from a source made here.
struct Project {
    dir: PathBuf,
}

const COUNTIES_MANIFEST: &str = r#"
id = "counties"
transform = "counties"
sources = ["counties"]
key_columns = ["county_code"]
title = { sv = "Län", en = "Counties" }
description = { sv = "Testlän", en = "Test counties" }
licence = { name = "CC0 1.0" }
[[columns]]
name = "county_code"
description = { sv = "Kod", en = "Code" }
[[columns]]
name = "county_name"
description = { sv = "Namn", en = "Name" }
[[columns]]
name = "county_name_short"
description = { sv = "Kort", en = "Short" }
"#;

impl Project {
    fn new(name: &str, csv: &str) -> Self {
        let dir = tempdir(name);
        std::fs::create_dir_all(dir.join("datasets")).unwrap();
        std::fs::create_dir_all(dir.join("mirror/geo")).unwrap();
        std::fs::write(dir.join("datasets/counties.toml"), COUNTIES_MANIFEST).unwrap();
        let project = Self { dir };
        project.set_source(csv, None);
        project
    }

    /// Writes the source file and lists it with its hash (or `sha256`).
    fn set_source(&self, csv: &str, sha256: Option<&str>) {
        std::fs::write(self.dir.join("mirror/geo/counties.csv"), csv).unwrap();
        let hash = sha256.map_or_else(|| sha256_hex(csv.as_bytes()), String::from);
        self.set_sources(&format!(
            "[counties]\nname = \"Counties\"\nmirror = \"geo/counties.csv\"\n\
             url = \"http://127.0.0.1:9/counties.csv\"\nsha256 = \"{hash}\"\nlicence = \"CC0 1.0\"\n"
        ));
    }

    fn set_sources(&self, toml: &str) {
        std::fs::write(self.dir.join("datasets/sources.toml"), toml).unwrap();
    }

    fn publish_with(
        &self,
        mirror: Option<&str>,
    ) -> Result<datalabb::publish::Report, PublishError> {
        publish(&Options {
            manifests: self.dir.join("datasets"),
            out: self.dir.join("out"),
            mirror: mirror.map(|m| self.dir.join(m)),
        })
    }

    fn publish(&self) -> Result<datalabb::publish::Report, PublishError> {
        self.publish_with(Some("mirror"))
    }

    fn catalog(&self) -> Catalog {
        Catalog::from_json(&std::fs::read(self.dir.join("out/catalog.json")).unwrap()).unwrap()
    }
}

const COUNTIES: &str = "county_code,county_name,county_name_short\n01,Stockholms län,Stockholm\n03,Uppsala län,Uppsala\n";

#[test]
fn a_changed_source_adds_a_version_and_keeps_the_old_one() {
    let project = Project::new("versions", COUNTIES);
    project.publish().unwrap();
    let first = project.catalog().datasets[0].versions.clone();
    assert_eq!(first.len(), 1);

    project.set_source(
        &format!("{COUNTIES}04,Södermanlands län,Södermanland\n"),
        None,
    );
    let report = project.publish().unwrap();
    assert!(report.datasets[0].new_version);
    let versions = project.catalog().datasets[0].versions.clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0], first[0], "the old version is kept as it was");
    assert_eq!(versions[1].rows, 3);
    assert!(
        project.dir.join("out").join(&first[0].url).exists(),
        "the old file stays"
    );

    // Going back to the first source makes its version the latest again.
    project.set_source(COUNTIES, None);
    let report = project.publish().unwrap();
    assert!(!report.datasets[0].new_version);
    let versions = project.catalog().datasets[0].versions.clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].sha256, first[0].sha256);
}

#[test]
fn a_source_whose_hash_differs_is_refused_naming_both_hashes() {
    let project = Project::new("hash", COUNTIES);
    let expected = "0".repeat(64);
    project.set_source(COUNTIES, Some(&expected));
    let message = project.publish().unwrap_err().to_string();
    assert!(message.contains(&expected), "{message}");
    assert!(
        message.contains(&sha256_hex(COUNTIES.as_bytes())),
        "{message}"
    );
    assert!(!project.dir.join("out").exists(), "nothing is written");
}

#[test]
fn malformed_csv_names_the_file_and_the_line() {
    let project = Project::new(
        "csv",
        "county_code,county_name,county_name_short\n01,A,a\n1,B,b\n",
    );
    let message = project.publish().unwrap_err().to_string();
    assert!(message.contains("counties.csv, line 3"), "{message}");
    assert!(message.contains("\"1\" is not 2 digits"), "{message}");

    project.set_source("county_code,name\n01,A\n", None);
    let message = project.publish().unwrap_err().to_string();
    assert!(
        message.contains("line 1: the header has no column \"county_name\""),
        "{message}"
    );

    project.set_source(
        "county_code,county_name,county_name_short\n01,\"A,a\n",
        None,
    );
    assert!(matches!(project.publish(), Err(PublishError::Parse { .. })));
}

#[test]
fn malformed_json_names_the_file_and_the_line() {
    let project = Project::new("json", COUNTIES);
    let dir = &project.dir;
    std::fs::write(
        dir.join("mirror/geo/esv.json"),
        "{\n  \"A\": {\"org_nr\": \"2021004284\",\n  oops\n}",
    )
    .unwrap();
    std::fs::write(dir.join("mirror/geo/empty.json"), "{}").unwrap();
    std::fs::write(dir.join("mirror/geo/matchlist.csv"), "name,official_name\n").unwrap();
    let spec = |key: &str, file: &str| {
        let hash = sha256_hex(&std::fs::read(dir.join("mirror/geo").join(file)).unwrap());
        format!(
            "[{key}]\nname = \"{key}\"\nmirror = \"geo/{file}\"\nurl = \"http://127.0.0.1:9/\"\nsha256 = \"{hash}\"\nlicence = \"CC0\"\n"
        )
    };
    project.set_sources(
        &[
            spec("esv", "esv.json"),
            spec("stkt", "empty.json"),
            spec("scb", "empty.json"),
            spec("matchlist", "matchlist.csv"),
        ]
        .concat(),
    );
    std::fs::remove_file(dir.join("datasets/counties.toml")).unwrap();
    std::fs::write(
        dir.join("datasets/agencies.toml"),
        COUNTIES_MANIFEST
            .replace("id = \"counties\"", "id = \"agencies\"")
            .replace("transform = \"counties\"", "transform = \"agencies\"")
            .replace(
                "sources = [\"counties\"]",
                "sources = [\"esv\", \"stkt\", \"scb\", \"matchlist\"]",
            )
            .replace("key_columns = [\"county_code\"]", ""),
    )
    .unwrap();
    let message = project.publish().unwrap_err().to_string();
    assert!(message.contains("esv.json, line 3"), "{message}");
}

#[test]
fn no_mirror_and_no_network_says_where_it_looked() {
    let project = Project::new("unreachable", COUNTIES);
    std::fs::remove_file(project.dir.join("mirror/geo/counties.csv")).unwrap();
    let message = project.publish().unwrap_err().to_string();
    assert!(
        message.starts_with("source counties could not be read"),
        "{message}"
    );
    assert!(message.contains("mirror/geo/counties.csv"), "{message}");
    assert!(
        message.contains("http://127.0.0.1:9/counties.csv"),
        "{message}"
    );

    let message = project.publish_with(None).unwrap_err().to_string();
    assert!(message.contains("no mirror folder"), "{message}");
}

#[test]
fn bad_manifests_are_named() {
    let project = Project::new("manifest", COUNTIES);
    std::fs::write(
        project.dir.join("datasets/counties.toml"),
        "id = \"counties\"\ntransform = 3\n",
    )
    .unwrap();
    let message = project.publish().unwrap_err().to_string();
    assert!(
        message.contains("counties.toml") && message.contains("line 2"),
        "{message}"
    );

    std::fs::write(
        project.dir.join("datasets/counties.toml"),
        COUNTIES_MANIFEST.replace("name = \"county_name_short\"", "name = \"short\""),
    )
    .unwrap();
    let message = project.publish().unwrap_err().to_string();
    assert!(
        message.contains("the manifest documents [county_code, county_name, short]"),
        "{message}"
    );

    std::fs::write(
        project.dir.join("datasets/counties.toml"),
        COUNTIES_MANIFEST.replace("transform = \"counties\"", "transform = \"nope\""),
    )
    .unwrap();
    assert!(
        project
            .publish()
            .unwrap_err()
            .to_string()
            .contains("unknown transform \"nope\"")
    );
}

#[test]
fn a_repeated_key_is_refused() {
    let project = Project::new("key", &format!("{COUNTIES}01,Again,Again\n"));
    let message = project.publish().unwrap_err().to_string();
    assert!(message.contains("key (county_code) repeats"), "{message}");
}

#[test]
fn an_unreadable_published_catalog_is_left_alone() {
    let project = Project::new("catalog", COUNTIES);
    std::fs::create_dir_all(project.dir.join("out")).unwrap();
    std::fs::write(project.dir.join("out/catalog.json"), "not json").unwrap();
    let message = project.publish().unwrap_err().to_string();
    assert!(message.contains("left as it is"), "{message}");
    assert_eq!(
        std::fs::read(project.dir.join("out/catalog.json")).unwrap(),
        b"not json"
    );
}
