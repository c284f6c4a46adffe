//! Category labels that do not all fit: [`layout`] says so in a note
//! (laid out again until the note's count is true), and a frame tells the
//! least height at which every row label fits, which an embed asks for.

use super::{Axis, Frame, NOTE_PX, TEXT_PX, layout_once};
use crate::chart::prepare::{Body, Prepared};
use crate::chart::{Context, Size, View};
use crate::data::Lang;

/// Lays `prepared` out at `size`. `view` zooms a scatter or line chart;
/// `highlight` fades every colour group but this one. Category labels are
/// never left out silently: when too many bars or cells share too little
/// room for every label, the chart says so in a note (and the data tab
/// lists them all).
pub fn layout(
    prepared: &Prepared,
    context: &Context,
    size: Size,
    view: Option<View>,
    highlight: Option<u8>,
) -> Frame {
    let mut frame = layout_once(prepared, context, size, view, highlight);
    let (mut shown, total) = labels_shown(prepared, &frame);
    // The note takes room from the plot, so fewer labels may fit with it:
    // laid out again until the note tells the truth (twice at most).
    for _ in 0..2 {
        if shown >= total {
            break;
        }
        let note = match context.lang {
            Lang::Sv => {
                format!("{shown} av {total} etiketter får plats; datatabellen listar alla.")
            }
            Lang::En => format!("{shown} of {total} labels fit; the data table lists them all."),
        };
        let mut noted = prepared.clone();
        noted.notes.insert(0, note);
        frame = layout_once(&noted, context, size, view, highlight);
        let (now, _) = labels_shown(prepared, &frame);
        if now == shown {
            break;
        }
        shown = now;
    }
    frame.wanted_height = wanted_height(prepared, &frame);
    frame
}

/// The least CSS height at which every row label of a horizontal bar chart
/// or a heatmap fits (a line of text each), whether or not they fit now:
/// an embed asks for it, and keeps asking once it has it.
fn wanted_height(prepared: &Prepared, frame: &Frame) -> Option<u32> {
    let rows = match &prepared.body {
        Body::Bars {
            categories,
            horizontal: true,
            ..
        } => categories.len(),
        Body::Heatmap { ys, .. } => ys.len(),
        _ => return None,
    };
    if rows == 0 {
        return None;
    }
    let s = frame.scale.max(0.01);
    let needed = rows as f32 * TEXT_PX * 1.3 * s;
    // The chrome around the plot as it would be without the note about
    // labels that do not fit (a margin against rounding).
    let note = if frame.y.ticks.len() < rows {
        NOTE_PX * s
    } else {
        0.0
    };
    let chrome = frame.height as f32 - frame.plot.height() - note;
    let wanted = (chrome + needed) / s + 4.0;
    Some(wanted.ceil().clamp(0.0, 4000.0) as u32)
}

/// How many category labels a band axis of `frame` shows, of how many.
fn labels_shown(prepared: &Prepared, frame: &Frame) -> (usize, usize) {
    let ticks = |axis: &Axis| axis.ticks.len();
    match &prepared.body {
        Body::Bars {
            categories,
            horizontal,
            ..
        } => {
            let axis = if *horizontal { &frame.y } else { &frame.x };
            (ticks(axis), categories.len())
        }
        Body::Heatmap { xs, ys, .. } => (ticks(&frame.x) + ticks(&frame.y), xs.len() + ys.len()),
        _ => (0, 0),
    }
}
