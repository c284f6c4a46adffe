//! Randomised tests of the whole recipe path: arbitrary recipes (unknown
//! columns and inputs, nested predicates, odd numbers, every step kind)
//! are checked into a plan or refused, never panic, and when they check,
//! they run without error (the plan is the gate) to exactly the schema
//! the plan said.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Float64Array, Int32Array, RecordBatch, StringArray};

use crate::data::catalog::fixture_catalog;
use crate::data::schema::ColumnType;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::ops::no_progress;
use crate::recipe::{Comparison, Input, Predicate, RECIPE_VERSION, Recipe, Step, Value, plan, run};

/// Tables in the columns of the fixture catalog's agencies and (latest)
/// staff: org numbers written two ways, a year outside 2010–2024.
pub(crate) fn fixture_tables() -> [RecordBatch; 2] {
    let agencies = RecordBatch::try_from_iter(vec![
        (
            "org_nr",
            Arc::new(StringArray::from(vec!["202100-0001", "202100-0002"])) as _,
        ),
        ("name", Arc::new(StringArray::from(vec!["A", "B"])) as _),
        (
            "ministry",
            Arc::new(StringArray::from(vec!["Fi", "Ju"])) as _,
        ),
    ])
    .unwrap();
    let staff = RecordBatch::try_from_iter(vec![
        (
            "org_nr",
            Arc::new(StringArray::from(vec![
                "2021000001",
                "2021000001",
                "2021000002",
            ])) as _,
        ),
        (
            "year",
            Arc::new(Int32Array::from(vec![2009, 2012, 2012])) as _,
        ),
        (
            "fte",
            Arc::new(Float64Array::from(vec![1.0, 2.5, 4.0])) as _,
        ),
    ])
    .unwrap();
    [agencies, staff]
}

/// The project's seeded generator with the helpers random recipes need.
struct Random(crate::ml::rng::Rng);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n.max(1))
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn name(&mut self) -> String {
        let names = [
            "org_nr",
            "name",
            "ministry",
            "year",
            "fte",
            "rows",
            "fte_right",
            "x",
            "",
            "ÅÄÖ",
            "name_right",
        ];
        self.pick(&names).to_string()
    }
    fn names(&mut self) -> Vec<String> {
        (0..self.below(4)).map(|_| self.name()).collect()
    }
    fn number(&mut self) -> f64 {
        *self.pick(&[0.0, -1.0, 2010.0, 2.5, 1e308, f64::NAN, f64::INFINITY, -0.0])
    }
    fn value(&mut self) -> Value {
        match self.below(3) {
            0 => Value::Number(self.number()),
            1 => Value::Bool(self.below(2) == 0),
            _ => Value::Text(
                self.pick(&["", "Fi", "2012", "2021000001", "x"])
                    .to_string(),
            ),
        }
    }
    fn predicate(&mut self, depth: usize) -> Predicate {
        match if depth > 40 {
            self.below(3)
        } else {
            self.below(6)
        } {
            0 => Predicate::Compare {
                column: self.name(),
                cmp: *self.pick(&Comparison::ALL),
                value: self.value(),
            },
            1 => Predicate::In {
                column: self.name(),
                values: (0..self.below(4)).map(|_| self.value()).collect(),
            },
            2 => Predicate::IsNull {
                column: self.name(),
            },
            3 => Predicate::And {
                all: (0..self.below(3))
                    .map(|_| self.predicate(depth + 1))
                    .collect(),
            },
            4 => Predicate::Or {
                any: (0..self.below(3))
                    .map(|_| self.predicate(depth + 1))
                    .collect(),
            },
            _ => Predicate::Not {
                not: Box::new(self.predicate(depth + 1)),
            },
        }
    }
    fn operand(&mut self) -> Operand {
        if self.below(3) == 0 {
            Operand::Number(self.number())
        } else {
            Operand::Column(self.name())
        }
    }
    fn step(&mut self) -> Step {
        match self.below(11) {
            0 => Step::Select {
                columns: self.names(),
            },
            1 => Step::Rename {
                from: self.name(),
                to: self.name(),
            },
            2 => Step::Filter {
                predicate: self.predicate(0),
            },
            3 => {
                let keys = self.below(3);
                Step::Join {
                    input: self.pick(&["staff", "agencies", "nope"]).to_string(),
                    spec: JoinSpec {
                        kind: *self.pick(&JoinKind::ALL),
                        left_on: (0..keys).map(|_| self.name()).collect(),
                        right_on: (0..keys + self.below(2)).map(|_| self.name()).collect(),
                        normalize: *self.pick(&Normalize::ALL),
                    },
                }
            }
            4 => Step::GroupBy {
                by: self.names(),
                measures: (0..self.below(3))
                    .map(|_| Measure {
                        aggregate: *self.pick(&Aggregate::ALL),
                        column: (self.below(4) > 0).then(|| self.name()),
                        name: self.name(),
                    })
                    .collect(),
            },
            5 => Step::Sort {
                column: self.name(),
                descending: self.below(2) == 0,
            },
            6 => Step::Derive {
                name: self.name(),
                formula: match self.below(4) {
                    0 => Formula::Arithmetic {
                        op: *self.pick(&[ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div]),
                        left: self.operand(),
                        right: self.operand(),
                    },
                    1 => Formula::Log {
                        column: self.name(),
                    },
                    2 => Formula::Share {
                        column: self.name(),
                        within: self.names(),
                    },
                    _ => Formula::Change {
                        column: self.name(),
                        order: self.name(),
                        within: self.names(),
                        percent: self.below(2) == 0,
                    },
                },
            },
            7 => Step::Union {
                input: self.pick(&["staff", "agencies", "nope"]).to_string(),
            },
            8 => Step::Pivot {
                index: self.names(),
                column: self.name(),
                values: self.name(),
                keys: (0..self.below(3))
                    .map(|_| {
                        self.pick(&["2012", "2009", "Fi", "", "x", "fte"])
                            .to_string()
                    })
                    .collect(),
                aggregate: *self.pick(&[
                    Aggregate::Count,
                    Aggregate::Sum,
                    Aggregate::Mean,
                    Aggregate::Median,
                    Aggregate::Max,
                ]),
            },
            9 => Step::Unpivot {
                columns: self.names(),
                name: self.name(),
                value: self.name(),
            },
            _ => Step::Limit {
                rows: *self.pick(&[0, 1, 2, u64::MAX]),
            },
        }
    }
}

