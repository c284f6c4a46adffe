//! Every kind of chart at a phone's, an article's and a wide page's width
//! (360, 640 and 960 px), in both languages, with an article's furniture:
//! each SVG equals its snapshot in `tests/snapshots/matrix/`, and each
//! layout keeps every text inside the frame, no two texts on each other,
//! and every category label drawn or said to be missing.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray};

use super::{context, spec, table};
use crate::chart::draw::svg;
use crate::chart::frame::boxes::text_boxes;
use crate::chart::frame::furniture::overlaps;
use crate::chart::frame::{Frame, Mark, layout};
use crate::chart::prepare::{Body, Prepared, prepare};
use crate::chart::{Context, Lang, Size, chart_height_in_embed, register_font};
use crate::recipe::{Annotation, ChartKind, ChartSpec, Orientation};

/// Twenty agencies and their growth in full-time equivalents, as the first
/// curated analysis shows them (names as long as the real ones).
fn growth() -> RecordBatch {
    let names = [
        "Försäkringskassan",
        "Kriminalvården",
        "Skatteverket",
        "Polismyndigheten",
        "Migrationsverket",
        "Myndigheten för samhällsskydd och beredskap",
        "Åklagarmyndigheten",
        "Domstolsverket",
        "Arbetsförmedlingen",
        "Trafikverket",
        "Statens institutionsstyrelse",
        "Tullverket",
        "Kustbevakningen",
        "Socialstyrelsen",
        "Inspektionen för vård och omsorg",
        "Folkhälsomyndigheten",
        "Pensionsmyndigheten",
        "E-hälsomyndigheten",
        "Myndigheten för digital förvaltning",
        "Ekobrottsmyndigheten",
    ];
    // Like the real data: one far ahead, the annotated second well behind.
    let growth: Vec<f64> = (0..names.len())
        .map(|i| match i {
            0 => 9_671.96,
            1 => 6_216.99,
            _ => 2_344.87 - i as f64 * 97.25 + if i % 3 == 0 { 0.5 } else { 0.0 },
        })
        .collect();
    RecordBatch::try_from_iter([
        (
            "name",
            Arc::new(StringArray::from(names.to_vec())) as ArrayRef,
        ),
        ("growth", Arc::new(Float64Array::from(growth)) as ArrayRef),
    ])
    .expect("growth table")
}

fn note(text: &str, at: &str) -> Annotation {
    Annotation {
        at: at.into(),
        y: None,
        text: text.into(),
    }
}

/// The charts: every kind, and furniture on some.
fn charts() -> Vec<(&'static str, RecordBatch, ChartSpec)> {
    let t = table();
    vec![
        (
            "growth",
            growth(),
            ChartSpec {
                title: Some("Which agencies grew most, 2010–2024?".into()),
                subtitle: Some("Change in full-time equivalents, the 20 largest increases".into()),
                note: Some("Agencies that merged are counted under their new name.".into()),
                highlight: vec!["Kriminalvården".into()],
                values: true,
                annotations: vec![note("Prisons and probation", "Kriminalvården")],
                orientation: Orientation::Horizontal,
                ..spec(ChartKind::Bar, "name", Some("growth"), None)
            },
        ),
        (
            "bar",
            t.clone(),
            ChartSpec {
                values: true,
                ..spec(ChartKind::Bar, "ministry", Some("fte"), None)
            },
        ),
        (
            "bar_stacked",
            t.clone(),
            ChartSpec {
                stacked: true,
                ..spec(ChartKind::Bar, "ministry", Some("fte"), Some("agency"))
            },
        ),
        (
            "line",
            t.clone(),
            ChartSpec {
                highlight: vec!["Myndighet 2".into(), "Myndighet 5".into()],
                subtitle: Some("Full-time equivalents per year".into()),
                annotations: vec![note("Reorganised", "2014")],
                ..spec(ChartKind::Line, "year", Some("fte"), Some("agency"))
            },
        ),
        (
            "scatter",
            t.clone(),
            ChartSpec {
                label: Some("agency".into()),
                ..spec(ChartKind::Scatter, "fte", Some("women"), Some("ministry"))
            },
        ),
        (
            "histogram",
            t.clone(),
            spec(ChartKind::Histogram, "fte", None, None),
        ),
        (
            "heatmap",
            t.clone(),
            ChartSpec {
                value: Some("fte".into()),
                ..spec(ChartKind::Heatmap, "year", Some("agency"), None)
            },
        ),
        (
            "elbow",
            t,
            ChartSpec {
                mark_x: Some(2015.0),
                ..spec(ChartKind::Line, "year", Some("women"), None)
            },
        ),
    ]
}

const WIDTHS: [u32; 3] = [360, 640, 960];

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "sv",
        Lang::En => "en",
    }
}

