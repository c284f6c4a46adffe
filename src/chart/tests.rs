//! Chart tests: every kind on small tables, hostile values, and SVG
//! snapshots drawn with the bundled font.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};

use super::draw::svg;
use super::frame::layout;
use super::prepare::{Body, prepare};
use super::raster::{self, Grid, hit, rasterise};
use super::*;
use crate::recipe::{ChartKind, ChartSpec};

#[cfg(not(target_arch = "wasm32"))]
mod matrix;

fn table() -> RecordBatch {
    let n = 60;
    let agency: Vec<String> = (0..n).map(|i| format!("Myndighet {}", i % 6)).collect();
    let ministry: Vec<&str> = (0..n)
        .map(|i| ["Finans", "Kultur", "Justitie"][i % 3])
        .collect();
    let year: Vec<i64> = (0..n).map(|i| 2010 + (i / 6) as i64).collect();
    let fte: Vec<f64> = (0..n)
        .map(|i| 100.0 + (i % 6) as f64 * 50.0 + (i / 6) as f64 * 3.0)
        .collect();
    let women: Vec<f64> = (0..n).map(|i| 0.3 + (i % 7) as f64 * 0.05).collect();
    RecordBatch::try_from_iter([
        ("agency", Arc::new(StringArray::from(agency)) as ArrayRef),
        (
            "ministry",
            Arc::new(StringArray::from(ministry)) as ArrayRef,
        ),
        ("year", Arc::new(Int64Array::from(year)) as ArrayRef),
        ("fte", Arc::new(Float64Array::from(fte)) as ArrayRef),
        ("women", Arc::new(Float64Array::from(women)) as ArrayRef),
    ])
    .unwrap()
}

fn context() -> Context {
    Context {
        source: "ESV, Statskontoret".into(),
        licence: "CC0 1.0".into(),
        units: vec![
            ("fte".into(), "FTE".into()),
            ("growth".into(), "FTE".into()),
        ],
        words: vec![("growth".into(), "Full-time equivalents, 2024 − 2010".into())],
        lang: Lang::En,
    }
}

fn spec(kind: ChartKind, x: &str, y: Option<&str>, color: Option<&str>) -> ChartSpec {
    ChartSpec {
        kind,
        x: Some(x.into()),
        y: y.map(Into::into),
        color: color.map(Into::into),
        ..ChartSpec::default()
    }
}

const SIZE: Size = Size {
    width: 640,
    height: 400,
    scale: 1.0,
};

fn specs() -> Vec<(&'static str, ChartSpec)> {
    vec![
        (
            "scatter",
            ChartSpec {
                label: Some("agency".into()),
                ..spec(ChartKind::Scatter, "fte", Some("women"), Some("ministry"))
            },
        ),
        (
            "line",
            ChartSpec {
                highlight: vec!["Myndighet 2".into()],
                ..spec(ChartKind::Line, "year", Some("fte"), Some("agency"))
            },
        ),
        ("bar", spec(ChartKind::Bar, "ministry", Some("fte"), None)),
        (
            "bar_stacked",
            ChartSpec {
                stacked: true,
                ..spec(ChartKind::Bar, "ministry", Some("fte"), Some("agency"))
            },
        ),
        (
            "bar_horizontal",
            spec(ChartKind::Bar, "agency", Some("fte"), None),
        ),
        ("histogram", spec(ChartKind::Histogram, "fte", None, None)),
        (
            "heatmap",
            ChartSpec {
                value: Some("fte".into()),
                ..spec(ChartKind::Heatmap, "year", Some("agency"), None)
            },
        ),
        (
            "elbow",
            ChartSpec {
                mark_x: Some(2015.0),
                ..spec(ChartKind::Line, "year", Some("women"), None)
            },
        ),
    ]
}

