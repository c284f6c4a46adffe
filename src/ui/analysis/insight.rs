//! Help under a cluster step (choose k, the k-distances and the
//! profiles) and under an anomaly step (its most unusual rows).

use leptos::prelude::*;

use crate::data::schema::ColumnType;
use crate::engine::protocol::{INSIGHT, PROFILE, Request, Response};
use crate::ml::insight::Insight;
use crate::recipe::edit::{self};
use crate::recipe::learn::Method;
use crate::recipe::{ChartKind, ChartSpec, Step};
use crate::ui::analysis::chart_context;
use crate::ui::analysis::panel::Panel;
use crate::ui::chart::SmallChart;
use crate::ui::i18n::learn_texts;

/// An insight's answer as the page keeps it.
#[derive(Clone, PartialEq)]
pub(crate) struct Answer {
    insight: Insight,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    total: u64,
    suggestion: Option<f64>,
    mark: Option<f64>,
    /// The profiles in words.
    sentences: Vec<String>,
}

/// Help with a cluster step: inertia and silhouette over k = 2…10 (the
/// elbow) with the best k, the k-distance curve with a suggested eps, and
/// the profiles of the clusters found (a heatmap and a table). A found
/// value is one click from the step.
#[component]
///
/// Under an anomaly step (`outliers`), its most unusual rows instead: a
/// heatmap of how far their values lie from the mean, a sentence each.
pub(crate) fn InsightPanel(
    panel: Panel,
    i: usize,
    method: Memo<Option<Method>>,
    #[prop(optional)] outliers: bool,
) -> impl IntoView {
    let t = move || learn_texts(panel.lang.get());
    let answer = RwSignal::new(None::<Result<Answer, String>>);
    let busy = RwSignal::new(false);
    let ask = move |insight: Insight| {
        let Ok(recipe) = panel.recipe.get_untracked() else {
            return;
        };
        // Members are listed by the chart's label, else the first text column.
        let member = recipe.chart.label.clone().or_else(|| {
            panel
                .input_schema(i)
                .get_untracked()
                .into_iter()
                .find(|(_, ty)| *ty == ColumnType::utf8())
                .map(|(n, _)| n)
        });
        busy.set(true);
        let request = Request::Insight {
            recipe,
            step: i,
            insight: insight.clone(),
            member,
            lang: panel.lang.get_untracked(),
        };
        panel.lab.ask(&request, move |response| {
            if busy.is_disposed() {
                return;
            }
            match response {
                Response::Insight {
                    columns,
                    rows,
                    total,
                    mark,
                    suggestion,
                    sentences,
                    ..
                } => {
                    busy.set(false);
                    answer.set(Some(Ok(Answer {
                        insight: insight.clone(),
                        columns,
                        rows,
                        total,
                        suggestion,
                        mark,
                        sentences,
                    })));
                }
                Response::Error { message } => {
                    busy.set(false);
                    answer.set(Some(Err(message)));
                }
                _ => {}
            }
        });
    };
    let min_points = move || match method.get_untracked() {
        Some(Method::Dbscan { min_points, .. }) => min_points.max(2),
        _ => 4,
    };
    let line = |x: &str, y: &str, title: String, mark: Option<f64>| ChartSpec {
        kind: ChartKind::Line,
        x: Some(x.into()),
        y: Some(y.into()),
        title: Some(title),
        mark_x: mark,
        ..ChartSpec::default()
    };
    let charts = move || {
        let t = t();
        let Some(Ok(a)) = answer.get() else {
            return Vec::new();
        };
        match a.insight {
            Insight::ChooseK { .. } => vec![
                (INSIGHT, line("k", "inertia", t.inertia.into(), a.mark)),
                (
                    INSIGHT,
                    line("k", "silhouette", t.silhouette.into(), a.mark),
                ),
            ],
            Insight::KDistance { .. } => vec![(
                INSIGHT,
                line("rank", "distance", t.k_distance_title.into(), a.mark),
            )],
            Insight::Outliers => vec![(
                PROFILE,
                ChartSpec {
                    kind: ChartKind::Heatmap,
                    x: Some("feature".into()),
                    y: Some("row".into()),
                    value: Some("difference_sd".into()),
                    title: Some(t.outliers_title.into()),
                    ..ChartSpec::default()
                },
            )],
            Insight::Profiles => vec![(
                PROFILE,
                ChartSpec {
                    kind: ChartKind::Heatmap,
                    x: Some("feature".into()),
                    y: Some("cluster".into()),
                    value: Some("difference_sd".into()),
                    title: Some(t.profiles_title.into()),
                    ..ChartSpec::default()
                },
            )],
        }
    };
    let context = Signal::derive(move || chart_context(panel));
    let summary = move || {
        let t = t();
        let a = answer.get()?.ok()?;
        let v = a.suggestion?;
        let current = method.get()?;
        // The step with the suggested value, when it differs.
        let (text, changed) = match a.insight {
            Insight::ChooseK { .. } => (
                format!("{} {v}", t.best_k),
                current.with_k(v as usize).filter(|m| *m != current),
            ),
            Insight::KDistance { .. } => {
                let eps = edit::round_for_link(v);
                let text = format!(
                    "{} {}",
                    t.suggested_eps,
                    crate::data::format::short(eps, panel.lang.get_untracked())
                );
                match current {
                    Method::Dbscan { min_points, .. } => {
                        (text, Some(Method::Dbscan { eps, min_points }))
                    }
                    _ => (text, None),
                }
            }
            Insight::Profiles | Insight::Outliers => return None,
        };
        Some(view! {
            <p data-testid="insight-suggestion">{text}" "
                {changed.map(|new| view! {
                    <button data-testid="insight-apply" on:click=move |_| {
                        let new = new.clone();
                        panel.step(i, true, move |s| if let Step::Cluster { method, .. } = s { *method = new })
                    }>{t.apply}</button>
                })}
            </p>
        })
    };
    let table = move || {
        let a = answer.get()?.ok()?;
        Some(view! {
            <div class="table-scroll">
                <table class="chart-data" data-testid="insight-table">
                    <caption>{format!("{} / {}", a.rows.len(), a.total)}</caption>
                    <thead><tr>{a.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>{a.rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                </table>
            </div>
        })
    };
    view! {
        <div class="form-row insight-buttons">
            <span class="muted">{move || t().explore}</span>
            {if outliers {
                view! {
                    <button data-testid="insight-outliers" disabled=move || busy.get()
                        on:click=move |_| ask(Insight::Outliers)>{move || t().outliers}</button>
                }.into_any()
            } else {
                view! {
                    <button data-testid="insight-choose-k" disabled=move || busy.get()
                        on:click=move |_| ask(Insight::ChooseK { from: 2, to: 10 })>{move || t().choose_k}</button>
                    <button data-testid="insight-k-distance" disabled=move || busy.get()
                        on:click=move |_| ask(Insight::KDistance { k: min_points() })>{move || t().k_distance}</button>
                    <button data-testid="insight-profiles" disabled=move || busy.get()
                        on:click=move |_| ask(Insight::Profiles)>{move || t().profiles}</button>
                }.into_any()
            }}
            {move || busy.get().then(|| view! {
                <span class="muted" role="status">{t().working}</span>
                " "
                <button class="small" data-testid="stop-insight" on:click=move |_| panel.lab.stop_work()>
                    {move || panel.t().stop}
                </button>
            })}
            {move || answer.get().is_some().then(|| view! {
                <button class="link" data-testid="insight-close" on:click=move |_| answer.set(None)>{t().close}</button>
            })}
        </div>
        {move || match answer.get() {
            Some(Err(e)) => Some(view! { <p class="notice error" role="alert" data-testid="insight-error">{e}</p> }.into_any()),
            Some(Ok(_)) => Some(view! {
                <div class="insight" data-testid="insight">
                    {summary}
                    {move || {
                        let said = answer.get()?.ok()?.sentences;
                        (!said.is_empty()).then(|| view! {
                            <ul class="findings" data-testid="cluster-sentences">
                                {said.into_iter().map(|s| view! { <li data-testid=if outliers { "outlier-sentence" } else { "cluster-sentence" }>{s}</li> }).collect_view()}
                            </ul>
                        })
                    }}
                    <div class="small-charts">
                        {charts().into_iter().enumerate().map(|(n, (dataset, spec))| view! {
                            <SmallChart lab=panel.lab dataset=dataset spec=Signal::derive(move || Some(spec.clone()))
                                context=context testid=["insight-chart-1", "insight-chart-2"][n.min(1)] />
                        }).collect_view()}
                    </div>
                    {table}
                </div>
            }.into_any()),
            None => None,
        }}
    }
}
