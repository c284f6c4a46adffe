//! The preview of a loaded table and its column summaries.
//!
//! The table is virtual: only the rows on screen (and a margin) cross from
//! the worker, a page at a time, so a million rows scroll like a hundred.
//! Browsers cap an element's height (Firefox near 18 million pixels), so
//! past [`MAX_SCROLL_PX`] the scrollbar maps onto the rows proportionally,
//! and the keyboard moves through the rows themselves, one at a time.

use leptos::prelude::*;

use crate::data::Lang;
use crate::data::schema::ColumnType;
use crate::data::summary::ColumnSummary;
use crate::data::view::{Row, SortKey};
use crate::engine::protocol::{Request, Response, TableSummary};
use crate::ui::i18n::{Label, columns_shown, count, texts};
use crate::ui::state::Lab;

/// Height of a row, in CSS pixels (the stylesheet agrees).
const ROW_PX: f64 = 32.0;
/// Rows on screen.
const VISIBLE: usize = 14;
/// Rows fetched beyond the screen on each side.
const MARGIN: usize = 40;
/// The tallest scroll area made; below every browser's limit.
const MAX_SCROLL_PX: f64 = 8_000_000.0;
/// Milliseconds of quiet typing before a search runs.
const SEARCH_DELAY_MS: u64 = 250;

/// What a page of rows was asked with.
#[derive(Debug, Clone, PartialEq)]
struct Query {
    search: String,
    sort: Option<SortKey>,
    /// The numbers are written in the page's language.
    lang: Lang,
}

/// Rows the worker sent: `offset..offset + rows.len()` of the selection.
#[derive(Debug, Clone, PartialEq)]
struct Page {
    query: Query,
    total: u64,
    offset: usize,
    rows: Vec<Row>,
}

impl Page {
    fn covers(&self, query: &Query, first: usize, total: usize) -> bool {
        let last = (first + VISIBLE).min(total);
        self.query == *query && first >= self.offset && last <= self.offset + self.rows.len()
    }
}

/// The scroll geometry: how the scrollbar's pixels map onto rows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Geometry {
    /// Height of all rows.
    content: f64,
    /// Height of the scroll area made for them (capped).
    area: f64,
    /// Height of the rows' viewport.
    viewport: f64,
}

impl Geometry {
    fn new(rows: usize) -> Self {
        let content = rows as f64 * ROW_PX;
        Self {
            content,
            area: content.min(MAX_SCROLL_PX),
            viewport: VISIBLE as f64 * ROW_PX,
        }
    }

    /// Virtual pixels per scrollbar pixel (1 below the cap).
    fn scale(&self) -> f64 {
        let (virt, real) = (self.content - self.viewport, self.area - self.viewport);
        if real > 0.0 && virt > real {
            virt / real
        } else {
            1.0
        }
    }

    fn max_top(&self) -> f64 {
        (self.content - self.viewport).max(0.0)
    }
}

/// A table preview: search, sort by a column header, scroll through every
/// row with the mouse or the keyboard.
/// The most columns the preview and the summaries show: thousands of
/// columns of cells would freeze the page.
pub const MAX_SHOWN_COLUMNS: usize = 200;

