//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::recipe::edit::{self};
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::dataset_options;

/// A union: the dataset whose rows are appended.
#[component]
pub(crate) fn UnionForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let current = move || {
        let Some(Step::Union { input }) = step.get() else {
            return String::new();
        };
        panel
            .recipe
            .with(|r| {
                r.as_ref().ok().and_then(|r| {
                    r.inputs
                        .iter()
                        .find(|x| x.name == input)
                        .map(|x| x.dataset.clone())
                })
            })
            .unwrap_or_default()
    };
    let pick = move |id: String| {
        let Some(catalog) = panel.catalog.get_untracked() else {
            return;
        };
        if let Some(d) = catalog.dataset(&id).cloned() {
            panel.edit(true, |r| edit::set_union_dataset(r, i, &d));
        }
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().append_rows_of}</span>
            <select aria-label=move || panel.t().append_rows_of data-testid="union-dataset"
                on:change=move |e| pick(event_target_value(&e))>
                {dataset_options(panel, current)}
            </select>
        </div>
    }
}