/// The fixture catalog, inputs `agencies` and `staff` pinned to its
/// newest versions, and their tables by input name.
pub(crate) fn fixture_inputs() -> (
    crate::data::Catalog,
    Vec<Input>,
    BTreeMap<String, RecordBatch>,
) {
    let catalog = fixture_catalog();
    let input = |name: &str, id: &str| Input {
        name: name.into(),
        dataset: id.into(),
        sha256: catalog
            .dataset(id)
            .unwrap()
            .latest()
            .unwrap()
            .sha256
            .clone(),
    };
    let inputs = vec![
        input("agencies", "fixture-agencies"),
        input("staff", "fixture-staff"),
    ];
    let [agencies, staff] = fixture_tables();
    let tables = BTreeMap::from([
        ("agencies".to_string(), agencies),
        ("staff".to_string(), staff),
    ]);
    (catalog, inputs, tables)
}

/// The columns read of each input, by input name (`None`: all).
type ReadColumns = BTreeMap<String, Option<std::collections::BTreeSet<String>>>;

/// The columns `recipe` reads of each input (see `run::input_columns`),
/// and `tables` made of only those, as a reader of Parquet files makes
/// them.
fn read_columns_only(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
) -> (ReadColumns, BTreeMap<String, RecordBatch>) {
    let read = run::input_columns(recipe);
    let pruned = tables
        .iter()
        .map(|(name, table)| {
            let keep: Vec<usize> = (0..table.num_columns())
                .filter(|&i| {
                    read.get(name).is_some_and(|c| {
                        c.as_ref()
                            .is_none_or(|c| c.contains(table.schema().field(i).name()))
                    })
                })
                .collect();
            (name.clone(), table.project(&keep).unwrap())
        })
        .collect();
    (read, pruned)
}

