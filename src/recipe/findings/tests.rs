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
        "Swedish Prison and Probation Service grew by 68% in full-time equivalents from 2010 to 2024 (from 9,120 to 15,322; rounded to whole per cent). By growth it ranks 2nd of 3 agencies under Justitiedepartementet, and 3rd of 4 agencies with figures for both years. By full-time equivalents in 2024 it is 1st of 3 under Justitiedepartementet and 1st of 4."
    );
    let sv = sentences(&agency("2"), &tables, Lang::Sv);
    assert_eq!(
        sv[0],
        "Kriminalvården växte med 68\u{a0}% i årsarbetskrafter från 2010 till 2024 (från 9\u{202f}120 till 15\u{202f}322; avrundat till hela procent). Efter tillväxt ligger den på plats 2 av 3 myndigheter under Justitiedepartementet, och plats 3 av 4 myndigheter med siffror för båda åren. Efter årsarbetskrafter 2024 ligger den på plats 1 av 3 under Justitiedepartementet och plats 1 av 4."
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
            vec![n(2011.0), s("fte_statskontoret"), n(2.0)],
            vec![n(2011.0), s("fte_esv"), n(900.0)],
            vec![n(2012.0), s("fte_statskontoret"), n(3.0)],
            vec![n(2012.0), s("fte_esv"), n(910.0)],
        ],
        total_rows: 7,
    };
    assert_eq!(
        super::staff(&staff, Lang::En).unwrap(),
        "In 2023 Statskontoret counts 1,000 full-time equivalents and ESV 990: ESV's figure is 1.0% lower. The sources differ more than tenfold in 2011 (Statskontoret 2.0, ESV 900) and 2012 (Statskontoret 3.0, ESV 910): one of the figures is likely a fault in its source."
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
    // The change counts only the agencies with both years (A and B: 200
    // to 250), not the group's total, whose members change.
    assert_eq!(
        said[0],
        "The 24 agencies under Justitiedepartementet with figures had 1,310 full-time equivalents in 2024. The 2 with figures for both 2010 and 2024 grew by 25%, from 200 to 250 (rounded to whole per cent)."
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

#[test]
fn the_most_similar_curves_by_shape_not_size() {
    let years: Vec<String> = (GROWTH_FROM..=GROWTH_TO).map(|y| y.to_string()).collect();
    let mut columns = vec!["org_nr".to_string(), "name".to_string()];
    columns.extend(years.iter().cloned());
    columns.push("cluster".into());
    // A rising curve; B the same shape ten times larger; C flat; D falling;
    // E with a year missing.
    let row = |org: &str, name: &str, f: &dyn Fn(f64) -> Option<f64>, cluster: f64| {
        let mut r = vec![s(org), s(name)];
        r.extend((0..years.len()).map(|i| f(i as f64).map_or(Cell::Null, Cell::Number)));
        r.push(n(cluster));
        r
    };
    let table = Table {
        columns,
        rows: vec![
            row("1", "A", &|i| Some(100.0 + 10.0 * i), 1.0),
            row("2", "B", &|i| Some(1000.0 + 100.0 * i), 1.0),
            row("3", "C", &|_| Some(50.0), 2.0),
            row("4", "D", &|i| Some(500.0 - 10.0 * i), 2.0),
            row("5", "E", &|i| (i != 3.0).then_some(100.0 + 10.0 * i), 1.0),
        ],
        total_rows: 5,
    };
    let a = Entity {
        key: "1".into(),
        name: "A".into(),
        ..agency("1")
    };
    let said = super::similar(&a, "A", &table, Lang::En);
    assert!(said.contains("the most similar are B, C and D."), "{said}");
    assert!(
        said.contains("4 agencies with every year") && said.contains("cluster 1 with 3 agencies"),
        "{said}"
    );
    let e = Entity {
        key: "5".into(),
        ..agency("5")
    };
    assert!(super::similar(&e, "E", &table, Lang::Sv).contains("jämförs inte"));
    assert!(super::similar(&e, "E", &Table::default(), Lang::En).contains("not compared"));
}

#[test]
fn cluster_sentences_say_sizes_units_members_and_rows_left_out() {
    let profile = Table {
        columns: ["cluster", "size", "sets_apart", "members", "fte", "growth"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            vec![
                n(0.0),
                n(3.0),
                s("fte +1.2"),
                s("A, B, C"),
                n(3000.0),
                n(10.0),
            ],
            vec![n(1.0), n(1.0), s("fte −1.2"), s("D"), n(1000.0), n(10.0)],
            vec![n(-1.0), n(1.0), s(""), s(""), n(2500.0), n(10.2)],
        ],
        total_rows: 3,
    };
    let features = ["fte".to_string(), "growth".to_string()];
    let units = [("fte".to_string(), "FTE".to_string())];
    let said = clusters(&profile, &features, &units, 6, Lang::En);
    // Overall fte mean: (3·3000 + 1000 + 2500) / 5 = 2500.
    assert_eq!(
        said[0],
        "Cluster 0: 3 of 6 rows (50%); fte averages 3,000 FTE against 2,500 FTE for all clustered rows. Among them: A, B, C."
    );
    assert_eq!(
        said[1],
        "Cluster 1: 1 of 6 rows (17%); fte averages 1,000 FTE against 2,500 FTE for all clustered rows. Among them: D."
    );
    assert_eq!(
        said[2],
        "Noise (no dense region): 1 of 6 rows (17%); its means lie within 5% of all clustered rows' in every feature."
    );
    assert_eq!(
        said[3],
        "1 of 6 rows were left out: a feature has no value there, and the step's missing-value rule drops such rows."
    );
    let sv = clusters(&profile, &features, &units, 5, Lang::Sv);
    assert_eq!(sv.len(), 3, "nothing left out: {sv:?}");
    assert!(
        sv[0].starts_with("Kluster 0: 3 av 5 rader (60\u{a0}%); fte är i medel 3\u{202f}000 FTE"),
        "{}",
        sv[0]
    );
    // A tiny cluster is not rounded away; listed members ending in "…"
    // get no second full stop.
    let tiny = Table {
        rows: vec![vec![n(0.0), n(1.0), s(""), s("A, B, …"), n(1.0), n(1.0)]],
        ..profile.clone()
    };
    let said = clusters(&tiny, &features, &units, 300, Lang::En);
    assert!(
        said[0].starts_with("Cluster 0: 1 of 300 rows (under 1%)")
            && said[0].ends_with("Among them: A, B, …"),
        "{}",
        said[0]
    );
    // Zero rows, no clusters: nothing to say.
    assert!(clusters(&Table::default(), &features, &units, 0, Lang::En).is_empty());
}

#[test]
fn the_womens_share_is_ranked_among_all_and_within_the_ministry() {
    let table = Table {
        columns: ["name", "org_nr", "ministry", "women_percent"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            vec![s("A"), s("1"), s("Justitiedepartementet"), n(70.0)],
            vec![s("B"), s("2"), s("Finansdepartementet"), n(60.0)],
            vec![
                s("Kriminalvården"),
                s("3"),
                s("Justitiedepartementet"),
                n(51.2),
            ],
            vec![s("D"), s("4"), s("Justitiedepartementet"), n(51.2)],
        ],
        total_rows: 4,
    };
    let said = super::women_rank(&agency("3"), &table, Lang::En).unwrap();
    assert_eq!(
        said,
        "By the women's share of its staff in 2024 (51%) it is 3rd (tied) of 4 agencies and 2nd (tied) of 3 under Justitiedepartementet (1st = the highest share)."
    );
    // Not among them: nothing said.
    assert!(super::women_rank(&agency("9"), &table, Lang::Sv).is_none());
    // Alone in its ministry: only the rank among all.
    let b = Entity {
        ministry: Some("Finansdepartementet".into()),
        ..agency("2")
    };
    assert!(
        super::women_rank(&b, &table, Lang::Sv)
            .unwrap()
            .ends_with("plats 2 av 4 myndigheter (plats 1 = störst andel).")
    );
}

#[test]
fn outlier_sentences_name_the_farthest_features_in_their_units() {
    let row = |r: &str, f: &str, v: f64, m: f64, z: f64| vec![s(r), s(f), n(v), n(m), n(z)];
    let long = Table {
        columns: ["row", "feature", "value", "mean", "difference_sd"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            row("Kriminalvården", "fte", 15321.6, 1050.0, 3.12),
            row("Kriminalvården", "growth", 68.0, 12.0, 2.0),
            row("Kriminalvården", "women", 50.0, 51.0, -0.1),
            row("Liten", "fte", 3.0, 1050.0, -0.4),
            row("Liten", "growth", 10.0, 12.0, -0.2),
            row("Liten", "women", 49.0, 51.0, -0.3),
        ],
        total_rows: 6,
    };
    let units = [("fte".to_string(), "FTE".to_string())];
    let en = outliers(&long, &[0.712, 0.6], 2, 212, &units, Lang::En);
    assert_eq!(
        en,
        [
            "2 of 212 scored rows (1%) are flagged as unusual.",
            "Kriminalvården (score 0.71): fte is 15,322 FTE, 3.1 standard deviations above the mean (1,050 FTE); growth is 68, 2.0 standard deviations above the mean (12).",
            "Liten (score 0.60): no feature lies more than half a standard deviation from the mean; the combination of its values is what is unusual.",
        ]
    );
    let sv = outliers(&long, &[0.712, 0.6], 2, 212, &units, Lang::Sv);
    assert!(
        sv[1].starts_with("Kriminalvården (poäng 0,71): fte är 15\u{202f}322 FTE, 3,1 standardavvikelser över medelvärdet"),
        "{sv:?}"
    );
    // With peers, a feature also says how it stands among them.
    let peer = |r: &str, f: &str, v: f64, m: f64, z: f64, pm: f64, pz: f64| {
        vec![s(r), s(f), n(v), n(m), n(z), n(20.0), n(pm), n(pz)]
    };
    let long = Table {
        columns: [
            "row",
            "feature",
            "value",
            "mean",
            "difference_sd",
            "peers",
            "peer_mean",
            "peer_difference_sd",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![
            peer("Kriminalvården", "growth", 68.0, 12.0, 2.0, 20.0, 3.1),
            peer("Kriminalvården", "fte", 15321.6, 1050.0, 0.2, 900.0, -0.4),
        ],
        total_rows: 2,
    };
    let en = outliers(&long, &[0.712], 1, 212, &units, Lang::En);
    assert_eq!(
        en[1],
        "Kriminalvården (score 0.71): growth is 68, 2.0 standard deviations above the mean (12), and 3.1 standard deviations above the 20 rows most like it in fte (mean 20)."
    );
    let sv = outliers(&long, &[0.712], 1, 212, &units, Lang::Sv);
    assert!(
        sv[1].ends_with(
            "och 3,1 standardavvikelser över de 20 rader som mest liknar den i fte (medelvärde 20)."
        ),
        "{sv:?}"
    );
    // Nothing scored: the count still reads.
    let none = outliers(&Table::default(), &[], 0, 0, &[], Lang::En);
    assert_eq!(none, ["0 of 0 scored rows (0%) are flagged as unusual."]);
}
