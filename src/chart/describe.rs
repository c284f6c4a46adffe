//! A chart in words, for a screen reader: its kind, what its axes show,
//! how many marks, the range of the values and where the extremes are.
//! The page gives it to the canvas as its accessible description; the
//! data tab (and the embed's data table) lists every value.

use crate::chart::prepare::{Body, Prepared};
use crate::data::Lang;
use crate::data::format::short;
use crate::recipe::ChartKind;

/// One or two sentences about `prepared` in `lang`.
pub fn describe(prepared: &Prepared, lang: Lang) -> String {
    let sv = lang == Lang::Sv;
    let kind = match (prepared.kind, sv) {
        (ChartKind::Bar, true) => "Stapeldiagram",
        (ChartKind::Bar, false) => "Bar chart",
        (ChartKind::Line, true) => "Linjediagram",
        (ChartKind::Line, false) => "Line chart",
        (ChartKind::Scatter, true) => "Punktdiagram",
        (ChartKind::Scatter, false) => "Scatter plot",
        (ChartKind::Histogram, true) => "Histogram",
        (ChartKind::Histogram, false) => "Histogram",
        (ChartKind::Heatmap, true) => "Värmekarta",
        (ChartKind::Heatmap, false) => "Heatmap",
        (ChartKind::Table, true) => "Tabell",
        (ChartKind::Table, false) => "Table",
    };
    let axes = match (prepared.y_title.is_empty(), prepared.x_title.is_empty()) {
        (false, false) if sv => format!(" av {} per {}", prepared.y_title, prepared.x_title),
        (false, false) => format!(" of {} by {}", prepared.y_title, prepared.x_title),
        (true, false) if sv => format!(" av {}", prepared.x_title),
        (true, false) => format!(" of {}", prepared.x_title),
        _ => String::new(),
    };
    let n = |v: f64| short(v, lang);
    let detail = match &prepared.body {
        Body::Bars {
            categories, values, ..
        } => {
            // The totals per category (stacked or side by side alike).
            let totals: Vec<f64> = (0..categories.len())
                .map(|c| {
                    values
                        .iter()
                        .filter_map(|g| g.get(c))
                        .filter(|v| v.is_finite())
                        .sum()
                })
                .collect();
            match (extreme(&totals, true), extreme(&totals, false)) {
                (Some(hi), Some(lo)) if sv => format!(
                    "{} staplar; störst {} ({}), minst {} ({}).",
                    categories.len(),
                    categories[hi],
                    n(totals[hi]),
                    categories[lo],
                    n(totals[lo])
                ),
                (Some(hi), Some(lo)) => format!(
                    "{} bars; largest {} ({}), smallest {} ({}).",
                    categories.len(),
                    categories[hi],
                    n(totals[hi]),
                    categories[lo],
                    n(totals[lo])
                ),
                _ => String::new(),
            }
        }
        Body::Points(points) => {
            let (Some(lo), Some(hi)) = (extreme(&points.y, false), extreme(&points.y, true)) else {
                return format!("{kind}{axes}.");
            };
            let lines = points.lines.len();
            let marks = if lines > 0 {
                match sv {
                    true => format!("{lines} linjer"),
                    false => format!("{lines} lines"),
                }
            } else if sv {
                format!("{} punkter", points.y.len())
            } else {
                format!("{} points", points.y.len())
            };
            if sv {
                format!(
                    "{marks}; y från {} till {}.",
                    n(points.y[lo]),
                    n(points.y[hi])
                )
            } else {
                format!(
                    "{marks}; y from {} to {}.",
                    n(points.y[lo]),
                    n(points.y[hi])
                )
            }
        }
        Body::Histogram { edges, counts, .. } => {
            let (Some(first), Some(last)) = (edges.first(), edges.last()) else {
                return format!("{kind}{axes}.");
            };
            let total: u64 = counts.iter().sum();
            if sv {
                format!("{total} värden från {} till {}.", n(*first), n(*last))
            } else {
                format!("{total} values from {} to {}.", n(*first), n(*last))
            }
        }
        Body::Heatmap { xs, ys, cells } => {
            let values: Vec<f64> = cells.iter().map(|c| c.unwrap_or(f64::NAN)).collect();
            match (extreme(&values, false), extreme(&values, true)) {
                (Some(lo), Some(hi)) if sv => format!(
                    "{} × {} rutor; från {} till {}.",
                    xs.len(),
                    ys.len(),
                    n(values[lo]),
                    n(values[hi])
                ),
                (Some(lo), Some(hi)) => format!(
                    "{} × {} cells; from {} to {}.",
                    xs.len(),
                    ys.len(),
                    n(values[lo]),
                    n(values[hi])
                ),
                _ => String::new(),
            }
        }
    };
    let mut out = format!("{kind}{axes}. {detail}").trim_end().to_string();
    furniture_words(prepared, lang, &mut out);
    out
}

