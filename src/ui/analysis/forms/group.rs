//! The form of one step kind.

use leptos::prelude::*;

use crate::ops::group::{Aggregate, Measure};
use crate::recipe::Step;
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::Label;

/// A group-by: key columns and measures.
#[component]
pub(crate) fn GroupForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::GroupBy { by, measures }) => (by, measures),
        _ => (Vec::new(), Vec::new()),
    });
    let change = move |push: bool, f: &dyn Fn(&mut Vec<String>, &mut Vec<Measure>)| {
        let apply = |s: &mut Step| {
            if let Step::GroupBy { by, measures } = s {
                f(by, measures);
            }
        };
        panel.step(i, push, apply);
    };
    let (by_count, measure_count) = parts.with_untracked(|(b, m)| (b.len(), m.len()));
    let key = move |n: usize| {
        view! {
            <span class="group-key" data-testid="group-key">
                {column_select(panel, move || panel.t().group_by.to_string(), "group-column", schema,
                    Signal::derive(move || parts.with(|(b, _)| b.get(n).cloned().unwrap_or_default())),
                    move |c| change(true, &|b, _| if let Some(x) = b.get_mut(n) { *x = c.clone() }))}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|b, _| if n < b.len() { b.remove(n); })>"✕"</button>
            </span>
        }
    };
    let measure = move |n: usize| {
        let get = move || parts.with(|(_, m)| m.get(n).cloned());
        let aggregate = Signal::derive(move || get().map_or(Aggregate::Count, |m| m.aggregate));
        view! {
            <div class="form-row measure" data-testid="measure">
                {choice_select(move || panel.t().measures.to_string(), "measure-aggregate", &Aggregate::ALL, move |a: Aggregate| a.label(panel.lang.get()), aggregate,
                    move |a| change(true, &|_, m| if let Some(x) = m.get_mut(n) {
                        x.aggregate = a;
                        if a == Aggregate::Count {
                            x.column = None;
                        } else if x.column.is_none() {
                            x.column = schema.with_untracked(|s| {
                                s.iter().find(|(_, t)| t.is_number() || a == Aggregate::CountDistinct)
                                    .map(|(c, _)| c.clone())
                            });
                        }
                    }))}
                <Show when=move || aggregate.get() != Aggregate::Count>
                    {column_select(panel, move || panel.t().measures.to_string(), "measure-column", schema,
                        Signal::derive(move || get().and_then(|m| m.column).unwrap_or_default()),
                        move |c| change(true, &|_, m| if let Some(x) = m.get_mut(n) { x.column = Some(c.clone()) }))}
                </Show>
                <span class="muted">{move || panel.t().name}</span>
                {text_field(panel, move || panel.t().name.to_string(),
                    Signal::derive(move || get().map(|m| m.name).unwrap_or_default()),
                    |a, b| a == b,
                    move |v| change(false, &|_, m| if let Some(x) = m.get_mut(n) { x.name = v.clone() }),
                    "measure-name")}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|_, m| if n < m.len() { m.remove(n); })>"✕"</button>
            </div>
        }
    };
    let add_key = move |_| {
        let next = schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        change(true, &|b, _| {
            let pick = schema.with_untracked(|s| {
                s.iter()
                    .find(|(n, _)| !b.contains(n))
                    .map(|(n, _)| n.clone())
            });
            b.push(pick.unwrap_or_else(|| next.clone()));
        })
    };
    let add_measure = move |_| {
        let column = schema.with_untracked(|s| {
            s.iter()
                .find(|(_, t)| t.is_number())
                .map(|(n, _)| n.clone())
        });
        change(true, &|_, m| {
            let name = format!("sum_{}", column.clone().unwrap_or_default());
            let taken = m.iter().any(|x| x.name == name);
            m.push(match &column {
                Some(c) if !taken => Measure {
                    aggregate: Aggregate::Sum,
                    column: Some(c.clone()),
                    name,
                },
                _ => Measure {
                    aggregate: Aggregate::Count,
                    column: None,
                    name: format!("count_{}", m.len() + 1),
                },
            });
        })
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().group_by}</span>
            {(0..by_count).map(key).collect_view()}
            <button class="small" data-testid="add-group" on:click=add_key>{move || panel.t().add_group}</button>
        </div>
        <span class="muted">{move || panel.t().measures}</span>
        {(0..measure_count).map(measure).collect_view()}
        <div class="form-row">
            <button class="small" data-testid="add-measure" on:click=add_measure>{move || panel.t().add_measure}</button>
        </div>
    }
}
