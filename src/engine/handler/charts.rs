//! Charts: the chart of a loaded table laid out at a size (and its big
//! series rasterised), kept for tooltips.

use crate::chart::frame::{Frame, layout};
use crate::chart::prepare::{Body, Prepared, prepare};
use crate::chart::raster::{Grid, hit, rasterise};
use crate::chart::tip::tip;
use crate::chart::{Context, Size, View};
use crate::engine::protocol::{RESULT, Response, Tip};
use crate::recipe::ChartSpec;

use super::Engine;

/// A chart the worker keeps: its values, its last layout and (after the
/// first hover) the index of its points.
pub(super) struct ChartState {
    pub(super) dataset: String,
    pub(super) spec: ChartSpec,
    pub(super) context: Context,
    pub(super) rows: usize,
    pub(super) prepared: Prepared,
    pub(super) frame: Option<Frame>,
    pub(super) grid: Option<Grid>,
}

/// A prepared chart laid out at `size` (its big series rasterised).
fn drawn(
    prepared: &Prepared,
    size: Size,
    view: Option<View>,
    highlight: Option<u8>,
    context: &Context,
) -> Response {
    let frame = layout(prepared, context, size, view, highlight);
    let (image, pixels) = match rasterise(prepared, &frame, highlight) {
        Some(r) => (Some((r.width, r.height)), r.rgba),
        None => (None, Vec::new()),
    };
    Response::Chart {
        frame: Box::new(frame),
        table: prepared.table.clone(),
        image,
        pixels,
        chart_ms: 0.0,
    }
}

impl Engine {
    /// Lays out the chart `spec` of `dataset` (prepared again only when the
    /// dataset, spec or context changed) and rasterises big series.
    pub(super) fn chart(
        &mut self,
        dataset: &str,
        spec: ChartSpec,
        context: Context,
        size: Size,
        view: Option<View>,
        highlight: Option<u8>,
    ) -> Response {
        let Some(loaded) = self.tables.get(dataset) else {
            return Response::Error {
                message: format!("{dataset}: not loaded; open it first"),
            };
        };
        let batch = match loaded.whole() {
            Ok(batch) => batch,
            Err(message) => return Response::Error { message },
        };
        if dataset != RESULT {
            // The small charts beside an analysis (the elbow, profiles) are
            // drawn and forgotten; the analysis's chart keeps its tooltips.
            return match prepare(batch, &spec, &context) {
                Ok(prepared) => drawn(&prepared, size, view, highlight, &context),
                Err(e) => Response::Error {
                    message: e.to_string(),
                },
            };
        }
        let same = self.chart.as_ref().is_some_and(|c| {
            c.dataset == dataset
                && c.spec == spec
                && c.context == context
                && c.rows == batch.num_rows()
        });
        if !same {
            self.chart = None;
            match prepare(batch, &spec, &context) {
                Ok(prepared) => {
                    self.chart = Some(ChartState {
                        dataset: dataset.to_string(),
                        spec,
                        context,
                        rows: batch.num_rows(),
                        prepared,
                        frame: None,
                        grid: None,
                    })
                }
                Err(e) => {
                    return Response::Error {
                        message: e.to_string(),
                    };
                }
            }
        }
        let Some(state) = self.chart.as_mut() else {
            return Response::Error {
                message: "no chart".into(),
            };
        };
        let response = drawn(&state.prepared, size, view, highlight, &state.context);
        // The nearest-point index is built on the first hover, not here.
        state.grid = None;
        if let Response::Chart { frame, .. } = &response {
            state.frame = Some(frame.as_ref().clone());
        }
        response
    }

    /// The tooltip of the mark at `(x, y)` of the last chart.
    pub(super) fn chart_hit(&mut self, x: f32, y: f32) -> Option<Tip> {
        let state = self.chart.as_mut()?;
        let frame = state.frame.as_ref()?;
        if let (Body::Points(points), None) = (&state.prepared.body, &state.grid) {
            state.grid = Some(Grid::new(points, frame));
        }
        let found = hit(&state.prepared, frame, state.grid.as_ref(), x, y)?;
        let batch = self.tables.get(&state.dataset)?.whole().ok()?;
        Some(tip(
            &state.prepared,
            &state.spec,
            state.context.lang,
            batch,
            found,
        ))
    }
}