/// The article's furniture in words: the subtitle, what is highlighted,
/// each annotation and the note, each a sentence.
fn furniture_words(prepared: &Prepared, lang: Lang, out: &mut String) {
    let f = &prepared.furniture;
    let sv = lang == Lang::Sv;
    let mut say = |text: String| {
        let text = text.trim().trim_end_matches('.').to_string();
        if !text.is_empty() {
            out.push(' ');
            out.push_str(&text);
            out.push('.');
        }
    };
    say(f.subtitle.clone());
    if !f.highlight.is_empty() {
        let names = f.highlight.join(", ");
        say(if sv {
            format!("Framhävt: {names}")
        } else {
            format!("Highlighted: {names}")
        });
    }
    for a in &f.annotations {
        let (at, text) = (a.at.trim(), a.text.trim());
        say(if sv {
            format!("Vid {at}: {text}")
        } else {
            format!("At {at}: {text}")
        });
    }
    say(f.note.clone());
}

/// The place of the largest (`max`) or smallest finite value.
fn extreme(values: &[f64], max: bool) -> Option<usize> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .reduce(|a, b| {
            let better = if max { b.1 > a.1 } else { b.1 < a.1 };
            if better { b } else { a }
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::prepare::DataTable;

    fn bars() -> Prepared {
        Prepared {
            kind: ChartKind::Bar,
            title: String::new(),
            x_title: "agency".into(),
            y_title: "FTE".into(),
            groups: Vec::new(),
            other: false,
            notes: Vec::new(),
            body: Body::Bars {
                categories: vec!["Skatteverket".into(), "JK".into(), "Kriminalvården".into()],
                values: vec![vec![10_500.0, 40.0, f64::NAN], vec![0.0, 0.0, 13_000.0]],
                stacked: true,
                horizontal: true,
            },
            mark_x: None,
            table: DataTable::default(),
            furniture: Default::default(),
        }
    }

    #[test]
    fn a_bar_chart_in_words_names_its_extremes() {
        assert_eq!(
            describe(&bars(), Lang::En),
            "Bar chart of FTE by agency. 3 bars; largest Kriminalvården (13,000), smallest JK (40)."
        );
        assert_eq!(
            describe(&bars(), Lang::Sv),
            "Stapeldiagram av FTE per agency. 3 staplar; störst Kriminalvården (13\u{202f}000), minst JK (40)."
        );
    }

    #[test]
    fn the_furniture_is_read_out_after_the_chart() {
        let mut dressed = bars();
        dressed.furniture.subtitle = "Change since 2010".into();
        dressed.furniture.highlight = vec!["Kriminalvården".into()];
        dressed.furniture.annotations = vec![crate::recipe::Annotation {
            at: "JK".into(),
            y: None,
            text: "The smallest.".into(),
        }];
        dressed.furniture.note = "Source: the agencies' annual reports".into();
        let words = describe(&dressed, Lang::En);
        assert!(
            words.ends_with(" Change since 2010. Highlighted: Kriminalvården. At JK: The smallest. Source: the agencies' annual reports."),
            "{words}"
        );
    }

    #[test]
    fn empty_and_odd_bodies_still_say_the_kind() {
        let mut p = bars();
        p.body = Body::Heatmap {
            xs: vec!["a".into()],
            ys: vec!["b".into()],
            cells: vec![None],
        };
        p.kind = ChartKind::Heatmap;
        assert_eq!(describe(&p, Lang::En), "Heatmap of FTE by agency.");
        p.body = Body::Histogram {
            edges: Vec::new(),
            counts: Vec::new(),
            log_x: false,
        };
        p.kind = ChartKind::Histogram;
        p.y_title.clear();
        assert_eq!(describe(&p, Lang::Sv), "Histogram av agency.");
    }
}
