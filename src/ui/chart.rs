//! The chart of an analysis: its settings (part of the recipe), the
//! picture, a data tab, tooltips, legend highlight, zoom and pan, a brushed
//! selection that becomes a filter step, and PNG / SVG export.
//!
//! The worker prepares and lays out the chart and rasterises big series
//! (`Request::Chart`); this draws the frame with plotters on a canvas,
//! puts the worker's image of the marks into the plot, and asks the worker
//! for the mark under the pointer (`Request::ChartHit`).

use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{HtmlCanvasElement, ImageData};

use crate::chart::frame::{Frame, Rect};
use crate::chart::prepare::DataTable;
use crate::chart::{Context, Size, View, draw};
use crate::data::Lang;
use crate::engine::protocol::{RESULT, Request, Response, Tip};
use crate::recipe::plan::{Schema, is_number};
use crate::recipe::{ChartKind, ChartSpec};
use crate::ui::app::Lab;
use crate::ui::browser::today;
use crate::ui::i18n::{ChartTexts, chart_texts};

/// A brushed rectangle, in data units: (x0, x1, y0, y1).
pub type Brush = (f64, f64, f64, f64);

/// What the page keeps of the chart on screen.
#[derive(Clone)]
struct Shown {
    frame: Frame,
    /// The worker's image of the marks, if they came as one.
    image: Option<HtmlCanvasElement>,
}

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
    // Follow the container's width.
    let on_resize = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
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
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        let listener = on_resize.as_ref().clone();
        on_cleanup(move || {
            if let Some(window) = web_sys::window() {
                let _ =
                    window.remove_event_listener_with_callback("resize", listener.unchecked_ref());
            }
        });
    }
    on_resize.forget();

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
        let Some(frame) = current() else {
            return;
        };
        if !frame.zoomable {
            return;
        }
        let (x0, x1) = frame.x.scale.domain();
        let (y0, y1) = frame.y.scale.domain();
        let (cx, cy) = match at {
            Some((px, py)) => (frame.x.scale.invert(px), frame.y.scale.invert(py)),
            None => ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
        };
        let v = View {
            x0: cx - (cx - x0) * factor,
            x1: cx + (x1 - cx) * factor,
            y0: cy - (cy - y0) * factor,
            y1: cy + (y1 - cy) * factor,
        };
        if v.checked().is_some() && (v.x1 - v.x0) > 1e-12 * x1.abs().max(1.0) {
            view_box.set(Some(v));
            tip.set(None);
            ask();
        }
    };
    let pan = move |dx: f32, dy: f32, from: Option<View>| {
        let Some(frame) = current() else {
            return;
        };
        if !frame.zoomable {
            return;
        }
        let base = from.unwrap_or_else(|| {
            let (x0, x1) = frame.x.scale.domain();
            let (y0, y1) = frame.y.scale.domain();
            View { x0, x1, y0, y1 }
        });
        let px = frame.plot.width().max(1.0) as f64;
        let py = frame.plot.height().max(1.0) as f64;
        let sx = (base.x1 - base.x0) / px * f64::from(dx);
        let sy = (base.y1 - base.y0) / py * f64::from(dy);
        view_box.set(Some(View {
            x0: base.x0 - sx,
            x1: base.x1 - sx,
            y0: base.y0 + sy,
            y1: base.y1 + sy,
        }));
        ask();
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
        let (x0, y0, x1, y1) = brush.get()?;
        if (x1 - x0).abs() < 3.0 || (y1 - y0).abs() < 3.0 {
            return None;
        }
        shown.with_value(|s| {
            let f = &s.as_ref()?.frame;
            let (a, b) = (f.x.scale.invert(x0.min(x1)), f.x.scale.invert(x0.max(x1)));
            let (c, d) = (f.y.scale.invert(y0.max(y1)), f.y.scale.invert(y0.min(y1)));
            Some((a, b, c, d))
        })
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

    let columns = move |numbers_only: bool| {
        schema
            .get()
            .into_iter()
            .filter(move |(_, t)| !numbers_only || is_number(t))
            .collect::<Vec<_>>()
    };
    let pick = move |label: &'static str,
                     testid: &'static str,
                     numbers_only: bool,
                     optional: bool,
                     get: fn(&ChartSpec) -> Option<String>,
                     set: fn(&mut ChartSpec, Option<String>)| {
        view! {
            <label class="field">
                <span class="muted">{label}</span>
                <select data-testid=testid aria-label=label on:change=move |e| {
                    let v = event_target_value(&e);
                    let mut s = spec.get_untracked();
                    set(&mut s, (!v.is_empty()).then_some(v));
                    on_spec.run(s);
                }>
                    {move || {
                        let current = get(&spec.get()).unwrap_or_default();
                        let mut options = Vec::new();
                        if optional || current.is_empty() {
                            options.push(view! { <option value="" selected=current.is_empty()>"—"</option> }.into_any());
                        }
                        for (n, _) in columns(numbers_only) {
                            let selected = n == current;
                            options.push(view! { <option value=n.clone() selected=selected>{n.clone()}</option> }.into_any());
                        }
                        options
                    }}
                </select>
            </label>
        }
    };
    let flag = move |label: &'static str,
                     testid: &'static str,
                     get: fn(&ChartSpec) -> bool,
                     set: fn(&mut ChartSpec, bool)| {
        view! {
            <label class="check">
                <input type="checkbox" data-testid=testid prop:checked=move || get(&spec.get()) on:change=move |e| {
                    let on = event_target_checked(&e);
                    let mut s = spec.get_untracked();
                    set(&mut s, on);
                    on_spec.run(s);
                } />
                {label}
            </label>
        }
    };
    let kind = move || spec.get().kind;
    let controls = move || {
        let t: &'static ChartTexts = t();
        let k = kind();
        let numeric_x = matches!(
            k,
            ChartKind::Scatter | ChartKind::Line | ChartKind::Histogram
        );
        view! {
            <div class="form-row chart-controls">
                <label class="field">
                    <span class="muted">{t.kind}</span>
                    <select data-testid="chart-kind" aria-label=t.kind on:change=move |e| {
                        if let Some(k) = event_target_value(&e).parse::<usize>().ok().and_then(|n| ChartKind::ALL.get(n)) {
                            let mut s = spec.get_untracked();
                            s.kind = *k;
                            on_spec.run(default_columns(s, &schema.get_untracked()));
                        }
                    }>
                        {ChartKind::ALL.iter().enumerate().map(|(n, c)| view! { <option value=n.to_string() selected=*c == k>{t.kinds[n]}</option> }).collect_view()}
                    </select>
                </label>
                {(k != ChartKind::Table).then(|| view! {
                    {pick(t.x, "chart-x", numeric_x, false, |s| s.x.clone(), |s, v| s.x = v)}
                    {(k != ChartKind::Histogram).then(|| pick(t.y, "chart-y", k != ChartKind::Heatmap, k == ChartKind::Bar, |s| s.y.clone(), |s, v| s.y = v))}
                    {matches!(k, ChartKind::Scatter | ChartKind::Line | ChartKind::Bar).then(|| pick(t.color, "chart-color", false, true, |s| s.color.clone(), |s, v| s.color = v))}
                    {(k == ChartKind::Scatter).then(|| pick(t.size, "chart-size", true, true, |s| s.size.clone(), |s, v| s.size = v))}
                    {(k == ChartKind::Scatter).then(|| pick(t.label, "chart-label", false, true, |s| s.label.clone(), |s, v| s.label = v))}
                    {(k == ChartKind::Heatmap).then(|| pick(t.value, "chart-value", true, true, |s| s.value.clone(), |s, v| s.value = v))}
                    <label class="field">
                        <span class="muted">{t.title}</span>
                        <input type="text" data-testid="chart-title" aria-label=t.title
                            prop:value=move || spec.get().title.unwrap_or_default()
                            on:change=move |e| {
                                let v = event_target_value(&e);
                                let mut s = spec.get_untracked();
                                s.title = (!v.trim().is_empty()).then_some(v);
                                on_spec.run(s);
                            } />
                    </label>
                    {(k == ChartKind::Bar).then(|| flag(t.stacked, "chart-stacked", |s| s.stacked, |s, v| s.stacked = v))}
                    {matches!(k, ChartKind::Scatter | ChartKind::Line | ChartKind::Histogram).then(|| flag(t.log_x, "chart-log-x", |s| s.log_x, |s, v| s.log_x = v))}
                    {matches!(k, ChartKind::Scatter | ChartKind::Line).then(|| flag(t.log_y, "chart-log-y", |s| s.log_y, |s, v| s.log_y = v))}
                })}
            </div>
        }
    };

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
            {(!embedded).then_some(controls)}
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

/// The tooltip's requests: one in flight; a position the pointer reaches
/// meanwhile is asked for when it answers (the positions between are
/// skipped).
#[derive(Clone, Copy)]
struct Hovers {
    tip: RwSignal<Option<Tip>>,
    hit_ms: RwSignal<Option<f64>>,
    in_flight: StoredValue<bool>,
    next: StoredValue<Option<(f32, f32)>>,
}

impl Hovers {
    fn ask(self, lab: Lab, x: f32, y: f32) {
        if self.in_flight.get_value() {
            self.next.set_value(Some((x, y)));
            return;
        }
        self.in_flight.set_value(true);
        let asked_at = now();
        lab.ask(&Request::ChartHit { x, y }, move |response| {
            if self.tip.is_disposed() {
                return;
            }
            self.hit_ms.set(Some(now() - asked_at));
            self.in_flight.set_value(false);
            if let Response::ChartHit { tip } = response {
                self.tip.set(tip);
            }
            if let Some((x, y)) = self.next.try_update_value(Option::take).flatten() {
                self.ask(lab, x, y);
            }
        });
    }
}

/// Fills in the columns a new kind of chart needs, from the result's
/// columns: numbers for numeric axes, text for categories.
fn default_columns(mut spec: ChartSpec, schema: &Schema) -> ChartSpec {
    let numbers: Vec<&String> = schema
        .iter()
        .filter(|(_, t)| is_number(t))
        .map(|(n, _)| n)
        .collect();
    let texts: Vec<&String> = schema
        .iter()
        .filter(|(_, t)| !is_number(t))
        .map(|(n, _)| n)
        .collect();
    let is_num = |c: &Option<String>| c.as_ref().is_some_and(|c| numbers.contains(&c));
    let exists = |c: &Option<String>| {
        c.as_ref()
            .is_some_and(|c| schema.iter().any(|(n, _)| n == c))
    };
    match spec.kind {
        ChartKind::Table => {}
        ChartKind::Scatter | ChartKind::Line => {
            if !is_num(&spec.x) {
                spec.x = numbers.first().map(|s| s.to_string());
            }
            if !is_num(&spec.y) {
                spec.y = numbers
                    .iter()
                    .find(|n| Some(n.as_str()) != spec.x.as_deref())
                    .or(numbers.first())
                    .map(|s| s.to_string());
            }
        }
        ChartKind::Histogram => {
            if !is_num(&spec.x) {
                spec.x = numbers.first().map(|s| s.to_string());
            }
        }
        ChartKind::Bar | ChartKind::Heatmap => {
            if !exists(&spec.x) || is_num(&spec.x) {
                spec.x = texts
                    .first()
                    .or(schema.first().map(|(n, _)| n).as_ref())
                    .map(|s| s.to_string());
            }
            if spec.kind == ChartKind::Bar && !is_num(&spec.y) {
                spec.y = numbers.first().map(|s| s.to_string());
            }
            if spec.kind == ChartKind::Heatmap {
                if !exists(&spec.y) || spec.y == spec.x {
                    spec.y = texts.get(1).or(numbers.first()).map(|s| s.to_string());
                }
                if !is_num(&spec.value) {
                    spec.value = numbers
                        .iter()
                        .find(|n| Some(n.as_str()) != spec.y.as_deref())
                        .map(|s| s.to_string());
                }
            }
        }
    }
    spec
}

/// A small chart of a table the worker keeps beside the analysis (the
/// elbow, the k-distances, the profiles' heatmap): drawn whenever `spec`
/// changes to `Some`, at the width of its box; no tooltips or zoom.
#[component]
pub fn SmallChart(
    lab: Lab,
    dataset: &'static str,
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
            dataset: dataset.into(),
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

/// The worker's RGBA bytes on a canvas of their own, to be drawn into the
/// plot with the canvas's blending.
fn image_canvas(pixels: &[u8], w: u32, h: u32) -> Option<HtmlCanvasElement> {
    if pixels.len() != (w as usize) * (h as usize) * 4 || w == 0 || h == 0 {
        return None;
    }
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h).ok()?;
    ctx.put_image_data(&data, 0.0, 0.0).ok()?;
    Some(canvas)
}

/// Draws `shown` on `canvas`: frame, marks (shapes or image), axes.
fn paint(canvas: &HtmlCanvasElement, shown: &Shown) -> Result<(), String> {
    let frame = &shown.frame;
    canvas.set_width(frame.width);
    canvas.set_height(frame.height);
    let s = frame.scale.max(0.01);
    let style = web_sys::HtmlElement::style(canvas);
    let _ = style.set_property("width", &format!("{}px", frame.width as f32 / s));
    let _ = style.set_property("height", &format!("{}px", frame.height as f32 / s));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no canvas context")?;
    let root = backend.into_drawing_area();
    draw::under(&root, frame)?;
    if let Some(image) = &shown.image {
        let ctx: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("no canvas context")?;
        let Rect { x0, y0, .. } = frame.plot;
        ctx.draw_image_with_html_canvas_element(
            image,
            f64::from(x0.round()),
            f64::from(y0.round()),
        )
        .map_err(|e| format!("{e:?}"))?;
    }
    draw::marks(&root, frame)?;
    draw::over(&root, frame)?;
    root.present().map_err(|e| format!("{e:?}"))
}

fn document() -> Result<web_sys::Document, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

fn save_png(shown: &Shown, name: &str) -> Result<(), String> {
    let canvas: HtmlCanvasElement = document()?
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    paint(&canvas, shown)?;
    let url = canvas.to_data_url().map_err(|e| format!("{e:?}"))?;
    click_download(&url, name)
}

fn save_svg(shown: &Shown, name: &str) -> Result<(), String> {
    let image = match &shown.image {
        Some(c) => Some(c.to_data_url().map_err(|e| format!("{e:?}"))?),
        None => None,
    };
    let text = draw::svg(&shown.frame, image.as_deref())?;
    crate::ui::browser::save(name, "image/svg+xml", text.as_bytes())
}

fn click_download(url: &str, name: &str) -> Result<(), String> {
    let anchor: web_sys::HtmlAnchorElement = document()?
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}

/// The page's clock in milliseconds.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}