#[test]
fn random_recipes_check_or_are_refused_and_run_to_the_planned_schema() {
    let (catalog, inputs, tables) = fixture_inputs();
    let mut random = Random(crate::ml::rng::Rng::new(0x9e37_79b9_7f4a_7c15));
    let (mut checked, mut pruned_inputs) = (0, 0);
    for _ in 0..20_000 {
        let mut inputs = inputs.clone();
        if random.below(20) == 0 {
            inputs.swap(0, 1);
        }
        let recipe = Recipe {
            v: if random.below(50) == 0 {
                2
            } else {
                RECIPE_VERSION
            },
            inputs,
            steps: (0..random.below(5)).map(|_| random.step()).collect(),
            chart: Default::default(),
        };
        let Ok(plan) = plan::check(&recipe, &catalog) else {
            continue;
        };
        checked += 1;
        let json = serde_json::to_string(&recipe).unwrap_or_default();
        let (batch, ran) = run::run(&recipe, &tables, &mut no_progress)
            .unwrap_or_else(|e| panic!("a checked recipe failed to run: {e}\n{json}"));
        let report_rows: Vec<u64> = ran.iter().map(|r| r.rows).collect();
        let schema: crate::recipe::plan::Schema = batch
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), ColumnType::of(f.data_type())))
            .collect();
        assert_eq!(Some(&schema), plan.schemas.last(), "{json}");
        // Joins and filters make only the columns later steps read, and a
        // filter and a group-by run as one pass; the result is the same as
        // making every column and gathering every filter's rows.
        let (full, reports) = run::run_unpruned(&recipe, &tables).expect("runs unpruned");
        assert_eq!(batch, full, "{json}");
        // The same with each input made of only the columns the recipe
        // reads of it, as a reader of Parquet files makes it.
        let (read, pruned) = read_columns_only(&recipe, &tables);
        let (made, _) = run::run(&recipe, &pruned, &mut no_progress)
            .unwrap_or_else(|e| panic!("failed with the columns it reads: {e}\n{json}"));
        assert_eq!(made, batch, "{json}");
        pruned_inputs += usize::from(read.values().any(Option::is_some));
        assert_eq!(
            report_rows,
            reports.iter().map(|r| r.rows).collect::<Vec<_>>()
        );
    }
    assert!(checked > 1_000, "only {checked} recipes checked");
    assert!(
        pruned_inputs > 500,
        "only {pruned_inputs} recipes read part of an input"
    );
}

/// The number of values in `value`, itself and all it holds.
fn count_nodes(value: &serde_json::Value) -> usize {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count_nodes).sum(),
        serde_json::Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Calls `edit` on the `n`-th value of `value` (depth first); true if found.
fn edit_nth(
    value: &mut serde_json::Value,
    n: &mut usize,
    edit: &mut dyn FnMut(&mut serde_json::Value),
) -> bool {
    if *n == 0 {
        edit(value);
        return true;
    }
    *n -= 1;
    match value {
        serde_json::Value::Array(items) => items.iter_mut().any(|v| edit_nth(v, n, edit)),
        serde_json::Value::Object(map) => map.values_mut().any(|v| edit_nth(v, n, edit)),
        _ => false,
    }
}

/// One to three edits of a recipe's JSON: a number made huge, negative,
/// zero or fractional, a string made long, empty or another column's
/// name, an array repeated, a flag flipped.
fn mutate_json(random: &mut Random, value: &mut serde_json::Value) {
    for _ in 0..1 + random.below(3) {
        let mut n = random.below(count_nodes(value));
        let (pick, name, repeat) = (random.below(7), random.name(), random.below(200));
        let mut edit = |node: &mut serde_json::Value| {
            *node = match node.clone() {
                serde_json::Value::Number(_) => {
                    serde_json::json!([1e308, -1.0, 0.0, 4_294_967_296.0, 1.5, 1e12, -1e-300][pick])
                }
                serde_json::Value::String(s) => match pick % 4 {
                    0 => serde_json::json!(""),
                    1 => serde_json::json!(s.repeat(50)),
                    2 => serde_json::json!("år ✓ \u{0}"),
                    _ => serde_json::json!(name.clone()),
                },
                serde_json::Value::Array(items) if !items.is_empty() => {
                    let mut more = items.clone();
                    for k in 0..repeat {
                        more.push(items[k % items.len()].clone());
                    }
                    serde_json::Value::Array(more)
                }
                serde_json::Value::Bool(b) => serde_json::json!(!b),
                other => other,
            };
        };
        edit_nth(value, &mut n, &mut edit);
    }
}

