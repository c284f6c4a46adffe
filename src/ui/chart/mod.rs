//! The chart of an analysis: its settings (part of the recipe), the
//! picture, a data tab, tooltips, legend highlight, zoom and pan, a brushed
//! selection that becomes a filter step, and PNG / SVG export.
//!
//! The worker prepares and lays out the chart and rasterises big series
//! (`Request::Chart`); this draws the frame with plotters on a canvas,
//! puts the worker's image of the marks into the plot, and asks the worker
//! for the mark under the pointer (`Request::ChartHit`).
//!
//! | file | role |
//! |------|------|
//! | `mod.rs` | the chart panel: requests, canvas, tooltip, brush, zoom and pan wiring, data tab, exports |
//! | `settings.rs` | the chart's settings form |
//! | `hovers.rs` | the tooltip's requests, one in flight |
//! | `small.rs` | the small charts beside an analysis (no interaction) |
//! | `canvas.rs` | painting a frame and the worker's image on a canvas; PNG and SVG files |

mod canvas;
mod hovers;
mod settings;
mod small;

pub use small::SmallChart;

use leptos::prelude::*;

use crate::chart::interact;
use crate::chart::prepare::DataTable;
use crate::chart::{Context, Size, View};
use crate::data::Lang;
use crate::engine::protocol::{RESULT, Request, Response, Tip};
use crate::recipe::plan::Schema;
use crate::recipe::{ChartKind, ChartSpec};
use crate::ui::browser::today;
use crate::ui::i18n::chart_texts;
use crate::ui::state::Lab;
use canvas::{Shown, image_canvas, now, paint, save_png, save_svg};
use hovers::Hovers;
use settings::ChartSettings;

/// A brushed rectangle, in data units: (x0, x1, y0, y1).
pub type Brush = (f64, f64, f64, f64);

