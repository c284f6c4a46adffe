//! The form of one step kind.

use leptos::prelude::*;

use crate::ml::agglomerative::Linkage;
use crate::ml::features::{ColumnScale, Features, Missing, RowScale};
use crate::recipe::Step;
use crate::recipe::edit;
use crate::recipe::learn::anomaly::{Flag, FlagKind, Scorer};
use crate::recipe::learn::{Method, MethodKind, Projection, ProjectionKind};
use crate::ui::analysis::insight::InsightPanel;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::{Label, LearnTexts, learn_texts};

pub(crate) const COMPONENTS: [u8; 3] = [1, 2, 3];

pub(crate) fn features_mut(step: &mut Step) -> Option<&mut Features> {
    match step {
        Step::Cluster { features, .. }
        | Step::Project { features, .. }
        | Step::Anomaly { features, .. } => Some(features),
        _ => None,
    }
}

/// A field of a cluster step's method: `get` shows it, `set` reads what
/// is typed into a new method (`None`: not a value, nothing changes).
pub(crate) fn method_field(
    panel: Panel,
    i: usize,
    method: Memo<Option<Method>>,
    label: &'static str,
    testid: &'static str,
    get: fn(&Method) -> Option<String>,
    set: fn(&Method, &str) -> Option<Method>,
) -> impl IntoView {
    let read = move |text: &str| method.get_untracked().and_then(|m| set(&m, text));
    view! {
        <span class="muted">{label}</span>
        {text_field(panel, move || label.to_string(),
            Signal::derive(move || method.get().as_ref().and_then(get).unwrap_or_default()),
            move |a, b| read(a) == read(b),
            move |v| if let Some(new) = read(&v) {
                panel.step(i, false, move |s| if let Step::Cluster { method, .. } = s { *method = new });
            },
            testid)}
    }
}

/// An anomaly step's scorer (the forest's trees, sample and seed), which
/// rows it flags, and the name of its score column.
fn anomaly_params(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let t = move || learn_texts(panel.lang.get());
    let scorer = Memo::new(move |_| match step.get() {
        Some(Step::Anomaly { method, .. }) => method,
        _ => Scorer::default(),
    });
    let flag = Memo::new(move |_| match step.get() {
        Some(Step::Anomaly { flag, .. }) => flag,
        _ => Flag::default(),
    });
    // A whole number of the forest: shown by `get`, written by `set`.
    let forest_field = move |label: fn(&LearnTexts) -> &'static str,
                             testid: &'static str,
                             get: fn((usize, usize, u64)) -> u64,
                             set: fn(&mut Scorer, u64)| {
        let label = move || label(t()).to_string();
        view! {
            <span class="muted">{label}</span>
            {text_field(panel, label,
                Signal::derive(move || get(scorer.get().forest()).to_string()),
                |a, b| a.trim() == b.trim(),
                move |v| if let Ok(n) = v.trim().parse::<u64>() {
                    panel.step(i, false, move |s| if let Step::Anomaly { method, .. } = s { set(method, n) })
                },
                testid)}
        }
    };
    let flag_label = move || match flag.get().kind() {
        FlagKind::Share => t().flag_share,
        FlagKind::Threshold => t().flag_threshold,
    };
    // Numbers too large for the platform become its largest, which the
    // step's check refuses with a message.
    fn whole(n: u64) -> usize {
        usize::try_from(n).unwrap_or(usize::MAX)
    }
    view! {
        <div class="form-row">
            {forest_field(|t| t.trees, "anomaly-trees", |f| f.0 as u64,
                |m, n| { let Scorer::IsolationForest { trees, .. } = m; *trees = whole(n) })}
            {forest_field(|t| t.sample, "anomaly-sample", |f| f.1 as u64,
                |m, n| { let Scorer::IsolationForest { sample, .. } = m; *sample = whole(n) })}
            {forest_field(|t| t.seed, "anomaly-seed", |f| f.2,
                |m, n| { let Scorer::IsolationForest { seed, .. } = m; *seed = n })}
        </div>
        <div class="form-row">
            {choice_select(move || t().flag.to_string(), "anomaly-flag", &FlagKind::ALL, move |k: FlagKind| k.label(panel.lang.get()),
                Signal::derive(move || flag.get().kind()),
                move |k| panel.step(i, true, move |s| if let Step::Anomaly { flag, .. } = s { *flag = flag.switch(k) }))}
            <span class="muted">{flag_label}</span>
            {text_field(panel, move || flag_label().to_string(),
                Signal::derive(move || flag.get().value().to_string()),
                |a, b| a.trim() == b.trim(),
                move |v| if let Ok(n) = v.trim().replace(',', ".").parse::<f64>() && n.is_finite() {
                    panel.step(i, false, move |s| if let Step::Anomaly { flag, .. } = s { *flag = flag.with_value(n) })
                },
                "anomaly-flag-value")}
            <span class="muted">{move || t().name}</span>
            {text_field(panel, move || t().name.to_string(),
                Signal::derive(move || match step.get() { Some(Step::Anomaly { name, .. }) => name, _ => String::new() }),
                |a, b| a == b,
                move |v| panel.step(i, false, |s| if let Step::Anomaly { name, .. } = s { *name = v.clone() }),
                "anomaly-name")}
        </div>
    }
}

