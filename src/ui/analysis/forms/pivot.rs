//! The form of one step kind.

use leptos::prelude::*;

use crate::engine::protocol::{Request, Response};
use crate::ops::group::Aggregate;
use crate::recipe::Step;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::split_list;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::Label;

/// An edit of a pivot's index, column, values, keys and aggregate.
pub(crate) type PivotChange<'a> =
    dyn Fn(&mut Vec<String>, &mut String, &mut String, &mut Vec<String>, &mut Aggregate) + 'a;

/// A pivot: rows per index, a column per listed value.
#[component]
pub(crate) fn PivotForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Pivot {
            index,
            column,
            values,
            keys,
            aggregate,
        }) => Some((index, column, values, keys, aggregate)),
        _ => None,
    });
    let Some((initial_index, _, _, initial_keys, _)) = parts.get_untracked() else {
        return ().into_any();
    };
    let change = move |push: bool, f: &PivotChange<'_>| {
        let apply = |s: &mut Step| {
            if let Step::Pivot {
                index,
                column,
                values,
                keys,
                aggregate,
            } = s
            {
                f(index, column, values, keys, aggregate);
            }
        };
        panel.step(i, push, apply);
    };
    let problem = RwSignal::new(None::<String>);
    // Fills the new columns with the values of the pivoted column.
    let fill = move |push: bool| {
        let (Ok(recipe), Some((_, column, ..))) =
            (panel.recipe.get_untracked(), parts.get_untracked())
        else {
            return;
        };
        let request = Request::Distinct {
            recipe,
            step: i,
            column,
            limit: 200,
        };
        panel.lab.ask(&request, move |response| match response {
            _ if problem.is_disposed() => {}
            Response::Distinct { values, more } => {
                problem.set(more.then(|| format!("{} …", values.len())));
                if push {
                    change(true, &|_, _, _, k, _| *k = values.clone());
                } else {
                    panel.edit(false, |r| {
                        if let Some(Step::Pivot { keys, .. }) = r.steps.get_mut(i) {
                            *keys = values.clone();
                        }
                    });
                }
            }
            Response::Error { message } => problem.set(Some(message)),
            _ => {}
        });
    };
    if initial_keys.is_empty() {
        fill(false);
    }
    let key = move |n: usize| {
        view! {
            <span class="group-key">
                {column_select(panel, move || panel.t().one_row_per.to_string(), "pivot-index", schema,
                    Signal::derive(move || parts.get().and_then(|p| p.0.get(n).cloned()).unwrap_or_default()),
                    move |c| change(true, &|x, _, _, _, _| if let Some(v) = x.get_mut(n) { *v = c.clone() }))}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|x, _, _, _, _| if n < x.len() { x.remove(n); })>"✕"</button>
            </span>
        }
    };
    let add_key = move |_| {
        let pick = schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        change(true, &|x, _, _, _, _| x.push(pick.clone()))
    };
    let aggregate = Signal::derive(move || parts.get().map_or(Aggregate::Sum, |p| p.4));
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().one_row_per}</span>
            {(0..initial_index.len()).map(key).collect_view()}
            <button class="small" on:click=add_key>{move || panel.t().add_group}</button>
        </div>
        <div class="form-row">
            <span class="muted">{move || panel.t().pivot_column}</span>
            {column_select(panel, move || panel.t().pivot_column.to_string(), "pivot-column", schema,
                Signal::derive(move || parts.get().map(|p| p.1).unwrap_or_default()),
                move |c| {
                    change(true, &|_, column, _, _, _| *column = c.clone());
                    fill(false);
                })}
            {choice_select(move || panel.t().measures.to_string(), "pivot-aggregate", &Aggregate::PIVOT,
                move |a: Aggregate| a.label(panel.lang.get()),
                aggregate,
                move |a| change(true, &|_, _, _, _, x| *x = a))}
            <span class="muted">{move || panel.t().pivot_values}</span>
            {column_select(panel, move || panel.t().pivot_values.to_string(), "pivot-values", schema,
                Signal::derive(move || parts.get().map(|p| p.2).unwrap_or_default()),
                move |c| change(true, &|_, _, values, _, _| *values = c.clone()))}
        </div>
        <div class="form-row">
            <label class="field grow">
                <span class="muted">{move || panel.t().new_columns}</span>
                {text_field(panel, move || panel.t().new_columns.to_string(),
                    Signal::derive(move || parts.get().map(|p| p.3.join("; ")).unwrap_or_default()),
                    |a, b| split_list(a) == split_list(b),
                    move |v| change(false, &|_, _, _, keys, _| *keys = split_list(&v)),
                    "pivot-keys")}
            </label>
            <button class="small" data-testid="pivot-fill" on:click=move |_| fill(true)>{move || panel.t().all_values}</button>
            {move || problem.get().map(|p| view! { <span class="muted">{p}</span> })}
        </div>
    }
    .into_any()
}
