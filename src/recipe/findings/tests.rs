use super::*;

fn n(v: f64) -> Cell {
    Cell::Number(v)
}

fn s(v: &str) -> Cell {
    Cell::Text(v.into())
}

fn growth_table(rows: &[(&str, &str, f64, f64)]) -> Table {
    Table {
        columns: ["name", "org_nr", "2010", "2024", "growth_percent"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|(name, org, a, b)| vec![s(name), s(org), n(*a), n(*b), n((b - a) / a * 100.0)])
            .collect(),
        total_rows: rows.len() as u64,
    }
}

fn agency(key: &str) -> Entity {
    Entity {
        kind: Some(EntityKind::Agency),
        key: key.into(),
        name: "Kriminalvården".into(),
        name_en: Some("Swedish Prison and Probation Service".into()),
        ministry: Some("Justitiedepartementet".into()),
        ..Entity::default()
    }
}

#[test]
fn growth_says_the_change_its_rounding_and_both_ranks() {
    let ministry = growth_table(&[
        ("A", "1", 100.0, 200.0),
        ("Kriminalvården", "2", 9120.0, 15321.6),
        ("C", "3", 50.0, 40.0),
    ]);
    let mut all = ministry.clone();
    all.rows
        .push(vec![s("D"), s("4"), n(10.0), n(100.0), n(900.0)]);
    let tables = [("growth_ministry", ministry), ("growth_all", all)];
    let en = sentences(&agency("2"), &tables, Lang::En);
    assert_eq!(
        en[0],
        "Swedish Prison and Probation Service grew by 68% in full-time equivalents from 2010 to 2024 (from 9,120 to 15,322; rounded to whole per cent). By growth it ranks 2nd of 3 agencies under Justitiedepartementet, and 3rd of 4 agencies with figures for both years."
    );
    let sv = sentences(&agency("2"), &tables, Lang::Sv);
    assert_eq!(
        sv[0],
        "Kriminalvården växte med 68\u{a0}% i årsarbetskrafter från 2010 till 2024 (från 9\u{202f}120 till 15\u{202f}322; avrundat till hela procent). Efter tillväxt ligger den på plats 2 av 3 myndigheter under Justitiedepartementet, och plats 3 av 4 myndigheter med siffror för båda åren."
    );
    // A decline is said as one, with the size of the fall.
    let c = sentences(
        &Entity {
            key: "3".into(),
            ..agency("3")
        },
        &tables,
        Lang::En,
    );
    assert!(
        c[0].contains("shrank by 20%") && c[0].contains("3rd of 3"),
        "{}",
        c[0]
    );
}

#[test]
fn ties_share_a_place_and_say_so() {
    let t = growth_table(&[
        ("A", "1", 100.0, 150.0),
        ("B", "2", 10.0, 15.0),
        ("C", "3", 10.0, 11.0),
    ]);
    let tables = [("growth_ministry", t.clone()), ("growth_all", t)];
    let en = sentences(&agency("2"), &tables, Lang::En);
    assert!(
        en[0].contains("1st (tied) of 3 agencies under"),
        "{}",
        en[0]
    );
    let sv = sentences(&agency("1"), &tables, Lang::Sv);
    assert!(sv[0].contains("delad plats 1 av 3"), "{}", sv[0]);
}

#[test]
fn a_single_member_and_missing_years_and_zero_rows() {
    let alone = growth_table(&[("Kriminalvården", "2", 100.0, 100.0)]);
    let tables = [("growth_ministry", alone.clone()), ("growth_all", alone)];
    let en = sentences(&agency("2"), &tables, Lang::En);
    assert!(
        en[0].contains("changed by less than half a per cent"),
        "{}",
        en[0]
    );
    assert!(
        en[0].contains("it is the only agency under Justitiedepartementet"),
        "{}",
        en[0]
    );
    // Not among the agencies with both years: said, not ranked.
    let en = sentences(&agency("9"), &tables, Lang::En);
    assert_eq!(en.len(), 1);
    assert!(en[0].contains("not ranked"), "{}", en[0]);
    // No tables at all (datasets missing): no sentence, no panic.
    assert!(sentences(&agency("2"), &[], Lang::Sv).is_empty());
    let empty = [
        ("growth_all", Table::default()),
        ("women", Table::default()),
        ("letters", Table::default()),
        ("staff", Table::default()),
    ];
    let said = sentences(&agency("2"), &empty, Lang::En);
    assert_eq!(said.len(), 1, "only that growth is not ranked: {said:?}");
}

