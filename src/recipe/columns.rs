//! What the columns of a recipe's result mean: a description in words and
//! a unit, followed from the catalog through the steps. A column that
//! comes straight from a dataset keeps the catalog's words ("Full-time
//! equivalents", FTE); a column a step made gets the step's words ("Full-
//! time equivalents, 2024 − 2010", from a pivot and a subtraction). Chart
//! axes are titled with them.

use std::collections::HashMap;

use crate::data::{Catalog, Lang};
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::Aggregate;
use crate::recipe::{Recipe, Step};

/// A column's meaning: words, and a unit when it has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meaning {
    pub words: String,
    pub unit: Option<String>,
}

type Table = Vec<(String, Meaning)>;

/// The meaning of each column of `recipe`'s result that has one, in
/// `lang`. Columns whose meaning cannot be told (a dataset's column
/// without a description) are left out.
pub fn meanings(recipe: &Recipe, catalog: &Catalog, lang: Lang) -> Vec<(String, Meaning)> {
    let mut inputs: HashMap<&str, Table> = HashMap::new();
    for input in &recipe.inputs {
        let table = catalog
            .dataset(&input.dataset)
            .and_then(|d| d.version(&input.sha256))
            .map(|v| {
                v.columns
                    .iter()
                    .map(|c| {
                        let words = c.description.get(lang).trim().to_string();
                        let unit = c.unit.clone().filter(|u| !u.trim().is_empty());
                        (c.name.clone(), Meaning { words, unit })
                    })
                    .collect()
            })
            .unwrap_or_default();
        inputs.insert(input.name.as_str(), table);
    }
    let mut table: Table = recipe
        .inputs
        .first()
        .and_then(|i| inputs.get(i.name.as_str()))
        .cloned()
        .unwrap_or_default();
    for step in &recipe.steps {
        table = after(step, table, &inputs, lang);
    }
    table.retain(|(_, m)| !m.words.is_empty() || m.unit.is_some());
    table
}

fn find<'a>(table: &'a Table, name: &str) -> Option<&'a Meaning> {
    table.iter().find(|(n, _)| n == name).map(|(_, m)| m)
}

/// A column's words, or its name when it has none.
fn words_of(table: &Table, name: &str) -> String {
    match find(table, name) {
        Some(m) if !m.words.is_empty() => m.words.clone(),
        _ => name.to_string(),
    }
}

fn unit_of(table: &Table, name: &str) -> Option<String> {
    find(table, name).and_then(|m| m.unit.clone())
}

fn set(table: &mut Table, name: &str, meaning: Meaning) {
    match table.iter_mut().find(|(n, _)| n == name) {
        Some((_, m)) => *m = meaning,
        None => table.push((name.to_string(), meaning)),
    }
}

