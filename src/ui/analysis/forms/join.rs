//! The form of one step kind.

use leptos::prelude::*;

use crate::data::schema::ColumnType;
use crate::ops::join::JoinKind;
use crate::ops::keys::Normalize;
use crate::recipe::Step;
use crate::recipe::edit::{self};
use crate::recipe::plan::Schema;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::dataset_options;
use crate::ui::i18n::Label;

/// A join: the dataset, the kind, the key pairs and their comparison.
#[component]
pub(crate) fn JoinForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let left = panel.input_schema(i);
    let spec = Memo::new(move |_| match step.get() {
        Some(Step::Join { input, spec }) => Some((input, spec)),
        _ => None,
    });
    // The joined input's dataset and its schema, from the catalog.
    let dataset = Memo::new(move |_| {
        let (input, _) = spec.get()?;
        let recipe = panel.recipe.get().ok()?;
        recipe.inputs.iter().find(|x| x.name == input).cloned()
    });
    let right = Signal::derive(move || {
        let (Some(input), Some(catalog)) = (dataset.get(), panel.catalog.get()) else {
            return Schema::new();
        };
        catalog
            .dataset(&input.dataset)
            .and_then(|d| d.version(&input.sha256))
            .map(|v| {
                v.columns
                    .iter()
                    .map(|c| (c.name.clone(), ColumnType::from(c.data_type.as_str())))
                    .collect()
            })
            .unwrap_or_default()
    });
    let change = move |f: &dyn Fn(&mut crate::ops::join::JoinSpec)| {
        panel.step(i, true, |s| {
            if let Step::Join { spec, .. } = s {
                f(spec);
            }
        })
    };
    let pick_dataset = move |id: String| {
        let (Some(catalog), schema) = (panel.catalog.get_untracked(), left.get_untracked()) else {
            return;
        };
        if let Some(d) = catalog.dataset(&id) {
            let d = d.clone();
            panel.edit(true, |r| edit::set_join_dataset(r, i, &schema, &d));
        }
    };
    let pairs = spec.get_untracked().map_or(0, |(_, s)| s.left_on.len());
    let pair = move |n: usize| {
        let side = move |right_side: bool| {
            Signal::derive(move || {
                spec.get()
                    .and_then(|(_, s)| {
                        let list = if right_side { s.right_on } else { s.left_on };
                        list.get(n).cloned()
                    })
                    .unwrap_or_default()
            })
        };
        view! {
            <div class="form-row key-pair" data-testid="key-pair">
                <span class="muted">{move || panel.t().key_pair}</span>
                {column_select(panel, move || format!("{} {}", panel.t().key_pair, n + 1), "key-left", left, side(false),
                    move |c| change(&|s| if let Some(x) = s.left_on.get_mut(n) { *x = c.clone() }))}
                " = "
                {column_select(panel, move || format!("{} {}", panel.t().key_pair, n + 1), "key-right", right, side(true),
                    move |c| change(&|s| if let Some(x) = s.right_on.get_mut(n) { *x = c.clone() }))}
                {(n > 0).then(|| view! {
                    <button class="small" aria-label=move || panel.t().remove on:click=move |_| change(&|s| {
                        if n < s.left_on.len() { s.left_on.remove(n); }
                        if n < s.right_on.len() { s.right_on.remove(n); }
                    })>"✕"</button>
                })}
            </div>
        }
    };
    let add_pair = move |_| {
        let (l, r) = (left.get_untracked(), right.get_untracked());
        change(&|s| {
            let next = l
                .iter()
                .find(|(n, _)| !s.left_on.contains(n) && r.iter().any(|(m, _)| m == n));
            let name = next.map(|(n, _)| n.clone());
            s.left_on.push(
                name.clone()
                    .or_else(|| l.first().map(|c| c.0.clone()))
                    .unwrap_or_default(),
            );
            s.right_on.push(
                name.or_else(|| r.first().map(|c| c.0.clone()))
                    .unwrap_or_default(),
            );
        })
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().with_dataset}</span>
            <select aria-label=move || panel.t().with_dataset data-testid="join-dataset"
                on:change=move |e| pick_dataset(event_target_value(&e))>
                {dataset_options(panel, move || dataset.get().map(|d| d.dataset).unwrap_or_default())}
            </select>
            {choice_select(
                move || panel.t().join_kind.to_string(),
                "join-kind",
                &JoinKind::ALL,
                move |k: JoinKind| k.label(panel.lang.get()),
                Signal::derive(move || spec.get().map_or(JoinKind::Inner, |(_, s)| s.kind)),
                move |k| change(&|s| s.kind = k),
            )}
        </div>
        {(0..pairs).map(pair).collect_view()}
        <div class="form-row">
            <button class="small" on:click=add_pair>{move || panel.t().add_key}</button>
            <span class="muted">{move || panel.t().compare_keys}</span>
            {choice_select(
                move || panel.t().compare_keys.to_string(),
                "join-normalize",
                &Normalize::ALL,
                move |k: Normalize| k.label(panel.lang.get()),
                Signal::derive(move || spec.get().map_or(Normalize::Exact, |(_, s)| s.normalize)),
                move |k| change(&|s| s.normalize = k),
            )}
        </div>
    }
}
