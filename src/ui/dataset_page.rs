//! A dataset's page: for a published dataset its description, columns
//! (type, unit, description), sources, licence and versions; for a file
//! the visitor opened, what the import found. Once loaded, both show the
//! column summaries and the preview table.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::csv::{ColumnType, CsvReport};
use crate::data::{Dataset, Lang};
use crate::engine::protocol::{Request, Response, TableSummary};
use crate::ui::datasets::{DatasetLoad, memory_text};
use crate::ui::i18n::{Label, Texts, counted, size, texts};
use crate::ui::preview::{ColumnSummaries, Preview};
use crate::ui::route::Route;
use crate::ui::state::{CatalogState, Lab, LoadState};

/// The page of dataset `id` (a catalog id, or `file:<name>`).
#[component]
pub fn DatasetPage(id: String) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let file_name = id.strip_prefix("file:").map(str::to_string);
    let key = id.clone();
    let published = move || match lab.catalog.get() {
        CatalogState::Loaded(catalog) => {
            Some(catalog.datasets.iter().find(|d| d.id == key).cloned())
        }
        _ => None,
    };
    let key = id.clone();
    let loaded = Memo::new(move |_| match lab.loads.with(|l| l.get(&key).cloned()) {
        Some(LoadState::Loaded(summary)) => Some(summary),
        _ => None,
    });
    let head = {
        let id = id.clone();
        move || {
            let t = texts(lang.get());
            match (&file_name, published()) {
                (Some(name), _) => {
                    view! { <FileHead id=id.clone() name=name.clone() /> }.into_any()
                }
                (None, None) => view! { <p class="muted">{t.catalog_loading}</p> }.into_any(),
                (None, Some(None)) => view! {
                    <div class="notice error" role="alert" data-testid="no-such-dataset">
                        <p><strong>{t.no_such_dataset}</strong></p>
                        <p class="detail">{id.clone()}</p>
                    </div>
                }
                .into_any(),
                (None, Some(Some(dataset))) => {
                    view! { <PublishedHead dataset=dataset /> }.into_any()
                }
            }
        }
    };
    view! {
        <article class="dataset-page" data-testid="dataset-page" data-id=id.clone()>
            <p class="back"><a href=Route::Home.href() data-testid="back">{move || texts(lang.get()).all_datasets}</a></p>
            {head}
            {move || loaded.get().map(|summary| {
                let id = summary.dataset.clone();
                view! {
                    {summary.csv.clone().map(|report| view! { <CsvTypes id=id.clone() report=report /> })}
                    <Preview summary=summary.clone() />
                    <ColumnSummaries summary=summary />
                }
            })}
        </article>
    }
    .into_any()
}

