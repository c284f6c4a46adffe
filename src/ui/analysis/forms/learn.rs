//! The form of one step kind.

use leptos::prelude::*;

use crate::ml::agglomerative::Linkage;
use crate::ml::features::{ColumnScale, Features, Missing, RowScale};
use crate::recipe::Step;
use crate::recipe::edit;
use crate::recipe::learn::anomaly::{Flag, FlagKind, Scorer, ScorerKind, Training};
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

/// The training of an autoencoder step (anomaly or project), if it is one.
fn training_mut(step: &mut Step) -> Option<&mut Training> {
    match step {
        Step::Anomaly {
            method: Scorer::Autoencoder(t),
            ..
        }
        | Step::Project {
            method: Projection::Autoencoder(t),
            ..
        } => Some(t),
        _ => None,
    }
}

/// A number field of a learning step, shown while `get` gives a value:
/// `set` writes what is typed into the step (text that is not a number of
/// the field's kind changes nothing; a number out of range gets the
/// step's message).
fn step_field(
    panel: Panel,
    i: usize,
    step: Memo<Option<Step>>,
    label: fn(&LearnTexts) -> &'static str,
    testid: &'static str,
    get: fn(&mut Step) -> Option<String>,
    set: fn(&mut Step, &str),
) -> impl IntoView {
    let t = move || learn_texts(panel.lang.get());
    let label = move || label(t()).to_string();
    let value = Memo::new(move |_| step.get().as_mut().and_then(get));
    view! {
        <Show when=move || value.with(Option::is_some)>
            <span class="muted">{label}</span>
            {text_field(panel, label,
                Signal::derive(move || value.get().unwrap_or_default()),
                |a, b| a.trim() == b.trim(),
                move |v| panel.step(i, false, move |s| set(s, &v)),
                testid)}
        </Show>
    }
}

/// A whole number typed in a field; too large for the platform becomes
/// its largest, which the step's check refuses with a message.
fn whole(text: &str) -> Option<usize> {
    let n = text.trim().parse::<u64>().ok()?;
    Some(usize::try_from(n).unwrap_or(usize::MAX))
}

/// A finite number typed in a field, with a comma or a point.
fn decimal(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// An autoencoder's epochs, learning rate and seed.
fn training_fields(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    view! {
        {step_field(panel, i, step, |t| t.epochs, "autoencoder-epochs",
            |s| training_mut(s).map(|t| t.epochs.to_string()),
            |s, v| if let (Some(t), Some(n)) = (training_mut(s), whole(v)) { t.epochs = n })}
        {step_field(panel, i, step, |t| t.learning_rate, "autoencoder-rate",
            |s| training_mut(s).map(|t| t.learning_rate.to_string()),
            |s, v| if let (Some(t), Some(r)) = (training_mut(s), decimal(v)) { t.learning_rate = r })}
        {step_field(panel, i, step, |t| t.seed, "autoencoder-seed",
            |s| training_mut(s).map(|t| t.seed.to_string()),
            |s, v| if let (Some(t), Ok(n)) = (training_mut(s), v.trim().parse::<u64>()) { t.seed = n })}
    }
}

/// An anomaly step's scorer and its parameters (an isolation forest's
/// trees, sample and seed, or an autoencoder's training), which rows it
/// flags, and the name of its score column.
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
    let flag_label = move || match flag.get().kind() {
        FlagKind::Share => t().flag_share,
        FlagKind::Threshold => t().flag_threshold,
    };
    fn forest(step: &mut Step) -> Option<(&mut usize, &mut usize, &mut u64)> {
        match step {
            Step::Anomaly {
                method:
                    Scorer::IsolationForest {
                        trees,
                        sample,
                        seed,
                    },
                ..
            } => Some((trees, sample, seed)),
            _ => None,
        }
    }
    view! {
        <div class="form-row">
            {choice_select(move || t().method.to_string(), "anomaly-method", &ScorerKind::ALL, move |k: ScorerKind| k.label(panel.lang.get()),
                Signal::derive(move || scorer.get().kind()),
                move |k| panel.step(i, true, move |s| if let Step::Anomaly { method, flag, .. } = s {
                    *method = method.switch(k);
                    // A threshold is on the scale of the method's scores.
                    if flag.kind() == FlagKind::Threshold {
                        *flag = Flag::default();
                    }
                }))}
            {step_field(panel, i, step, |t| t.trees, "anomaly-trees",
                |s| forest(s).map(|f| f.0.to_string()),
                |s, v| if let (Some(f), Some(n)) = (forest(s), whole(v)) { *f.0 = n })}
            {step_field(panel, i, step, |t| t.sample, "anomaly-sample",
                |s| forest(s).map(|f| f.1.to_string()),
                |s, v| if let (Some(f), Some(n)) = (forest(s), whole(v)) { *f.1 = n })}
            {step_field(panel, i, step, |t| t.seed, "anomaly-seed",
                |s| forest(s).map(|f| f.2.to_string()),
                |s, v| if let (Some(f), Ok(n)) = (forest(s), v.trim().parse::<u64>()) { *f.2 = n })}
            {training_fields(panel, i, step)}
        </div>
        <div class="form-row">
            {choice_select(move || t().flag.to_string(), "anomaly-flag", &FlagKind::ALL, move |k: FlagKind| k.label(panel.lang.get()),
                Signal::derive(move || flag.get().kind()),
                move |k| panel.step(i, true, move |s| if let Step::Anomaly { flag, method, .. } = s {
                    *flag = flag.switch(k);
                    // An autoencoder's errors have no fixed scale: start at 0.
                    if let (Flag::Threshold(_), Scorer::Autoencoder(_)) = (&flag, method) {
                        *flag = Flag::Threshold(0.0);
                    }
                }))}
            <span class="muted">{flag_label}</span>
            {text_field(panel, move || flag_label().to_string(),
                Signal::derive(move || flag.get().value().to_string()),
                |a, b| a.trim() == b.trim(),
                move |v| if let Some(n) = decimal(&v) {
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
                    move |kind| panel.edit(true, move |r| edit::switch_projection_at(r, i, kind)))}
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
                    Projection::Pca | Projection::Autoencoder(_) | Projection::Umap { .. } => None,
                }}
                {step_field(panel, i, step, |t| t.neighbours, "project-neighbours",
                    |s| match s { Step::Project { method: Projection::Umap { neighbours, .. }, .. } => Some(neighbours.to_string()), _ => None },
                    |s, v| if let (Step::Project { method: Projection::Umap { neighbours, .. }, .. }, Some(n)) = (s, whole(v)) { *neighbours = n })}
                {step_field(panel, i, step, |t| t.seed, "project-seed",
                    |s| match s { Step::Project { method: Projection::Umap { seed, .. } | Projection::Tsne { seed, .. }, .. } => Some(seed.to_string()), _ => None },
                    |s, v| if let (Step::Project { method: Projection::Umap { seed, .. } | Projection::Tsne { seed, .. }, .. }, Ok(n)) = (s, v.trim().parse::<u64>()) { *seed = n })}
                {training_fields(panel, i, step)}
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
