//! From a table and a chart spec to the values the chart plots.
//!
//! Every column is checked here, so that layout and drawing never meet a
//! missing column, a text where a number belongs, NaN or infinity, or a
//! value a log axis cannot show: such rows are counted and left out, and
//! the count becomes a note under the title.

use std::collections::HashMap;

use arrow::array::{Array, RecordBatch};

use super::{ChartError, Context, Lang};
use crate::data::format::number;
use crate::data::values::{formatter, numbers, texts};
use crate::recipe::{ChartKind, ChartSpec, Orientation};

/// The most categories along a bar chart's axis; the rest become "other".
pub const MAX_CATEGORIES: usize = 20;
/// The most colour groups: the palette, the last of which becomes "other"
/// when there are more.
pub const MAX_GROUPS: usize = super::PALETTE.len();
/// The most categories along each side of a heatmap.
pub const MAX_HEAT: usize = 40;
/// The most rows of the data tab.
pub const MAX_TABLE_ROWS: usize = 1000;

/// What a chart plots, checked and reduced.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub kind: ChartKind,
    pub title: String,
    pub x_title: String,
    pub y_title: String,
    /// Legend entries: entry `g` is colour group `g`, but for a last
    /// "other" entry, which is [`super::OTHER_GROUP`].
    pub groups: Vec<String>,
    /// Whether the last group is "other" (drawn grey).
    pub other: bool,
    /// Said under the title: rows left out, categories folded.
    pub notes: Vec<String>,
    pub body: Body,
    pub mark_x: Option<f64>,
    /// The plotted values as a table (the data tab).
    pub table: DataTable,
}

impl Prepared {
    /// The colour group of legend entry (or bar series) `i`.
    pub fn group_id(&self, i: usize) -> u8 {
        if self.other && i + 1 == self.groups.len() {
            super::OTHER_GROUP
        } else {
            i.min(usize::from(super::OTHER_GROUP)) as u8
        }
    }
}

/// The marks' values.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Scatter and line charts.
    Points(Points),
    /// Bar charts: `values[group][category]`.
    Bars {
        categories: Vec<String>,
        values: Vec<Vec<f64>>,
        stacked: bool,
        horizontal: bool,
    },
    /// Histogram: `counts[i]` values in `edges[i]..edges[i + 1]`.
    Histogram {
        edges: Vec<f64>,
        counts: Vec<u64>,
        log_x: bool,
    },
    /// Heatmap: `cells[y * xs.len() + x]`.
    Heatmap {
        xs: Vec<String>,
        ys: Vec<String>,
        cells: Vec<Option<f64>>,
    },
}

/// Points of a scatter or line chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Each point's colour group.
    pub group: Vec<u8>,
    /// Each point's size in 0..=1 (area), when sized by a column.
    pub size: Option<Vec<f32>>,
    /// Each point's row in the table (for tooltips).
    pub row: Vec<u32>,
    /// Line charts: the lines, each a range of the points sorted by x.
    pub lines: Vec<Line>,
    pub log_x: bool,
    pub log_y: bool,
    /// Whether x values are whole numbers between 1000 and 2999 (years):
    /// their ticks are not grouped by thousands.
    pub x_years: bool,
}

/// One line: points `start..end`, its name and colour group.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub group: u8,
    pub highlighted: bool,
}

/// A table of text, for the data tab.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DataTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// All rows the chart plots (the table shows at most [`MAX_TABLE_ROWS`]).
    pub total: u64,
}

struct Words {
    other: &'static str,
    count: &'static str,
    rows: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Sv => Words {
            other: "övriga",
            count: "antal rader",
            rows: "rader",
        },
        Lang::En => Words {
            other: "other",
            count: "number of rows",
            rows: "rows",
        },
    }
}

