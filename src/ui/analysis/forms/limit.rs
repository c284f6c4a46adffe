//! The form of one step kind.

use leptos::prelude::*;

use crate::recipe::Step;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::text_field;

#[component]
pub(crate) fn LimitForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let get = move || match step.get() {
        Some(Step::Limit { rows }) => rows.to_string(),
        _ => String::new(),
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().first_rows}</span>
            {text_field(panel, move || panel.t().first_rows.to_string(), Signal::derive(get),
                |a, b| a.trim().parse::<u64>().ok() == b.trim().parse::<u64>().ok(),
                move |v| {
                    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                    if let Ok(n) = digits.parse::<u64>() {
                        panel.step(i, false, |s| if let Step::Limit { rows } = s { *rows = n });
                    }
                },
                "limit-rows")}
        </div>
    }
}
