//! From a table and a chart spec to the values the chart plots.
//!
//! Every column is checked here, so that layout and drawing never meet a
//! missing column, a text where a number belongs, NaN or infinity, or a
//! value a log axis cannot show: such rows are counted and left out, and
//! the count becomes a note under the title.

//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod coded;
mod kinds;

use arrow::array::{Array, RecordBatch};

use crate::chart::{ChartError, Context, Lang};
use crate::data::format::number;
use crate::data::values::numbers;
use crate::recipe::{ChartKind, ChartSpec};

use coded::{coded, fold_groups};
use kinds::{bars, heatmap, histogram, lines, point_table};

/// The most categories along a bar chart's axis; the rest become "other".
pub const MAX_CATEGORIES: usize = 20;
/// The most colour groups: the palette, the last of which becomes "other"
/// when there are more.
pub const MAX_GROUPS: usize = crate::chart::PALETTE.len();
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
    /// "other" entry, which is [`crate::chart::OTHER_GROUP`].
    pub groups: Vec<String>,
    /// Whether the last group is "other" (drawn grey).
    pub other: bool,
    /// Said under the title: rows left out, categories folded.
    pub notes: Vec<String>,
    pub body: Body,
    pub mark_x: Option<f64>,
    /// The plotted values as a table (the data tab).
    pub table: DataTable,
    /// The article's furniture: a subtitle, a note under the chart, the
    /// categories drawn in colour (bars), values printed on the bars and
    /// texts pinned to places.
    pub furniture: Furniture,
}

/// What an article adds to a chart (from the spec), checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Furniture {
    pub subtitle: String,
    pub note: String,
    /// Bar: the categories drawn in colour; the others are grey.
    pub highlight: Vec<String>,
    /// Bar: print the values at the bars' ends.
    pub values: bool,
    /// At most [`MAX_ANNOTATIONS`], with a text.
    pub annotations: Vec<crate::recipe::Annotation>,
}

/// The most annotations drawn; more are said in a note.
pub const MAX_ANNOTATIONS: usize = 12;

impl Furniture {
    fn from_spec(spec: &ChartSpec) -> Furniture {
        let text = |t: &Option<String>| t.as_deref().unwrap_or_default().trim().to_string();
        Furniture {
            subtitle: text(&spec.subtitle),
            note: text(&spec.note),
            highlight: if spec.kind == ChartKind::Bar {
                spec.highlight.clone()
            } else {
                Vec::new()
            },
            values: spec.values && spec.kind == ChartKind::Bar,
            annotations: spec
                .annotations
                .iter()
                .filter(|a| !a.text.trim().is_empty())
                .take(MAX_ANNOTATIONS)
                .cloned()
                .collect(),
        }
    }
}

impl Prepared {
    /// The colour group of legend entry (or bar series) `i`.
    pub fn group_id(&self, i: usize) -> u8 {
        if self.other && i + 1 == self.groups.len() {
            crate::chart::OTHER_GROUP
        } else {
            i.min(usize::from(crate::chart::OTHER_GROUP)) as u8
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

pub(super) struct Words {
    other: &'static str,
    count: &'static str,
    rows: &'static str,
    yes: &'static str,
    no: &'static str,
}

pub(super) fn words(lang: Lang) -> Words {
    match lang {
        Lang::Sv => Words {
            other: "övriga",
            count: "antal rader",
            rows: "rader",
            yes: "ja",
            no: "nej",
        },
        Lang::En => Words {
            other: "other",
            count: "number of rows",
            rows: "rows",
            yes: "yes",
            no: "no",
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
    let column =
        |name: &Option<String>, role: &'static str| -> Result<Option<&dyn Array>, ChartError> {
            match name {
                None => Ok(None),
                Some(name) => match batch.column_by_name(name) {
                    Some(c) => Ok(Some(c.as_ref())),
                    None => Err(ChartError::NoColumn {
                        lang,
                        role,
                        column: name.clone(),
                    }),
                },
            }
        };
    // A column the chart cannot do without: chosen, and in the table.
    let required = |name: &Option<String>, role: &'static str| -> Result<&dyn Array, ChartError> {
        column(name, role)?.ok_or(ChartError::Unchosen { lang, role })
    };
    let numeric =
        |name: &Option<String>, array: &dyn Array| -> Result<Vec<Option<f64>>, ChartError> {
            numbers(array).ok_or_else(|| ChartError::NotNumbers {
                lang,
                column: name.clone().unwrap_or_default(),
                data_type: array.data_type().to_string(),
            })
        };
    let titled = |name: &Option<String>| -> String {
        name.as_deref()
            .map(|n| context.axis_title(n))
            .unwrap_or_default()
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
        furniture: Furniture::from_spec(spec),
    };
    match spec.kind {
        ChartKind::Table => {
            return Err(ChartError::NoKind { lang });
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
            let names = color.map(|a| coded(a, &kept, &w));
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
            let names = coded(categories, &all, &w);
            let colors = column(&spec.color, "colour")?.map(|a| coded(a, &all, &w));
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
            let xs = coded(required(&spec.x, "x")?, &all, &w);
            let ys = coded(required(&spec.y, "y")?, &all, &w);
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
    // An annotation with no place in this chart is said, not dropped.
    let unplaced: Vec<&str> = prepared
        .furniture
        .annotations
        .iter()
        .filter(|a| crate::chart::frame::furniture::anchor(&prepared, a).is_none())
        .map(|a| a.at.as_str())
        .collect();
    if let Some(first) = unplaced.first() {
        let first = crate::chart::frame::ellipsis(first, 24);
        let n = unplaced.len();
        prepared.notes.push(match (lang, n) {
            (Lang::Sv, 1) => format!("Kommentaren vid \"{first}\" har ingen plats i diagrammet."),
            (Lang::Sv, _) => format!(
                "{n} kommentarer har ingen plats i diagrammet, bland dem den vid \"{first}\"."
            ),
            (Lang::En, 1) => format!("The annotation at \"{first}\" has no place in the chart."),
            (Lang::En, _) => format!(
                "{n} annotations have no place in the chart, among them the one at \"{first}\"."
            ),
        });
    }
    let empty = match &prepared.body {
        Body::Points(p) => p.x.is_empty(),
        Body::Bars { categories, .. } => categories.is_empty(),
        Body::Histogram { counts, .. } => counts.is_empty(),
        Body::Heatmap { xs, ys, .. } => xs.is_empty() || ys.is_empty(),
    };
    if empty {
        return Err(ChartError::NothingToShow { lang, rows });
    }
    Ok(prepared)
}
