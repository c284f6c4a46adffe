use super::*;
use crate::data::catalog::fixture_catalog;

fn recipe(steps: serde_json::Value) -> Recipe {
    let catalog = fixture_catalog();
    let agencies = catalog
        .dataset("fixture-agencies")
        .and_then(|d| d.latest())
        .expect("fixture");
    serde_json::from_value(serde_json::json!({
        "v": 1,
        "inputs": [{ "name": "a", "dataset": "fixture-agencies", "sha256": agencies.sha256 }],
        "steps": steps,
    }))
    .expect("recipe")
}

fn sql(steps: serde_json::Value) -> Result<Sql, SqlError> {
    to_sql(&recipe(steps), &fixture_catalog(), Dialect::DataFusion)
}

#[test]
fn the_labs_semantics_are_spelled_out() {
    let out = sql(serde_json::json!([
        { "op": "filter", "predicate": { "op": "not", "not": { "op": "compare", "column": "ministry", "cmp": "eq", "value": "Fi" } } },
        { "op": "group_by", "by": ["ministry"], "measures": [{ "aggregate": "count", "name": "n" }] },
        { "op": "sort", "column": "n", "descending": true },
        { "op": "limit", "rows": 3 },
    ]))
    .expect("sql");
    // A null ministry is kept by NOT, as in the lab.
    assert!(
        out.query
            .contains("(NOT COALESCE(\"ministry\" = 'Fi', FALSE))"),
        "{}",
        out.query
    );
    assert!(
        out.query.contains("ORDER BY \"n\" DESC NULLS LAST LIMIT 3"),
        "{}",
        out.query
    );
    assert!(
        out.query.ends_with("ORDER BY \"n\" DESC NULLS LAST"),
        "{}",
        out.query
    );
    assert_eq!(out.note, None);
    assert!(
        out.preamble.contains("\"a\" = fixture-agencies/"),
        "{}",
        out.preamble
    );
}

#[test]
fn what_sql_cannot_say_exactly_is_refused_by_step() {
    let limit = sql(serde_json::json!([{ "op": "limit", "rows": 3 }])).unwrap_err();
    assert!(
        matches!(
            limit,
            SqlError::Step {
                index: 0,
                kind: "limit",
                ..
            }
        ),
        "{limit}"
    );
}

#[test]
fn a_learning_step_ends_the_query_with_a_note() {
    let out = sql(serde_json::json!([
        { "op": "select", "columns": ["org_nr", "name"] },
        { "op": "cluster", "features": { "columns": ["org_nr"] }, "method": { "k_means": { "k": 2 } }, "name": "c" },
    ]));
    match out {
        Ok(out) => {
            assert!(
                out.note
                    .as_deref()
                    .is_some_and(|n| n.contains("step 2 (cluster)"))
            );
            assert_eq!(out.computed.steps.len(), 1);
        }
        // The fixture has no number column to cluster: the recipe does
        // not check, which is said as such.
        Err(e) => assert!(matches!(e, SqlError::Plan(_)), "{e}"),
    }
}

#[test]
fn each_dialect_quotes_names_and_text_its_own_way() {
    assert_eq!(Dialect::DataFusion.ident("a\"b"), "\"a\"\"b\"");
    assert_eq!(Dialect::DuckDb.text("O'Brien"), "'O''Brien'");
    assert_eq!(Dialect::DuckDb.text("a\\b"), "'a\\b'");
    assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
    // Spark reads a backslash in a literal as an escape.
    assert_eq!(Dialect::Spark.text("a\\b'c"), "'a\\\\b''c'");
    for d in Dialect::ALL {
        assert_eq!(Dialect::parse(d.name()), Some(d));
    }
    assert_eq!(Dialect::parse("oracle"), None);
    let steps = serde_json::json!([
        { "op": "join", "input": "a", "kind": "anti", "left_on": ["org_nr"], "right_on": ["org_nr"], "normalize": "digits" },
    ]);
    let spark = to_sql(&recipe(steps.clone()), &fixture_catalog(), Dialect::Spark).expect("spark");
    assert!(
        spark.query.contains("LEFT ANTI JOIN `a` r"),
        "{}",
        spark.query
    );
    assert!(
        spark
            .query
            .contains("regexp_replace(CAST(l.`org_nr` AS STRING), '[^0-9]', '')"),
        "{}",
        spark.query
    );
    assert!(
        spark.preamble.contains("spark.sql.caseSensitive=true"),
        "{}",
        spark.preamble
    );
    let duckdb = to_sql(&recipe(steps), &fixture_catalog(), Dialect::DuckDb).expect("duckdb");
    assert!(
        duckdb
            .query
            .contains("WHERE NOT EXISTS (SELECT 1 FROM \"a\" r"),
        "{}",
        duckdb.query
    );
}

#[test]
fn shares_and_changes_are_window_functions() {
    let out = sql(serde_json::json!([
        { "op": "derive", "name": "n", "formula": { "fn": "arithmetic", "op": "add", "left": 1.0, "right": 2.0 } },
        { "op": "derive", "name": "s", "formula": { "fn": "share", "column": "n", "within": ["ministry"] } },
        { "op": "derive", "name": "c", "formula": { "fn": "change", "column": "n", "order": "name", "within": ["ministry"], "percent": true } },
    ]))
    .expect("sql");
    assert!(
        out.query
            .contains("SUM(CAST(\"n\" AS DOUBLE)) OVER (PARTITION BY \"ministry\")"),
        "{}",
        out.query
    );
    assert!(
        out.query.contains(
            "LAG(CAST(\"n\" AS DOUBLE)) OVER (PARTITION BY \"ministry\" ORDER BY \"name\" ASC NULLS LAST)"
        ),
        "{}",
        out.query
    );
}

#[test]
fn a_union_names_a_typed_null_for_a_column_one_side_lacks() {
    let out = sql(serde_json::json!([
        { "op": "derive", "name": "n", "formula": { "fn": "arithmetic", "op": "add", "left": 1.0, "right": 2.0 } },
        { "op": "union", "input": "a" },
    ]))
    .expect("sql");
    assert!(out.query.contains("UNION ALL SELECT"), "{}", out.query);
    assert!(
        out.query
            .contains("CAST(NULL AS DOUBLE) AS \"n\" FROM \"a\""),
        "{}",
        out.query
    );
}