/// The table's meanings after `step`.
fn after(step: &Step, mut table: Table, inputs: &HashMap<&str, Table>, lang: Lang) -> Table {
    let sv = lang == Lang::Sv;
    match step {
        Step::Select { columns } => columns
            .iter()
            .filter_map(|c| find(&table, c).map(|m| (c.clone(), m.clone())))
            .collect(),
        Step::Rename { from, to } => {
            table.retain(|(n, _)| n != to);
            for (n, _) in table.iter_mut() {
                if n == from {
                    *n = to.clone();
                }
            }
            table
        }
        Step::Filter { .. } | Step::Sort { .. } | Step::Limit { .. } | Step::Union { .. } => table,
        Step::Join { input, spec } => {
            let right = inputs.get(input.as_str()).cloned().unwrap_or_default();
            for (name, meaning) in right {
                if spec.right_on.contains(&name) && spec.left_on == spec.right_on {
                    continue;
                }
                let mut name = name;
                while table.iter().any(|(n, _)| *n == name) {
                    name.push_str("_right");
                }
                table.push((name, meaning));
            }
            table
        }
        Step::Derive { name, formula } => {
            let meaning = derived(formula, &table, sv);
            table.retain(|(n, _)| n != name);
            table.push((name.clone(), meaning));
            table
        }
        Step::GroupBy { by, measures } => {
            let mut out: Table = by
                .iter()
                .filter_map(|c| find(&table, c).map(|m| (c.clone(), m.clone())))
                .collect();
            for m in measures {
                let column = m.column.as_deref().unwrap_or_default();
                let of = words_of(&table, column);
                let (words, unit) = match m.aggregate {
                    Aggregate::Count => (
                        (if sv { "Antal rader" } else { "Number of rows" }).to_string(),
                        None,
                    ),
                    Aggregate::CountDistinct => (
                        if sv {
                            format!("Antal olika: {of}")
                        } else {
                            format!("Distinct values: {of}")
                        },
                        None,
                    ),
                    a => (
                        format!("{}, {}", of, aggregate_word(a, sv)),
                        unit_of(&table, column),
                    ),
                };
                out.push((m.name.clone(), Meaning { words, unit }));
            }
            out
        }
        Step::Pivot {
            index,
            values,
            keys,
            aggregate,
            ..
        } => {
            let mut out: Table = index
                .iter()
                .filter_map(|c| find(&table, c).map(|m| (c.clone(), m.clone())))
                .collect();
            let of = words_of(&table, values);
            let unit = match aggregate {
                Aggregate::Count | Aggregate::CountDistinct => None,
                _ => unit_of(&table, values),
            };
            for key in keys {
                let words = format!("{of}, {key}");
                out.push((
                    key.clone(),
                    Meaning {
                        words,
                        unit: unit.clone(),
                    },
                ));
            }
            out
        }
        Step::Unpivot {
            columns,
            name,
            value,
        } => {
            // The value column means what the unpivoted columns share.
            let first = columns.first().and_then(|c| find(&table, c)).cloned();
            let shared = first.filter(|f| {
                columns
                    .iter()
                    .all(|c| find(&table, c).is_some_and(|m| m.unit == f.unit))
            });
            table.retain(|(n, _)| !columns.contains(n) && n != name && n != value);
            if let Some(m) = shared {
                let words = m
                    .words
                    .rsplit_once(", ")
                    .map(|(w, _)| w.to_string())
                    .unwrap_or(m.words);
                table.push((
                    value.clone(),
                    Meaning {
                        words,
                        unit: m.unit,
                    },
                ));
            }
            table
        }
        Step::Cluster { name, .. } => {
            let words = (if sv { "Kluster" } else { "Cluster" }).to_string();
            set(&mut table, name, Meaning { words, unit: None });
            table
        }
        Step::Anomaly { name, .. } => {
            let (score, flag) = if sv {
                ("Avvikelsepoäng", "Avvikande")
            } else {
                ("Anomaly score", "Unusual")
            };
            let words = score.to_string();
            set(&mut table, name, Meaning { words, unit: None });
            let words = flag.to_string();
            let flag_column = crate::recipe::learn::anomaly::flag_name(name);
            set(&mut table, &flag_column, Meaning { words, unit: None });
            table
        }
        Step::Project {
            components, prefix, ..
        } => {
            for i in 1..=*components {
                let words = if sv {
                    format!("Komponent {i}")
                } else {
                    format!("Component {i}")
                };
                set(
                    &mut table,
                    &format!("{prefix}{i}"),
                    Meaning { words, unit: None },
                );
            }
            table
        }
    }
}

fn aggregate_word(a: Aggregate, sv: bool) -> &'static str {
    match (a, sv) {
        (Aggregate::Sum, true) => "summa",
        (Aggregate::Sum, false) => "total",
        (Aggregate::Mean, true) => "medelvärde",
        (Aggregate::Mean, false) => "mean",
        (Aggregate::Median, true) => "median",
        (Aggregate::Median, false) => "median",
        (Aggregate::Min, true) => "minsta",
        (Aggregate::Min, false) => "least",
        (Aggregate::Max, true) => "största",
        (Aggregate::Max, false) => "greatest",
        (Aggregate::Count | Aggregate::CountDistinct, true) => "antal",
        (Aggregate::Count | Aggregate::CountDistinct, false) => "count",
    }
}