/// Links made by hand: random recipes, mutated as JSON and as link text,
/// are decoded, checked and run on small tables. None may panic; each is
/// refused with a message or runs to its planned schema. Runs briefly in
/// the test command; `DATALABB_MUTATIONS=1000000 cargo test --profile fuzz --lib
/// mutated_links` for a long run.
#[test]
fn mutated_links_are_refused_or_run_never_panic() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let iterations: usize = std::env::var("DATALABB_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let (catalog, inputs, tables) = fixture_inputs();
    let mut random = Random(crate::ml::rng::Rng::new(0x0001_14e5));
    let (mut refused, mut ran) = (0, 0);
    for i in 0..iterations {
        let recipe = Recipe {
            v: RECIPE_VERSION,
            inputs: inputs.clone(),
            steps: (0..1 + random.below(4)).map(|_| random.step()).collect(),
            chart: Default::default(),
        };
        let link = if random.below(2) == 0 {
            // Structure-aware: the JSON mutated, then encoded as a link.
            let mut json = serde_json::to_value(&recipe).unwrap();
            mutate_json(&mut random, &mut json);
            let text = json.to_string();
            let deflated = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 6);
            format!(
                "r1.{}",
                base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, deflated)
            )
        } else {
            // Bytes: the link text itself edited.
            let mut bytes = crate::recipe::url::encode(&recipe).unwrap().into_bytes();
            for _ in 0..1 + random.below(3) {
                let at = random.below(bytes.len());
                match random.below(3) {
                    0 => bytes[at] = b"AZaz09-_.%="[random.below(11)],
                    1 => bytes.truncate(at.max(3)),
                    _ => bytes.insert(at, b'Q'),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let recipe = crate::recipe::url::decode(&link).ok()?;
            plan::check(&recipe, &catalog).ok()?;
            Some(run::run(&recipe, &tables, &mut no_progress).map(|_| ()))
        }));
        // A run may still refuse what only the rows tell (a budget, say).
        match outcome {
            Ok(Some(Ok(()))) => ran += 1,
            Ok(Some(Err(_)) | None) => refused += 1,
            Err(_) => panic!("link {i} made the lab panic:\n{link}"),
        }
    }
    eprintln!("{iterations} mutated links: {ran} ran, {refused} refused");
    assert!(ran > 0 && refused > 0, "{ran} ran, {refused} refused");
}

/// A number, null one time in six, NaN one time in twenty of the rest.
fn maybe_number(rng: &mut crate::ml::rng::Rng) -> Option<f64> {
    (rng.below(6) != 0).then(|| match rng.below(20) {
        0 => f64::NAN,
        _ => rng.below(2000) as f64 / 8.0 - 100.0,
    })
}

