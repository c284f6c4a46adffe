//! The form of one step kind.

use leptos::prelude::*;

use crate::data::schema::ColumnType;
use crate::ops::derive::{Formula, Operand};
use crate::recipe::Step;
use crate::recipe::edit::{self, FormulaChoice, StepKind};
use crate::ui::analysis::panel::Panel;
use crate::ui::analysis::widgets::choice_select;
use crate::ui::analysis::widgets::column_select;
use crate::ui::analysis::widgets::text_field;
use crate::ui::i18n::Label;

/// The value of the right operand's `<select>` that stands for a number.
pub(crate) const NUMBER_OPERAND: &str = "\u{1}number";

/// A derived column: its name and formula.
#[component]
pub(crate) fn DeriveForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Derive { name, formula }) => Some((name, formula)),
        _ => None,
    });
    let formula = move || parts.get().map(|(_, f)| f);
    let change = move |push: bool, f: &dyn Fn(&mut String, &mut Formula)| {
        let apply = |s: &mut Step| {
            if let Step::Derive { name, formula } = s {
                f(name, formula);
            }
        };
        panel.step(i, push, apply);
    };
    let Some((_, initial)) = parts.get_untracked() else {
        return ().into_any();
    };
    let choice =
        Signal::derive(move || formula().map_or(FormulaChoice::Divide, |f| FormulaChoice::of(&f)));
    let column = Signal::derive(move || {
        formula()
            .and_then(|f| f.number_columns().first().map(|c| c.to_string()))
            .unwrap_or_default()
    });
    let set_column = move |c: String| {
        change(true, &|_, f| match f {
            Formula::Arithmetic { left, .. } => *left = Operand::Column(c.clone()),
            Formula::Log { column }
            | Formula::Share { column, .. }
            | Formula::Change { column, .. } => *column = c.clone(),
        })
    };
    let right = move || match formula() {
        Some(Formula::Arithmetic { right, .. }) => Some(right),
        _ => None,
    };
    let operand_view = matches!(initial, Formula::Arithmetic { .. }).then(|| {
        let numeric = matches!(
            initial,
            Formula::Arithmetic {
                right: Operand::Number(_),
                ..
            }
        );
        let pick = move |value: String| {
            change(true, &|_, f| {
                if let Formula::Arithmetic { right, .. } = f {
                    *right = if value == NUMBER_OPERAND {
                        Operand::Number(1.0)
                    } else {
                        Operand::Column(value.clone())
                    };
                }
            })
        };
        let options = move || {
            let current = match right() {
                Some(Operand::Column(c)) => c,
                _ => NUMBER_OPERAND.to_string(),
            };
            // Named as the column selects name them: a short type word, the
            // Arrow type in the tooltip.
            let lang = panel.lang.get();
            let mut list: Vec<(String, String, String)> = schema
                .get()
                .into_iter()
                .filter(|(_, t)| t.is_number())
                .map(|(n, t)| (n.clone(), format!("{n} · {}", t.word().label(lang)), t.to_string()))
                .collect();
            list.push((NUMBER_OPERAND.to_string(), panel.t().number.to_string(), String::new()));
            list.into_iter()
                .map(|(value, label, arrow)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected title=arrow>{label}</option> }
                })
                .collect_view()
        };
        view! {
            <select aria-label="b" data-testid="derive-right" on:change=move |e| pick(event_target_value(&e))>
                {options}
            </select>
            {numeric.then(|| text_field(
                panel,
                move || panel.t().number.to_string(),
                Signal::derive(move || match right() {
                    Some(Operand::Number(n)) => n.to_string(),
                    _ => String::new(),
                }),
                |a, b| edit::literal(a, &ColumnType::float64()) == edit::literal(b, &ColumnType::float64()),
                move |v| {
                    if let crate::recipe::Value::Number(n) = edit::literal(&v, &ColumnType::float64()) {
                        change(false, &|_, f| {
                            if let Formula::Arithmetic { right, .. } = f {
                                *right = Operand::Number(n);
                            }
                        })
                    }
                },
                "derive-number",
            ))}
        }
    });
    let within = |f: &Formula| match f {
        Formula::Share { within, .. } | Formula::Change { within, .. } => within.clone(),
        _ => Vec::new(),
    };
    let within_count = within(&initial).len();
    let groups_view = matches!(initial, Formula::Share { .. } | Formula::Change { .. }).then(|| {
        let set_within = move |f: &dyn Fn(&mut Vec<String>)| {
            change(true, &|_, formula| {
                if let Formula::Share { within, .. } | Formula::Change { within, .. } = formula {
                    f(within);
                }
            })
        };
        let key = move |n: usize| {
            view! {
                <span class="group-key">
                    {column_select(panel, move || panel.t().within.to_string(), "derive-within", schema,
                        Signal::derive(move || formula().map(|f| within(&f)).and_then(|w| w.get(n).cloned()).unwrap_or_default()),
                        move |c| set_within(&|w| if let Some(x) = w.get_mut(n) { *x = c.clone() }))}
                    <button class="small" aria-label=move || panel.t().remove
                        on:click=move |_| set_within(&|w| if n < w.len() { w.remove(n); })>"✕"</button>
                </span>
            }
        };
        let add = move |_| {
            let pick = schema.with_untracked(|s| {
                s.iter().find(|(_, t)| !t.is_number()).or(s.first()).map(|(n, _)| n.clone())
            });
            set_within(&|w| w.push(pick.clone().unwrap_or_default()))
        };
        view! {
            <div class="form-row">
                <span class="muted">{move || panel.t().within}</span>
                {(0..within_count).map(key).collect_view()}
                <button class="small" data-testid="add-within" on:click=add>{move || panel.t().add_within}</button>
            </div>
        }
    });
    let order_view = matches!(initial, Formula::Change { .. }).then(|| {
        view! {
            <span class="muted">{move || panel.t().in_order_of}</span>
            {column_select(panel, move || panel.t().in_order_of.to_string(), "derive-order", schema,
                Signal::derive(move || match formula() {
                    Some(Formula::Change { order, .. }) => order,
                    _ => String::new(),
                }),
                move |c| change(true, &|_, f| if let Formula::Change { order, .. } = f { *order = c.clone() }))}
        }
    });
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().name}</span>
            {text_field(panel, move || panel.t().name.to_string(),
                Signal::derive(move || parts.get().map(|(n, _)| n).unwrap_or_default()),
                |a, b| a == b,
                move |v| change(false, &|name, _| *name = v.clone()),
                "derive-name")}
            " = "
            {choice_select(
                move || StepKind::Derive.label(panel.lang.get()).to_string(),
                "derive-formula",
                &FormulaChoice::ALL,
                move |c: FormulaChoice| c.label(panel.lang.get()),
                choice,
                move |c| {
                    let schema = schema.get_untracked();
                    change(true, &|_, f| *f = c.apply(f, &schema))
                },
            )}
        </div>
        <div class="form-row">
            {column_select(panel, move || "a".to_string(), "derive-column", Signal::derive(move || {
                schema.get().into_iter().filter(|(_, t)| t.is_number()).collect()
            }), column, set_column)}
            {operand_view}
            {order_view}
        </div>
        {groups_view}
    }
    .into_any()
}