/// The chart panel.
#[component]
pub fn ChartView(
    lab: Lab,
    lang: RwSignal<Lang>,
    /// The chart in the recipe.
    spec: Signal<ChartSpec>,
    /// The result's columns.
    schema: Signal<Schema>,
    /// Changes each time a new result is kept (re-draws the chart).
    result: Signal<Option<u64>>,
    context: Signal<Context>,
    /// The stem of exported file names (the first input's dataset id).
    stem: Signal<String>,
    on_spec: Callback<ChartSpec>,
    on_filter: Callback<(String, String, Brush)>,
    /// In an embedded view: no heading, settings, exports or selection to
    /// filter, and the chart fills the window's height.
    #[prop(optional)]
    embedded: bool,
) -> impl IntoView {
    let t = move || chart_texts(lang.get());
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // The panel's width (the chart's box is hidden while nothing shows).
    let boxed = NodeRef::<leptos::html::Section>::new();
    let shown: StoredValue<Option<Shown>, LocalStorage> = StoredValue::new_local(None);
    let table = RwSignal::new(None::<DataTable>);
    let error = RwSignal::new(None::<String>);
    let tip = RwSignal::new(None::<Tip>);
    let tab_data = RwSignal::new(false);
    let view_box = RwSignal::new(None::<View>);
    let highlight = RwSignal::new(None::<u8>);
    let brush = RwSignal::new(None::<(f32, f32, f32, f32)>);
    let chart_ms = RwSignal::new(None::<f64>);
    // Counts the pictures drawn, and the legend's entries in CSS pixels,
    // for tests and tools that drive the page.
    let drawn = RwSignal::new(0u64);
    let legend = RwSignal::new(String::from("[]"));
    // Milliseconds from a chart request to its pixels on the canvas, and
    // from a hover's request to its answer (for the benchmark).
    let paint_ms = RwSignal::new(None::<f64>);
    let hit_ms = RwSignal::new(None::<f64>);
    let width = RwSignal::new(0u32);
    let in_flight = StoredValue::new(false);
    let wanted = StoredValue::new(false);
    let hovering = StoredValue::new(false);
    let next_hover = StoredValue::new(None::<(f32, f32)>);
    let drag = StoredValue::new(None::<(f32, f32, bool, Option<View>)>);
    // The frame on screen, and its device pixels per CSS pixel.
    let current = move || shown.with_value(|s| s.as_ref().map(|s| s.frame.clone()));
    let scale = move || {
        shown
            .with_value(|s| s.as_ref().map(|s| s.frame.scale))
            .unwrap_or(1.0)
    };

    let size = move || -> Size {
        let w = boxed
            .get_untracked()
            // The box's border takes 2 px.
            .map(|b| b.client_width() - 2)
            .unwrap_or(640)
            .max(200) as u32;
        let h = if embedded {
            // The window less the line with the link to the lab.
            let window = web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|h| h.as_f64())
                .unwrap_or(400.0);
            (window as f32 - 44.0).clamp(160.0, 2000.0) as u32
        } else {
            (w as f32 * 0.6).clamp(300.0, 520.0) as u32
        };
        let scale = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0) as f32;
        Size {
            width: w,
            height: h,
            scale,
        }
    };

    // Asks the worker for the chart; an ask while one is out waits for it.
    let request = StoredValue::new_local(None::<std::rc::Rc<dyn Fn()>>);
    let ask = move || {
        if let Some(f) = request.get_value() {
            f()
        }
    };
    request.set_value(Some(std::rc::Rc::new(move || {
        let spec = spec.get_untracked();
        if spec.kind == ChartKind::Table || result.get_untracked().is_none() {
            return;
        }
        if in_flight.get_value() {
            wanted.set_value(true);
            return;
        }
        in_flight.set_value(true);
        let req = Request::Chart {
            dataset: RESULT.into(),
            spec,
            context: context.get_untracked(),
            size: size(),
            view: view_box.get_untracked(),
            highlight: highlight.get_untracked(),
        };
        let asked_at = now();
        lab.ask(&req, move |response| {
            if error.is_disposed() {
                return;
            }
            in_flight.set_value(false);
            match response {
                Response::Chart {
                    frame,
                    table: data,
                    image,
                    pixels,
                    chart_ms: ms,
                } => {
                    let image = image.and_then(|(w, h)| image_canvas(&pixels, w, h));
                    let shown_now = Shown {
                        frame: *frame,
                        image,
                    };
                    if let Some(c) = canvas.get_untracked() {
                        if let Err(e) = paint(&c, &shown_now) {
                            error.set(Some(e));
                        } else {
                            error.set(None);
                        }
                    }
                    let s = shown_now.frame.scale.max(0.01);
                    let rects: Vec<[f32; 4]> = shown_now
                        .frame
                        .legend
                        .iter()
                        .map(|l| [l.rect.x0 / s, l.rect.y0 / s, l.rect.x1 / s, l.rect.y1 / s])
                        .collect();
                    legend.set(serde_json::to_string(&rects).unwrap_or_default());
                    shown.set_value(Some(shown_now));
                    table.set(Some(data));
                    chart_ms.set(Some(ms));
                    paint_ms.set(Some(now() - asked_at));
                    drawn.update(|n| *n += 1);
                }
                Response::Error { message } => {
                    shown.set_value(None);
                    table.set(None);
                    error.set(Some(message));
                }
                _ => {}
            }
            if wanted.get_value() {
                wanted.set_value(false);
                if let Some(f) = request.get_value() {
                    f()
                }
            }
        });
    })));

    // A new spec or result: reset zoom and highlight, and draw.
    Effect::new(move |_| {
        spec.track();
        context.track();
        result.track();
        view_box.set(None);
        highlight.set(None);
        brush.set(None);
        tip.set(None);
        ask();
    });
    // Follow the container's width. The listener is kept by this chart's
    // owner: it is removed (and its closure freed) when the chart goes.
    if let Some(window) = web_sys::window() {
        let on_resize = gloo_events::EventListener::new(&window, "resize", move |_| {
            if let Some(b) = boxed.get_untracked() {
                let w = (b.client_width() - 2).max(0) as u32;
                if w != width.get_untracked() {
                    width.set(w);
                    if let Some(f) = request.get_value() {
                        f()
                    }
                }
            }
        });
        StoredValue::new_local(on_resize);
    }

    // Pointer position in device pixels.
    let device = move |x: i32, y: i32| -> (f32, f32) {
        let s = scale();
        (x as f32 * s, y as f32 * s)
    };
    let hovers = Hovers {
        tip,
        hit_ms,
        in_flight: hovering,
        next: next_hover,
    };
    let hover = move |x: f32, y: f32| hovers.ask(lab, x, y);
    let zoom = move |factor: f64, at: Option<(f32, f32)>| {
        if let Some(v) = current().and_then(|f| interact::zoom_at(&f, factor, at)) {
            view_box.set(Some(v));
            tip.set(None);
            ask();
        }
    };
    let pan = move |dx: f32, dy: f32, from: Option<View>| {
        if let Some(v) = current().and_then(|f| interact::pan_by(&f, dx, dy, from)) {
            view_box.set(Some(v));
            ask();
        }
    };
    let reset = move || {
        view_box.set(None);
        brush.set(None);
        ask();
    };

    let on_move = move |e: web_sys::MouseEvent| {
        let (x, y) = device(e.offset_x(), e.offset_y());
        if let Some((sx, sy, shift, from)) = drag.get_value() {
            if shift {
                brush.set(Some((sx, sy, x, y)));
            } else {
                pan(x - sx, y - sy, from);
            }
            return;
        }
        hover(x, y);
    };
    let on_down = move |e: web_sys::MouseEvent| {
        let (x, y) = device(e.offset_x(), e.offset_y());
        let Some(frame) = current() else {
            return;
        };
        // A legend entry toggles its group's highlight.
        if let Some(g) = frame
            .legend
            .iter()
            .find(|l| l.rect.contains(x, y))
            .map(|l| l.group)
        {
            highlight.set(if highlight.get_untracked() == Some(g) {
                None
            } else {
                Some(g)
            });
            ask();
            return;
        }
        if frame.zoomable && frame.plot.contains(x, y) {
            e.prevent_default();
            tip.set(None);
            drag.set_value(Some((x, y, e.shift_key(), view_box.get_untracked())));
        }
    };
    let on_up = move |_e: web_sys::MouseEvent| {
        drag.set_value(None);
    };
    let on_wheel = move |e: web_sys::WheelEvent| {
        let (x, y) = device(e.offset_x(), e.offset_y());
        let inside = shown.with_value(|s| {
            s.as_ref()
                .is_some_and(|s| s.frame.zoomable && s.frame.plot.contains(x, y))
        });
        if inside {
            e.prevent_default();
            zoom(if e.delta_y() > 0.0 { 1.25 } else { 0.8 }, Some((x, y)));
        }
    };
    let on_key = move |e: web_sys::KeyboardEvent| {
        let step = 40.0 * scale();
        let handled = match e.key().as_str() {
            "+" | "=" => {
                zoom(0.8, None);
                true
            }
            "-" => {
                zoom(1.25, None);
                true
            }
            "0" => {
                reset();
                true
            }
            "ArrowLeft" => {
                pan(step, 0.0, view_box.get_untracked());
                true
            }
            "ArrowRight" => {
                pan(-step, 0.0, view_box.get_untracked());
                true
            }
            "ArrowUp" => {
                pan(0.0, step, view_box.get_untracked());
                true
            }
            "ArrowDown" => {
                pan(0.0, -step, view_box.get_untracked());
                true
            }
            "Escape" => {
                tip.set(None);
                brush.set(None);
                true
            }
            _ => false,
        };
        if handled {
            e.prevent_default();
        }
    };

    // The brushed rectangle in data units.
    let brushed = Memo::new(move |_| {
        let rect = brush.get()?;
        shown.with_value(|s| interact::brushed(&s.as_ref()?.frame, rect))
    });
    let add_filter = move |_| {
        let spec = spec.get_untracked();
        if let (Some(b), Some(x), Some(y)) = (brushed.get_untracked(), spec.x, spec.y) {
            brush.set(None);
            on_filter.run((x, y, b));
        }
    };

    let export = move |png: bool| {
        let stem = stem.get_untracked();
        let spec = spec.get_untracked();
        let mut size = size();
        if png {
            size.scale = (size.scale * 2.0).min(4.0);
        } else {
            size.scale = 1.0;
        }
        let req = Request::Chart {
            dataset: RESULT.into(),
            spec,
            context: context.get_untracked(),
            size,
            view: view_box.get_untracked(),
            highlight: highlight.get_untracked(),
        };
        lab.ask(&req, move |response| {
            if error.is_disposed() {
                return;
            }
            if let Response::Chart {
                frame,
                image,
                pixels,
                ..
            } = response
            {
                let image = image.and_then(|(w, h)| image_canvas(&pixels, w, h));
                let out = Shown {
                    frame: *frame,
                    image,
                };
                let name = format!(
                    "datalabb-{}-{}.{}",
                    stem,
                    today(),
                    if png { "png" } else { "svg" }
                );
                let saved = if png {
                    save_png(&out, &name)
                } else {
                    save_svg(&out, &name)
                };
                if let Err(e) = saved {
                    error.set(Some(e));
                }
            }
            // The worker's hover index follows the last chart: lay the
            // screen's out again.
            if let Some(f) = request.get_value() {
                f()
            }
        });
    };

    let kind = move || spec.get().kind;

    let tooltip = move || {
        let tip = tip.get()?;
        let s = scale();
        let (x, y) = (tip.x / s, tip.y / s);
        let style = format!("left:{x}px;top:{y}px");
        let ring = format!("left:{x}px;top:{y}px");
        Some(view! {
            <div class="chart-ring" style=ring></div>
            <div class="chart-tip" role="status" data-testid="chart-tip" style=style>
                {(!tip.title.is_empty()).then(|| view! { <strong>{tip.title.clone()}</strong> })}
                {tip.lines.into_iter().map(|(k, v)| view! { <div><span class="muted">{k}": "</span>{v}</div> }).collect_view()}
            </div>
        })
    };
    let brush_box = move || {
        let (x0, y0, x1, y1) = brush.get()?;
        let s = scale();
        let style = format!(
            "left:{}px;top:{}px;width:{}px;height:{}px",
            x0.min(x1) / s,
            y0.min(y1) / s,
            (x1 - x0).abs() / s,
            (y1 - y0).abs() / s
        );
        Some(view! { <div class="chart-brush" data-testid="chart-brush" style=style></div> })
    };
    let data_table = move || {
        let t = t();
        table.get().map(|d| {
            let caption = if d.total as usize > d.rows.len() {
                format!("{} {} {} {}", t.first_rows, d.rows.len(), t.of, d.total)
            } else {
                format!("{} {}", d.total, t.rows)
            };
            view! {
                <table class="chart-data" data-testid="chart-data">
                    <caption>{caption}</caption>
                    <thead><tr>{d.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>{d.rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                </table>
            }
        })
    };
    let charted = move || kind() != ChartKind::Table && result.get().is_some();

    view! {
        <section class="chart-panel" data-testid="chart-panel" node_ref=boxed>
            {(!embedded).then(|| view! { <h2>{move || t().heading}</h2> })}
            {(!embedded).then(|| view! { <ChartSettings lang=lang spec=spec schema=schema on_spec=on_spec /> })}
            <Show when=move || charted() && !embedded>
                <div class="tabs" role="tablist">
                    <button role="tab" data-testid="tab-chart" aria-selected=move || (!tab_data.get()).to_string() on:click=move |_| tab_data.set(false)>{move || t().chart_tab}</button>
                    <button role="tab" data-testid="tab-data" aria-selected=move || tab_data.get().to_string() on:click=move |_| tab_data.set(true)>{move || t().data_tab}</button>
                </div>
            </Show>
            {move || error.get().filter(|_| charted()).map(|m| view! { <p class="notice error" role="alert" data-testid="chart-error">{m}</p> })}
            <div class="chart-box" class:hidden=move || !charted() || tab_data.get() || error.get().is_some()>
                <canvas
                    node_ref=canvas
                    tabindex="0"
                    data-testid="chart-canvas"
                    data-chart-ms=move || chart_ms.get().map(|m| m.to_string())
                    data-drawn=move || drawn.get().to_string()
                    data-paint-ms=move || paint_ms.get().map(|m| m.to_string())
                    data-hit-ms=move || hit_ms.get().map(|m| m.to_string())
                    data-legend=move || legend.get()
                    aria-label=move || t().canvas_label
                    on:mousemove=on_move
                    on:mousedown=on_down
                    on:mouseup=on_up
                    on:mouseleave=move |_| { drag.set_value(None); tip.set(None); }
                    on:wheel=on_wheel
                    on:keydown=on_key
                    on:dblclick=move |_| reset()
                ></canvas>
                {tooltip}
                {brush_box}
            </div>
            <Show when=move || charted() && !tab_data.get()>
                <div class="form-row">
                    <Show when=move || !embedded>
                        <button class="small" data-testid="export-png" on:click=move |_| export(true)>{move || t().png}</button>
                        <button class="small" data-testid="export-svg" on:click=move |_| export(false)>{move || t().svg}</button>
                    </Show>
                    <Show when=move || view_box.get().is_some()>
                        <button class="small" data-testid="chart-reset" on:click=move |_| reset()>{move || t().reset}</button>
                    </Show>
                    <Show when=move || brushed.get().is_some() && !embedded>
                        <button class="small primary" data-testid="brush-filter" on:click=add_filter>{move || t().filter_selection}</button>
                    </Show>
                    {(!embedded).then(|| view! { <span class="muted hint">{move || t().hint}</span> })}
                </div>
            </Show>
            <Show when=move || charted() && tab_data.get()>
                <div class="chart-data-box" role="tabpanel">{data_table}</div>
            </Show>
        </section>
    }
}
