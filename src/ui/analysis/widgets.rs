//! The form fields the step forms share.

use leptos::prelude::*;

use crate::recipe::plan::Schema;
use crate::ui::analysis::panel::Panel;
use crate::ui::i18n::Label;

/// A `<select>` of columns of `schema`, showing `value` (also when it is
/// not among them: the error below says so).
pub(crate) fn column_select(
    panel: Panel,
    label: impl Fn() -> String + Send + Sync + 'static,
    testid: &'static str,
    schema: Signal<Schema>,
    value: Signal<String>,
    on_pick: impl Fn(String) + 'static,
) -> impl IntoView {
    let options = move || {
        let current = value.get();
        let list = schema.get();
        let lang = panel.lang.get();
        // A chosen column the table lacks comes first, said to be missing.
        let gone = (!current.is_empty() && !list.iter().any(|(n, _)| *n == current)).then(|| {
            view! { <option value=current.clone() selected=true>{format!("{current} · {}", panel.t().missing)}</option> }
        });
        let present = list
            .into_iter()
            .map(|(n, t)| {
                let selected = n == current;
                // A short type word; the Arrow type in the tooltip.
                view! { <option value=n.clone() selected=selected title=t.to_string()>{format!("{n} · {}", t.word().label(lang))}</option> }
            })
            .collect_view();
        view! { {gone} {present} }
    };
    view! {
        <select
            aria-label=label
            data-testid=testid
            prop:value=move || value.get()
            on:change=move |e| on_pick(event_target_value(&e))
        >
            {options}
        </select>
    }
}

/// A `<select>` of fixed choices, each shown as `labels(choice)`.
pub(crate) fn choice_select<T: Copy + PartialEq + Send + Sync + 'static>(
    label: impl Fn() -> String + Send + Sync + 'static,
    testid: &'static str,
    choices: &'static [T],
    labels: impl Fn(T) -> &'static str + Copy + Send + Sync + 'static,
    value: Signal<T>,
    on_pick: impl Fn(T) + 'static,
) -> impl IntoView {
    view! {
        <select
            aria-label=label
            data-testid=testid
            on:change=move |e| {
                if let Some(choice) = event_target_value(&e).parse::<usize>().ok().and_then(|n| choices.get(n)) {
                    on_pick(*choice);
                }
            }
        >
            {move || {
                let current = value.get();
                choices
                    .iter()
                    .enumerate()
                    .map(|(n, c)| view! { <option value=n.to_string() selected=*c == current>{labels(*c)}</option> })
                    .collect_view()
            }}
        </select>
    }
}

/// A text field bound to `value`, which keeps what the visitor typed
/// while it means the same (`same`), so that `12,` is not rewritten to
/// `12` under the cursor.
pub(crate) fn text_field(
    panel: Panel,
    label: impl Fn() -> String + Send + Sync + 'static,
    value: Signal<String>,
    same: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    on_type: impl Fn(String) + 'static,
    testid: &'static str,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Input>::new();
    let shown = move || {
        let wanted = value.get();
        match node.get_untracked() {
            Some(input) if same(&input.value(), &wanted) => input.value(),
            _ => wanted,
        }
    };
    view! {
        <input
            type="text"
            node_ref=node
            aria-label=label
            data-testid=testid
            prop:value=shown
            on:input=move |e| on_type(event_target_value(&e))
            on:change=move |_| panel.done_typing()
            on:blur=move |_| panel.done_typing()
        />
    }
}

/// The datasets of the catalog as `<option>`s, `current` selected.
pub(crate) fn dataset_options(
    panel: Panel,
    current: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let current = current();
        let lang = panel.lang.get();
        panel.catalog.get().map(|c| {
            c.datasets
                .iter()
                .map(|d| {
                    view! {
                        <option value=d.id.clone() selected=d.id == current>{d.title.get(lang).to_string()}</option>
                    }
                })
                .collect_view()
        })
    }
}

/// A `;`-separated list, trimmed, without empty entries.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}
