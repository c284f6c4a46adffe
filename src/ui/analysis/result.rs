//! The analysis's result: its size, downloads, link, chart and preview.

use leptos::prelude::*;

use crate::ui::route::Href;
use wasm_bindgen::JsCast;

use crate::data::format::short;
use crate::engine::protocol::{RESULT, Request};
use crate::recipe::ChartSpec;
use crate::recipe::edit::{self};
use crate::ui::analysis::chart_context;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::panel::Ran;
use crate::ui::analysis::share::{CitePanel, EmbedPanel};
use crate::ui::analysis::steps::Downloads;
use crate::ui::chart::{Brush, ChartView};
use crate::ui::i18n::{counted, texts};
use crate::ui::preview::Preview;

/// The result: its size, downloads, the link, and the preview.
#[component]
pub(crate) fn ResultView(panel: Panel) -> impl IntoView {
    let lab = panel.lab;
    let current = panel.current();
    let result = Memo::new(move |_| current.get().and_then(|r| r.result));
    let status = move || {
        let lang = panel.lang.get();
        let t = panel.t();
        if panel.running.get() || (current.get().is_none() && panel.recipe.with(Result::is_ok)) {
            return match panel.progress.get() {
                Some(p) if p.steps > 0 => {
                    let percent = (p.done * 100).checked_div(p.total).unwrap_or(0).min(100);
                    let loss = p
                        .loss
                        .map(|l| format!(" · {} {}", t.loss, short(l, lang)))
                        .unwrap_or_default();
                    format!(
                        "{} {} {} {} {} · {percent} %{loss}",
                        t.running,
                        t.step,
                        p.step + 1,
                        t.of,
                        p.steps
                    )
                }
                _ => t.running.to_string(),
            };
        }
        match current.get() {
            Some(Ran {
                result: Some(s),
                run_ms,
                ..
            }) => format!(
                "{} × {} · {} {} ms",
                counted(s.rows, texts(lang).rows),
                counted(s.columns.len() as u64, texts(lang).columns),
                t.ran_in,
                run_ms.round()
            ),
            _ => String::new(),
        }
    };
    let link = move || lab.route.with(|r| r.href());
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&link());
            copied.set(true);
        }
    };
    Effect::new(move |_| {
        lab.route.track();
        copied.set(false);
    });
    view! {
        <h2>{move || panel.t().result}</h2>
        <p
            class="result-status"
            data-testid="result-status"
            data-run-ms=move || current.get().filter(|r| r.result.is_some()).map(|r| r.run_ms.to_string())
            aria-live="polite"
        >
            {status}
            <Show when=move || panel.running.get()>
                " "
                <button class="small" data-testid="stop-run" on:click=move |_| panel.stop()>
                    {move || panel.t().stop}
                </button>
            </Show>
            <Show when=move || !panel.running.get() && panel.stopped.with_value(|s| s.is_some())
                && panel.stopped.with_value(|s| s.as_ref() == panel.recipe.get().ok().as_ref())>
                " "
                <button class="small" data-testid="run-again" on:click=move |_| panel.run_again()>
                    {move || panel.t().run_again}
                </button>
            </Show>
        </p>
        <div class="form-row share">
            <label class="field grow">
                <span class="muted">{move || panel.t().link}</span>
                <input type="text" readonly data-testid="analysis-link" prop:value=link
                    on:focus=move |e| {
                        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    } />
            </label>
            <button class="small" data-testid="copy-link" on:click=copy>
                {move || if copied.get() { panel.t().copied } else { panel.t().copy }}
            </button>
        </div>
        <div class="share-panels">
            <EmbedPanel panel=panel />
            <CitePanel panel=panel />
        </div>
        <Show when=move || result.with(Option::is_some)>
            <Downloads panel=panel prefix="" ask=move |format| Some(Request::Export { dataset: RESULT.into(), format }) />
        </Show>
        <ChartView
            lab=lab
            lang=panel.lang
            spec=Signal::derive(move || panel.recipe.with(|r| r.as_ref().map(|r| r.chart.clone()).unwrap_or_default()))
            schema=Signal::derive(move || panel.schemas.with(|s| s.last().cloned().unwrap_or_default()))
            result=Signal::derive(move || result.with(Option::is_some).then(|| panel.runs.get()))
            context=Signal::derive(move || chart_context(panel))
            stem=Signal::derive(move || panel.recipe.with(|r| r.as_ref().ok().and_then(|r| r.inputs.first()).map(|i| i.dataset.clone()).unwrap_or_else(|| "analysis".into())))
            on_spec=Callback::new(move |chart: ChartSpec| panel.edit(true, move |r| r.chart = chart))
            on_filter=Callback::new(move |(x, y, (x0, x1, y0, y1)): (String, String, Brush)| {
                panel.edit(true, move |r| r.steps.push(edit::brush_filter(&x, &y, x0, x1, y0, y1)))
            })
        />
        {move || result.get().map(|summary| view! { <div class="result" class:stale=move || panel.running.get()><Preview summary=summary /></div> })}
    }
}
