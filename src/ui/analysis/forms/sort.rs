//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::recipe::edit::StepKind;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::column_select;
use crate::ui::i18n::Label;

#[component]
pub(crate) fn SortForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let get = move || match step.get() {
        Some(Step::Sort { column, descending }) => (column, descending),
        _ => (String::new(), false),
    };
    let change = move |f: &dyn Fn(&mut String, &mut bool)| {
        panel.step(i, true, |s| {
            if let Step::Sort { column, descending } = s {
                f(column, descending);
            }
        })
    };
    view! {
        <div class="form-row">
            {column_select(panel, move || StepKind::Sort.label(panel.lang.get()).to_string(), "sort-column", schema, Signal::derive(move || get().0),
                move |c| change(&|col, _| *col = c.clone()))}
            <label class="check">
                <input type="checkbox" data-testid="sort-descending" prop:checked=move || get().1
                    on:change=move |e| { let on = event_target_checked(&e); change(&|_, d| *d = on) } />
                {move || panel.t().descending}
            </label>
        </div>
    }
}
