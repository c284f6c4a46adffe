//! The chart's settings, which are part of the recipe: its kind, the
//! columns on each axis, colour, size, label and value, the title, the
//! article's furniture (subtitle, note, highlight, the first annotation,
//! values on bars), and stacking and log axes where the kind has them.

use leptos::prelude::*;

use crate::data::Lang;
use crate::recipe::edit;
use crate::recipe::plan::Schema;
use crate::recipe::{ChartKind, ChartSpec};
use crate::ui::i18n::{ChartTexts, Label, chart_texts};

/// Text with only spaces is no text.
fn some(v: String) -> Option<String> {
    (!v.trim().is_empty()).then_some(v)
}

/// The settings form; each change is a new spec for `on_spec`.
#[component]
pub fn ChartSettings(
    lang: RwSignal<Lang>,
    spec: Signal<ChartSpec>,
    schema: Signal<Schema>,
    on_spec: Callback<ChartSpec>,
) -> impl IntoView {
    let t = move || chart_texts(lang.get());
    let columns = move |numbers_only: bool| {
        schema
            .get()
            .into_iter()
            .filter(move |(_, t)| !numbers_only || t.is_number())
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
    let text = move |label: &'static str,
                     testid: &'static str,
                     placeholder: &'static str,
                     get: fn(&ChartSpec) -> String,
                     set: fn(&mut ChartSpec, String)| {
        view! {
            <label class="field">
                <span class="muted">{label}</span>
                <input type="text" data-testid=testid aria-label=label placeholder=placeholder
                    prop:value=move || get(&spec.get())
                    on:change=move |e| {
                        let mut s = spec.get_untracked();
                        set(&mut s, event_target_value(&e));
                        on_spec.run(s);
                    } />
            </label>
        }
    };
    let kind = move || spec.get().kind;
    move || {
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
                            on_spec.run(edit::chart_columns(s, &schema.get_untracked()));
                        }
                    }>
                        {ChartKind::ALL.iter().enumerate().map(|(n, c)| view! { <option value=n.to_string() selected=*c == k>{c.label(lang.get())}</option> }).collect_view()}
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
                    {text(t.subtitle, "chart-subtitle", "", |s| s.subtitle.clone().unwrap_or_default(), |s, v| s.subtitle = some(v))}
                    {text(t.note, "chart-note", "", |s| s.note.clone().unwrap_or_default(), |s, v| s.note = some(v))}
                    {matches!(k, ChartKind::Bar | ChartKind::Line).then(|| text(t.highlight, "chart-highlight", t.highlight_hint, |s| s.highlight.join(", "), |s, v| s.highlight = edit::list(&v)))}
                    {(k != ChartKind::Heatmap).then(|| text(t.annotation_at, "chart-annotation-at", t.annotation_at_hint, |s| edit::first_annotation(s).0, |s, v| edit::set_first_annotation(s, Some(v), None)))}
                    {(k != ChartKind::Heatmap).then(|| text(t.annotation, "chart-annotation", "", |s| edit::first_annotation(s).1, |s, v| edit::set_first_annotation(s, None, Some(v))))}
                    {(k == ChartKind::Bar).then(|| flag(t.values, "chart-values", |s| s.values, |s, v| s.values = v))}
                    {(k == ChartKind::Bar).then(|| flag(t.stacked, "chart-stacked", |s| s.stacked, |s, v| s.stacked = v))}
                    {matches!(k, ChartKind::Scatter | ChartKind::Line | ChartKind::Histogram).then(|| flag(t.log_x, "chart-log-x", |s| s.log_x, |s, v| s.log_x = v))}
                    {matches!(k, ChartKind::Scatter | ChartKind::Line).then(|| flag(t.log_y, "chart-log-y", |s| s.log_y, |s, v| s.log_y = v))}
                })}
            </div>
        }
    }
}