#[test]
fn women_letters_and_the_two_sources() {
    let women = Table {
        columns: ["year", "women_percent"].map(String::from).to_vec(),
        rows: vec![
            vec![n(2024.0), n(54.4)],
            vec![n(2008.0), n(47.0)],
            vec![n(2009.0), Cell::Null],
        ],
        total_rows: 3,
    };
    assert_eq!(
        super::women(&women, Lang::En).unwrap(),
        "Women were 54% of the staff in 2024 (47% in 2008)."
    );
    let one = Table {
        rows: vec![vec![n(2024.0), n(50.0)]],
        ..women.clone()
    };
    assert_eq!(
        super::women(&one, Lang::Sv).unwrap(),
        "Kvinnor var 50\u{a0}% av de anställda 2024."
    );

    let letters = Table {
        columns: ["year", "kind", "count"].map(String::from).to_vec(),
        rows: vec![
            vec![n(2019.0), s("letters"), n(1.0)],
            vec![n(2019.0), s("amendments"), n(2.0)],
            vec![n(2020.0), s("letters"), n(1.0)],
            vec![n(2020.0), s("amendments"), n(2.0)],
            vec![n(2021.0), s("letters"), n(1.0)],
            vec![n(2021.0), s("amendments"), n(0.0)],
        ],
        total_rows: 6,
    };
    assert_eq!(
        super::letters(&letters, Lang::En).unwrap(),
        "It received 3 appropriation directions and 4 amendments in 2019–2021, most in 2019 and 2020 (3 each)."
    );

    let staff = Table {
        columns: ["year", "measure", "value"].map(String::from).to_vec(),
        rows: vec![
            vec![n(2023.0), s("fte_statskontoret"), n(1000.0)],
            vec![n(2023.0), s("fte_esv"), n(990.0)],
            vec![n(2024.0), s("fte_esv"), n(1200.0)],
        ],
        total_rows: 3,
    };
    assert_eq!(
        super::staff(&staff, Lang::En).unwrap(),
        "In 2023 Statskontoret counts 1,000 full-time equivalents and ESV 990: ESV's figure is 1.0% lower."
    );
}

#[test]
fn a_ministry_and_a_place() {
    let ministry = Entity {
        kind: Some(EntityKind::Ministry),
        key: "Justitiedepartementet".into(),
        name: "Justitiedepartementet".into(),
        ..Entity::default()
    };
    let totals = Table {
        columns: ["year", "fte", "agencies"].map(String::from).to_vec(),
        rows: vec![
            vec![n(2010.0), n(1000.0), n(20.0)],
            vec![n(2024.0), n(1310.0), n(24.0)],
        ],
        total_rows: 2,
    };
    let growth = growth_table(&[("A", "1", 100.0, 200.0), ("B", "2", 100.0, 50.0)]);
    let said = sentences(
        &ministry,
        &[("totals", totals), ("growth", growth)],
        Lang::En,
    );
    assert_eq!(
        said[0],
        "The 24 agencies under Justitiedepartementet with figures had 1,310 full-time equivalents in 2024, 31% more than in 2010 (1,000 across 20 agencies; rounded to whole per cent)."
    );
    assert_eq!(
        said[1],
        "From 2010 to 2024 the fastest growth of the 2 agencies with figures for both years was A (+100%); the largest decline was B (−50%)."
    );

    let place = Entity {
        kind: Some(EntityKind::Municipality),
        key: "0180".into(),
        name: "Stockholm".into(),
        ..Entity::default()
    };
    let none = Table::default();
    assert_eq!(
        sentences(&place, &[("agencies", none)], Lang::En),
        ["No agency in SCB's register has its city in Stockholm."]
    );
    let some = Table {
        columns: vec!["name".into()],
        rows: vec![vec![s("A")]],
        total_rows: 116,
    };
    assert_eq!(
        sentences(&place, &[("agencies", some)], Lang::Sv),
        ["116 myndigheter har sin ort i Stockholm (SCB:s register)."]
    );
}
