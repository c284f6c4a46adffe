//! The analysis page's "Embed" and "Cite" panels: the iframe snippet of
//! the chart (pinned to the link's data versions, or following updates),
//! the citation and the command that runs the analysis again.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::Lang;
use crate::recipe::cite::{citation, command, snippet};
use crate::recipe::sql::{Dialect, to_sql};
use crate::ui::analysis::Panel;
use crate::ui::i18n::embed_texts;
use crate::ui::route::Route;

/// The link text (`r1.…`) of the page's analysis, if it shows one.
fn link_text(panel: Panel) -> Option<String> {
    panel.lab.route.with(|r| match r {
        Route::Analysis(link) => Some(link.clone()),
        _ => None,
    })
}

/// A read-only text box with a copy button.
#[component]
pub(crate) fn Copyable(
    label: Signal<&'static str>,
    text: Signal<String>,
    testid: &'static str,
    lang: RwSignal<Lang>,
    #[prop(optional)] rows: Option<u32>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    Effect::new(move |_| {
        text.track();
        copied.set(false);
    });
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .navigator()
                .clipboard()
                .write_text(&text.get_untracked());
            copied.set(true);
        }
    };
    let t = move || embed_texts(lang.get());
    view! {
        <label class="field grow">
            <span class="muted">{label}</span>
            <textarea readonly rows=rows.unwrap_or(3) data-testid=testid prop:value=text
                on:focus=move |e| {
                    use wasm_bindgen::JsCast;
                    if let Some(area) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
                        area.select();
                    }
                }></textarea>
        </label>
        <button class="small" data-testid=format!("{testid}-copy") on:click=copy>
            {move || if copied.get() { t().copied } else { t().copy }}
        </button>
    }
}

/// "Embed": the iframe snippet, pinned by default.
#[component]
pub fn EmbedPanel(panel: Panel) -> impl IntoView {
    let t = move || embed_texts(panel.lang.get());
    let follow = RwSignal::new(false);
    let snippet = Signal::derive(move || {
        let Some(link) = link_text(panel) else {
            return String::new();
        };
        let src = Route::Embed {
            link,
            follow: follow.get(),
        }
        .href();
        let title = panel
            .recipe
            .with(|r| r.as_ref().ok().and_then(|r| r.chart.title.clone()))
            .unwrap_or_else(|| "Datalabb".into());
        snippet(&src, &title)
    });
    view! {
        <details class="share-panel" data-testid="embed-panel">
            <summary data-testid="embed-toggle">{move || t().embed}</summary>
            <p class="muted">{move || t().embed_intro}</p>
            <label class="check">
                <input type="checkbox" data-testid="embed-follow" prop:checked=follow
                    on:change=move |e| follow.set(event_target_checked(&e)) />
                {move || t().follow}
            </label>
            <div class="form-row">
                <Copyable label=Signal::derive(move || t().snippet) text=snippet testid="embed-snippet" lang=panel.lang />
            </div>
        </details>
    }
}

/// "Cite": the citation, the command that runs the analysis again, and
/// the analysis as SQL.
#[component]
pub fn CitePanel(panel: Panel) -> impl IntoView {
    let t = move || embed_texts(panel.lang.get());
    let href = move || panel.lab.route.with(|r| r.href());
    let text = Signal::derive(move || {
        let (Some(link), Ok(recipe), Some(catalog)) =
            (link_text(panel), panel.recipe.get(), panel.catalog.get())
        else {
            return String::new();
        };
        citation(
            &recipe,
            &catalog,
            &link,
            &href(),
            &crate::ui::browser::today(),
            panel.lang.get(),
        )
    });
    let run = Signal::derive(move || command(&href()));
    // The analysis as SQL for an engine that holds all of the data, or why
    // it has none yet.
    let dialect = RwSignal::new(Dialect::default());
    let sql = Signal::derive(move || {
        let (Ok(recipe), Some(catalog)) = (panel.recipe.get(), panel.catalog.get()) else {
            return String::new();
        };
        match to_sql(&recipe, &catalog, dialect.get()) {
            Ok(sql) => {
                let note = sql.note.map(|n| format!("\n-- {n}")).unwrap_or_default();
                format!("{}{};{note}", sql.preamble, sql.query)
            }
            Err(e) => format!("-- {e}"),
        }
    });
    view! {
        <details class="share-panel" data-testid="cite-panel">
            <summary data-testid="cite-toggle">{move || t().cite}</summary>
            <div class="form-row">
                <Copyable label=Signal::derive(move || t().citation) text=text testid="citation" lang=panel.lang rows=5 />
            </div>
            <p class="muted">{move || t().command_intro}</p>
            <div class="form-row">
                <Copyable label=Signal::derive(move || t().command) text=run testid="cite-command" lang=panel.lang rows=3 />
            </div>
            <p class="muted">{move || t().sql_intro}</p>
            <div class="form-row">
                <label>
                    {move || t().sql_engine} " "
                    <select
                        data-testid="cite-sql-dialect"
                        on:change=move |ev| {
                            if let Some(d) = Dialect::parse(&event_target_value(&ev)) {
                                dialect.set(d);
                            }
                        }
                    >
                        {Dialect::ALL
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <option value=d.name() selected=move || dialect.get() == d>
                                        {d.title()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <div class="form-row">
                <Copyable label=Signal::derive(move || t().sql) text=sql testid="cite-sql" lang=panel.lang rows=8 />
            </div>
        </details>
    }
}
