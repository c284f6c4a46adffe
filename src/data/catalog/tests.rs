//! The catalog module's tests.

use super::*;

#[test]
fn fixture_round_trips_through_json() {
    let catalog = fixture_catalog();
    catalog.validate().unwrap();
    let text = catalog.to_json();
    let back = Catalog::from_json(text.as_bytes()).unwrap();
    assert_eq!(back, catalog);
    // Writing is deterministic: the same catalog gives the same bytes.
    assert_eq!(back.to_json(), text);
}

#[test]
fn documented_example_is_a_valid_catalog() {
    let docs = include_str!("mod.rs");
    let start = docs.find("//! ```json").unwrap() + "//! ```json".len();
    let end = start + docs[start..].find("//! ```").unwrap();
    let json: String = docs[start..end]
        .lines()
        .map(|line| line.trim_start().trim_start_matches("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let catalog = Catalog::from_json(json.as_bytes()).unwrap();
    let agencies = catalog.dataset("agencies").unwrap();
    assert_eq!(agencies.latest().unwrap().rows, 365);
    assert_eq!(
        agencies.latest().unwrap().columns[1].unit.as_deref(),
        Some("FTE")
    );
    assert_eq!(agencies.title.get(Lang::Sv), "Myndigheter");
}

#[test]
fn older_versions_are_kept_apart_from_the_newest() {
    let mut catalog = fixture_catalog();
    let id = catalog.datasets[0].id.clone();
    let newest = catalog.datasets[0].latest().unwrap().sha256.clone();
    assert_eq!(catalog.table_key(&id, &newest), id);
    let mut older = catalog.datasets[0].versions[0].clone();
    older.sha256 = "ab".repeat(32);
    catalog.datasets[0].versions.insert(0, older);
    assert_eq!(
        catalog.table_key(&id, &"ab".repeat(32)),
        format!("{id}@abababababab")
    );
    // Unknown datasets and hashes get a key of their own too.
    assert_eq!(catalog.table_key("nope", "x"), "nope@x");
}

#[test]
fn links_must_be_web_links() {
    for good in ["https://esv.se/", "HTTP://example.org/a?b#c"] {
        assert!(is_web_link(good), "{good}");
    }
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://",
        "https:///x",
        "//example.org",
        "https://a b",
        "https://a\n",
        "u",
        "",
    ] {
        assert!(!is_web_link(bad), "{bad}");
    }
    let mut catalog = fixture_catalog();
    catalog.datasets[0].sources[0].url = "javascript:alert(1)".into();
    let error = catalog.validate().unwrap_err();
    assert!(
        matches!(error, CatalogError::Invalid { index: 0, .. }),
        "{error}"
    );
    let mut catalog = fixture_catalog();
    catalog.datasets[0].licence.url = Some("data:text/html,x".into());
    assert!(catalog.validate().is_err());
    let mut catalog = fixture_catalog();
    catalog.datasets[0].versions[0].url = "javascript:alert(1)".into();
    assert!(catalog.validate().is_err());
    let mut catalog = fixture_catalog();
    catalog.datasets[0].versions[0].url = "https://data.example.org/a.arrow".into();
    catalog.validate().unwrap();
}

#[test]
fn unknown_fields_are_ignored_and_optional_fields_default() {
    let json = r#"{"format":"datalabb-catalog","version":1,"future":true,"datasets":[
        {"id":"a","title":{"sv":"","en":"A"},"description":{"sv":"","en":""},
         "sources":[{"name":"S","url":"https://example.org/s"}],"licence":{"name":"CC0"},"extra":[1,2],
         "versions":[{"sha256":"00000000000000000000000000000000000000000000000000000000000000ff",
           "url":"a/x.arrow","rows":0,"bytes":0,"columns":[{"name":"c","type":"Utf8"}]}]}]}"#;
    let catalog = Catalog::from_json(json.as_bytes()).unwrap();
    let dataset = &catalog.datasets[0];
    assert!(dataset.tags.is_empty());
    assert_eq!(dataset.title.get(Lang::Sv), "A", "falls back to English");
    assert_eq!(
        dataset.latest().unwrap().columns[0].description,
        Localized::default()
    );
}

fn error_of(json: &str) -> CatalogError {
    Catalog::from_json(json.as_bytes()).unwrap_err()
}

#[test]
fn broken_and_hostile_catalogs_give_clear_errors() {
    assert!(matches!(error_of(""), CatalogError::Json { .. }));
    assert!(matches!(
        error_of("<!doctype html><html>"),
        CatalogError::Json { line: 1, .. }
    ));
    assert!(matches!(error_of("[1,2,3]"), CatalogError::Json { .. }));
    assert!(matches!(error_of("{}"), CatalogError::NotACatalog { .. }));
    assert_eq!(
        error_of(r#"{"format":"datalabb-catalog","version":2,"datasets":[]}"#),
        CatalogError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    assert_eq!(
        error_of(r#"{"format":"datalabb-catalog","version":99999999999,"datasets":[]}"#),
        CatalogError::UnsupportedVersion {
            found: 0,
            supported: 1
        }
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(error_of(&deep), CatalogError::Json { .. }));
    let huge = vec![b' '; MAX_CATALOG_BYTES + 1];
    assert!(matches!(
        Catalog::from_json(&huge),
        Err(CatalogError::TooLarge { .. })
    ));
}

#[test]
fn semantic_errors_name_the_dataset() {
    let mut catalog = fixture_catalog();
    catalog.datasets[1].id = "fixture-agencies".into();
    let message = catalog.validate().unwrap_err().to_string();
    assert!(message.contains("appears twice"), "{message}");

    let mut catalog = fixture_catalog();
    catalog.datasets[0].versions[0].sha256 = "ABC".into();
    assert!(
        catalog
            .validate()
            .unwrap_err()
            .to_string()
            .contains("SHA-256")
    );

    let mut catalog = fixture_catalog();
    catalog.datasets[0].versions[0].key_columns = vec!["orgnr".into()];
    let message = catalog.validate().unwrap_err().to_string();
    assert!(
        message.contains("fixture-agencies") && message.contains("orgnr"),
        "{message}"
    );

    let mut catalog = fixture_catalog();
    catalog.datasets[2].id = "Län/../x".into();
    assert!(
        catalog
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("dataset 2")
    );

    let mut catalog = fixture_catalog();
    catalog.datasets[0].versions.clear();
    assert!(
        catalog
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no version")
    );
}

#[test]
fn latest_is_the_last_version_and_versions_stay_addressable() {
    let catalog = fixture_catalog();
    let staff = catalog.dataset("fixture-staff").unwrap();
    assert_eq!(staff.latest().unwrap().rows, 180);
    let first = &staff.versions[0].sha256;
    assert_eq!(staff.version(first).unwrap().rows, 150);
    assert!(staff.version("nope").is_none());
}

#[test]
fn shorten_cuts_on_character_boundaries() {
    assert_eq!(shorten("åäö", 2), "åä…");
    assert_eq!(shorten("abc", 3), "abc");
}
