//! Randomised tests of the kernels against naive references: every join
//! kind against a nested loop, group-by against a per-row fold. Keys mix
//! nulls, duplicates, empty sides, several columns, strings and integers.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};

use super::gather::kept_rows;
use super::group::{Aggregate, Measure, group_by};
use super::join::{JoinKind, JoinSpec, join};
use super::keys::Normalize;
use super::no_progress;
use crate::error::OpsError;
use crate::ml::rng::Rng;

/// A table (k1 int, k2 text, v float) with small key ranges, so that keys
/// repeat, and some nulls.
fn table(rng: &mut Rng, rows: usize, prefix: &str) -> RecordBatch {
    table_with(rng, rows, prefix, true)
}

/// As [`table`]; without nulls in `k1` when `nulls` is false, which lets
/// joins and group-by address integer keys densely.
fn table_with(rng: &mut Rng, rows: usize, prefix: &str, nulls: bool) -> RecordBatch {
    let k1: Int32Array = (0..rows)
        .map(|_| (!nulls || rng.below(8) != 0).then(|| rng.below(4) as i32 - 1))
        .collect();
    let k2: StringArray = (0..rows)
        .map(|_| (rng.below(8) != 0).then(|| ["a", "b", "c"][rng.below(3)].to_string()))
        .collect();
    let v: Float64Array = (0..rows).map(|i| Some(i as f64)).collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("k1", DataType::Int32, true),
            Field::new("k2", DataType::Utf8, true),
            Field::new(format!("{prefix}v"), DataType::Float64, true),
        ])),
        vec![Arc::new(k1), Arc::new(k2), Arc::new(v)],
    )
    .unwrap()
}

fn key(batch: &RecordBatch, row: usize, columns: &[usize]) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|&c| {
            let column = batch.column(c);
            (!column.is_null(row)).then(|| match column.data_type() {
                DataType::Int32 => column
                    .as_primitive::<arrow::datatypes::Int32Type>()
                    .value(row)
                    .to_string(),
                _ => column.as_string::<i32>().value(row).to_string(),
            })
        })
        .collect()
}

/// The (left row, right row) pairs a join must produce, in its order.
fn reference(
    left: &RecordBatch,
    right: &RecordBatch,
    kind: JoinKind,
    keys: &[usize],
) -> Vec<(Option<usize>, Option<usize>)> {
    let mut out = Vec::new();
    let mut right_seen = vec![false; right.num_rows()];
    for l in 0..left.num_rows() {
        let lk = key(left, l, keys);
        let matches: Vec<usize> = (0..right.num_rows())
            .filter(|&r| lk.is_some() && key(right, r, keys) == lk)
            .collect();
        for &r in &matches {
            right_seen[r] = true;
        }
        match kind {
            JoinKind::Inner | JoinKind::Left | JoinKind::Right | JoinKind::Full => {
                out.extend(matches.iter().map(|&r| (Some(l), Some(r))));
                if matches.is_empty() && matches!(kind, JoinKind::Left | JoinKind::Full) {
                    out.push((Some(l), None));
                }
            }
            JoinKind::Semi if !matches.is_empty() => out.push((Some(l), None)),
            JoinKind::Anti if matches.is_empty() => out.push((Some(l), None)),
            _ => {}
        }
    }
    if matches!(kind, JoinKind::Right | JoinKind::Full) {
        out.extend(
            (0..right.num_rows())
                .filter(|&r| !right_seen[r])
                .map(|r| (None, Some(r))),
        );
    }
    out
}

/// Reads back the pairs from the join's output: the left `lv` and right
/// `rv` columns hold each side's row number.
fn pairs(batch: &RecordBatch, semi: bool) -> Vec<(Option<usize>, Option<usize>)> {
    let column = |name: &str| {
        batch
            .schema()
            .index_of(name)
            .ok()
            .map(|i| batch.column(i).as_primitive::<Float64Type>().clone())
    };
    let (lv, rv) = (column("lv"), column("rv"));
    (0..batch.num_rows())
        .map(|i| {
            let read = |c: &Option<arrow::array::Float64Array>| {
                c.as_ref()
                    .and_then(|c| (!c.is_null(i)).then(|| c.value(i) as usize))
            };
            (read(&lv), if semi { None } else { read(&rv) })
        })
        .collect()
}