/// Checks `spec` against `batch` and reduces the table to what the chart
/// plots.
pub fn prepare(
    batch: &RecordBatch,
    spec: &ChartSpec,
    context: &Context,
) -> Result<Prepared, ChartError> {
    let lang = context.lang;
    let w = words(lang);
    let column = |name: &Option<String>, role: &str| -> Result<Option<&dyn Array>, ChartError> {
        match name {
            None => Ok(None),
            Some(name) => match batch.column_by_name(name) {
                Some(c) => Ok(Some(c.as_ref())),
                None => Err(ChartError(match lang {
                    Lang::Sv => format!(
                        "Diagrammets {role} är kolumnen \"{name}\", som inte finns i resultatet."
                    ),
                    Lang::En => format!(
                        "The chart's {role} is column \"{name}\", which the result does not have."
                    ),
                })),
            },
        }
    };
    // A column the chart cannot do without: chosen, and in the table.
    let required = |name: &Option<String>, role: &str| -> Result<&dyn Array, ChartError> {
        column(name, role)?.ok_or_else(|| {
            ChartError(match lang {
                Lang::Sv => format!("Välj en kolumn för diagrammets {role}."),
                Lang::En => format!("Choose a column for the chart's {role}."),
            })
        })
    };
    let numeric = |name: &Option<String>,
                   array: &dyn Array|
     -> Result<Vec<Option<f64>>, ChartError> {
        numbers(array).ok_or_else(|| {
            ChartError(match lang {
                Lang::Sv => format!(
                    "Kolumnen \"{}\" är inte tal ({}); välj en kolumn med tal eller ett stapeldiagram.",
                    name.as_deref().unwrap_or(""),
                    array.data_type()
                ),
                Lang::En => format!(
                    "Column \"{}\" is not numbers ({}); choose a number column or a bar chart.",
                    name.as_deref().unwrap_or(""),
                    array.data_type()
                ),
            })
        })
    };
    let titled = |name: &Option<String>| -> String {
        match name {
            None => String::new(),
            Some(n) => match context.unit(n) {
                Some(unit) if !unit.is_empty() && !unit.eq_ignore_ascii_case(n) => {
                    format!("{n} ({unit})")
                }
                _ => n.clone(),
            },
        }
    };
    let rows = batch.num_rows();
    let title = spec.title.clone().unwrap_or_else(|| {
        let y = spec.y.as_deref().or(spec.value.as_deref());
        match (y, spec.x.as_deref()) {
            (Some(y), Some(x)) => match lang {
                Lang::Sv => format!("{y} per {x}"),
                Lang::En => format!("{y} by {x}"),
            },
            (None, Some(x)) => x.to_string(),
            _ => String::new(),
        }
    });
    let mut notes = Vec::new();
    let mut skipped = 0usize;
    let mut prepared = Prepared {
        kind: spec.kind,
        title,
        x_title: titled(&spec.x),
        y_title: titled(&spec.y),
        groups: Vec::new(),
        other: false,
        notes: Vec::new(),
        body: Body::Points(Points::default()),
        mark_x: spec.mark_x.filter(|v| v.is_finite()),
        table: DataTable::default(),
    };
    match spec.kind {
        ChartKind::Table => {
            return Err(ChartError(match lang {
                Lang::Sv => "Välj en diagramtyp.".into(),
                Lang::En => "Choose a kind of chart.".into(),
            }));
        }
        ChartKind::Scatter | ChartKind::Line => {
            let xs = numeric(&spec.x, required(&spec.x, "x")?)?;
            let ys = numeric(&spec.y, required(&spec.y, "y")?)?;
            let color = column(&spec.color, "colour")?;
            let sizes = match column(&spec.size, "size")? {
                Some(a) => Some(numeric(&spec.size, a)?),
                None => None,
            };
            // The label is only read by tooltips; a wrong one is still an error.
            column(&spec.label, "label")?;
            let keep =
                |v: Option<f64>, log: bool| v.filter(|v| v.is_finite() && (!log || *v > 0.0));
            let mut points = Points {
                log_x: spec.log_x,
                log_y: spec.log_y,
                ..Points::default()
            };
            let mut kept = Vec::with_capacity(rows);
            for i in 0..rows {
                match (keep(xs[i], spec.log_x), keep(ys[i], spec.log_y)) {
                    (Some(x), Some(y)) => {
                        points.x.push(x);
                        points.y.push(y);
                        points.row.push(i as u32);
                        kept.push(i);
                    }
                    _ => skipped += 1,
                }
            }
            points.x_years = !points.x.is_empty()
                && points
                    .x
                    .iter()
                    .all(|v| v.fract() == 0.0 && (1000.0..3000.0).contains(v));
            let names = color.map(|a| coded(a, &kept));
            if spec.kind == ChartKind::Scatter {
                if let Some(names) = &names {
                    let (groups, other, of) = fold_groups(names, &w);
                    points.group = of;
                    prepared.groups = groups;
                    prepared.other = other;
                } else {
                    points.group = vec![0; kept.len()];
                }
                if let Some(sizes) = sizes {
                    let values: Vec<f64> = kept
                        .iter()
                        .map(|&i| {
                            sizes[i]
                                .filter(|v| v.is_finite() && *v >= 0.0)
                                .unwrap_or(0.0)
                        })
                        .collect();
                    let max = values.iter().cloned().fold(0.0, f64::max);
                    points.size = Some(
                        values
                            .iter()
                            .map(|v| if max > 0.0 { (v / max) as f32 } else { 0.5 })
                            .collect(),
                    );
                }
            } else {
                lines(
                    &mut points,
                    names.as_ref(),
                    &spec.highlight,
                    &mut prepared,
                    &w,
                );
            }
            prepared.table = point_table(batch, spec, &points);
            prepared.body = Body::Points(points);
        }
        ChartKind::Bar => {
            let categories = required(&spec.x, "x")?;
            let values = match column(&spec.y, "y")? {
                Some(a) => Some(numeric(&spec.y, a)?),
                None => None,
            };
            if spec.y.is_none() {
                prepared.y_title = w.count.to_string();
            }
            let all: Vec<usize> = (0..rows).collect();
            let names = coded(categories, &all);
            let colors = column(&spec.color, "colour")?.map(|a| coded(a, &all));
            bars(
                &mut prepared,
                spec,
                &names,
                colors.as_ref(),
                values.as_deref(),
                &w,
                &mut skipped,
                lang,
            );
        }
        ChartKind::Histogram => {
            let xs = numeric(&spec.x, required(&spec.x, "x")?)?;
            let mut values = Vec::with_capacity(rows);
            for v in xs {
                match v.filter(|v| v.is_finite() && (!spec.log_x || *v > 0.0)) {
                    Some(v) => values.push(if spec.log_x { v.log10() } else { v }),
                    None => skipped += 1,
                }
            }
            prepared.y_title = w.count.to_string();
            histogram(&mut prepared, spec, &values, lang);
        }
        ChartKind::Heatmap => {
            let all: Vec<usize> = (0..rows).collect();
            let xs = coded(required(&spec.x, "x")?, &all);
            let ys = coded(required(&spec.y, "y")?, &all);
            let values = match column(&spec.value, "value")? {
                Some(a) => Some(numeric(&spec.value, a)?),
                None => None,
            };
            heatmap(
                &mut prepared,
                spec,
                &xs,
                &ys,
                values.as_deref(),
                &w,
                &mut skipped,
                lang,
            );
        }
    }
    if skipped > 0 {
        notes.insert(
            0,
            match lang {
                Lang::Sv => format!(
                    "{} {} utan giltigt värde{} visas inte.",
                    number(skipped as f64, 0, lang),
                    w.rows,
                    if spec.log_x || spec.log_y {
                        " (eller ≤ 0 på logaritmisk axel)"
                    } else {
                        ""
                    }
                ),
                Lang::En => format!(
                    "{} {} without a valid value{} are not shown.",
                    number(skipped as f64, 0, lang),
                    w.rows,
                    if spec.log_x || spec.log_y {
                        " (or ≤ 0 on a log axis)"
                    } else {
                        ""
                    }
                ),
            },
        );
    }
    notes.append(&mut prepared.notes);
    prepared.notes = notes;
    let empty = match &prepared.body {
        Body::Points(p) => p.x.is_empty(),
        Body::Bars { categories, .. } => categories.is_empty(),
        Body::Histogram { counts, .. } => counts.is_empty(),
        Body::Heatmap { xs, ys, .. } => xs.is_empty() || ys.is_empty(),
    };
    if empty {
        return Err(ChartError(match lang {
            Lang::Sv => format!(
                "Inga rader att visa: resultatet har {} rader och ingen har giltiga värden i de valda kolumnerna.",
                number(rows as f64, 0, lang)
            ),
            Lang::En => format!(
                "Nothing to show: the result has {} rows and none has valid values in the chosen columns.",
                number(rows as f64, 0, lang)
            ),
        }));
    }
    Ok(prepared)
}