/// The measured columns of the randomised tables: `v`, floats with nulls
/// and NaN, and `w`, integers.
fn measured(
    rng: &mut crate::ml::rng::Rng,
    rows: usize,
) -> [(&'static str, arrow::array::ArrayRef); 2] {
    let v: Vec<Option<f64>> = (0..rows).map(|_| maybe_number(rng)).collect();
    let w: Vec<i64> = (0..rows).map(|_| rng.below(100) as i64 - 50).collect();
    [
        ("v", Arc::new(Float64Array::from(v))),
        ("w", Arc::new(arrow::array::Int64Array::from(w))),
    ]
}

/// One to three measures of random aggregates, of `columns` (none for a
/// count), named `m0`, `m1`, ….
fn random_measures(rng: &mut crate::ml::rng::Rng, columns: &[&str]) -> Vec<Measure> {
    (0..1 + rng.below(3))
        .map(|i| {
            let aggregate = Aggregate::ALL[rng.below(Aggregate::ALL.len())];
            Measure {
                aggregate,
                column: (aggregate != Aggregate::Count)
                    .then(|| columns[rng.below(columns.len())].into()),
                name: format!("m{i}"),
            }
        })
        .collect()
}

/// A filter and the group-by after it run as one pass (the predicate
/// tested a part at a time, the group-by reading the kept rows in place):
/// on random tables with nulls and NaN, columns of several types (text,
/// dictionary, integers, dates, instants, booleans), tables that are
/// slices of larger ones, random predicates (some that fail) and random
/// groupings, in parts of 1, 7 and 1,000 rows, the same table, reports and
/// errors as gathering the kept rows first.
#[test]
fn a_filter_then_a_group_by_in_one_pass_equals_gathering_first() {
    use arrow::array::{
        ArrayRef, BooleanArray, Date32Array, DictionaryArray, TimestampSecondArray,
    };
    use arrow::datatypes::Int32Type;

    let mut rng = crate::ml::rng::Rng::new(11);
    let (mut compared, mut failed) = (0, 0);
    for _ in 0..400 {
        let n = rng.below(300);
        let some = |rng: &mut crate::ml::rng::Rng| rng.below(6) != 0;
        let k1: Vec<Option<String>> = (0..n)
            .map(|_| some(&mut rng).then(|| ["a", "b", "c", "é"][rng.below(4)].to_string()))
            .collect();
        let k2: Vec<Option<i32>> = (0..n)
            .map(|_| some(&mut rng).then(|| rng.below(5) as i32))
            .collect();
        let c: DictionaryArray<Int32Type> = (0..n)
            .map(|_| some(&mut rng).then(|| ["x", "y", "z"][rng.below(3)]))
            .collect();
        let d: Vec<Option<i32>> = (0..n)
            .map(|_| some(&mut rng).then(|| 19_700 + rng.below(10) as i32))
            .collect();
        let ts: Vec<Option<i64>> = (0..n)
            .map(|_| some(&mut rng).then(|| 1_700_000_000 + 3600 * rng.below(10) as i64))
            .collect();
        let b: Vec<Option<bool>> = (0..n)
            .map(|_| some(&mut rng).then(|| rng.below(2) == 0))
            .collect();
        let mut columns = vec![
            ("k1", Arc::new(StringArray::from(k1)) as ArrayRef),
            ("k2", Arc::new(Int32Array::from(k2)) as ArrayRef),
            ("c", Arc::new(c) as ArrayRef),
            ("d", Arc::new(Date32Array::from(d)) as ArrayRef),
            (
                "ts",
                Arc::new(TimestampSecondArray::from(ts).with_timezone("UTC")) as ArrayRef,
            ),
            ("b", Arc::new(BooleanArray::from(b)) as ArrayRef),
        ];
        columns.extend(measured(&mut rng, n));
        let mut table = RecordBatch::try_from_iter(columns).expect("table");
        // A table that is a slice of a larger one (as a file's batch can be).
        if n > 2 && rng.below(3) == 0 {
            let from = rng.below(n / 2);
            table = table.slice(from, n - from - rng.below(n / 2));
        }
        let number = |rng: &mut crate::ml::rng::Rng| Value::Number(rng.below(200) as f64 - 100.0);
        let compare = |rng: &mut crate::ml::rng::Rng| {
            let (column, value) = match rng.below(8) {
                0 => (
                    "d",
                    Value::Text(format!("2023-12-{:02}", 1 + rng.below(31))),
                ),
                1 => (
                    "ts",
                    Value::Text(format!("2023-11-14T{:02}:13:20Z", 20 + rng.below(4))),
                ),
                2 => ("b", Value::Bool(rng.below(2) == 0)),
                3 => ("c", Value::Text(["x", "z", "w"][rng.below(3)].into())),
                // A number against text: the filter fails.
                4 if rng.below(4) == 0 => ("k1", number(rng)),
                _ => (["v", "w", "k2"][rng.below(3)], number(rng)),
            };
            Predicate::Compare {
                column: column.into(),
                cmp: Comparison::ALL[rng.below(6)],
                value,
            }
        };
        let predicate = match rng.below(6) {
            0 => Predicate::IsNull {
                column: ["k1", "k2", "v", "c", "b"][rng.below(5)].into(),
            },
            1 => Predicate::And {
                all: vec![compare(&mut rng), compare(&mut rng)],
            },
            2 => Predicate::Not {
                not: Box::new(compare(&mut rng)),
            },
            3 => Predicate::In {
                column: ["k1", "c"][rng.below(2)].into(),
                values: vec![
                    Value::Text("a".into()),
                    Value::Text("é".into()),
                    Value::Text("y".into()),
                ],
            },
            4 => Predicate::Or {
                any: vec![compare(&mut rng), compare(&mut rng)],
            },
            _ => compare(&mut rng),
        };
        let by: Vec<String> = ["k1", "k2", "c"]
            .iter()
            .filter(|_| rng.below(3) == 0)
            .map(|s| s.to_string())
            .collect();
        let measures = random_measures(&mut rng, &["v", "w", "v", "w", "k1"]);
        let recipe = Recipe {
            v: RECIPE_VERSION,
            inputs: vec![Input {
                name: "t".into(),
                dataset: "t".into(),
                sha256: "0".repeat(64),
            }],
            steps: vec![Step::Filter { predicate }, Step::GroupBy { by, measures }],
            chart: Default::default(),
        };
        let tables = BTreeMap::from([("t".to_string(), table)]);
        let json = serde_json::to_string(&recipe).unwrap_or_default();
        let plain = run::run_unpruned(&recipe, &tables);
        let runs = [
            run::run(&recipe, &tables, &mut no_progress),
            run::run_in_parts(&recipe, &tables, 1),
            run::run_in_parts(&recipe, &tables, 7),
            run::run_in_parts(&recipe, &tables, 1000),
        ];
        for fused in runs {
            match (&fused, &plain) {
                // NaN sums compare unequal as floats; compare the bits.
                (Ok(_), Ok(_)) => assert_eq!(format!("{fused:?}"), format!("{plain:?}"), "{json}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{json}"),
                _ => panic!("fused: {fused:?}\nplain: {plain:?}\n{json}"),
            }
        }
        if plain.is_err() {
            failed += 1;
        }
        compared += 1;
    }
    assert_eq!(compared, 400);
    // Some of them failed, at the filter or the group-by, and most ran.
    assert!((10..160).contains(&failed), "{failed} failed");
}

/// A join, derived columns and a group-by run in parts (the join never
/// made whole): on random tables with nulls, NaN and repeated keys, every
/// kind of join and random groupings, the same table, reports and errors
/// as making every step whole, for parts of one row, a few rows and more
/// than a table.
#[test]
fn a_join_then_a_group_by_in_parts_equals_the_whole_join() {
    use arrow::array::ArrayRef;

    let mut rng = crate::ml::rng::Rng::new(23);
    let (mut fused, mut compared) = (0, 0);
    for _ in 0..600 {
        let some = |rng: &mut crate::ml::rng::Rng| rng.below(6) != 0;
        let text = |rng: &mut crate::ml::rng::Rng| {
            some(rng).then(|| [" a", "A", "b", "é", "7"][rng.below(5)].to_string())
        };
        let n = rng.below(120);
        let k: Vec<Option<i32>> = (0..n)
            .map(|_| some(&mut rng).then(|| rng.below(6) as i32))
            .collect();
        let t: Vec<Option<String>> = (0..n).map(|_| text(&mut rng)).collect();
        let mut columns = vec![
            ("k", Arc::new(Int32Array::from(k)) as ArrayRef),
            ("t", Arc::new(StringArray::from(t)) as ArrayRef),
        ];
        columns.extend(measured(&mut rng, n));
        let left = RecordBatch::try_from_iter(columns).expect("left table");
        let m = rng.below(12);
        let k: Vec<Option<i32>> = (0..m)
            .map(|_| some(&mut rng).then(|| rng.below(8) as i32))
            .collect();
        let t: Vec<Option<String>> = (0..m).map(|_| text(&mut rng)).collect();
        let x: Vec<Option<f64>> = (0..m).map(|_| maybe_number(&mut rng)).collect();
        let right = RecordBatch::try_from_iter([
            ("k", Arc::new(Int32Array::from(k)) as ArrayRef),
            ("t", Arc::new(StringArray::from(t)) as ArrayRef),
            ("x", Arc::new(Float64Array::from(x)) as ArrayRef),
        ])
        .expect("right table");
        let on: Vec<String> = match rng.below(3) {
            0 => vec!["k".into()],
            1 => vec!["t".into()],
            _ => vec!["k".into(), "t".into()],
        };
        let spec = JoinSpec {
            kind: JoinKind::ALL[rng.below(JoinKind::ALL.len())],
            left_on: on.clone(),
            right_on: on,
            normalize: Normalize::ALL[rng.below(Normalize::ALL.len())],
        };
        let columns = ["v", "w", "x", "k", "t", "d0"];
        let operand = |rng: &mut crate::ml::rng::Rng| match rng.below(4) {
            0 => Operand::Number(rng.below(7) as f64 - 3.0),
            _ => Operand::Column(columns[rng.below(columns.len())].into()),
        };
        let mut steps = vec![Step::Join {
            input: "r".into(),
            spec,
        }];
        for d in 0..rng.below(3) {
            let formula = match rng.below(4) {
                0 => Formula::Log {
                    column: columns[rng.below(3)].into(),
                },
                _ => Formula::Arithmetic {
                    op: [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div][rng.below(4)],
                    left: operand(&mut rng),
                    right: operand(&mut rng),
                },
            };
            steps.push(Step::Derive {
                name: format!("d{d}"),
                formula,
            });
        }
        let keys = ["k", "t", "t_right", "x", "k_right", "d0"];
        let by: Vec<String> = (0..rng.below(3))
            .map(|_| keys[rng.below(keys.len())].to_string())
            .collect();
        let measures = random_measures(&mut rng, &["v", "w", "x", "d0", "d1", "t"]);
        steps.push(Step::GroupBy { by, measures });
        let recipe = Recipe {
            v: RECIPE_VERSION,
            inputs: ["l", "r"]
                .iter()
                .map(|name| Input {
                    name: name.to_string(),
                    dataset: name.to_string(),
                    sha256: "0".repeat(64),
                })
                .collect(),
            steps,
            chart: Default::default(),
        };
        let tables = BTreeMap::from([("l".to_string(), left), ("r".to_string(), right)]);
        let json = serde_json::to_string(&recipe).unwrap_or_default();
        let plain = run::run_unpruned(&recipe, &tables);
        for part_rows in [1, 3, 1000] {
            let parts = run::run_in_parts(&recipe, &tables, part_rows);
            match (&parts, &plain) {
                // NaN sums compare unequal as floats; compare the text of every bit.
                (Ok(_), Ok(_)) => assert_eq!(
                    format!("{parts:?}"),
                    format!("{plain:?}"),
                    "{part_rows} rows a part\n{json}"
                ),
                // The same step stops both, after the same reports (a
                // missing column's suggestion is the closest of the columns
                // made, and pruned runs make fewer).
                (Err(a), Err(b)) => {
                    let step = |e: &run::RunError| match &e.error {
                        crate::recipe::error::RecipeError::Step { index, .. } => Some(*index),
                        _ => None,
                    };
                    assert_eq!(step(a), step(b), "{a}\n{b}\n{json}");
                    assert_eq!(a.reports, b.reports, "{json}");
                }
                _ => panic!("{part_rows} rows a part: {parts:?}\nwhole: {plain:?}\n{json}"),
            }
        }
        compared += 1;
        if run::join_then_group(&recipe.steps, &tables["l"], &tables).is_some() {
            fused += 1;
        }
    }
    assert_eq!(compared, 600);
    // Enough of them ran in parts (the rest fell back to whole steps).
    assert!(fused > 150, "only {fused} ran in parts");
}

#[test]
fn a_right_columns_name_is_the_same_when_the_left_is_made_in_part() {
    // A filter before a join makes only the left columns read later. The
    // right "a" is "a_right" only beside the left "a", which no step reads:
    // made without it, "a_right" was missing, or was the right's own
    // "a_right" column.
    let column = |values: &[i32]| Arc::new(Int32Array::from(values.to_vec())) as _;
    let left = RecordBatch::try_from_iter(vec![
        ("k", column(&[1, 2])),
        ("a", column(&[10, 20])),
        ("b", column(&[1, 0])),
    ])
    .unwrap();
    let right = |also: bool| {
        let mut columns = vec![("k", column(&[1, 2])), ("a", column(&[100, 200]))];
        if also {
            columns.push(("a_right", column(&[-1, -2])));
        }
        RecordBatch::try_from_iter(columns).unwrap()
    };
    for also in [false, true] {
        let tables = BTreeMap::from([
            ("l".to_string(), left.clone()),
            ("r".to_string(), right(also)),
        ]);
        let recipe: Recipe = serde_json::from_value(serde_json::json!({
            "v": 1,
            "inputs": [{"name": "l", "dataset": "l", "sha256": "0"}, {"name": "r", "dataset": "r", "sha256": "0"}],
            "steps": [
                {"op": "filter", "predicate": {"op": "compare", "column": "b", "cmp": "gt", "value": 0}},
                {"op": "join", "input": "r", "kind": "inner", "left_on": ["k"], "right_on": ["k"], "normalize": "exact"},
                {"op": "select", "columns": ["a_right"]}
            ]
        }))
        .unwrap();
        let (whole, _) = crate::recipe::run::run_unpruned(&recipe, &tables).unwrap();
        let (made, _) = crate::recipe::run::run(&recipe, &tables, &mut no_progress).unwrap();
        assert_eq!(made, whole, "{also}");
        assert_eq!(
            made.column(0).as_ref(),
            &Int32Array::from(vec![100]) as &dyn arrow::array::Array
        );
        // A reader leaves no left column out (the CLI's and the browser's
        // Parquet inputs).
        assert_eq!(crate::recipe::run::input_columns(&recipe)["l"], None);
    }
}

#[test]
fn a_join_on_inputs_made_of_the_columns_they_read_equals_the_whole_inputs() {
    // Random steps around a join that checks: each input made of only the
    // columns `input_columns` names gives the same table as the whole
    // inputs. The fixture's tables share "org_nr" and, joined on "name",
    // make "org_nr_right".
    let (catalog, inputs, tables) = fixture_inputs();
    let mut random = Random(crate::ml::rng::Rng::new(0x5eed_1e55));
    let (mut checked, mut right_in_part) = (0, 0);
    for _ in 0..20_000 {
        let join_input = *random.pick(&["staff", "agencies"]);
        let (left_on, right_on) = match random.below(3) {
            0 => ("org_nr", "org_nr"),
            1 => ("name", "org_nr"),
            _ => ("org_nr", "name"),
        };
        let join = Step::Join {
            input: join_input.into(),
            spec: JoinSpec {
                kind: *random.pick(&JoinKind::ALL),
                left_on: vec![left_on.into()],
                right_on: vec![right_on.into()],
                normalize: *random.pick(&Normalize::ALL),
            },
        };
        let mut steps: Vec<Step> = (0..random.below(2)).map(|_| random.step()).collect();
        steps.push(join);
        steps.extend((0..1 + random.below(3)).map(|_| random.step()));
        let recipe = Recipe {
            v: RECIPE_VERSION,
            inputs: inputs.clone(),
            steps,
            chart: Default::default(),
        };
        if plan::check(&recipe, &catalog).is_err() {
            continue;
        }
        let json = serde_json::to_string(&recipe).unwrap_or_default();
        let Ok((whole, _)) = run::run(&recipe, &tables, &mut no_progress) else {
            continue;
        };
        checked += 1;
        let (_, pruned) = read_columns_only(&recipe, &tables);
        let (made, _) = run::run(&recipe, &pruned, &mut no_progress)
            .unwrap_or_else(|e| panic!("failed with the columns it reads: {e}\n{json}"));
        assert_eq!(made, whole, "{json}");
        if pruned[join_input].num_columns() < tables[join_input].num_columns() {
            right_in_part += 1;
        }
    }
    assert!(checked > 1_000, "only {checked} recipes ran");
    assert!(
        right_in_part > 100,
        "only {right_in_part} joins read part of their input"
    );
}