#[test]
fn every_join_kind_matches_a_nested_loop() {
    let mut rng = Rng::new(0x1234_5678_9abc_def1);
    let kinds = JoinKind::ALL;
    for round in 0..600 {
        let (lrows, rrows) = (rng.below(30), rng.below(30));
        // Some rounds without null integer keys (dense addressing).
        let nulls = rng.below(2) == 0;
        let left = table_with(&mut rng, lrows, "l", nulls);
        let mut right = table_with(&mut rng, rrows, "r", nulls);
        let kind = kinds[rng.below(kinds.len())];
        let (names, columns): (Vec<String>, Vec<usize>) = match rng.below(3) {
            0 => (vec!["k1".into()], vec![0]),
            1 => (vec!["k2".into()], vec![1]),
            _ => (vec!["k1".into(), "k2".into()], vec![0, 1]),
        };
        // Some rounds with a key per right row at most (a dimension table,
        // probed in batches).
        if rng.below(2) == 0 {
            let mut seen = Vec::new();
            let firsts: Vec<u32> = (0..right.num_rows())
                .filter(|&r| {
                    let k = key(&right, r, &columns);
                    let first = k.is_none() || !seen.contains(&k);
                    seen.push(k);
                    first
                })
                .map(|r| r as u32)
                .collect();
            let rv = right.schema().index_of("rv").unwrap();
            let columns = right
                .columns()
                .iter()
                .enumerate()
                .map(|(i, c)| match i == rv {
                    // Row numbers of the table as it is now.
                    true => Arc::new(arrow::array::Float64Array::from_iter_values(
                        (0..firsts.len()).map(|r| r as f64),
                    )) as ArrayRef,
                    false => crate::ops::gather::take(c.as_ref(), &firsts).unwrap(),
                })
                .collect();
            right = RecordBatch::try_new(right.schema(), columns).unwrap();
        }
        let spec = JoinSpec {
            kind,
            left_on: names.clone(),
            right_on: names,
            normalize: Normalize::Exact,
        };
        let (out, stats) = join(&left, &right, &spec, &mut no_progress).unwrap();
        let expected = reference(&left, &right, kind, &columns);
        let semi = matches!(kind, JoinKind::Semi | JoinKind::Anti);
        assert_eq!(
            pairs(&out, semi),
            expected,
            "round {round}: {kind:?} on {columns:?}"
        );
        assert_eq!(stats.output_rows as usize, expected.len());
        let all = reference(&left, &right, JoinKind::Full, &columns);
        // The rows of one side (0: left, 1: right) that have a match.
        let matched = |side: usize| {
            let mut rows: Vec<usize> = all
                .iter()
                .filter_map(|&(l, r)| Some([l?, r?][side]))
                .collect();
            rows.sort_unstable();
            rows.dedup();
            rows.len() as u64
        };
        assert_eq!(stats.left_matched, matched(0), "round {round}");
        assert_eq!(stats.right_matched, matched(1), "round {round}");
        let unmatched = lrows as u64 - stats.left_matched;
        assert_eq!(
            stats.left_unmatched_sample.len() as u64,
            unmatched.min(5),
            "round {round}"
        );
        // Keys of right-only rows come from the right.
        if kind == JoinKind::Full && columns.contains(&0) {
            let k1 = out.column(0).as_primitive::<arrow::datatypes::Int32Type>();
            for (i, (l, r)) in expected.iter().enumerate() {
                if let (None, Some(r)) = (l, r) {
                    assert_eq!(k1.is_null(i), right.column(0).is_null(*r));
                }
            }
        }
    }
}

