//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::text_field;

/// An unpivot: the columns that become rows, and the two new names.
#[component]
pub(crate) fn UnpivotForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Unpivot {
            columns,
            name,
            value,
        }) => (columns, name, value),
        _ => (Vec::new(), String::new(), String::new()),
    });
    let toggle = move |column: String, on: bool| {
        let order = schema.get_untracked();
        panel.step(i, true, |s| {
            if let Step::Unpivot { columns, .. } = s {
                columns.retain(|c| *c != column);
                if on {
                    columns.push(column.clone());
                    columns.sort_by_key(|c| {
                        order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX)
                    });
                }
            }
        })
    };
    let rename = move |which: bool, v: String| {
        panel.step(i, false, |s| {
            if let Step::Unpivot { name, value, .. } = s {
                if which {
                    *name = v.clone()
                } else {
                    *value = v.clone()
                }
            }
        })
    };
    view! {
        <div class="form-row checks">
            {move || schema.get().into_iter().map(|(n, t)| {
                let column = n.clone();
                let checked = parts.with(|p| p.0.contains(&n));
                view! {
                    <label class="check" title=t.to_string()>
                        <input type="checkbox" prop:checked=checked
                            on:change=move |e| toggle(column.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
        <div class="form-row">
            <span class="muted">{move || panel.t().name_into}</span>
            {text_field(panel, move || panel.t().name_into.to_string(), Signal::derive(move || parts.get().1), |a, b| a == b,
                move |v| rename(true, v), "unpivot-name")}
            <span class="muted">{move || panel.t().value_into}</span>
            {text_field(panel, move || panel.t().value_into.to_string(), Signal::derive(move || parts.get().2), |a, b| a == b,
                move |v| rename(false, v), "unpivot-value")}
        </div>
    }
}