#[component]
pub fn Preview(summary: TableSummary) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let dataset = StoredValue::new(summary.dataset.clone());
    // A table of thousands of columns would freeze the page: the grid
    // shows the first ones and says how many there are.
    let all_columns = summary.columns.len();
    let columns: Vec<_> = summary
        .columns
        .iter()
        .take(MAX_SHOWN_COLUMNS)
        .cloned()
        .collect();
    let numeric: Vec<bool> = columns
        .iter()
        .map(|(_, t)| ColumnType::from(t.as_str()).is_number())
        .collect();
    let typed = RwSignal::new(String::new());
    let query = RwSignal::new(Query {
        search: String::new(),
        sort: None,
        lang: lang.get_untracked(),
    });
    // Another language: the rows again, with its numbers.
    Effect::new(move |_| {
        let now = lang.get();
        if query.with_untracked(|q| q.lang != now) {
            query.update(|q| q.lang = now);
        }
    });
    let total = RwSignal::new(summary.rows as usize);
    // The top of the viewport in row pixels: the truth the scrollbar follows.
    let top = RwSignal::new(0.0f64);
    let page = RwSignal::new(None::<Page>);
    let error = RwSignal::new(None::<String>);
    let searching = RwSignal::new(false);
    let in_flight = StoredValue::new(false);
    let typing = StoredValue::new(0u64);
    let scroller = NodeRef::<leptos::html::Div>::new();

    let first = move || (top.get() / ROW_PX).floor() as usize;

    // Asks the worker for the rows around the screen unless they are here
    // or a request is out (its answer asks again if still needed).
    let fetch = move || {
        if in_flight.get_value() {
            return;
        }
        let query_now = query.get_untracked();
        let first = (top.get_untracked() / ROW_PX).floor() as usize;
        if page.with_untracked(|p| {
            p.as_ref()
                .is_some_and(|p| p.covers(&query_now, first, total.get_untracked()))
        }) {
            return;
        }
        let offset = first.saturating_sub(MARGIN);
        in_flight.set_value(true);
        let request = Request::Rows {
            dataset: dataset.get_value(),
            search: query_now.search.clone(),
            sort: query_now.sort,
            offset: offset as u64,
            limit: (VISIBLE + 2 * MARGIN) as u32,
            lang: query_now.lang,
        };
        lab.ask(&request, move |response| {
            // The preview was closed (another result, another page) meanwhile.
            if in_flight.is_disposed() {
                return;
            }
            in_flight.set_value(false);
            match response {
                Response::Rows {
                    total: all,
                    offset,
                    rows,
                    ..
                } => {
                    error.set(None);
                    searching.set(false);
                    total.set(all as usize);
                    page.set(Some(Page {
                        query: query_now.clone(),
                        total: all,
                        offset: offset as usize,
                        rows,
                    }));
                    // Scrolled on, or the query changed, meanwhile.
                    if query.get_untracked() != query_now
                        || top.get_untracked() > Geometry::new(all as usize).max_top()
                    {
                        top.set(
                            top.get_untracked()
                                .min(Geometry::new(all as usize).max_top()),
                        );
                    }
                    fetch_again(query, top, page, total);
                }
                Response::Error { message } => {
                    searching.set(false);
                    error.set(Some(message));
                }
                _ => {}
            }
        });
    };
    // The answer of a request cannot call `fetch` (it is inside it), so it
    // nudges the signals the effect below watches.
    fn fetch_again(
        query: RwSignal<Query>,
        top: RwSignal<f64>,
        page: RwSignal<Option<Page>>,
        total: RwSignal<usize>,
    ) {
        let first = (top.get_untracked() / ROW_PX).floor() as usize;
        let covered = page.with_untracked(|p| {
            p.as_ref()
                .is_some_and(|p| p.covers(&query.get_untracked(), first, total.get_untracked()))
        });
        if !covered {
            top.notify();
        }
    }
    Effect::new(move |_| {
        query.track();
        top.track();
        fetch();
    });

    // Keeps the scrollbar where `top` says.
    Effect::new(move |_| {
        let geometry = Geometry::new(total.get());
        let wanted = top.get() / geometry.scale();
        if let Some(element) = scroller.get()
            && (f64::from(element.scroll_top()) - wanted).abs() >= 1.0
        {
            element.set_scroll_top(wanted.round() as i32);
        }
    });

    let on_scroll = move |_| {
        let Some(element) = scroller.get() else {
            return;
        };
        let geometry = Geometry::new(total.get_untracked());
        let real = f64::from(element.scroll_top());
        // A scrollbar pixel may hold several rows: ignore the echo of a
        // keyboard move that rounded to the same pixel.
        if (real - top.get_untracked() / geometry.scale()).abs() < 1.0 {
            return;
        }
        top.set((real * geometry.scale()).clamp(0.0, geometry.max_top()));
    };

    let on_key = move |event: web_sys::KeyboardEvent| {
        let geometry = Geometry::new(total.get_untracked());
        let now = top.get_untracked();
        let page_px = (VISIBLE - 1) as f64 * ROW_PX;
        let next = match event.key().as_str() {
            "ArrowDown" => (now / ROW_PX).floor() * ROW_PX + ROW_PX,
            "ArrowUp" => ((now / ROW_PX).ceil() - 1.0) * ROW_PX,
            "PageDown" | " " => now + page_px,
            "PageUp" => now - page_px,
            "Home" => 0.0,
            "End" => geometry.max_top(),
            _ => return,
        };
        event.prevent_default();
        top.set(next.clamp(0.0, geometry.max_top()));
    };

    let set_search = move |text: String| {
        searching.set(true);
        query.update(|q| q.search = text);
        top.set(0.0);
    };
    let on_input = move |event: web_sys::Event| {
        let text = event_target_value(&event);
        typed.set(text.clone());
        let ticket = typing.get_value() + 1;
        typing.set_value(ticket);
        set_timeout(
            move || {
                if typing.get_value() == ticket && query.get_untracked().search != text {
                    set_search(text);
                }
            },
            std::time::Duration::from_millis(SEARCH_DELAY_MS),
        );
    };

    let sort_by = move |column: usize| {
        query.update(|q| {
            q.sort = match q.sort {
                Some(SortKey {
                    column: c,
                    descending: false,
                }) if c == column => Some(SortKey {
                    column,
                    descending: true,
                }),
                Some(SortKey {
                    column: c,
                    descending: true,
                }) if c == column => None,
                _ => Some(SortKey {
                    column,
                    descending: false,
                }),
            }
        });
        top.set(0.0);
    };

    // The row-number column fits the largest number, with its spaces.
    let index_width = format!("{}ch", count(summary.rows).chars().count() + 3);
    let template = format!("{index_width} repeat({}, minmax(9rem, 1fr))", columns.len());
    let width = format!("calc({index_width} + {} * 9rem)", columns.len());
    let column_count = columns.len();
    let numeric = StoredValue::new(numeric);
    let header_template = template.clone();
    let headers = columns
        .iter()
        .enumerate()
        .map(|(i, (name, data_type))| {
            let name = name.clone();
            let label = name.clone();
            let arrow_type = data_type.clone();
            let word = ColumnType::from(data_type.as_str()).word();
            let sort_state = move || match query.get().sort {
                Some(SortKey { column, descending }) if column == i => {
                    if descending {
                        "descending"
                    } else {
                        "ascending"
                    }
                }
                _ => "none",
            };
            let arrow = move || match sort_state() {
                "ascending" => "▲",
                "descending" => "▼",
                _ => "",
            };
            view! {
                <div role="columnheader" aria-sort=sort_state aria-colindex=i + 2>
                    <button
                        class="sort"
                        data-testid="sort-column"
                        title=move || format!("{} {label}", texts(lang.get()).sort_by)
                        on:click=move |_| sort_by(i)
                    >
                        <span class="name">{name}</span>
                        <span class="type" title=arrow_type>{move || word.label(lang.get())}</span>
                        <span class="arrow" aria-hidden="true">{arrow}</span>
                    </button>
                </div>
            }
        })
        .collect_view();

    let body = move || {
        let first = first();
        let shift = top.get() - first as f64 * ROW_PX;
        let all = total.get();
        let last = (first + VISIBLE + 1).min(all);
        let template = template.clone();
        let current = query.get();
        page.with(|p| {
            let rows = (first..last)
                .map(|position| {
                    let row = p.as_ref().filter(|p| p.query == current).and_then(|p| {
                        position
                            .checked_sub(p.offset)
                            .and_then(|k| p.rows.get(k))
                            .cloned()
                    });
                    grid_row(position, row, column_count, &template, numeric)
                })
                .collect_view();
            let geometry = Geometry::new(all);
            let offset = top.get() / geometry.scale() - shift;
            view! {
                <div class="grid-rows" style=format!("transform: translateY({offset}px)")>{rows}</div>
            }
        })
    };

    let status = move || {
        let t = texts(lang.get());
        if searching.get() {
            return t.searching.to_string();
        }
        let all = total.get();
        let first = first();
        let shown = if all == 0 {
            String::new()
        } else {
            format!(
                " · {} {}–{}",
                t.showing,
                count(first as u64 + 1),
                count((first + VISIBLE).min(all) as u64)
            )
        };
        let search = query.get().search;
        if search.trim().is_empty() {
            format!(
                "{} {}{shown}",
                count(all as u64),
                t.rows[usize::from(all != 1)]
            )
        } else {
            format!(
                "{} {} «{}»{shown}",
                count(all as u64),
                t.rows_match[usize::from(all != 1)],
                search.trim()
            )
        }
    };

    view! {
        <section class="preview" data-testid="preview">
            <h2>{move || texts(lang.get()).preview}</h2>
            <div class="preview-tools">
                <input
                    type="search"
                    data-testid="row-search"
                    aria-label=move || texts(lang.get()).row_search_label
                    placeholder=move || texts(lang.get()).row_search_placeholder
                    prop:value=move || typed.get()
                    on:input=on_input
                    on:keydown=move |event: web_sys::KeyboardEvent| {
                        if event.key() == "Enter" {
                            typing.set_value(typing.get_value() + 1);
                            set_search(typed.get_untracked());
                        }
                    }
                />
                <span class="muted" data-testid="preview-status" role="status" aria-live="polite">{status}</span>
            </div>
            {move || error.get().map(|message| view! {
                <div class="notice error" role="alert" data-testid="preview-error"><p class="detail">{message}</p></div>
            })}
            {(all_columns > MAX_SHOWN_COLUMNS).then(|| view! {
                <p class="muted" data-testid="columns-shown">{move || columns_shown(lang.get(), MAX_SHOWN_COLUMNS, all_columns)}</p>
            })}
            <div
                class="grid"
                role="grid"
                tabindex="0"
                data-testid="preview-grid"
                aria-label=move || texts(lang.get()).preview_label
                aria-rowcount=move || total.get() + 1
                aria-colcount=column_count + 1
                aria-busy=move || searching.get().to_string()
                node_ref=scroller
                on:scroll=on_scroll
                on:keydown=on_key
                // A short table gets a short grid (room for three rows at least).
                style=move || format!("--rows: {}; --row: {ROW_PX}px", total.get().clamp(3, VISIBLE))
            >
                <div class="grid-head" role="row" aria-rowindex="1" style=format!("grid-template-columns: {header_template}; min-width: {width}")>
                    <div role="columnheader" class="index" aria-colindex="1">"#"</div>
                    {headers}
                </div>
                <div class="grid-area" style=move || {
                    let geometry = Geometry::new(total.get());
                    format!("height: {}px; min-width: {width}", geometry.area.max(1.0))
                }>
                    {body}
                </div>
                <Show when=move || total.get() == 0 && !searching.get()>
                    <p class="muted empty" data-testid="preview-empty">{move || texts(lang.get()).no_rows}</p>
                </Show>
            </div>
            <p class="muted hint">{move || texts(lang.get()).preview_keys}</p>
        </section>
    }
    .into_any()
}

