use super::*;

fn agency(key: &str, name: &str, short: Option<&str>, former: &[&str], rows: u64) -> Entity {
    Entity {
        kind: Some(EntityKind::Agency),
        key: key.into(),
        name: name.into(),
        short_name: short.map(String::from),
        former_names: former.iter().map(|s| s.to_string()).collect(),
        rows,
        ..Entity::default()
    }
}

fn index() -> Index {
    Index::new(vec![
        agency(
            "2021005448",
            "Skatteverket",
            Some("SKV"),
            &["Riksskatteverket"],
            40,
        ),
        agency("2021000035", "Justitiekanslern", Some("JK"), &[], 30),
        agency("2021000043", "Statskontoret", None, &[], 20),
        agency("2021000050", "Skolverket", None, &["Statens skolverk"], 35),
        Entity {
            kind: Some(EntityKind::Municipality),
            key: "0180".into(),
            name: "Stockholms kommun".into(),
            short_name: Some("Stockholm".into()),
            county: Some("01".into()),
            rows: 5,
            ..Entity::default()
        },
        Entity {
            kind: Some(EntityKind::County),
            key: "01".into(),
            name: "Stockholms län".into(),
            rows: 3,
            ..Entity::default()
        },
        Entity {
            kind: Some(EntityKind::Ministry),
            key: "Justitiedepartementet".into(),
            name: "Justitiedepartementet".into(),
            rows: 9,
            ..Entity::default()
        },
        Entity {
            kind: Some(EntityKind::Area),
            key: "3".into(),
            name: "Samhällsskydd och rättskipning".into(),
            name_en: Some("Public order and safety".into()),
            rows: 9,
            ..Entity::default()
        },
    ])
}

fn first(query: &str) -> Option<(String, Match)> {
    index()
        .find(query, 10)
        .first()
        .map(|h| (h.entity.key.clone(), h.how))
}

#[test]
fn names_short_names_former_names_and_keys_are_found() {
    assert_eq!(
        first("Skatteverket"),
        Some(("2021005448".into(), Match::Name))
    );
    assert_eq!(
        first("skatteverket"),
        Some(("2021005448".into(), Match::Name))
    );
    assert_eq!(first("JK"), Some(("2021000035".into(), Match::Name)));
    assert_eq!(
        first("riksskatteverket"),
        Some(("2021005448".into(), Match::Name))
    );
    assert_eq!(
        first("202100-0035"),
        Some(("2021000035".into(), Match::Key))
    );
    assert_eq!(first("2021000035"), Some(("2021000035".into(), Match::Key)));
    assert_eq!(first(" 0180 "), Some(("0180".into(), Match::Key)));
    assert_eq!(first("public order"), Some(("3".into(), Match::Prefix)));
    assert_eq!(first("3"), Some(("3".into(), Match::Key)));
}

#[test]
fn case_diacritics_and_a_typo_are_forgiven() {
    assert_eq!(
        first("skateverket"),
        Some(("2021005448".into(), Match::Typo))
    );
    assert_eq!(
        first("SKATTEVERKT"),
        Some(("2021005448".into(), Match::Typo))
    );
    assert_eq!(first("samhallsskydd"), Some(("3".into(), Match::Prefix)));
    assert_eq!(first("stockholms lan"), Some(("01".into(), Match::Name)));
    // Three typos are too many, even in a long word.
    assert_eq!(first("skxtxevxrket"), None);
}

#[test]
fn better_matches_come_first_then_the_most_mentioned() {
    let hits = index().find("sk", 10);
    let keys: Vec<&str> = hits.iter().map(|h| h.entity.key.as_str()).collect();
    // Prefix matches, by rows: Skatteverket (40), Skolverket (35); then
    // word starts (Statens skolverk is Skolverket, already in).
    assert_eq!(&keys[..2], ["2021005448", "2021000050"]);
    let stock = index().find("stockholm", 10);
    assert_eq!(stock[0].entity.key, "0180", "the exact short name first");
    assert_eq!(stock[0].matched, "Stockholm");
    assert_eq!(stock[1].entity.key, "01");
}