#[test]
fn diagnostics_count_matches_duplicates_and_sample_unmatched_keys() {
    let left = RecordBatch::try_from_iter(vec![(
        "org",
        Arc::new(StringArray::from(vec!["202100-4284", " 2021001234", "999"])) as ArrayRef,
    )])
    .unwrap();
    let right = RecordBatch::try_from_iter(vec![
        (
            "orgnr",
            Arc::new(Int64Array::from(vec![
                2021004284, 2021004284, 2021001234, 5,
            ])) as ArrayRef,
        ),
        (
            "staff",
            Arc::new(Int64Array::from(vec![10, 11, 12, 13])) as ArrayRef,
        ),
    ])
    .unwrap();
    let spec = JoinSpec {
        kind: JoinKind::Left,
        left_on: vec!["org".into()],
        right_on: vec!["orgnr".into()],
        normalize: Normalize::Digits,
    };
    let (out, stats) = join(&left, &right, &spec, &mut no_progress).unwrap();
    assert_eq!(
        (stats.left_matched, stats.right_matched, stats.output_rows),
        (2, 3, 4)
    );
    assert_eq!(stats.right_duplicates, 2);
    assert_eq!(stats.left_unmatched_sample, ["999"]);
    assert_eq!(stats.right_unmatched_sample, ["5"]);
    let names: Vec<String> = out
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["org", "orgnr", "staff"]);
    let staff = out.column(2).as_primitive::<Int64Type>();
    assert_eq!(
        (staff.value(0), staff.value(1), staff.value(2)),
        (10, 11, 12)
    );
    assert!(staff.is_null(3));
    // Without normalisation nothing links.
    let exact = JoinSpec {
        normalize: Normalize::Exact,
        ..spec
    };
    assert_eq!(
        join(&left, &right, &exact, &mut no_progress)
            .unwrap()
            .1
            .left_matched,
        0
    );
}

#[test]
fn bad_joins_are_errors_that_name_the_column() {
    let mut rng = Rng::new(7);
    let t = table(&mut rng, 5, "l");
    let spec = JoinSpec {
        kind: JoinKind::Inner,
        left_on: vec!["K1".into()],
        right_on: vec!["k1".into()],
        normalize: Normalize::Exact,
    };
    let error = join(&t, &t, &spec, &mut no_progress).unwrap_err();
    assert_eq!(
        error.to_string(),
        "column \"K1\" not found in the left table; did you mean \"k1\"?"
    );
    let spec = JoinSpec {
        left_on: vec![],
        right_on: vec![],
        ..spec
    };
    assert!(matches!(
        join(&t, &t, &spec, &mut no_progress),
        Err(OpsError::Invalid(_))
    ));
    let spec = JoinSpec {
        left_on: vec!["k1".into()],
        right_on: vec!["k1".into()],
        ..spec
    };
    let mut stop = |_: u64, _: u64| ControlFlow::Break(());
    assert_eq!(
        join(&t, &t, &spec, &mut stop).unwrap_err(),
        OpsError::Cancelled
    );
}

#[test]
fn group_by_matches_a_per_row_fold() {
    let mut rng = Rng::new(0xfeed_beef_0000_0001);
    for round in 0..400 {
        let rows = rng.below(60);
        let nulls = rng.below(2) == 0;
        let t = table_with(&mut rng, rows, "", nulls);
        let by: Vec<String> = match rng.below(3) {
            0 => vec!["k1".into()],
            1 => vec!["k2".into()],
            _ => vec!["k1".into(), "k2".into()],
        };
        let columns: Vec<usize> = by.iter().map(|n| t.schema().index_of(n).unwrap()).collect();
        let measure = |aggregate, name: &str| Measure {
            aggregate,
            column: (aggregate != Aggregate::Count).then(|| "v".to_string()),
            name: name.into(),
        };
        let measures = [
            measure(Aggregate::Count, "n"),
            measure(Aggregate::Sum, "sum"),
            measure(Aggregate::Mean, "mean"),
            measure(Aggregate::Median, "median"),
            measure(Aggregate::Min, "min"),
            measure(Aggregate::Max, "max"),
            Measure {
                aggregate: Aggregate::CountDistinct,
                column: Some("k2".into()),
                name: "k2s".into(),
            },
        ];
        let out = group_by(&t, &by, &measures, &mut no_progress).unwrap();
        // The reference: groups by first appearance, null keys a group.
        let mut order: Vec<Vec<Option<String>>> = Vec::new();
        let mut rows_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for row in 0..rows {
            let k: Vec<Option<String>> = columns
                .iter()
                .map(|&c| key(&t, row, &[c]).map(|v| v[0].clone()))
                .collect();
            let g = match order.iter().position(|o| *o == k) {
                Some(g) => g,
                None => {
                    order.push(k);
                    order.len() - 1
                }
            };
            rows_of.entry(g).or_default().push(row);
        }
        assert_eq!(out.num_rows(), order.len(), "round {round}");
        let f = |name: &str| {
            out.column(out.schema().index_of(name).unwrap())
                .as_primitive::<Float64Type>()
                .clone()
        };
        let n = out
            .column(out.schema().index_of("n").unwrap())
            .as_primitive::<Int64Type>()
            .clone();
        let distinct = out
            .column(out.schema().index_of("k2s").unwrap())
            .as_primitive::<Int64Type>()
            .clone();
        for (g, members) in &rows_of {
            let values: Vec<f64> = members.iter().map(|&r| r as f64).collect();
            assert_eq!(n.value(*g), members.len() as i64);
            assert_eq!(f("sum").value(*g), values.iter().sum::<f64>());
            assert_eq!(
                f("mean").value(*g),
                values.iter().sum::<f64>() / values.len() as f64
            );
            assert_eq!(f("min").value(*g), values[0]);
            assert_eq!(f("max").value(*g), *values.last().unwrap());
            let mid = values.len() / 2;
            let median = if values.len() % 2 == 1 {
                values[mid]
            } else {
                (values[mid - 1] + values[mid]) / 2.0
            };
            assert_eq!(f("median").value(*g), median);
            let mut texts: Vec<String> = members
                .iter()
                .filter_map(|&r| key(&t, r, &[1]).map(|v| v[0].clone()))
                .collect();
            texts.sort();
            texts.dedup();
            assert_eq!(distinct.value(*g), texts.len() as i64);
        }
    }
}

