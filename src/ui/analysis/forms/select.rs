//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::ui::analysis::panel::Panel;

#[component]
pub(crate) fn SelectForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let chosen = move || match step.get() {
        Some(Step::Select { columns }) => columns,
        _ => Vec::new(),
    };
    let toggle = move |name: String, on: bool| {
        let order = schema.get_untracked();
        panel.step(i, true, |s| {
            if let Step::Select { columns } = s {
                columns.retain(|c| *c != name);
                if on {
                    columns.push(name.clone());
                    // Keep the table's order among those chosen from it.
                    columns.sort_by_key(|c| {
                        order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX)
                    });
                }
            }
        })
    };
    view! {
        <div class="form-row checks">
            {move || schema.get().into_iter().map(|(n, t)| {
                let name = n.clone();
                let checked = chosen().contains(&n);
                view! {
                    <label class="check" title=t.to_string()>
                        <input type="checkbox" prop:checked=checked
                            on:change=move |e| toggle(name.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}
