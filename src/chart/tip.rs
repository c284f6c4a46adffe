//! A chart's tooltip: the mark under the pointer in words (its label or
//! group as the title, then the chart's columns for a point; the category
//! and value for a bar; the range and count for a bin; both sides and the
//! value for a heatmap cell).

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::chart::Lang;
use crate::chart::prepare::{Body, Prepared};
use crate::chart::raster::Hit;
use crate::data::values::display_formatter;
use crate::recipe::ChartSpec;

/// A chart's tooltip: where its mark is, a title and `(name, value)`
/// lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tip {
    pub x: f32,
    pub y: f32,
    pub title: String,
    pub lines: Vec<(String, String)>,
    /// The colour group of the mark, if it has one.
    pub group: Option<u8>,
}

/// A tooltip for `found`: the label column (or the group) as its title,
/// then the chart's columns.
pub fn tip(
    prepared: &Prepared,
    spec: &ChartSpec,
    language: Lang,
    batch: &RecordBatch,
    found: Hit,
) -> Tip {
    let lang = |v: f64| crate::data::format::short(v, language);
    match found {
        Hit::Point { index, row, at } => {
            let value = |name: &Option<String>| -> Option<(String, String)> {
                let name = name.as_ref()?;
                let column = batch.column_by_name(name)?;
                let text = display_formatter(column.as_ref(), language)(row as usize)
                    .unwrap_or_else(|| "–".into());
                Some((name.clone(), text))
            };
            let group = match &prepared.body {
                Body::Points(p) => p.group.get(index).copied(),
                _ => None,
            };
            // The label names the point; without one, its colour group does
            // (and is not repeated below).
            let (title, named_by_color) = match (value(&spec.label), value(&spec.color)) {
                (Some((_, t)), _) => (t, false),
                (None, Some((_, t))) => (t, true),
                (None, None) => (String::new(), false),
            };
            let shown = if named_by_color { &None } else { &spec.color };
            let lines = [shown, &spec.x, &spec.y, &spec.size]
                .into_iter()
                .filter_map(value)
                .collect();
            Tip {
                x: at.0,
                y: at.1,
                title,
                lines,
                group,
            }
        }
        Hit::Bar {
            category,
            group,
            rect,
        } => {
            let Body::Bars {
                categories, values, ..
            } = &prepared.body
            else {
                return empty_tip();
            };
            let mut lines = Vec::new();
            if let Some(name) = prepared.groups.get(group) {
                lines.push((spec.color.clone().unwrap_or_default(), name.clone()));
            }
            let v = values
                .get(group)
                .and_then(|g| g.get(category))
                .copied()
                .unwrap_or(0.0);
            lines.push((prepared.y_title.clone(), lang(v)));
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: categories.get(category).cloned().unwrap_or_default(),
                lines,
                group: (!prepared.groups.is_empty()).then(|| prepared.group_id(group)),
            }
        }
        Hit::Bin { bin, rect } => {
            let row = prepared.table.rows.get(bin).cloned().unwrap_or_default();
            let get = |i: usize| row.get(i).cloned().unwrap_or_default();
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: format!("{} – {}", get(0), get(1)),
                lines: vec![(prepared.y_title.clone(), get(2))],
                group: None,
            }
        }
        Hit::Cell { x, y, rect } => {
            let Body::Heatmap { xs, ys, cells } = &prepared.body else {
                return empty_tip();
            };
            let v = cells.get(y * xs.len() + x).copied().flatten();
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: format!(
                    "{} · {}",
                    ys.get(y).cloned().unwrap_or_default(),
                    xs.get(x).cloned().unwrap_or_default()
                ),
                lines: vec![(
                    spec.value.clone().unwrap_or_else(|| "n".into()),
                    v.map(lang).unwrap_or_else(|| "–".into()),
                )],
                group: None,
            }
        }
    }
}

fn empty_tip() -> Tip {
    Tip {
        x: 0.0,
        y: 0.0,
        title: String::new(),
        lines: Vec::new(),
        group: None,
    }
}