/// A column's values as categories: the distinct values as text, in
/// order of first appearance, and each listed row's index into them.
/// Numbers and text are coded by value without making a string per row;
/// each distinct value is formatted once ("–" for null).
struct Coded {
    names: Vec<String>,
    codes: Vec<u32>,
}

impl Coded {
    /// How many listed rows have each value.
    fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.names.len()];
        for &c in &self.codes {
            counts[c as usize] += 1;
        }
        counts
    }
}

/// A fast hasher for coding categories (std's SipHash resists hostile
/// keys, which a chart of the visitor's own table does not need, at a
/// third of the time of coding a million rows). Multiply-and-rotate, as
/// rustc's FxHash.
#[derive(Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

fn coded(array: &dyn Array, rows: &[usize]) -> Coded {
    let format = formatter(array);
    let mut names: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(rows.len());
    let name_of = |i: usize, names: &mut Vec<String>| {
        names.push(format(i).unwrap_or_else(|| "–".to_string()));
        (names.len() - 1) as u32
    };
    if let Some(values) = numbers(array) {
        let mut index: FastMap<Option<u64>, u32> = FastMap::default();
        for &i in rows {
            let key = values[i].map(f64::to_bits);
            let code = *index.entry(key).or_insert_with(|| name_of(i, &mut names));
            codes.push(code);
        }
    } else if let Some(texts) = texts(array) {
        let mut index: FastMap<Option<&str>, u32> = FastMap::default();
        for &i in rows {
            let code = *index
                .entry(texts.get(i))
                .or_insert_with(|| name_of(i, &mut names));
            codes.push(code);
        }
    } else {
        let mut index: FastMap<String, u32> = FastMap::default();
        for &i in rows {
            let text = format(i).unwrap_or_else(|| "–".to_string());
            let next = index.len() as u32;
            let code = *index.entry(text.clone()).or_insert_with(|| {
                names.push(text);
                next
            });
            codes.push(code);
        }
    }
    Coded { names, codes }
}