#[test]
fn hostile_and_empty_queries_find_nothing_quickly() {
    let index = index();
    assert!(index.find("", 10).is_empty());
    assert!(index.find("   ", 10).is_empty());
    assert!(index.find("skatteverket", 0).is_empty());
    assert!(index.find("zzzzzzzzzz", 10).is_empty());
    let long = "å".repeat(1_000_000);
    assert!(index.find(&long, 10).is_empty());
    assert!(index.find("%00'\"<script>", 10).is_empty());
    assert!(Index::default().find("skatteverket", 10).is_empty());
}

#[test]
fn keys_are_read_as_each_kind_writes_them() {
    assert_eq!(
        EntityKind::Agency.key("202100-0035").as_deref(),
        Some("2021000035")
    );
    assert_eq!(EntityKind::Agency.key("20210000"), None);
    assert_eq!(
        EntityKind::Municipality.key("0180").as_deref(),
        Some("0180")
    );
    assert_eq!(EntityKind::Municipality.key("180"), None);
    assert_eq!(EntityKind::County.key("01").as_deref(), Some("01"));
    assert_eq!(EntityKind::Area.key("11"), None);
    assert_eq!(EntityKind::Area.key("10").as_deref(), Some("10"));
    assert_eq!(EntityKind::Ministry.key("  "), None);
    for kind in EntityKind::ALL {
        assert_eq!(EntityKind::from_name(kind.name()), Some(kind));
    }
    assert_eq!(
        index()
            .get(EntityKind::Agency, "202100-0035")
            .map(|e| e.name.as_str()),
        Some("Justitiekanslern")
    );
    assert!(index().get(EntityKind::County, "0180").is_none());
}

#[test]
fn the_edit_distance_counts_swaps_as_one() {
    assert!(within("skatteverket", "skateverket", 1));
    assert!(within("skatteverket", "sktateverket", 1));
    assert!(!within("skatteverket", "skatevreket", 1));
    assert!(within("skatteverket", "skatevreket", 2));
    assert!(within("", "", 0));
    assert!(!within("abc", "", 2));
}

#[test]
fn a_table_reads_back_with_lists_split_and_bad_rows_left_out() {
    let batch = Table::default()
        .utf8(
            "kind",
            [Some("agency"), Some("planet"), Some("municipality")],
        )
        .utf8("key", [Some("2021000035"), Some("x"), Some("0180")])
        .utf8(
            "name",
            [
                Some("Justitiekanslern"),
                Some("x"),
                Some("Stockholms kommun"),
            ],
        )
        .utf8(
            "name_en",
            [Some("Office of the Chancellor of Justice"), None, None],
        )
        .utf8("short_name", [Some("JK"), None, Some("Stockholm")])
        .utf8("former_names", [Some("A; B"), None, None])
        .utf8("ministry", [Some("Justitiedepartementet"), None, None])
        .utf8("area", [Some("3"), None, None])
        .utf8("municipality", [Some("0180"), None, None])
        .utf8("county", [Some("01"), None, Some("01")])
        .utf8(
            "datasets",
            [
                Some("agencies.org_nr; agency_fte.org_nr"),
                None,
                Some("municipalities.municipality_code"),
            ],
        )
        .utf8("rows", [Some("17"), Some("1"), Some("1")])
        .build();
    let entities = read(&batch).unwrap();
    assert_eq!(entities.len(), 2);
    assert_eq!(entities[0].former_names, ["A", "B"]);
    assert_eq!(
        entities[0].datasets,
        ["agencies.org_nr", "agency_fte.org_nr"]
    );
    assert_eq!(entities[0].rows, 17);
    assert_eq!(entities[1].kind, Some(EntityKind::Municipality));
    let without = batch.project(&[0, 1]).unwrap();
    assert!(read(&without).unwrap_err().contains("has no column"));
}

/// Text columns for a test table.
#[derive(Default)]
struct Table(Vec<(&'static str, arrow::array::ArrayRef)>);

impl Table {
    fn utf8<const N: usize>(mut self, name: &'static str, values: [Option<&str>; N]) -> Self {
        self.0.push((
            name,
            std::sync::Arc::new(arrow::array::StringArray::from(values.to_vec())),
        ));
        self
    }

    fn build(self) -> RecordBatch {
        RecordBatch::try_from_iter(self.0).unwrap()
    }
}