#[test]
fn bad_group_bys_are_errors() {
    let mut rng = Rng::new(3);
    let t = table(&mut rng, 10, "");
    let m = |aggregate, column: Option<&str>, name: &str| Measure {
        aggregate,
        column: column.map(Into::into),
        name: name.into(),
    };
    for (by, measures) in [
        (vec!["nope".to_string()], vec![]),
        (
            vec!["k1".to_string()],
            vec![m(Aggregate::Sum, Some("k2"), "s")],
        ),
        (vec!["k1".to_string()], vec![m(Aggregate::Sum, None, "s")]),
        (
            vec!["k1".to_string()],
            vec![m(Aggregate::Count, None, "k1")],
        ),
        (vec![], vec![]),
    ] {
        assert!(
            group_by(&t, &by, &measures, &mut no_progress).is_err(),
            "{by:?} {measures:?}"
        );
    }
    // No keys: one group of everything; an empty table: no groups.
    let all = group_by(&t, &[], &[m(Aggregate::Count, None, "n")], &mut no_progress).unwrap();
    assert_eq!(all.column(0).as_primitive::<Int64Type>().value(0), 10);
    let empty = group_by(&t.slice(0, 0), &["k1".into()], &[], &mut no_progress).unwrap();
    assert_eq!(empty.num_rows(), 0);
}

#[test]
fn a_join_of_few_rows_but_much_text_is_refused_before_it_is_made() {
    use crate::ops::join::MAX_OUTPUT_BYTES;
    // 3,000 rows share one key with 3,000 others: 9 million rows of a
    // 300-byte text is 2.7 GB, under the row cap but over the bytes.
    let n = 3000;
    let long = "x".repeat(300);
    let table = RecordBatch::try_from_iter([
        ("k", Arc::new(Int32Array::from(vec![1; n])) as ArrayRef),
        (
            "t",
            Arc::new(StringArray::from(vec![long.as_str(); n])) as ArrayRef,
        ),
    ])
    .unwrap();
    let spec = JoinSpec {
        kind: JoinKind::Inner,
        left_on: vec!["k".into()],
        right_on: vec!["k".into()],
        normalize: Normalize::Exact,
    };
    let error = join(&table, &table, &spec, &mut no_progress).unwrap_err();
    match error {
        OpsError::TooManyBytes { bytes, limit, .. } => {
            assert!(
                bytes > limit && limit == MAX_OUTPUT_BYTES,
                "{bytes} {limit}"
            );
        }
        other => panic!("{other}"),
    }
}

#[test]
fn taken_bytes_counts_texts_and_widths() {
    use crate::ops::gather::{MISSING, taken_bytes};
    let text: ArrayRef = Arc::new(StringArray::from(vec![Some("ab"), None, Some("åäö")]));
    assert_eq!(
        taken_bytes(text.as_ref(), &[0, 2, 2, MISSING]),
        2 + 6 + 6 + 16
    );
    let ints: ArrayRef = Arc::new(Int32Array::from(vec![1, 2]));
    assert_eq!(taken_bytes(ints.as_ref(), &[0, 1, 1]), 12);
}

