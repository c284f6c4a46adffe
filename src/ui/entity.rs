//! An entity's page (`#/agency/<org_nr>`, `#/ministry/<name>`, …): its
//! name and links, the findings in plain words, and one panel per recipe
//! of `recipe::entity` (a chart or a list, its numbers, "open as an
//! analysis" and "embed").

use leptos::prelude::*;

use crate::chart::Context;
use crate::data::entities::{Entity, EntityKind};
use crate::data::format::{decimals_for, grouped};
use crate::data::{Catalog, Lang};
use crate::engine::protocol::{Request, Response};
use crate::recipe::entity::{Panel, PanelKind, panels};
use crate::recipe::findings::{Cell, Table, sentences};
use crate::recipe::{ChartKind, url};
use crate::ui::analysis::{Copyable, open_inputs};
use crate::ui::chart::SmallChart;
use crate::ui::i18n::{EntityTexts, entity_texts};
use crate::ui::route::{Href, Route};
use crate::ui::search::entities_ready;
use crate::ui::state::{CatalogState, Lab};

/// The rows a panel shows in its table (the page gets up to 10,000 for
/// its sentences).
const SHOWN_ROWS: usize = 60;

#[component]
pub fn EntityPage(kind: EntityKind, key: String) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let t = move || entity_texts(lang.get());
    let entity = RwSignal::new(None::<Result<Entity, String>>);
    // The entities it links to (ministry, area, municipality, county).
    let related = RwSignal::new(Vec::<Entity>::new());
    let asked = StoredValue::new(false);
    let wanted_key = key.clone();
    Effect::new(move |_| {
        match entities_ready(lab) {
            Some(true) => {}
            Some(false) => return,
            None => {
                entity.set(Some(Err(String::new())));
                return;
            }
        }
        if asked.get_value() {
            return;
        }
        asked.set_value(true);
        let request = Request::Entity {
            kind,
            key: wanted_key.clone(),
        };
        lab.ask(&request, move |response| {
            if entity.is_disposed() {
                return;
            }
            entity.set(Some(match response {
                Response::Entities { hits, .. } => {
                    let mut hits = hits.into_iter().map(|h| h.entity);
                    let first = hits.next();
                    related.set(hits.collect());
                    first.ok_or_else(String::new)
                }
                Response::Error { message } => Err(message),
                _ => Err(String::new()),
            }));
        });
    });
    let catalog = Memo::new(move |_| match lab.catalog.get() {
        CatalogState::Loaded(c) => Some(c),
        _ => None,
    });
    let page_panels = Memo::new(move |_| {
        let (Some(Ok(entity)), Some(catalog)) = (entity.get(), catalog.get()) else {
            return Vec::new();
        };
        panels(&entity, &catalog, lang.get())
    });
    // Each panel's values, for the sentences.
    let tables = RwSignal::new(Vec::<(&'static str, Table)>::new());
    let said = Memo::new(move |_| {
        let Some(Ok(entity)) = entity.get() else {
            return Vec::new();
        };
        tables.with(|t| sentences(&entity, t, lang.get()))
    });
    let shown_key = key.clone();

    view! {
        <article class="entity-page" data-testid="entity-page" data-kind=kind.name()>
            {move || match entity.get() {
                None => view! { <p class="muted" role="status">{t().loading}</p> }.into_any(),
                Some(Err(message)) => view! {
                    <div class="notice error" role="alert" data-testid="entity-missing">
                        <p>{t().not_found}" "{t().kind(kind)}" "{shown_key.clone()}</p>
                        {(!message.is_empty()).then(|| view! { <p class="detail">{message}</p> })}
                        <p><a href=Route::Home.href()>{t().start}</a></p>
                    </div>
                }.into_any(),
                Some(Ok(e)) => header(&e, &related.get(), lang.get()).into_any(),
            }}
            <Show when=move || !said.with(Vec::is_empty)>
                <section class="findings" data-testid="findings">
                    <h2>{move || t().findings}</h2>
                    <ul>
                        {move || said.get().into_iter().map(|s| view! { <li data-testid="finding">{s}</li> }).collect_view()}
                    </ul>
                    <p class="muted">{move || t().findings_note}</p>
                </section>
            </Show>
            <div class="entity-panels">
                <For
                    each=move || page_panels.get()
                    key=|p| (p.id, url::encode(&p.recipe).ok())
                    children=move |p| view! { <EntityPanel lab=lab lang=lang panel=p catalog=catalog tables=tables /> }
                />
            </div>
        </article>
    }
    .into_any()
}

/// The entity's name, kind, key, other names and the pages it links to.
fn header(e: &Entity, related: &[Entity], lang: Lang) -> impl IntoView + use<> {
    let t = entity_texts(lang);
    let kind = e.kind.unwrap_or(EntityKind::Agency);
    let english = lang == Lang::En;
    let other = if english {
        &e.name
    } else {
        e.name_en.as_ref().unwrap_or(&e.name)
    };
    let mut also: Vec<String> = Vec::new();
    if other != e.title(english) {
        also.push(other.clone());
    }
    also.extend(e.short_name.clone());
    also.extend(e.former_names.iter().take(6).cloned());
    // Each linked entity by its name (the code when the index lacks it).
    let link = |kind: EntityKind, key: &Option<String>| {
        key.clone().map(|key| {
            let name = related
                .iter()
                .find(|r| r.kind == Some(kind) && r.key == key)
                .map(|r| r.title(english).to_string())
                .unwrap_or_else(|| key.clone());
            let text = format!("{}: {name}", t.kind(kind));
            let href = Route::Entity { kind, key }.href();
            view! { <a href=href data-testid="entity-link" data-kind=kind.name()>{text}</a>" " }
        })
    };
    view! {
        <header class="entity-head">
            <p class="kicker muted">{t.kind(kind)}" · "<span data-testid="entity-key">{e.key.clone()}</span></p>
            <h1 data-testid="entity-name">{e.title(english).to_string()}</h1>
            {(!also.is_empty()).then(|| view! { <p class="muted">{t.formerly}": "{also.join(" · ")}</p> })}
            <p class="entity-links">
                {link(EntityKind::Ministry, &e.ministry)}
                {link(EntityKind::Area, &e.area)}
                {link(EntityKind::Municipality, &e.municipality)}
                {link(EntityKind::County, &e.county)}
            </p>
        </header>
    }
}

/// One panel: runs its recipe in the worker once its inputs are open,
/// then shows its chart or list and its numbers.
#[component]
fn EntityPanel(
    lab: Lab,
    lang: RwSignal<Lang>,
    panel: Panel,
    catalog: Memo<Option<Catalog>>,
    tables: RwSignal<Vec<(&'static str, Table)>>,
) -> impl IntoView {
    let t = move || entity_texts(lang.get());
    let result = RwSignal::new(None::<Result<Table, String>>);
    let asked = StoredValue::new(false);
    let recipe = panel.recipe.clone();
    let id = panel.id;
    Effect::new(move |_| {
        if asked.get_value() || !lab.engine_ready() {
            return;
        }
        // Opens the inputs not open yet; runs once none is on its way.
        let waiting = catalog.with(|c| c.as_ref().map(|c| open_inputs(lab, &recipe, c)));
        if waiting != Some(false) {
            return;
        }
        asked.set_value(true);
        let request = Request::RunPanel {
            recipe: recipe.clone(),
            name: id.to_string(),
            rows: 10_000,
        };
        lab.ask(&request, move |response| {
            if result.is_disposed() {
                return;
            }
            let answer = match response {
                Response::PanelRan {
                    table: Some(table), ..
                } => Ok(table),
                Response::PanelRan { error: Some(e), .. } => Err(e.message),
                Response::Error { message } => Err(message),
                _ => Err(String::new()),
            };
            if let Ok(table) = &answer {
                tables.update(|all| {
                    all.retain(|(i, _)| *i != id);
                    all.push((id, table.clone()));
                });
            }
            result.set(Some(answer));
        });
    });
    let link = url::encode(&panel.recipe).ok();
    let analysis = link.clone().map(|l| Route::Analysis(l).href());
    let embed = link.map(|l| {
        let src = Route::Embed {
            link: l,
            follow: false,
        }
        .href();
        crate::recipe::cite::snippet(
            &src,
            panel.recipe.chart.title.as_deref().unwrap_or("Datalabb"),
        )
    });
    let charted = panel.recipe.chart.kind != ChartKind::Table && panel.kind == PanelKind::Chart;
    let spec = panel.recipe.chart.clone();
    let context_recipe = panel.recipe.clone();
    let context = Signal::derive(move || {
        catalog.with(|c| match c {
            Some(c) => Context::for_recipe(&context_recipe, c, lang.get()),
            None => Context::default(),
        })
    });
    let ran = Signal::derive(move || matches!(result.get(), Some(Ok(_))));
    let title = panel.title.clone();
    // Each number's source: the dataset versions the panel reads.
    let versions = panel
        .recipe
        .inputs
        .iter()
        .map(|i| format!("{} {}", i.dataset, i.sha256.get(..12).unwrap_or(&i.sha256)))
        .collect::<Vec<_>>()
        .join(" · ");
    let kind = panel.kind;
    let key_column = panel.key_column;
    let input_columns =
        StoredValue::new(catalog.with_untracked(|c| columns_described(&panel, c.as_ref())));
    view! {
        <section class="card entity-panel" data-testid="entity-panel" data-panel=id data-state=move || match result.get() {
            None => "running",
            Some(Ok(_)) => "ready",
            Some(Err(_)) => "failed",
        }>
            <h2>{move || title.get(lang.get()).to_string()}</h2>
            {(id == "staff").then(|| view! { <p class="muted">{move || t().staff_note}</p> })}
            {charted.then(|| view! {
                <Show when=move || ran.get()>
                    <SmallChart lab=lab dataset=format!("panel:{id}") spec=Signal::derive({ let spec = spec.clone(); move || ran.get().then(|| spec.clone()) }) context=context testid="entity-chart" />
                </Show>
            })}
            {move || match result.get() {
                None => view! { <p class="muted" role="status">{t().loading}</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" data-testid="panel-error">{message}</p> }.into_any(),
                Some(Ok(table)) => {
                    let lang = lang.get();
                    match kind {
                        PanelKind::Facts => facts(&table, lang, &input_columns.get_value()).into_any(),
                        PanelKind::Members(member) => members(&table, member, key_column, t()).into_any(),
                        PanelKind::Chart => view! {
                            <details class="panel-data">
                                <summary>{format!("{} {} {}", table.rows.len().min(SHOWN_ROWS), t().rows_of, table.total_rows)}</summary>
                                {numbers(&table, lang)}
                            </details>
                        }.into_any(),
                    }
                }
            }}
            <p class="muted panel-versions" data-testid="panel-versions">{move || t().data}": "{versions.clone()}</p>
            <p class="panel-links">
                {analysis.map(|href| view! { <a href=href data-testid="panel-open">{move || t().open_analysis}</a> })}
                {embed.map(|code| view! {
                    <details class="share-panel">
                        <summary data-testid="panel-embed">{move || t().embed}</summary>
                        <Copyable label=Signal::derive(move || entity_texts(lang.get()).snippet) text=Signal::derive(move || code.clone()) testid="panel-snippet" lang=lang rows=4 />
                    </details>
                })}
            </p>
        </section>
    }
}

/// The inputs' column descriptions, for the facts' labels.
fn columns_described(
    panel: &Panel,
    catalog: Option<&Catalog>,
) -> Vec<(String, crate::data::Localized)> {
    let Some(catalog) = catalog else {
        return Vec::new();
    };
    panel
        .recipe
        .inputs
        .iter()
        .filter_map(|i| catalog.dataset(&i.dataset)?.version(&i.sha256))
        .flat_map(|v| {
            v.columns
                .iter()
                .map(|c| (c.name.clone(), c.description.clone()))
        })
        .collect()
}

/// A cell as text: numbers formatted for `lang` with `decimals`; years
/// without a thousands separator.
fn cell_text(cell: &Cell, column: &str, decimals: usize, lang: Lang) -> String {
    match cell {
        Cell::Number(v) if column == "year" || column.ends_with("_year") => format!("{v:.0}"),
        Cell::Number(v) => grouped(*v, decimals, lang, true),
        Cell::Text(text) => text.clone(),
        Cell::Null => "–".into(),
    }
}

/// The decimals each column's numbers need.
fn decimals(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .map(|c| {
            let values: Vec<f64> = table
                .rows
                .iter()
                .take(SHOWN_ROWS)
                .filter_map(|r| match r.get(c) {
                    Some(Cell::Number(v)) => Some(*v),
                    _ => None,
                })
                .collect();
            decimals_for(&values).min(2)
        })
        .collect()
}

/// The first rows as a table; each number's full value in `data-value`.
fn numbers(table: &Table, lang: Lang) -> impl IntoView + use<> {
    let places = decimals(table);
    let columns = table.columns.clone();
    let rows: Vec<Vec<(String, Option<String>)>> = table
        .rows
        .iter()
        .take(SHOWN_ROWS)
        .map(|row| {
            row.iter()
                .zip(columns.iter().zip(&places))
                .map(|(cell, (column, places))| {
                    let raw = match cell {
                        Cell::Number(v) => Some(v.to_string()),
                        Cell::Text(t) => Some(t.clone()),
                        Cell::Null => None,
                    };
                    (cell_text(cell, column, *places, lang), raw)
                })
                .collect()
        })
        .collect();
    view! {
        <div class="table-scroll">
            <table class="panel-table" data-testid="panel-table">
                <thead><tr>{columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>{row.into_iter().map(|(text, raw)| view! { <td data-value=raw>{text}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One row as a list of described values.
fn facts(
    table: &Table,
    lang: Lang,
    described: &[(String, crate::data::Localized)],
) -> impl IntoView + use<> {
    let places = decimals(table);
    let items: Vec<(String, String)> = table
        .columns
        .iter()
        .enumerate()
        .filter_map(|(c, column)| {
            let cell = table.rows.first()?.get(c)?;
            if *cell == Cell::Null {
                return None;
            }
            let label = described
                .iter()
                .find(|(n, _)| n == column)
                .map(|(_, d)| d.get(lang).to_string())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| column.clone());
            Some((label, cell_text(cell, column, places[c], lang)))
        })
        .collect();
    view! {
        <dl class="facts" data-testid="panel-facts">
            {items.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}

/// The members as links to their pages.
fn members(
    table: &Table,
    kind: EntityKind,
    key_column: Option<&str>,
    t: &EntityTexts,
) -> impl IntoView + use<> {
    if table.is_empty() {
        return view! { <p class="muted" data-testid="panel-members-empty">{t.no_rows}</p> }
            .into_any();
    }
    let name_column = table.columns.first().cloned().unwrap_or_default();
    let items: Vec<(String, Option<String>, String)> = (0..table.len())
        .map(|i| {
            let name = table.text(i, &name_column).unwrap_or_default();
            let key = key_column.and_then(|k| table.text(i, k));
            let ended = table
                .number(i, "end_year")
                .map(|y| format!(" (–{y:.0})"))
                .unwrap_or_default();
            (name, key, ended)
        })
        .collect();
    view! {
        <ul class="members" data-testid="panel-members">
            {items.into_iter().map(|(name, key, ended)| match key {
                Some(key) => {
                    let href = Route::Entity { kind, key: key.clone() }.href();
                    view! { <li><a href=href data-testid="member" data-key=key>{name}</a><span class="muted">{ended}</span></li> }.into_any()
                }
                None => view! { <li>{name}</li> }.into_any(),
            }).collect_view()}
        </ul>
    }
    .into_any()
}