/// Row `i`'s number of `values` (1 when there is no number column, to
/// count rows), or `None`, counted in `skipped`, when it has none.
fn weight(values: Option<&[Option<f64>]>, i: usize, skipped: &mut usize) -> Option<f64> {
    let Some(values) = values else {
        return Some(1.0);
    };
    let v = values.get(i).copied().flatten().filter(|v| v.is_finite());
    if v.is_none() {
        *skipped += 1;
    }
    v
}

/// Compares names as numbers when both are numbers, else as text.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}

/// Colour groups for `names`: at most [`MAX_GROUPS`], the most frequent
/// kept (in natural order) and the rest folded into "other". Returns the
/// legend, whether it ends with "other", and each name's group.
fn fold_groups(coded: &Coded, w: &Words) -> (Vec<String>, bool, Vec<u8>) {
    let counts = coded.counts();
    let mut by_count: Vec<usize> = (0..coded.names.len()).collect();
    by_count.sort_by(|&a, &b| {
        counts[b]
            .cmp(&counts[a])
            .then_with(|| natural(&coded.names[a], &coded.names[b]))
    });
    let other = by_count.len() > MAX_GROUPS;
    let keep = if other {
        MAX_GROUPS - 1
    } else {
        by_count.len()
    };
    let mut kept: Vec<usize> = by_count[..keep].to_vec();
    kept.sort_by(|&a, &b| natural(&coded.names[a], &coded.names[b]));
    let mut group_of_code = vec![super::OTHER_GROUP; coded.names.len()];
    for (g, &c) in kept.iter().enumerate() {
        group_of_code[c] = g as u8;
    }
    let of = coded
        .codes
        .iter()
        .map(|&c| group_of_code[c as usize])
        .collect();
    let mut groups: Vec<String> = kept.iter().map(|&c| coded.names[c].clone()).collect();
    if other {
        groups.push(format!("{} ({})", w.other, by_count.len() - keep));
    }
    (groups, other, of)
}

