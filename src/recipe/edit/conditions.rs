//! A filter as the form shows it: a flat list of conditions with typed
//! values; and the filter of a rectangle brushed on a chart.

use crate::recipe::plan::{ColumnType, Schema};
use crate::recipe::{Comparison, Predicate, Step, Value};

/// How all conditions of a filter combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    All,
    Any,
}

/// One row of the filter form.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub op: ConditionOp,
    /// As typed; a list for [`ConditionOp::In`], separated by `;`.
    pub value: String,
}

/// The operators of the filter form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    IsNull,
    NotNull,
}

impl ConditionOp {
    pub const ALL: [ConditionOp; 9] = [
        ConditionOp::Eq,
        ConditionOp::Ne,
        ConditionOp::Lt,
        ConditionOp::Le,
        ConditionOp::Gt,
        ConditionOp::Ge,
        ConditionOp::In,
        ConditionOp::IsNull,
        ConditionOp::NotNull,
    ];

    /// The symbol the form shows and its value attribute.
    pub fn symbol(self) -> &'static str {
        match self {
            ConditionOp::Eq => "=",
            ConditionOp::Ne => "≠",
            ConditionOp::Lt => "<",
            ConditionOp::Le => "≤",
            ConditionOp::Gt => ">",
            ConditionOp::Ge => "≥",
            ConditionOp::In => "in",
            ConditionOp::IsNull => "is null",
            ConditionOp::NotNull => "not null",
        }
    }

    pub fn from_symbol(symbol: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.symbol() == symbol)
    }

    /// Whether the operator takes a value.
    pub fn takes_value(self) -> bool {
        !matches!(self, ConditionOp::IsNull | ConditionOp::NotNull)
    }
}

/// A filter's predicate as the form's flat list, when it has that shape
/// (an and / or of simple conditions); `None` for deeper nesting, which
/// the form shows as text.
pub fn conditions(predicate: &Predicate) -> Option<(Combine, Vec<Condition>)> {
    let (combine, list) = match predicate {
        Predicate::And { all } => (Combine::All, all.as_slice()),
        Predicate::Or { any } => (Combine::Any, any.as_slice()),
        single => (Combine::All, std::slice::from_ref(single)),
    };
    let out = list.iter().map(condition).collect::<Option<Vec<_>>>()?;
    Some((combine, out))
}

fn condition(predicate: &Predicate) -> Option<Condition> {
    let text = |v: &Value| match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.clone(),
    };
    Some(match predicate {
        Predicate::Compare { column, cmp, value } => Condition {
            column: column.clone(),
            op: match cmp {
                Comparison::Eq => ConditionOp::Eq,
                Comparison::Ne => ConditionOp::Ne,
                Comparison::Lt => ConditionOp::Lt,
                Comparison::Le => ConditionOp::Le,
                Comparison::Gt => ConditionOp::Gt,
                Comparison::Ge => ConditionOp::Ge,
            },
            value: text(value),
        },
        Predicate::In { column, values } => Condition {
            column: column.clone(),
            op: ConditionOp::In,
            value: values.iter().map(text).collect::<Vec<_>>().join("; "),
        },
        Predicate::IsNull { column } => Condition {
            column: column.clone(),
            op: ConditionOp::IsNull,
            value: String::new(),
        },
        Predicate::Not { not } => match not.as_ref() {
            Predicate::IsNull { column } => Condition {
                column: column.clone(),
                op: ConditionOp::NotNull,
                value: String::new(),
            },
            _ => return None,
        },
        _ => return None,
    })
}

/// The predicate of the form's conditions; values are read by the type
/// of their column in `schema` (numbers with a point or a comma).
pub fn predicate(combine: Combine, conditions: &[Condition], schema: &Schema) -> Predicate {
    let list = conditions
        .iter()
        .map(|c| {
            let data_type = schema
                .iter()
                .find(|(n, _)| *n == c.column)
                .map_or_else(ColumnType::utf8, |(_, t)| t.clone());
            let column = c.column.clone();
            let cmp = |cmp| Predicate::Compare {
                column: column.clone(),
                cmp,
                value: literal(&c.value, &data_type),
            };
            match c.op {
                ConditionOp::Eq => cmp(Comparison::Eq),
                ConditionOp::Ne => cmp(Comparison::Ne),
                ConditionOp::Lt => cmp(Comparison::Lt),
                ConditionOp::Le => cmp(Comparison::Le),
                ConditionOp::Gt => cmp(Comparison::Gt),
                ConditionOp::Ge => cmp(Comparison::Ge),
                ConditionOp::In => Predicate::In {
                    values: c
                        .value
                        .split(';')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| literal(v, &data_type))
                        .collect(),
                    column,
                },
                ConditionOp::IsNull => Predicate::IsNull { column },
                ConditionOp::NotNull => Predicate::Not {
                    not: Box::new(Predicate::IsNull { column }),
                },
            }
        })
        .collect();
    match combine {
        Combine::All => Predicate::And { all: list },
        Combine::Any => Predicate::Or { any: list },
    }
}

/// A typed value for a column of `data_type`: a number where one can be
/// read (`2 010`, `12,5`), true / false for booleans, else the text.
pub fn literal(text: &str, data_type: &ColumnType) -> Value {
    let trimmed = text.trim();
    if data_type.is_number() {
        let cleaned: String = trimmed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if let Ok(n) = cleaned.parse::<f64>()
            && n.is_finite()
        {
            return Value::Number(n);
        }
    }
    if *data_type == ColumnType::Boolean {
        match trimmed.to_lowercase().as_str() {
            "true" | "sant" | "ja" | "yes" => return Value::Bool(true),
            "false" | "falskt" | "nej" | "no" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::Text(trimmed.to_string())
}

/// The filter step of a brushed rectangle: `x` and `y` within it.
pub fn brush_filter(x: &str, y: &str, x0: f64, x1: f64, y0: f64, y1: f64) -> Step {
    let compare = |column: &str, cmp: Comparison, value: f64| Predicate::Compare {
        column: column.to_string(),
        cmp,
        value: Value::Number(round_for_link(value)),
    };
    Step::Filter {
        predicate: Predicate::And {
            all: vec![
                compare(x, Comparison::Ge, x0),
                compare(x, Comparison::Le, x1),
                compare(y, Comparison::Ge, y0),
                compare(y, Comparison::Le, y1),
            ],
        },
    }
}

/// A brushed bound with 6 significant digits: the link stays short and
/// the bound means what the visitor saw.
pub fn round_for_link(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 5 - v.abs().log10().floor() as i32;
    // Beyond ±300 digits the factor itself would round away the value.
    if !(-300..=300).contains(&digits) {
        return v;
    }
    let factor = 10f64.powi(digits);
    let rounded = (v * factor).round() / factor;
    if rounded.is_finite() && rounded != 0.0 {
        rounded
    } else {
        v
    }
}