#[test]
fn every_kind_lays_out_inside_its_size() {
    let batch = table();
    for (name, spec) in specs() {
        let prepared = prepare(&batch, &spec, &context()).unwrap();
        for size in [
            SIZE,
            Size {
                width: 320,
                height: 240,
                scale: 2.0,
            },
            Size {
                width: 1,
                height: 1,
                scale: 1.0,
            },
        ] {
            let frame = layout(&prepared, &context(), size, None, None);
            let (w, h, _) = size.device();
            assert!(
                frame.plot.x0 >= 0.0 && frame.plot.x1 <= w as f32 + 0.5 || size.width < 50,
                "{name}"
            );
            assert!(
                frame.plot.x1 > frame.plot.x0 && frame.plot.y1 > frame.plot.y0,
                "{name}: {:?}",
                frame.plot
            );
            assert!(frame.shown > 0, "{name}");
            // The plot lies inside the height too (a 1 × 1 chart has no room
            // for anything and keeps a minimal plot).
            assert!(
                frame.plot.y0 >= 0.0 && frame.plot.y1 <= h as f32 + 0.5 || size.height < 50,
                "{name} at {}×{}: {:?} in height {h}",
                size.width,
                size.height,
                frame.plot
            );
        }
    }
}

#[test]
fn bad_input_is_a_message() {
    let batch = table();
    let ctx = context();
    let err = |s: ChartSpec| prepare(&batch, &s, &ctx).unwrap_err().to_string();
    assert!(err(spec(ChartKind::Scatter, "nope", Some("fte"), None)).contains("\"nope\""));
    assert!(err(spec(ChartKind::Scatter, "agency", Some("fte"), None)).contains("not numbers"));
    assert!(
        err(ChartSpec {
            kind: ChartKind::Scatter,
            ..ChartSpec::default()
        })
        .contains("Choose a column")
    );
    assert!(err(ChartSpec::default()).contains("kind of chart"));
    assert!(matches!(
        prepare(&batch, &spec(ChartKind::Scatter, "agency", Some("fte"), None), &ctx),
        Err(ChartError::NotNumbers { ref column, .. }) if column == "agency"
    ));
    assert!(matches!(
        prepare(&batch, &ChartSpec::default(), &ctx),
        Err(ChartError::NoKind { .. })
    ));
    // Zero rows.
    let empty = batch.slice(0, 0);
    assert!(
        prepare(
            &empty,
            &spec(ChartKind::Bar, "ministry", Some("fte"), None),
            &ctx
        )
        .unwrap_err()
        .to_string()
        .contains("Nothing to show")
    );
    // Log axis with only non-positive values.
    let negative = RecordBatch::try_from_iter([
        (
            "x",
            Arc::new(Float64Array::from(vec![-1.0, 0.0])) as ArrayRef,
        ),
        (
            "y",
            Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    let log = ChartSpec {
        log_x: true,
        ..spec(ChartKind::Scatter, "x", Some("y"), None)
    };
    assert!(prepare(&negative, &log, &ctx).is_err());
}

#[test]
fn hostile_values_fall_back() {
    let ctx = context();
    // Extreme values, NaN, infinities, all-null and one distinct value.
    let x = Float64Array::from(vec![
        Some(1e300),
        Some(-1e300),
        Some(f64::NAN),
        Some(f64::INFINITY),
        None,
        Some(5.0),
    ]);
    let same = Float64Array::from(vec![Some(7.0); 6]);
    let nulls = Float64Array::from(vec![None::<f64>; 6]);
    let batch = RecordBatch::try_from_iter([
        ("x", Arc::new(x) as ArrayRef),
        ("same", Arc::new(same) as ArrayRef),
        ("nulls", Arc::new(nulls) as ArrayRef),
    ])
    .unwrap();
    for (x, y) in [("x", "same"), ("same", "same"), ("x", "x")] {
        for kind in [ChartKind::Scatter, ChartKind::Line] {
            let prepared = prepare(&batch, &spec(kind, x, Some(y), None), &ctx).unwrap();
            assert!(prepared.notes.iter().any(|n| n.contains("not shown")) || x == "same");
            let frame = layout(&prepared, &ctx, SIZE, None, None);
            assert!(frame.x.ticks.iter().all(|t| t.at.is_finite()));
            assert!(svg(&frame, None).is_ok());
        }
        let h = prepare(&batch, &spec(ChartKind::Histogram, x, None, None), &ctx).unwrap();
        let frame = layout(&h, &ctx, SIZE, None, None);
        assert!(frame.marks.as_ref().is_some_and(|m| !m.is_empty()));
    }
    assert!(
        prepare(
            &batch,
            &spec(ChartKind::Scatter, "nulls", Some("x"), None),
            &ctx
        )
        .is_err()
    );
    // A zoom view that is not one falls back to the data's range.
    let prepared = prepare(
        &batch,
        &spec(ChartKind::Scatter, "x", Some("x"), None),
        &ctx,
    )
    .unwrap();
    let view = View {
        x0: f64::NAN,
        x1: 1.0,
        y0: 2.0,
        y1: 1.0,
    };
    let frame = layout(&prepared, &ctx, SIZE, Some(view), None);
    assert!(frame.shown > 0);
}

#[test]
fn ten_thousand_categories_become_twenty_and_other() {
    let n = 10_000;
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let batch = RecordBatch::try_from_iter([
        (
            "name",
            Arc::new(StringArray::from(names.clone())) as ArrayRef,
        ),
        ("v", Arc::new(Float64Array::from(values)) as ArrayRef),
    ])
    .unwrap();
    let prepared = prepare(
        &batch,
        &spec(ChartKind::Bar, "name", Some("v"), Some("name")),
        &context(),
    )
    .unwrap();
    let Body::Bars {
        categories, values, ..
    } = &prepared.body
    else {
        panic!()
    };
    assert_eq!(categories.len(), 21);
    assert_eq!(categories[0], "c9999");
    assert!(categories[20].starts_with("other (9980)"));
    assert_eq!(prepared.groups.len(), 8);
    assert!(prepared.other);
    let total: f64 = values.iter().flatten().sum();
    assert_eq!(
        total,
        (0..n).map(|i| i as f64).sum::<f64>(),
        "nothing lost in the folding"
    );
    let heat = prepare(
        &batch,
        &ChartSpec {
            value: Some("v".into()),
            ..spec(ChartKind::Heatmap, "name", Some("name"), None)
        },
        &context(),
    )
    .unwrap();
    let Body::Heatmap { xs, ys, .. } = &heat.body else {
        panic!()
    };
    assert_eq!((xs.len(), ys.len()), (40, 40));
}

#[test]
fn raster_and_nearest_point() {
    let n = 20_000;
    let xs: Vec<f64> = (0..n).map(|i| (i % 200) as f64).collect();
    let ys: Vec<f64> = (0..n).map(|i| (i / 200) as f64).collect();
    let batch = RecordBatch::try_from_iter([
        ("x", Arc::new(Float64Array::from(xs.clone())) as ArrayRef),
        ("y", Arc::new(Float64Array::from(ys.clone())) as ArrayRef),
    ])
    .unwrap();
    let ctx = context();
    let prepared = prepare(
        &batch,
        &spec(ChartKind::Scatter, "x", Some("y"), None),
        &ctx,
    )
    .unwrap();
    let frame = layout(&prepared, &ctx, SIZE, None, None);
    assert!(frame.marks.is_none(), "20 000 points are rasterised");
    let raster = rasterise(&prepared, &frame, None).unwrap();
    assert_eq!(
        raster.rgba.len(),
        (raster.width * raster.height * 4) as usize
    );
    let painted = raster.rgba.chunks(4).filter(|p| p[3] > 0).count();
    assert!(
        painted > raster.rgba.len() / 4 / 3,
        "a grid of points covers the plot: {painted}"
    );
    let Body::Points(points) = &prepared.body else {
        panic!()
    };
    let grid = Grid::new(points, &frame);
    // Every point is found at its own position, and nothing far away.
    for i in (0..n).step_by(997) {
        let (px, py) = (frame.x.scale.map(xs[i]), frame.y.scale.map(ys[i]));
        let found = grid.nearest(px, py, 3.0).unwrap();
        assert_eq!((points.x[found], points.y[found]), (xs[i], ys[i]));
        // Against a scan of all points.
        let brute = (0..n)
            .map(|j| {
                (
                    (frame.x.scale.map(xs[j]) - px).powi(2)
                        + (frame.y.scale.map(ys[j]) - py).powi(2),
                    j,
                )
            })
            .fold((f32::MAX, 0), |a, b| if b.0 <= a.0 { b } else { a });
        assert_eq!(found, brute.1);
    }
    assert!(grid.nearest(-500.0, -500.0, 10.0).is_none());
    assert!(grid.nearest(f32::NAN, 1.0, 10.0).is_none());
    let (px, py) = (frame.x.scale.map(0.0), frame.y.scale.map(0.0));
    assert!(matches!(
        hit(&prepared, &frame, Some(&grid), px, py),
        Some(raster::Hit::Point { row: 0, .. })
    ));
}

#[test]
fn old_chart_links_still_read() {
    let old = r#"{"kind":"bar","x":"ministry","y":"fte","title":"T"}"#;
    let spec: ChartSpec = serde_json::from_str(old).unwrap();
    assert_eq!(spec.kind, ChartKind::Bar);
    assert!(!spec.stacked && spec.highlight.is_empty());
    let text = serde_json::to_string(&spec).unwrap();
    assert_eq!(text, old, "defaults stay out of the link");
}

/// A scatter chart's frame, for the pointer's arithmetic.
fn scatter_frame() -> frame::Frame {
    let spec = spec(ChartKind::Scatter, "fte", Some("women"), None);
    let prepared = prepare(&table(), &spec, &context()).unwrap();
    layout(&prepared, &context(), SIZE, None, None)
}

#[test]
fn zoom_keeps_the_point_under_the_pointer_and_pan_follows_it() {
    use super::interact::{brushed, current_view, pan_by, zoom_at};
    let frame = scatter_frame();
    let before = current_view(&frame);
    let at = (
        frame.plot.x0 + frame.plot.width() / 4.0,
        frame.plot.y0 + frame.plot.height() / 3.0,
    );
    let (ax, ay) = (frame.x.scale.invert(at.0), frame.y.scale.invert(at.1));
    let zoomed = zoom_at(&frame, 0.5, Some(at)).unwrap();
    assert!((zoomed.x1 - zoomed.x0 - (before.x1 - before.x0) / 2.0).abs() < 1e-9);
    // The data point under the pointer stays where it was, proportionally.
    let fx = (ax - zoomed.x0) / (zoomed.x1 - zoomed.x0);
    let fx_before = (ax - before.x0) / (before.x1 - before.x0);
    assert!((fx - fx_before).abs() < 1e-9);
    let fy = (ay - zoomed.y0) / (zoomed.y1 - zoomed.y0);
    assert!((fy - (ay - before.y0) / (before.y1 - before.y0)).abs() < 1e-9);
    // Zooming about the middle, and out again.
    let out = zoom_at(&frame, 2.0, None).unwrap();
    assert!((out.x0 + out.x1 - before.x0 - before.x1).abs() < 1e-9);
    // Nonsense factors change nothing.
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(zoom_at(&frame, bad, None), None, "{bad}");
    }
    // A drag to the right by a whole plot width moves the data one range left.
    let panned = pan_by(&frame, frame.plot.width(), 0.0, None).unwrap();
    assert!((panned.x0 - (before.x0 - (before.x1 - before.x0))).abs() < 1e-6);
    assert_eq!(panned.y0, before.y0);
    // A brush under 3 px is a click; a real one is ordered low to high.
    assert_eq!(brushed(&frame, (10.0, 10.0, 11.0, 40.0)), None);
    let (x0, x1, y0, y1) = brushed(&frame, (at.0 + 50.0, at.1 + 40.0, at.0, at.1)).unwrap();
    assert!(x0 < x1 && y0 < y1);
    assert!((x0 - ax).abs() < 1e-9 && (y1 - ay).abs() < 1e-9);
}

#[test]
fn charts_that_do_not_zoom_refuse_the_pointer() {
    use super::interact::{pan_by, zoom_at};
    let spec = spec(ChartKind::Bar, "agency", Some("fte"), None);
    let prepared = prepare(&table(), &spec, &context()).unwrap();
    let frame = layout(&prepared, &context(), SIZE, None, None);
    assert!(!frame.zoomable);
    assert_eq!(zoom_at(&frame, 0.5, None), None);
    assert_eq!(pan_by(&frame, 10.0, 0.0, None), None);
}

#[test]
fn an_embed_asks_for_a_height_that_fits_its_width() {
    use super::{EMBED_LINK_PX, chart_height_in_embed, embed_height};
    assert_eq!(chart_height_in_embed(360), 260);
    assert_eq!(chart_height_in_embed(640), 384);
    assert_eq!(chart_height_in_embed(900), 520);
    assert_eq!(chart_height_in_embed(0), 260);
    assert_eq!(chart_height_in_embed(u32::MAX), 520);
    assert_eq!(embed_height(640), 384 + EMBED_LINK_PX);
}

#[test]
fn category_labels_that_do_not_fit_are_reported_not_dropped_silently() {
    let names: Vec<String> = (0..20)
        .map(|i| format!("Myndigheten för sak nummer {i}"))
        .collect();
    let batch = RecordBatch::try_from_iter([
        (
            "agency",
            Arc::new(StringArray::from(names.clone())) as ArrayRef,
        ),
        (
            "fte",
            Arc::new(Float64Array::from_iter_values((0..20).map(f64::from))) as ArrayRef,
        ),
    ])
    .unwrap();
    let spec = spec(ChartKind::Bar, "agency", Some("fte"), None);
    for lang in [Lang::En, Lang::Sv] {
        let ctx = Context { lang, ..context() };
        let prepared = prepare(&batch, &spec, &ctx).unwrap();
        // A phone-sized embed: not every one of 20 labels fits.
        let small = Size {
            width: 360,
            height: 300,
            scale: 1.0,
        };
        let frame = layout(&prepared, &ctx, small, None, None);
        let shown = frame.y.ticks.len();
        assert!(shown < 20, "{shown}");
        let note = &frame.notes[0];
        assert!(note.starts_with(&format!("{shown} ")), "{note}");
        assert!(note.contains("20"), "{note}");
        // At the height it asks for, every label fits and no note is needed.
        let wanted = frame.wanted_height.unwrap();
        assert!(wanted > 300, "{wanted}");
        let grown = layout(
            &prepared,
            &ctx,
            Size {
                height: wanted,
                ..small
            },
            None,
            None,
        );
        assert_eq!(grown.y.ticks.len(), 20, "at {wanted} px");
        assert!(grown.notes.iter().all(|n| !n.contains("20")));
        // Once there, it keeps asking for about the same height (no note
        // now, so a line less), and the labels still fit at that height.
        let again = grown.wanted_height.unwrap();
        assert!(
            again <= wanted && again + 20 >= wanted,
            "{again} after {wanted}"
        );
        let settled = layout(
            &prepared,
            &ctx,
            Size {
                height: again,
                ..small
            },
            None,
            None,
        );
        assert_eq!(settled.y.ticks.len(), 20, "at {again} px");
        assert_eq!(settled.wanted_height, Some(again));
        // Room for all: no note.
        let tall = Size {
            width: 960,
            height: 900,
            scale: 1.0,
        };
        let frame = layout(&prepared, &ctx, tall, None, None);
        assert_eq!(frame.y.ticks.len(), 20);
        assert!(
            frame.notes.iter().all(|n| !n.contains("20")),
            "{:?}",
            frame.notes
        );
    }
}