#[test]
fn an_unpivot_that_repeats_long_texts_is_refused_before_it_is_made() {
    use crate::ops::reshape::unpivot;
    // 50 rows of a 1 MB text, repeated for each of 50 columns: 2,500 rows,
    // far under the row cap, but 2.5 GB.
    let n = 50;
    let long = "x".repeat(1 << 20);
    let mut columns: Vec<(String, ArrayRef)> = vec![(
        "t".into(),
        Arc::new(StringArray::from(vec![long.as_str(); n])) as ArrayRef,
    )];
    for c in 0..50 {
        columns.push((
            format!("c{c}"),
            Arc::new(Int32Array::from(vec![c; n])) as ArrayRef,
        ));
    }
    let table = RecordBatch::try_from_iter(columns).unwrap();
    let melted: Vec<String> = (0..50).map(|c| format!("c{c}")).collect();
    let error = unpivot(&table, &melted, "name", "value").unwrap_err();
    assert!(
        matches!(
            error,
            OpsError::TooManyBytes {
                what: "the unpivot",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn kept_rows_are_the_marked_ones_in_order() {
    assert_eq!(kept_rows(&[]), Vec::<u32>::new());
    assert_eq!(kept_rows(&[true, false, false, true, true]), [0, 3, 4]);
    assert_eq!(kept_rows(&[false; 5]), Vec::<u32>::new());
    let mut rng = Rng::new(3);
    let keep: Vec<bool> = (0..1000).map(|_| rng.below(3) == 0).collect();
    let plain: Vec<u32> = (0..1000u32).filter(|&i| keep[i as usize]).collect();
    assert_eq!(kept_rows(&keep), plain);
}

/// Dense positions computed a column at a time (32-bit columns in 32-bit
/// arithmetic, any run of rows) are those of the per-row `position`, for
/// another table's keys too: values below, inside and above the ranges,
/// the extremes of the type, nulls and an all-null column.
#[test]
fn dense_positions_of_a_run_equal_each_rows_position() {
    use super::keys::{Keys, NO_POSITION};
    let mut rng = Rng::new(31);
    let mut compared = 0;
    for _ in 0..300 {
        // The extremes of the type only among the probed keys, so that the
        // indexed ones stay dense.
        let value = |rng: &mut Rng, lo: i32, probed: bool| -> Option<i32> {
            match rng.below(12) {
                0 => None,
                1 if probed => Some(i32::MIN),
                2 if probed => Some(i32::MAX),
                _ => Some(lo.wrapping_add(rng.below(40) as i32)),
            }
        };
        let lo = [0, -3, i32::MIN, i32::MIN + 2, i32::MAX - 39, 1_000][rng.below(6)];
        let all_null = rng.below(10) == 0;
        let column = |rng: &mut Rng, n: usize, probed: bool| -> ArrayRef {
            Arc::new(Int32Array::from(
                (0..n)
                    .map(|_| {
                        if all_null {
                            None
                        } else {
                            value(rng, lo, probed)
                        }
                    })
                    .collect::<Vec<_>>(),
            ))
        };
        let (n, m) = (rng.below(200), 1 + rng.below(60));
        let two = rng.below(2) == 0;
        let indexed: Vec<ArrayRef> = (0..1 + usize::from(two))
            .map(|_| column(&mut rng, m, false))
            .collect();
        let probed: Vec<ArrayRef> = (0..1 + usize::from(two))
            .map(|_| column(&mut rng, n, true))
            .collect();
        let (keys, other) = Keys::pair(&indexed, &probed, Normalize::Exact);
        let Some(dense) = keys.dense(1 << 24) else {
            continue;
        };
        let start = rng.below(n + 1);
        let end = start + rng.below(n + 1 - start);
        let expected: Vec<u32> = (start..end)
            .map(|row| {
                dense
                    .position(&other, row)
                    .map_or(NO_POSITION, |p| p as u32)
            })
            .collect();
        assert_eq!(dense.positions_of(&other, start..end), expected);
        let own: Vec<u32> = (0..m)
            .map(|row| dense.position(&keys, row).map_or(NO_POSITION, |p| p as u32))
            .collect();
        assert_eq!(dense.positions(&keys), own);
        compared += 1;
    }
    assert!(compared > 100, "only {compared} compared");
}
