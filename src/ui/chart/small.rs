//! The small charts beside an analysis.

use leptos::prelude::*;

use super::canvas::{Shown, image_canvas, paint};
use crate::chart::{Context, Size};
use crate::engine::protocol::{Request, Response};
use crate::recipe::ChartSpec;
use crate::ui::state::Lab;

/// A small chart of a table the worker keeps beside the analysis (the
/// elbow, the k-distances, the profiles' heatmap): drawn whenever `spec`
/// changes to `Some`, at the width of its box; no tooltips or zoom.
#[component]
pub fn SmallChart(
    lab: Lab,
    #[prop(into)] dataset: String,
    spec: Signal<Option<ChartSpec>>,
    context: Signal<Context>,
    testid: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let boxed = NodeRef::<leptos::html::Div>::new();
    let error = RwSignal::new(None::<String>);
    let drawn = RwSignal::new(0u64);
    Effect::new(move |_| {
        let Some(spec) = spec.get() else {
            return;
        };
        let width = boxed
            .get_untracked()
            .map(|b| b.client_width())
            .unwrap_or(480)
            .clamp(200, 720) as u32;
        let scale = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0) as f32;
        let request = Request::Chart {
            dataset: dataset.clone(),
            spec,
            context: context.get_untracked(),
            size: Size {
                width,
                height: (width as f32 * 0.55).clamp(220.0, 360.0) as u32,
                scale,
            },
            view: None,
            highlight: None,
        };
        lab.ask(&request, move |response| {
            if error.is_disposed() {
                return;
            }
            match response {
                Response::Chart {
                    frame,
                    image,
                    pixels,
                    ..
                } => {
                    let shown = Shown {
                        frame: *frame,
                        image: image.and_then(|(w, h)| image_canvas(&pixels, w, h)),
                    };
                    if let Some(c) = canvas.get_untracked() {
                        error.set(paint(&c, &shown).err());
                    }
                    drawn.update(|n| *n += 1);
                }
                Response::Error { message } => error.set(Some(message)),
                _ => {}
            }
        });
    });
    view! {
        <div class="small-chart" node_ref=boxed data-testid=testid data-drawn=move || drawn.get()>
            <canvas node_ref=canvas role="img"></canvas>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </div>
    }
}