/// A cluster, project or anomaly step: the features (number columns, missing
/// values, scaling of columns and rows), then the method and its
/// parameters, or the number of components.
#[component]
pub(crate) fn LearnForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let t = move || learn_texts(panel.lang.get());
    let features = Memo::new(move |_| {
        step.get()
            .as_mut()
            .and_then(features_mut)
            .map(|f| f.clone())
            .unwrap_or_default()
    });
    let set = move |change: Box<dyn FnOnce(&mut Features)>| {
        panel.step(i, true, move |s| {
            if let Some(f) = features_mut(s) {
                change(f)
            }
        })
    };
    let toggle = move |column: String, on: bool| {
        let order = schema.get_untracked();
        set(Box::new(move |f| {
            f.columns.retain(|c| *c != column);
            if on {
                f.columns.push(column.clone());
                f.columns
                    .sort_by_key(|c| order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX));
            }
        }))
    };
    let cluster = move || matches!(step.get(), Some(Step::Cluster { .. }));
    let anomaly = move || matches!(step.get(), Some(Step::Anomaly { .. }));
    let projection = Memo::new(move |_| match step.get() {
        Some(Step::Project { method, .. }) => method,
        _ => Projection::Pca,
    });
    let method = Memo::new(move |_| match step.get() {
        Some(Step::Cluster { method, .. }) => Some(method),
        _ => None,
    });
    let method_params = move || {
        let t = t();
        let k = method.get().and_then(|m| m.k()).map(|_| {
            method_field(
                panel,
                i,
                method,
                t.k,
                "cluster-k",
                |m| m.k().map(|k| k.to_string()),
                |m, v| v.trim().parse::<usize>().ok().and_then(|k| m.with_k(k)),
            )
        });
        let seed = method.get().and_then(|m| m.seed()).map(|_| {
            method_field(
                panel,
                i,
                method,
                t.seed,
                "cluster-seed",
                |m| m.seed().map(|s| s.to_string()),
                |m, v| v.trim().parse::<u64>().ok().and_then(|s| m.with_seed(s)),
            )
        });
        let detail = match method.get() {
            Some(Method::Dbscan { .. }) => view! {
                {method_field(panel, i, method, t.eps, "cluster-eps",
                    |m| match m { Method::Dbscan { eps, .. } => Some(eps.to_string()), _ => None },
                    |m, v| match (m, v.trim().replace(',', ".").parse::<f64>()) {
                        (Method::Dbscan { min_points, .. }, Ok(eps)) if eps.is_finite() => Some(Method::Dbscan { eps, min_points: *min_points }),
                        _ => None,
                    })}
                {method_field(panel, i, method, t.min_points, "cluster-min-points",
                    |m| match m { Method::Dbscan { min_points, .. } => Some(min_points.to_string()), _ => None },
                    |m, v| match (m, v.trim().parse::<usize>()) {
                        (Method::Dbscan { eps, .. }, Ok(min_points)) => Some(Method::Dbscan { eps: *eps, min_points }),
                        _ => None,
                    })}
            }.into_any(),
            Some(Method::Agglomerative { .. }) => choice_select(move || t.linkage.to_string(), "cluster-linkage", &Linkage::ALL,
                move |l: Linkage| l.label(panel.lang.get()),
                Signal::derive(move || match method.get() { Some(Method::Agglomerative { linkage, .. }) => linkage, _ => Linkage::Ward }),
                move |l| panel.step(i, true, move |s| if let Step::Cluster { method: Method::Agglomerative { linkage, .. }, .. } = s { *linkage = l })).into_any(),
            _ => ().into_any(),
        };
        view! { {k} {seed} {detail} }
    };
    view! {
        <div class="form-row"><span class="muted">{move || t().features}</span></div>
        <div class="form-row checks">
            {move || schema.get().into_iter().filter(|(_, ty)| ty.is_number()).map(|(n, ty)| {
                let column = n.clone();
                let checked = features.with(|f| f.columns.contains(&n));
                view! {
                    <label class="check" title=ty.to_string()>
                        <input type="checkbox" data-testid="feature" prop:checked=checked
                            on:change=move |e| toggle(column.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
        <div class="form-row">
            {choice_select(move || t().missing.to_string(), "features-missing", &Missing::ALL, move |m: Missing| m.label(panel.lang.get()),
                Signal::derive(move || features.get().missing), move |m| set(Box::new(move |f| f.missing = m)))}
            {choice_select(move || t().scale.to_string(), "features-scale", &ColumnScale::ALL, move |c: ColumnScale| c.label(panel.lang.get()),
                Signal::derive(move || features.get().scale), move |m| set(Box::new(move |f| f.scale = m)))}
            {choice_select(move || t().row_scale.to_string(), "features-row-scale", &RowScale::ALL, move |r: RowScale| r.label(panel.lang.get()),
                Signal::derive(move || features.get().row_scale), move |m| set(Box::new(move |f| f.row_scale = m)))}
        </div>
        <Show when=cluster>
            <div class="form-row">
                {choice_select(move || t().method.to_string(), "cluster-method", &MethodKind::ALL, move |m: MethodKind| m.label(panel.lang.get()),
                    Signal::derive(move || method.get().map_or(MethodKind::KMeans, |m| m.kind())),
                    move |m| panel.step(i, true, move |s| if let Step::Cluster { method, .. } = s {
                        *method = method.switch(m);
                    }))}
                {method_params}
                <span class="muted">{move || t().name}</span>
                {text_field(panel, move || t().name.to_string(),
                    Signal::derive(move || match step.get() { Some(Step::Cluster { name, .. }) => name, _ => String::new() }),
                    |a, b| a == b,
                    move |v| panel.step(i, false, |s| if let Step::Cluster { name, .. } = s { *name = v.clone() }),
                    "cluster-name")}
            </div>
            <InsightPanel panel=panel i=i method=method />
        </Show>
        <Show when=anomaly>
            {anomaly_params(panel, i, step)}
            <InsightPanel panel=panel i=i method=method outliers=true />
        </Show>
        <Show when=move || !cluster() && !anomaly()>
            <div class="form-row">
                {choice_select(move || t().projection.to_string(), "project-method", &ProjectionKind::ALL, move |p: ProjectionKind| p.label(panel.lang.get()),
                    Signal::derive(move || projection.get().kind()),
                    move |kind| panel.step(i, true, move |s| edit::switch_projection(s, kind)))}
                {move || match projection.get() {
                    Projection::Tsne { .. } => Some(view! {
                        <span class="muted">{move || t().perplexity}</span>
                        {text_field(panel, move || t().perplexity.to_string(),
                            Signal::derive(move || match projection.get() { Projection::Tsne { perplexity, .. } => perplexity.to_string(), _ => String::new() }),
                            |a, b| a == b,
                            move |v| if let Ok(p) = v.trim().replace(',', ".").parse::<f64>() {
                                panel.step(i, false, move |s| if let Step::Project { method: Projection::Tsne { perplexity, .. }, .. } = s { *perplexity = p })
                            },
                            "project-perplexity")}
                    }),
                    Projection::Pca => None,
                }}
                {choice_select(move || t().components.to_string(), "project-components", &COMPONENTS, |n: u8| ["1", "2", "3"][usize::from(n.clamp(1, 3)) - 1],
                    Signal::derive(move || match step.get() { Some(Step::Project { components, .. }) => components, _ => 2 }),
                    move |c| panel.step(i, true, move |s| if let Step::Project { components, .. } = s { *components = c }))}
                <span class="muted">{move || t().prefix}</span>
                {text_field(panel, move || t().prefix.to_string(),
                    Signal::derive(move || match step.get() { Some(Step::Project { prefix, .. }) => prefix, _ => String::new() }),
                    |a, b| a == b,
                    move |v| panel.step(i, false, |s| if let Step::Project { prefix, .. } = s { *prefix = v.clone() }),
                    "project-prefix")}
            </div>
        </Show>
    }
}
