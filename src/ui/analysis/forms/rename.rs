//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::recipe::edit::StepKind;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::Label;

#[component]
pub(crate) fn RenameForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let get = move || match step.get() {
        Some(Step::Rename { from, to }) => (from, to),
        _ => (String::new(), String::new()),
    };
    view! {
        <div class="form-row">
            {column_select(panel, move || StepKind::Rename.label(panel.lang.get()).to_string(), "rename-from", schema, Signal::derive(move || get().0),
                move |c| panel.step(i, true, |s| if let Step::Rename { from, .. } = s { *from = c.clone() }))}
            " → "
            {text_field(panel, move || panel.t().new_name.to_string(), Signal::derive(move || get().1), |a, b| a == b,
                move |v| panel.step(i, false, |s| if let Step::Rename { to, .. } = s { *to = v.clone() }),
                "rename-to")}
        </div>
    }
}