/// Title, description, facts, columns and versions of a published dataset.
#[component]
fn PublishedHead(dataset: Dataset) -> impl IntoView {
    let Some(lang) = use_context::<RwSignal<Lang>>() else {
        return ().into_any();
    };
    let stored = StoredValue::new(dataset.clone());
    let text =
        move |f: fn(&Dataset, Lang) -> String| move || stored.with_value(|d| f(d, lang.get()));
    let latest = dataset.latest().cloned();
    let columns = latest
        .as_ref()
        .map(|v| v.columns.clone())
        .unwrap_or_default();
    let keys = latest
        .as_ref()
        .map(|v| v.key_columns.clone())
        .unwrap_or_default();
    let versions: Vec<_> = dataset.versions.iter().rev().cloned().collect();
    let sources = dataset.sources.clone();
    let licence = dataset.licence.clone();
    view! {
        <h1>{text(|d, l| d.title.get(l).to_string())}</h1>
        <p class="muted id">{dataset.id.clone()}</p>
        <p class="description">{text(|d, l| d.description.get(l).to_string())}</p>
        <div class="form-row">
            <DatasetLoad dataset=dataset.clone() />
            {crate::recipe::edit::start(&dataset)
                .and_then(|r| crate::recipe::url::encode(&r).ok())
                .map(|link| view! {
                    <a class="button primary" data-testid="analyse" href=Route::Analysis(link).href()>
                        {move || crate::ui::i18n::analysis_texts(lang.get()).analyse}
                    </a>
                })}
        </div>
        <dl class="facts-list">
            <dt>{move || texts(lang.get()).source}</dt>
            <dd>
                {sources.into_iter().map(|s| view! {
                    <a href=s.url.clone() target="_blank" rel="noopener">{s.name.clone()}</a>" "
                }).collect_view()}
            </dd>
            <dt>{move || texts(lang.get()).licence}</dt>
            <dd>
                {match licence.url.clone() {
                    Some(url) => view! { <a href=url target="_blank" rel="noopener">{licence.name.clone()}</a> }.into_any(),
                    None => view! { <span>{licence.name.clone()}</span> }.into_any(),
                }}
            </dd>
            <dt>{move || texts(lang.get()).tags}</dt>
            <dd>{dataset.tags.join(", ")}</dd>
        </dl>
        <h2>{move || texts(lang.get()).columns_heading}</h2>
        <div class="table-scroll">
            <table class="columns" data-testid="dataset-columns">
                <thead>
                    <tr>
                        <th scope="col">{move || texts(lang.get()).column}</th>
                        <th scope="col">{move || texts(lang.get()).data_type}</th>
                        <th scope="col">{move || texts(lang.get()).unit}</th>
                        <th scope="col">{move || texts(lang.get()).description}</th>
                    </tr>
                </thead>
                <tbody>
                    {columns.into_iter().map(|c| {
                        let key = keys.contains(&c.name);
                        let description = c.description.clone();
                        view! {
                            <tr>
                                <th scope="row">
                                    <code>{c.name.clone()}</code>
                                    {key.then(|| view! { " " <span class="badge">{move || texts(lang.get()).key}</span> })}
                                </th>
                                <td><code>{c.data_type.clone()}</code></td>
                                <td>{c.unit.clone().unwrap_or_default()}</td>
                                <td>{move || description.get(lang.get()).to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{move || texts(lang.get()).versions_heading}</h2>
        <div class="table-scroll">
            <table class="versions" data-testid="dataset-versions">
                <thead>
                    <tr>
                        <th scope="col">"SHA-256"</th>
                        <th scope="col">{move || texts(lang.get()).rows[1]}</th>
                        <th scope="col">{move || texts(lang.get()).file_size}</th>
                    </tr>
                </thead>
                <tbody>
                    {versions.into_iter().enumerate().map(|(i, v)| view! {
                        <tr>
                            <td>
                                <code title=v.sha256.clone()>{crate::data::hash::short_hash(&v.sha256)}</code>
                                {(i == 0).then(|| view! { " " <span class="badge">{move || texts(lang.get()).latest}</span> })}
                            </td>
                            <td class="num">{counted(v.rows, texts(lang.get_untracked()).rows)}</td>
                            <td class="num">{move || size(v.bytes, lang.get())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The head of a file the visitor opened: its name, that it stays in the
/// browser, and how opening it goes.
#[component]
fn FileHead(id: String, name: String) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let key = StoredValue::new(id.clone());
    let state = move || key.with_value(|id| lab.loads.with(|l| l.get(id).cloned()));
    view! {
        <h1>{name}</h1>
        <p class="muted">{move || texts(lang.get()).file_stays}</p>
        <div class="load" data-testid="dataset-load" data-state=move || match state() {
            None => "idle",
            Some(LoadState::Loading { .. }) => "loading",
            Some(LoadState::Loaded(_)) => "loaded",
            Some(LoadState::Failed(_)) => "failed",
        }>
            {move || {
                let t = texts(lang.get());
                let id = id.clone();
                match state() {
                    None => view! { <p class="muted">{t.file_not_open}</p> }.into_any(),
                    Some(LoadState::Loading { .. }) => view! {
                        <progress aria-label=t.reading_file></progress>
                        <span class="muted">{t.reading_file}</span>
                    }.into_any(),
                    Some(LoadState::Loaded(summary)) => view! {
                        <span class="ok" data-testid="dataset-summary">{loaded_line(&summary, t, lang.get())}</span>
                        <button class="small" on:click=move |_| lab.close_dataset(&id)>{t.unload}</button>
                    }.into_any(),
                    Some(LoadState::Failed(message)) => view! {
                        <div class="notice error" role="alert" data-testid="dataset-error">
                            <p><strong>{t.open_failed}</strong></p>
                            <p class="detail">{message}</p>
                        </div>
                    }.into_any(),
                }
            }}
        </div>
    }
    .into_any()
}

/// `✓ 290 rows · 5 columns · 21 kB in memory`.
pub fn loaded_line(summary: &TableSummary, t: &Texts, lang: Lang) -> String {
    format!(
        "✓ {} · {} · {}",
        counted(summary.rows, t.rows),
        counted(summary.columns.len() as u64, t.columns),
        memory_text(summary, t, lang),
    )
}

/// The visitor's reading of a CSV file: a type per column, the decimal mark.
#[derive(Clone)]
struct Choice {
    types: Vec<ColumnType>,
    decimal_comma: bool,
}

/// What a CSV import found, column by column, with a choice of type each
/// and of the decimal mark; a change reads the file again in the engine.
#[component]
fn CsvTypes(id: String, report: CsvReport) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let types: Vec<ColumnType> = report.columns.iter().map(|c| c.chosen).collect();
    let current = StoredValue::new(Choice {
        types,
        decimal_comma: report.decimal_comma,
    });
    let dataset = StoredValue::new(id);
    let retype = move |change: &dyn Fn(&mut Choice)| {
        current.update_value(|c| change(c));
        let Choice {
            types,
            decimal_comma,
        } = current.get_value();
        busy.set(true);
        let request = Request::Retype {
            dataset: dataset.get_value(),
            types,
            decimal_comma,
        };
        lab.ask(&request, move |response| {
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match response {
                Response::DatasetOpened { summary } => {
                    failure.set(None);
                    lab.set_load(&summary.dataset.clone(), LoadState::Loaded(summary));
                }
                Response::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    };
    let encoding = match report.encoding {
        crate::data::csv::Encoding::Utf8 => "UTF-8",
        crate::data::csv::Encoding::Utf8Bom => "UTF-8 (BOM)",
        crate::data::csv::Encoding::Windows1252 => "Windows-1252",
    };
    let separator = match report.separator {
        '\t' => "tab".to_string(),
        c => format!("{c}"),
    };
    view! {
        <section class="csv-types" data-testid="csv-types" aria-busy=move || busy.get().to_string()>
            <h2>{move || texts(lang.get()).csv_heading}</h2>
            <p class="muted">
                {move || format!("{}: «{separator}» · {}: {encoding}", texts(lang.get()).separator, texts(lang.get()).encoding)}
            </p>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="decimal-comma"
                    prop:checked=report.decimal_comma
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        retype(&|c| c.decimal_comma = on);
                    }
                />
                {move || texts(lang.get()).decimal_comma}
            </label>
            {move || failure.get().map(|message| view! {
                <div class="notice error" role="alert"><p class="detail">{message}</p></div>
            })}
            <div class="table-scroll">
                <table class="columns">
                    <thead>
                        <tr>
                            <th scope="col">{move || texts(lang.get()).column}</th>
                            <th scope="col">{move || texts(lang.get()).data_type}</th>
                            <th scope="col">{move || texts(lang.get()).unreadable}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.columns.into_iter().enumerate().take(crate::ui::preview::MAX_SHOWN_COLUMNS).map(|(i, column)| {
                            let name = column.name.clone();
                            view! {
                                <tr data-testid="csv-column" data-name=column.name.clone()>
                                    <th scope="row"><code>{column.name.clone()}</code></th>
                                    <td>
                                        <select
                                            aria-label=move || format!("{} {name}", texts(lang.get()).type_of)
                                            on:change=move |event| {
                                                let value = event_target_value(&event);
                                                if let Some(t) = ColumnType::ALL.into_iter().find(|t| type_key(*t) == value) {
                                                    retype(&|c| if let Some(slot) = c.types.get_mut(i) { *slot = t });
                                                }
                                            }
                                        >
                                            {ColumnType::ALL.into_iter().map(|t| view! {
                                                <option value=type_key(t) selected=t == column.chosen>
                                                    {move || t.label(lang.get())}
                                                    {(t == column.inferred).then_some(move || format!(" ({})", texts(lang.get()).guessed))}
                                                </option>
                                            }).collect_view()}
                                        </select>
                                    </td>
                                    <td class="num">
                                        {column.unreadable}
                                        {column.first_unreadable.clone().map(|(line, value)| view! {
                                            <span class="muted">{move || format!(" ({} {line}: «{value}»)", texts(lang.get()).line)}</span>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

fn type_key(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Text => "text",
        ColumnType::Integer => "integer",
        ColumnType::Decimal => "decimal",
        ColumnType::Boolean => "boolean",
        ColumnType::Date => "date",
    }
}
