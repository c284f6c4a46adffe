//! The chart of an analysis: its settings (part of the recipe), the
//! picture, a data tab, tooltips, legend highlight, zoom and pan, a brushed
//! selection that becomes a filter step, and PNG / SVG export.
//!
//! The worker prepares and lays out the chart and rasterises big series
//! (`Request::Chart`); this draws the frame with plotters on a canvas,
//! puts the worker's image of the marks into the plot, and asks the worker
//! for the mark under the pointer (`Request::ChartHit`).
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod canvas;
mod export;
mod hovers;
mod interaction;
mod settings;
mod small;
mod state;

pub use small::SmallChart;

use leptos::prelude::*;

use crate::chart::Context;
use crate::data::Lang;
use crate::recipe::plan::Schema;
use crate::recipe::{ChartKind, ChartSpec};
use crate::ui::i18n::chart_texts;
use crate::ui::state::Lab;
use hovers::Hovers;
use settings::ChartSettings;
use state::Chart;

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
    /// Told, after each picture, the height at which every category label
    /// would fit if they do not (an embed asks its page for it).
    #[prop(optional)]
    on_drawn: Option<Callback<Option<u32>>>,
    /// Whether the data table shows instead of the picture, when the page
    /// around the panel switches it (an embed's "Data" link).
    #[prop(optional)]
    data_tab: Option<RwSignal<bool>>,
) -> impl IntoView {
    let t = move || chart_texts(lang.get());
    let chart = Chart::new(lab, spec, context, result, embedded, on_drawn);
    let tab_data = data_tab.unwrap_or_else(|| RwSignal::new(false));
    // A new spec or result: reset zoom and highlight, and draw.
    Effect::new(move |_| {
        spec.track();
        context.track();
        result.track();
        chart.view_box.set(None);
        chart.highlight.set(None);
        chart.brush.set(None);
        chart.hovers.tip.set(None);
        chart.ask();
    });
    chart.follow_size();
    let brushed = Memo::new(move |_| chart.brushed());
    let add_filter = move |_| {
        let spec = spec.get_untracked();
        if let (Some(b), Some(x), Some(y)) = (brushed.get_untracked(), spec.x, spec.y) {
            chart.brush.set(None);
            on_filter.run((x, y, b));
        }
    };
    let export = move |png: bool| chart.export(png, stem.get_untracked());
    let Chart {
        canvas,
        boxed,
        table,
        description,
        error,
        view_box,
        brush,
        hovers: Hovers { tip, hit_ms, .. },
        chart_ms,
        drawn,
        legend,
        paint_ms,
        ..
    } = chart;
    let scale = move || chart.scale();

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
                    aria-describedby="chart-description"
                    on:mousemove=move |e| chart.on_move(e)
                    on:mousedown=move |e| chart.on_down(e)
                    on:mouseup=move |_| chart.on_up()
                    on:mouseleave=move |_| chart.on_leave()
                    on:wheel=move |e| chart.on_wheel(e)
                    on:keydown=move |e| chart.on_key(e)
                    on:dblclick=move |_| chart.reset()
                ></canvas>
                <p id="chart-description" class="visually-hidden" data-testid="chart-description">{move || description.get()}</p>
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
                        <button class="small" data-testid="chart-reset" on:click=move |_| chart.reset()>{move || t().reset}</button>
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
