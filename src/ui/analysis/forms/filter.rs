//! The form of one step kind.

use leptos::prelude::*;

use crate::data::schema::ColumnType;
use crate::recipe::Step;
use crate::recipe::edit::{self, Combine, Condition, ConditionOp, StepKind};
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::Label;

/// A filter: conditions combined by all / any.
#[component]
pub(crate) fn FilterForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let form = Memo::new(move |_| match step.get() {
        Some(Step::Filter { predicate }) => edit::conditions(&predicate)
            .map(Ok)
            .unwrap_or_else(|| Err(serde_json::to_string(&predicate).unwrap_or_default())),
        _ => Ok((Combine::All, Vec::new())),
    });
    let set = move |push: bool, change: &dyn Fn(&mut Combine, &mut Vec<Condition>)| {
        let Ok((mut combine, mut list)) = form.get_untracked() else {
            return;
        };
        change(&mut combine, &mut list);
        let predicate = edit::predicate(combine, &list, &schema.get_untracked());
        let apply = move |s: &mut Step| {
            if let Step::Filter { predicate: p } = s {
                *p = predicate;
            }
        };
        panel.step(i, push, apply);
    };
    let Ok((_, initial)) = form.get_untracked() else {
        let json = move || form.get().err().unwrap_or_default();
        return view! {
            <p class="muted">{move || panel.t().nested_filter}</p>
            <pre class="nested">{json}</pre>
        }
        .into_any();
    };
    const COMBINES: [Combine; 2] = [Combine::All, Combine::Any];
    let combine = Signal::derive(move || form.get().map(|f| f.0).unwrap_or(Combine::All));
    let condition = move |n: usize| {
        let get = move || {
            form.get()
                .ok()
                .and_then(|f| f.1.get(n).cloned())
                .unwrap_or(Condition {
                    column: String::new(),
                    op: ConditionOp::Eq,
                    value: String::new(),
                })
        };
        let column_type = move || {
            let c = get().column;
            schema
                .with(|s| s.iter().find(|(n, _)| *n == c).map(|(_, t)| t.clone()))
                .unwrap_or_else(ColumnType::utf8)
        };
        view! {
            <div class="condition" data-testid="condition">
                {column_select(
                    panel,
                    move || StepKind::Filter.label(panel.lang.get()).to_string(),
                    "condition-column",
                    schema,
                    Signal::derive(move || get().column),
                    move |c| set(true, &|_, l| if let Some(x) = l.get_mut(n) { x.column = c.clone() }),
                )}
                {choice_select(
                    move || "op".to_string(),
                    "condition-op",
                    &ConditionOp::ALL,
                    |op: ConditionOp| op.symbol(),
                    Signal::derive(move || get().op),
                    move |op| set(true, &|_, l| if let Some(x) = l.get_mut(n) { x.op = op }),
                )}
                <Show when=move || get().op.takes_value()>
                    {text_field(
                        panel,
                        move || panel.t().value.to_string(),
                        Signal::derive(move || get().value),
                        move |a, b| {
                            let t = column_type();
                            a.split(';').map(|v| edit::literal(v, &t)).collect::<Vec<_>>()
                                == b.split(';').map(|v| edit::literal(v, &t)).collect::<Vec<_>>()
                        },
                        move |v| set(false, &|_, l| if let Some(x) = l.get_mut(n) { x.value = v.clone() }),
                        "condition-value",
                    )}
                </Show>
                <Show when=move || get().op == ConditionOp::In>
                    <span class="muted small">{move || panel.t().in_hint}</span>
                </Show>
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| set(true, &|_, l| if n < l.len() { l.remove(n); })>"✕"</button>
            </div>
        }
    };
    let add = move |_| {
        let column =
            schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        set(true, &|_, l| {
            l.push(Condition {
                column: column.clone(),
                op: ConditionOp::Eq,
                value: String::new(),
            })
        })
    };
    view! {
        {(0..initial.len()).map(condition).collect_view()}
        <div class="form-row">
            {choice_select(
                move || panel.t().all.to_string(),
                "condition-combine",
                &COMBINES,
                move |c: Combine| match c { Combine::All => panel.t().all, Combine::Any => panel.t().any },
                combine,
                move |c| set(true, &|x, _| *x = c),
            )}
            <button class="small" data-testid="add-condition" on:click=add>{move || panel.t().add_condition}</button>
        </div>
    }
    .into_any()
}