/// Sorts a line chart's points into lines (one per name, by x) and colours
/// the highlighted lines, or the highest ones when none is named.
fn lines(
    points: &mut Points,
    names: Option<&Coded>,
    highlight: &[String],
    prepared: &mut Prepared,
    w: &Words,
) {
    let n = points.x.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut series: Vec<(String, Vec<usize>)> = Vec::new();
    match names {
        Some(names) => {
            // Codes are in order of first appearance: a line per code.
            series = names
                .names
                .iter()
                .map(|n| (n.clone(), Vec::new()))
                .collect();
            for (i, &code) in names.codes.iter().enumerate().take(n) {
                series[code as usize].1.push(i);
            }
            series.retain(|(_, rows)| !rows.is_empty());
        }
        None => series.push((String::new(), std::mem::take(&mut order))),
    }
    for (_, rows) in &mut series {
        rows.sort_by(|&a, &b| points.x[a].total_cmp(&points.x[b]));
    }
    // Which lines take a colour.
    let chosen: Vec<usize> = if !highlight.is_empty() {
        series
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| highlight.contains(name))
            .map(|(i, _)| i)
            .take(MAX_GROUPS)
            .collect()
    } else if series.len() <= MAX_GROUPS {
        (0..series.len()).collect()
    } else {
        let mut peaks: Vec<(usize, f64)> = series
            .iter()
            .enumerate()
            .map(|(i, (_, rows))| {
                (
                    i,
                    rows.iter().map(|&r| points.y[r]).fold(f64::MIN, f64::max),
                )
            })
            .collect();
        peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
        peaks.iter().take(MAX_GROUPS - 1).map(|(i, _)| *i).collect()
    };
    let mut chosen_sorted = chosen.clone();
    chosen_sorted.sort_by(|&a, &b| natural(&series[a].0, &series[b].0));
    let grey = super::OTHER_GROUP;
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut row = Vec::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    // Grey lines first, so that coloured ones are drawn over them.
    let mut drawn: Vec<(usize, u8, bool)> = Vec::new();
    for s in 0..series.len() {
        if !chosen_sorted.contains(&s) {
            drawn.push((s, grey, false));
        }
    }
    for (g, &s) in chosen_sorted.iter().enumerate() {
        drawn.push((s, g as u8, true));
    }
    for (s, g, highlighted) in drawn {
        let start = x.len();
        for &i in &series[s].1 {
            x.push(points.x[i]);
            y.push(points.y[i]);
            row.push(points.row[i]);
            group.push(g);
        }
        points.lines.push(Line {
            name: series[s].0.clone(),
            start,
            end: x.len(),
            group: g,
            highlighted,
        });
    }
    points.x = x;
    points.y = y;
    points.row = row;
    points.group = group;
    if names.is_some() {
        prepared.groups = chosen_sorted.iter().map(|&s| series[s].0.clone()).collect();
        let rest = series.len() - chosen_sorted.len();
        if rest > 0 {
            prepared.groups.push(format!("{} ({rest})", w.other));
            prepared.other = true;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bars(
    prepared: &mut Prepared,
    spec: &ChartSpec,
    names: &Coded,
    colors: Option<&Coded>,
    values: Option<&[Option<f64>]>,
    w: &Words,
    skipped: &mut usize,
    lang: Lang,
) {
    let (groups, other, group_of) = match colors {
        Some(c) => fold_groups(c, w),
        None => (Vec::new(), false, vec![0u8; names.codes.len()]),
    };
    let n_groups = groups.len().max(1);
    // A category per code that has a value, in order of appearance.
    let mut category_of_code = vec![usize::MAX; names.names.len()];
    let mut categories: Vec<String> = Vec::new();
    let mut sums: Vec<Vec<f64>> = vec![Vec::new(); n_groups];
    for (i, &code) in names.codes.iter().enumerate() {
        let Some(v) = weight(values, i, skipped) else {
            continue;
        };
        let code = code as usize;
        if category_of_code[code] == usize::MAX {
            category_of_code[code] = categories.len();
            categories.push(names.names[code].clone());
            for s in sums.iter_mut() {
                s.push(0.0);
            }
        }
        let c = category_of_code[code];
        // "other" is the last slot.
        let slot = usize::from(group_of[i]).min(n_groups - 1);
        sums[slot][c] += v;
    }
    if categories.len() > MAX_CATEGORIES {
        let total = |c: usize| sums.iter().map(|s| s[c]).sum::<f64>().abs();
        let mut by_total: Vec<usize> = (0..categories.len()).collect();
        by_total.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
        let mut keep: Vec<usize> = by_total[..MAX_CATEGORIES].to_vec();
        keep.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
        let rest = categories.len() - MAX_CATEGORIES;
        let mut folded_categories: Vec<String> =
            keep.iter().map(|&c| categories[c].clone()).collect();
        folded_categories.push(format!("{} ({rest})", w.other));
        let folded: Vec<Vec<f64>> = sums
            .iter()
            .map(|s| {
                let mut row: Vec<f64> = keep.iter().map(|&c| s[c]).collect();
                row.push(by_total[MAX_CATEGORIES..].iter().map(|&c| s[c]).sum());
                row
            })
            .collect();
        prepared.notes.push(match lang {
            Lang::Sv => format!(
                "De {MAX_CATEGORIES} största av {} kategorier; resten summeras i \"{}\".",
                categories.len(),
                w.other
            ),
            Lang::En => format!(
                "The {MAX_CATEGORIES} largest of {} categories; the rest are summed in \"{}\".",
                categories.len(),
                w.other
            ),
        });
        categories = folded_categories;
        sums = folded;
    }
    let horizontal = match spec.orientation {
        Orientation::Horizontal => true,
        Orientation::Vertical => false,
        Orientation::Auto => {
            categories.len() > 12 || categories.iter().any(|c| c.chars().count() > 10)
        }
    };
    let mut table = DataTable {
        columns: vec![spec.x.clone().unwrap_or_default()],
        rows: Vec::new(),
        total: categories.len() as u64,
    };
    if groups.is_empty() {
        table.columns.push(prepared.y_title.clone());
    } else {
        table.columns.extend(groups.iter().cloned());
    }
    for (c, name) in categories.iter().enumerate().take(MAX_TABLE_ROWS) {
        let mut row = vec![name.clone()];
        row.extend(sums.iter().map(|s| crate::data::format::short(s[c], lang)));
        table.rows.push(row);
    }
    prepared.table = table;
    prepared.groups = groups;
    prepared.other = other;
    prepared.body = Body::Bars {
        categories,
        values: sums,
        stacked: spec.stacked,
        horizontal,
    };
}

fn histogram(prepared: &mut Prepared, spec: &ChartSpec, values: &[f64], lang: Lang) {
    if values.is_empty() {
        prepared.body = Body::Histogram {
            edges: Vec::new(),
            counts: Vec::new(),
            log_x: spec.log_x,
        };
        return;
    }
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if hi - lo <= 0.0 || !(hi - lo).is_finite() {
        // One distinct value (or a range too wide to split): one bin.
        let half = if lo.abs() > 1e300 {
            0.0
        } else {
            lo.abs().max(1.0) * 0.05
        };
        lo -= half;
        hi += half;
    }
    let auto = ((values.len() as f64).log2().ceil() as u32 + 1).clamp(5, 50);
    let bins = spec.bins.unwrap_or(auto).clamp(1, 200) as usize;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &v in values {
        let b = if width > 0.0 && width.is_finite() {
            (((v - lo) / width) as usize).min(bins - 1)
        } else {
            0
        };
        counts[b] += 1;
    }
    let edges: Vec<f64> = (0..=bins).map(|i| lo + width * i as f64).collect();
    let edge = |v: f64| {
        let v = if spec.log_x { 10f64.powf(v) } else { v };
        crate::data::format::short(v, lang)
    };
    prepared.table = DataTable {
        columns: match lang {
            Lang::Sv => vec!["från".into(), "till".into(), "antal".into()],
            Lang::En => vec!["from".into(), "to".into(), "count".into()],
        },
        rows: (0..bins)
            .map(|i| vec![edge(edges[i]), edge(edges[i + 1]), counts[i].to_string()])
            .collect(),
        total: bins as u64,
    };
    prepared.body = Body::Histogram {
        edges,
        counts,
        log_x: spec.log_x,
    };
}

#[allow(clippy::too_many_arguments)]
fn heatmap(
    prepared: &mut Prepared,
    spec: &ChartSpec,
    xs: &Coded,
    ys: &Coded,
    values: Option<&[Option<f64>]>,
    w: &Words,
    skipped: &mut usize,
    lang: Lang,
) {
    // The most frequent categories of each side, in order of appearance
    // (codes are in that order); each code's cell index or none.
    let top = |coded: &Coded| -> (Vec<String>, Vec<Option<usize>>) {
        let counts = coded.counts();
        let mut list: Vec<usize> = (0..coded.names.len()).collect();
        list.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        list.truncate(MAX_HEAT);
        list.sort_unstable();
        let mut index = vec![None; coded.names.len()];
        for (i, &c) in list.iter().enumerate() {
            index[c] = Some(i);
        }
        (
            list.iter().map(|&c| coded.names[c].clone()).collect(),
            index,
        )
    };
    let (x_names, xi) = top(xs);
    let (y_names, yi) = top(ys);
    let (x_total, y_total) = (xs.names.len(), ys.names.len());
    let mut sums = vec![0.0; x_names.len() * y_names.len()];
    let mut counts = vec![0u64; sums.len()];
    for i in 0..xs.codes.len() {
        let (Some(x), Some(y)) = (xi[xs.codes[i] as usize], yi[ys.codes[i] as usize]) else {
            continue;
        };
        let Some(v) = weight(values, i, skipped) else {
            continue;
        };
        sums[y * x_names.len() + x] += v;
        counts[y * x_names.len() + x] += 1;
    }
    let cells: Vec<Option<f64>> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| match (c, values.is_some()) {
            (0, _) => None,
            (c, true) => Some(s / c as f64),
            (_, false) => Some(*s),
        })
        .collect();
    if x_total > MAX_HEAT || y_total > MAX_HEAT {
        prepared.notes.push(match lang {
            Lang::Sv => format!("De {MAX_HEAT} vanligaste kategorierna per axel visas ({x_total} × {y_total})."),
            Lang::En => format!("The {MAX_HEAT} most frequent categories per axis are shown ({x_total} × {y_total})."),
        });
    }
    if values.is_none() {
        prepared.notes.push(w.count.to_string());
    }
    let value_title = spec.value.clone().unwrap_or_else(|| w.count.to_string());
    let mut table = DataTable {
        columns: vec![
            spec.y.clone().unwrap_or_default(),
            spec.x.clone().unwrap_or_default(),
            value_title,
        ],
        rows: Vec::new(),
        total: cells.iter().filter(|c| c.is_some()).count() as u64,
    };
    'rows: for (yi, yn) in y_names.iter().enumerate() {
        for (xi, xn) in x_names.iter().enumerate() {
            if let Some(v) = cells[yi * x_names.len() + xi] {
                if table.rows.len() >= MAX_TABLE_ROWS {
                    break 'rows;
                }
                table.rows.push(vec![
                    yn.clone(),
                    xn.clone(),
                    crate::data::format::short(v, lang),
                ]);
            }
        }
    }
    prepared.table = table;
    prepared.body = Body::Heatmap {
        xs: x_names,
        ys: y_names,
        cells,
    };
}

/// The data tab of a scatter or line chart: the plotted rows.
fn point_table(batch: &RecordBatch, spec: &ChartSpec, points: &Points) -> DataTable {
    let mut names: Vec<&String> = Vec::new();
    for n in [&spec.label, &spec.color, &spec.x, &spec.y, &spec.size]
        .into_iter()
        .flatten()
    {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let arrays: Vec<&dyn Array> = names
        .iter()
        .filter_map(|n| batch.column_by_name(n).map(|c| c.as_ref()))
        .collect();
    let formats: Vec<_> = arrays.iter().map(|a| formatter(*a)).collect();
    DataTable {
        columns: names.iter().map(|n| n.to_string()).collect(),
        rows: points
            .row
            .iter()
            .take(MAX_TABLE_ROWS)
            .map(|&r| {
                formats
                    .iter()
                    .map(|f| f(r as usize).unwrap_or_else(|| "–".into()))
                    .collect()
            })
            .collect(),
        total: points.row.len() as u64,
    }
}