/// A derived column's formula in words, and its unit when the formula
/// keeps one.
fn derived(formula: &Formula, table: &Table, sv: bool) -> Meaning {
    let operand = |o: &Operand| match o {
        Operand::Column(c) => (words_of(table, c), unit_of(table, c)),
        Operand::Number(n) => (
            crate::data::format::short(*n, if sv { Lang::Sv } else { Lang::En }),
            None,
        ),
    };
    match formula {
        Formula::Arithmetic { op, left, right } => {
            let (l, lu) = operand(left);
            let (r, ru) = operand(right);
            let sign = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "−",
                ArithOp::Mul => "×",
                ArithOp::Div => "÷",
            };
            // Two columns of one measure ("FTE, 2024" and "FTE, 2010")
            // read best as the measure and the difference of their keys.
            let words = match (l.rsplit_once(", "), r.rsplit_once(", ")) {
                (Some((a, ka)), Some((b, kb))) if a == b => format!("{a}, {ka} {sign} {kb}"),
                _ => format!("{l} {sign} {r}"),
            };
            let unit = match op {
                ArithOp::Add | ArithOp::Sub if lu == ru || ru.is_none() || lu.is_none() => {
                    lu.or(ru)
                }
                ArithOp::Mul | ArithOp::Div if matches!(right, Operand::Number(_)) => lu,
                _ => None,
            };
            Meaning { words, unit }
        }
        Formula::Log { column } => Meaning {
            words: format!("ln({})", words_of(table, column)),
            unit: None,
        },
        Formula::Share { column, .. } => Meaning {
            words: if sv {
                format!("Andel av {}", words_of(table, column).to_lowercase())
            } else {
                format!("Share of {}", words_of(table, column).to_lowercase())
            },
            unit: None,
        },
        Formula::Change {
            column, percent, ..
        } => Meaning {
            words: if sv {
                format!("Förändring i {}", words_of(table, column).to_lowercase())
            } else {
                format!("Change in {}", words_of(table, column).to_lowercase())
            },
            unit: if *percent {
                Some("%".to_string())
            } else {
                unit_of(table, column)
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::{Column, Dataset, DatasetVersion, Licence, Localized, Source};
    use crate::recipe::curated::CURATED;

    /// A catalog with the agencies' full-time equivalents as published.
    fn catalog() -> Catalog {
        let column = |name: &str, t: &str, sv: &str, en: &str, unit: Option<&str>| Column {
            name: name.into(),
            data_type: t.into(),
            description: Localized::new(sv, en),
            unit: unit.map(Into::into),
            entity: None,
        };
        Catalog::new(vec![Dataset {
            id: "agency_fte".into(),
            title: Localized::new("Årsarbetskrafter", "Full-time equivalents"),
            description: Localized::new("", ""),
            tags: vec![],
            sources: vec![Source {
                name: "Statskontoret".into(),
                url: "https://example.org".into(),
            }],
            licence: Licence {
                name: "CC0 1.0".into(),
                url: None,
            },
            versions: vec![DatasetVersion {
                sha256: "a".repeat(64),
                url: "agency_fte/a.arrow".into(),
                rows: 1,
                bytes: 1,
                columns: vec![
                    column(
                        "name",
                        "Utf8",
                        "Myndighetens namn",
                        "The agency's name",
                        None,
                    ),
                    column("year", "Int64", "År", "Year", Some("year")),
                    column(
                        "fte",
                        "Float64",
                        "Årsarbetskrafter",
                        "Full-time equivalents",
                        Some("FTE"),
                    ),
                ],
                key_columns: vec![],
                parquet: None,
            }],
        }])
    }

    fn growth(lang: Lang) -> Meaning {
        let curated = CURATED
            .iter()
            .find(|c| c.id == "growth")
            .expect("curated growth");
        let recipe = curated.recipe(&catalog(), lang).expect("growth opens");
        let all = meanings(&recipe, &catalog(), lang);
        all.into_iter()
            .find(|(n, _)| n == "growth")
            .expect("growth column")
            .1
    }

    #[test]
    fn a_pivot_and_a_subtraction_read_as_the_measure_and_its_years() {
        let en = growth(Lang::En);
        assert_eq!(en.words, "Full-time equivalents, 2024 − 2010");
        assert_eq!(en.unit.as_deref(), Some("FTE"));
        assert_eq!(growth(Lang::Sv).words, "Årsarbetskrafter, 2024 − 2010");
    }

    #[test]
    fn steps_carry_rename_and_group_words_and_drop_what_they_drop() {
        let recipe: Recipe = serde_json::from_value(serde_json::json!({
            "v": 1,
            "inputs": [{ "name": "f", "dataset": "agency_fte", "sha256": "a".repeat(64) }],
            "steps": [
                { "op": "rename", "from": "fte", "to": "staff" },
                { "op": "group_by", "by": ["year"], "measures": [
                    { "aggregate": "sum", "column": "staff", "name": "total" },
                    { "aggregate": "count", "name": "n" },
                ] },
                { "op": "derive", "name": "per", "formula": { "fn": "arithmetic", "op": "div", "left": "total", "right": "n" } },
            ],
        }))
        .expect("recipe");
        let m = meanings(&recipe, &catalog(), Lang::En);
        let get = |n: &str| m.iter().find(|(c, _)| c == n).map(|(_, m)| m.clone());
        assert_eq!(
            get("total").map(|m| (m.words, m.unit)),
            Some(("Full-time equivalents, total".into(), Some("FTE".into())))
        );
        assert_eq!(get("n").map(|m| m.words), Some("Number of rows".into()));
        // A ratio of two columns has no unit of its own.
        let per = get("per").expect("per");
        assert_eq!(
            (per.words.as_str(), per.unit),
            ("Full-time equivalents, total ÷ Number of rows", None)
        );
        assert!(
            get("name").is_none() && get("staff").is_none(),
            "grouping drops the other columns: {m:?}"
        );
    }

    #[test]
    fn an_unknown_dataset_or_column_gives_no_words_and_no_panic() {
        let recipe: Recipe = serde_json::from_value(serde_json::json!({
            "v": 1,
            "inputs": [{ "name": "x", "dataset": "nowhere", "sha256": "b".repeat(64) }],
            "steps": [
                { "op": "derive", "name": "d", "formula": { "fn": "log", "column": "missing" } },
                { "op": "unpivot", "columns": ["a", "b"], "name": "k", "value": "v" },
            ],
        }))
        .expect("recipe");
        let m = meanings(&recipe, &catalog(), Lang::Sv);
        assert_eq!(
            m,
            vec![(
                "d".to_string(),
                Meaning {
                    words: "ln(missing)".into(),
                    unit: None
                }
            )]
        );
    }
}