/// Each chart, at each width and in each language, laid out at an embed's
/// height (or the height at which its row labels fit, as an embed asks).
fn frames() -> Vec<(String, Prepared, Frame)> {
    let mut out = Vec::new();
    for (name, batch, spec) in charts() {
        for width in WIDTHS {
            for lang in [Lang::Sv, Lang::En] {
                let ctx = Context { lang, ..context() };
                let prepared =
                    prepare(&batch, &spec, &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
                let mut size = Size {
                    width,
                    height: chart_height_in_embed(width),
                    scale: 1.0,
                };
                let mut frame = layout(&prepared, &ctx, size, None, None);
                if let Some(wanted) = frame.wanted_height.filter(|h| *h > size.height) {
                    size.height = wanted;
                    frame = layout(&prepared, &ctx, size, None, None);
                }
                out.push((
                    format!("{name}_{width}_{}", lang_name(lang)),
                    prepared,
                    frame,
                ));
            }
        }
    }
    out
}

/// `UPDATE_SNAPSHOTS=1` writes the snapshots after a deliberate change;
/// look at them before committing.
#[test]
fn every_kind_at_three_widths_in_two_languages_equals_its_snapshot() {
    register_font();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/matrix");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failed = Vec::new();
    for (name, _, frame) in frames() {
        let text = svg(&frame, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let footer = if name.ends_with("_sv") {
            "Källa: ESV, Statskontoret"
        } else {
            "Source: ESV, Statskontoret"
        };
        assert!(text.contains(footer), "{name}: the footer names the source");
        let path = dir.join(format!("{name}.svg"));
        if update {
            std::fs::create_dir_all(&dir).expect("snapshot folder");
            std::fs::write(&path, &text).expect("snapshot written");
        } else if std::fs::read_to_string(&path).unwrap_or_default() != text {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "SVG differs from its snapshot: {failed:?} (UPDATE_SNAPSHOTS=1 rewrites)"
    );
}

#[test]
fn no_text_overlaps_another_or_leaves_the_frame_and_no_label_is_lost_silently() {
    for (name, prepared, frame) in frames() {
        let (w, h) = (frame.width as f32, frame.height as f32);
        let boxes = text_boxes(&frame);
        for b in &boxes {
            let r = b.rect;
            assert!(
                r.x0 >= -0.5 && r.y0 >= -0.5 && r.x1 <= w + 0.5 && r.y1 <= h + 0.5,
                "{name}: {} {:?} leaves the {w}×{h} frame at {r:?}",
                b.what,
                b.text
            );
        }
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(
                    !overlaps(&a.rect, &b.rect),
                    "{name}: {} {:?} at {:?} overlaps {} {:?} at {:?}",
                    a.what,
                    a.text,
                    a.rect,
                    b.what,
                    b.text,
                    b.rect
                );
            }
        }
        if let Some(marks) = &frame.marks {
            for m in marks {
                let inside = match m {
                    Mark::Rect { rect, .. } => {
                        rect.x0 >= frame.plot.x0 - 0.5
                            && rect.x1 <= frame.plot.x1 + 0.5
                            && rect.y0 >= frame.plot.y0 - 0.5
                            && rect.y1 <= frame.plot.y1 + 0.5
                    }
                    _ => true,
                };
                assert!(inside, "{name}: a bar or cell leaves the plot: {m:?}");
            }
        }
        let (drawn, total) = match &prepared.body {
            Body::Bars {
                categories,
                horizontal,
                ..
            } => {
                let axis = if *horizontal { &frame.y } else { &frame.x };
                (axis.ticks.len(), categories.len())
            }
            Body::Heatmap { xs, ys, .. } => (
                frame.x.ticks.len() + frame.y.ticks.len(),
                xs.len() + ys.len(),
            ),
            _ => (0, 0),
        };
        // Every annotation with a place in the chart is drawn.
        let placeable = prepared
            .furniture
            .annotations
            .iter()
            .filter(|a| crate::chart::frame::furniture::anchor(&prepared, a).is_some())
            .count();
        let drawn_notes = frame.texts.iter().filter(|t| t.bold).count();
        assert_eq!(drawn_notes, placeable, "{name}: annotations drawn");
        let said = frame
            .notes
            .iter()
            .any(|n| n.contains("labels fit") || n.contains("etiketter får plats"));
        assert!(
            drawn == total || said,
            "{name}: {drawn} of {total} labels drawn and nothing said"
        );
    }
}

#[test]
fn the_growth_chart_at_a_phone_width_draws_all_twenty_names_and_its_furniture() {
    for (name, _, frame) in frames()
        .into_iter()
        .filter(|(n, _, _)| n.starts_with("growth_360"))
    {
        assert_eq!(frame.y.ticks.len(), 20, "{name}: every agency is named");
        assert!(
            frame.y.ticks.iter().any(|t| t.label == "Kriminalvården"),
            "{name}"
        );
        assert!(
            !frame.subtitle_lines.is_empty() && !frame.note_lines.is_empty(),
            "{name}"
        );
        assert!(
            frame
                .texts
                .iter()
                .any(|t| t.bold && t.text.starts_with("Prisons")),
            "{name}: the annotation is drawn"
        );
        // A value on every bar but those the annotation's text covers.
        let values = frame.texts.iter().filter(|t| !t.bold).count();
        assert!((18..=20).contains(&values), "{name}: {values} values");
        // Kriminalvården in colour, the others grey.
        let coloured = frame
            .marks
            .iter()
            .flatten()
            .filter(|m| matches!(m, Mark::Rect { rgba, .. } if rgba[..3] != crate::chart::OTHER))
            .count();
        assert_eq!(coloured, 1, "{name}");
    }
}