/// One row of the grid; `None` while its values are on their way.
fn grid_row(
    position: usize,
    row: Option<Row>,
    columns: usize,
    template: &str,
    numeric: StoredValue<Vec<bool>>,
) -> impl IntoView + use<> {
    let index = row.as_ref().map(|r| count(r.index + 1)).unwrap_or_default();
    let cells: Vec<Option<String>> = match row {
        Some(mut row) => {
            row.cells.truncate(columns);
            row.cells
        }
        None => vec![None; columns],
    };
    let loading = index.is_empty();
    view! {
        <div
            class="grid-row"
            class:loading=loading
            role="row"
            aria-rowindex=position + 2
            data-testid="preview-row"
            style=format!("grid-template-columns: {template}")
        >
            <div role="rowheader" class="index">{index}</div>
            {cells
                .into_iter()
                .enumerate()
                .map(|(i, cell)| {
                    let number = numeric.with_value(|n| n.get(i).copied().unwrap_or(false));
                    let null = cell.is_none() && !loading;
                    view! {
                        <div role="gridcell" class:num=number class:null=null>
                            {cell.unwrap_or_else(|| if loading { String::new() } else { "–".into() })}
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A card per column: type, nulls, distinct values, and a histogram with
/// min / mean / max for numbers or the most common values otherwise.
#[component]
pub fn ColumnSummaries(summary: TableSummary) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let result = RwSignal::new(None::<Result<Vec<ColumnSummary>, String>>);
    let dataset = summary.dataset.clone();
    // Asked again in another language, for its numbers.
    Effect::new(move |_| {
        let request = Request::Summarize {
            dataset: dataset.clone(),
            lang: lang.get(),
        };
        lab.ask(&request, move |response| match response {
            _ if result.is_disposed() => {}
            Response::Summaries { columns, .. } => result.set(Some(Ok(columns))),
            Response::Error { message } => result.set(Some(Err(message))),
            _ => {}
        });
    });
    view! {
        <details class="summaries" open data-testid="summaries">
            <summary><h2>{move || texts(lang.get()).summaries}</h2></summary>
            {move || match result.get() {
                None => view! { <p class="muted">{texts(lang.get()).summarising}</p> }.into_any(),
                Some(Err(message)) => view! {
                    <div class="notice error" role="alert"><p class="detail">{message}</p></div>
                }.into_any(),
                Some(Ok(columns)) => {
                    let total = columns.len();
                    view! {
                        {(total > MAX_SHOWN_COLUMNS).then(|| view! {
                            <p class="muted" data-testid="columns-shown">{columns_shown(lang.get(), MAX_SHOWN_COLUMNS, total)}</p>
                        })}
                        <ul class="summary-cards">
                            {columns.into_iter().take(MAX_SHOWN_COLUMNS).map(|c| view! { <SummaryCard column=c /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </details>
    }
    .into_any()
}

#[component]
fn SummaryCard(column: ColumnSummary) -> impl IntoView {
    let Some(lang) = use_context::<RwSignal<Lang>>() else {
        return ().into_any();
    };
    let column = StoredValue::new(column);
    view! {
        <li class="summary-card" data-testid="summary-card" data-column=column.with_value(|c| c.name.clone())>
            {move || column.with_value(|c| {
                let t = texts(lang.get());
                let numbers = c.histogram.as_ref().map(|h| {
                    let peak = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
                    let bars = h.counts.iter().enumerate().map(|(i, &n)| {
                        let height = 40.0 * n as f64 / peak;
                        view! {
                            <rect x=i * 5 y=40.0 - height width="4" height=height>
                                <title>{count(n)}</title>
                            </rect>
                        }
                    }).collect_view();
                    view! {
                        <svg class="histogram" viewBox="0 0 100 40" role="img" aria-label=t.histogram preserveAspectRatio="none">{bars}</svg>
                    }
                });
                let mean = c.mean.map(|m| format!("{}: {}", t.mean, crate::data::format::short(m, lang.get())));
                view! {
                    <h3><code>{c.name.clone()}</code></h3>
                    <p class="muted type" title=c.data_type.clone()>{ColumnType::from(c.data_type.as_str()).word().label(lang.get())}</p>
                    <dl>
                        <dt>{t.nulls}</dt><dd data-testid="nulls">{count(c.nulls)}</dd>
                        <dt>{t.distinct}</dt><dd data-testid="distinct">{count(c.distinct)}</dd>
                        {c.min.clone().map(|v| view! { <dt>{t.min}</dt><dd data-testid="min">{v}</dd> })}
                        {c.max.clone().map(|v| view! { <dt>{t.max}</dt><dd data-testid="max">{v}</dd> })}
                    </dl>
                    {numbers}
                    {mean.map(|m| view! { <p class="mean" data-testid="mean">{m}</p> })}
                    {(!c.top.is_empty()).then(|| view! {
                        <ol class="top" aria-label=t.top_values>
                            {c.top.iter().map(|(value, n)| view! {
                                <li><span class="value">{value.clone()}</span><span class="n">{count(*n)}</span></li>
                            }).collect_view()}
                        </ol>
                    })}
                }
            })}
        </li>
    }
    .into_any()
}
