//! Editing a recipe the way the recipe panel does: a new step with
//! sensible defaults for the table it receives, a join that suggests the
//! dataset and keys that link, the inputs kept to those the steps use, and
//! filters as a flat list of conditions a form can show. Pure, so the page
//! stays thin and this is tested natively.
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod conditions;
mod defaults;
mod suggestions;

#[cfg(test)]
mod tests;

pub use conditions::{
    Combine, Condition, ConditionOp, brush_filter, conditions, literal, predicate, round_for_link,
};
pub use defaults::{add_step, chart_columns, unique_name};
pub use suggestions::{
    ensure_input, prune_inputs, set_join_dataset, set_union_dataset, suggest_join, suggest_union,
};

use crate::data::Dataset;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::recipe::learn::ProjectionKind;
use crate::recipe::plan::Schema;
use crate::recipe::{ChartSpec, Input, RECIPE_VERSION, Recipe, Step};

/// The kinds of step the panel offers, in the order it offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Filter,
    Join,
    Derive,
    GroupBy,
    Pivot,
    Unpivot,
    Union,
    Sort,
    Select,
    Rename,
    Limit,
    Cluster,
    Project,
    Anomaly,
}

impl StepKind {
    pub const ALL: [StepKind; 14] = [
        StepKind::Filter,
        StepKind::Join,
        StepKind::Derive,
        StepKind::GroupBy,
        StepKind::Pivot,
        StepKind::Unpivot,
        StepKind::Union,
        StepKind::Sort,
        StepKind::Select,
        StepKind::Rename,
        StepKind::Limit,
        StepKind::Cluster,
        StepKind::Project,
        StepKind::Anomaly,
    ];
}

impl StepKind {
    /// The kind of `step`.
    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Filter { .. } => StepKind::Filter,
            Step::Join { .. } => StepKind::Join,
            Step::Derive { .. } => StepKind::Derive,
            Step::GroupBy { .. } => StepKind::GroupBy,
            Step::Sort { .. } => StepKind::Sort,
            Step::Select { .. } => StepKind::Select,
            Step::Rename { .. } => StepKind::Rename,
            Step::Limit { .. } => StepKind::Limit,
            Step::Union { .. } => StepKind::Union,
            Step::Pivot { .. } => StepKind::Pivot,
            Step::Unpivot { .. } => StepKind::Unpivot,
            Step::Cluster { .. } => StepKind::Cluster,
            Step::Project { .. } => StepKind::Project,
            Step::Anomaly { .. } => StepKind::Anomaly,
        }
    }

    /// Its place in [`StepKind::ALL`] (and in the lists of labels).
    pub fn index(self) -> usize {
        StepKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// The formulas the derive form offers, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormulaChoice {
    /// a ÷ b
    Divide,
    /// a × b
    Multiply,
    /// a + b
    Add,
    /// a − b
    Subtract,
    /// the natural logarithm
    Log,
    /// the share of a group's total
    Share,
    /// the change from the previous row of a group
    Change,
    /// that change in percent
    ChangePercent,
}

impl FormulaChoice {
    pub const ALL: [FormulaChoice; 8] = [
        FormulaChoice::Divide,
        FormulaChoice::Multiply,
        FormulaChoice::Add,
        FormulaChoice::Subtract,
        FormulaChoice::Log,
        FormulaChoice::Share,
        FormulaChoice::Change,
        FormulaChoice::ChangePercent,
    ];

    /// The derive form's choice for `formula`.
    pub fn of(formula: &Formula) -> FormulaChoice {
        match formula {
            Formula::Arithmetic { op, .. } => match op {
                ArithOp::Div => FormulaChoice::Divide,
                ArithOp::Mul => FormulaChoice::Multiply,
                ArithOp::Add => FormulaChoice::Add,
                ArithOp::Sub => FormulaChoice::Subtract,
            },
            Formula::Log { .. } => FormulaChoice::Log,
            Formula::Share { .. } => FormulaChoice::Share,
            Formula::Change { percent: false, .. } => FormulaChoice::Change,
            Formula::Change { percent: true, .. } => FormulaChoice::ChangePercent,
        }
    }

    /// `formula` turned into this choice, keeping its column (and, for
    /// arithmetic, its other operand) where the new one has them.
    pub fn apply(self, formula: &Formula, schema: &Schema) -> Formula {
        let numbers: Vec<&String> = schema
            .iter()
            .filter(|(_, t)| t.is_number())
            .map(|(n, _)| n)
            .collect();
        let column = formula
            .number_columns()
            .first()
            .map(|c| c.to_string())
            .or_else(|| numbers.first().map(|c| c.to_string()))
            .unwrap_or_default();
        let within = match formula {
            Formula::Share { within, .. } | Formula::Change { within, .. } => within.clone(),
            _ => Vec::new(),
        };
        let right = match formula {
            Formula::Arithmetic { right, .. } => right.clone(),
            _ => numbers
                .iter()
                .find(|n| ***n != column)
                .map_or(Operand::Number(1.0), |n| Operand::Column((*n).clone())),
        };
        let arithmetic = |op| Formula::Arithmetic {
            op,
            left: Operand::Column(column.clone()),
            right: right.clone(),
        };
        match self {
            FormulaChoice::Divide => arithmetic(ArithOp::Div),
            FormulaChoice::Multiply => arithmetic(ArithOp::Mul),
            FormulaChoice::Add => arithmetic(ArithOp::Add),
            FormulaChoice::Subtract => arithmetic(ArithOp::Sub),
            FormulaChoice::Log => Formula::Log { column },
            FormulaChoice::Share => Formula::Share { column, within },
            FormulaChoice::Change | FormulaChoice::ChangePercent => {
                let order = schema
                    .iter()
                    .find(|(n, _)| n == "year" || n == "år")
                    .or_else(|| schema.iter().find(|(n, _)| *n != column))
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                Formula::Change {
                    column,
                    order,
                    within,
                    percent: self == FormulaChoice::ChangePercent,
                }
            }
        }
    }
}

/// A new analysis of the latest version of `dataset`.
pub fn start(dataset: &Dataset) -> Option<Recipe> {
    let version = dataset.latest()?;
    Some(Recipe {
        v: RECIPE_VERSION,
        inputs: vec![Input {
            name: dataset.id.clone(),
            dataset: dataset.id.clone(),
            sha256: version.sha256.clone(),
        }],
        steps: Vec::new(),
        chart: Default::default(),
    })
}

/// A project step switched to a projection of `kind` (with its defaults);
/// a prefix that was the old kind's default follows to the new one's
/// (`pc` to `tsne`), one the visitor chose stays.
pub fn switch_projection(step: &mut Step, kind: ProjectionKind) {
    if let Step::Project { method, prefix, .. } = step {
        if *prefix == method.kind().prefix() {
            *prefix = kind.prefix().to_string();
        }
        *method = method.switch(kind);
    }
}

/// Step `i` of `recipe` switched to a projection of `kind`
/// ([`switch_projection`]); the chart's columns that named the old
/// projection's columns (`pc1` …) follow to the new ones (`umap1` …), so
/// the chart keeps drawing the map.
pub fn switch_projection_at(recipe: &mut Recipe, i: usize, kind: ProjectionKind) {
    let names = |step: &Step| match step {
        Step::Project {
            prefix, components, ..
        } => crate::recipe::learn::projected_names(prefix, *components),
        _ => Vec::new(),
    };
    let Some(step) = recipe.steps.get_mut(i) else {
        return;
    };
    let before = names(step);
    switch_projection(step, kind);
    let after = names(step);
    let chart = &mut recipe.chart;
    for slot in [
        &mut chart.x,
        &mut chart.y,
        &mut chart.color,
        &mut chart.size,
        &mut chart.label,
        &mut chart.value,
    ] {
        if let Some(name) = slot
            && let Some(at) = before.iter().position(|b| b == name)
            && let Some(new) = after.get(at)
        {
            *name = new.clone();
        }
    }
}

/// The names in a list typed as text: split at commas, trimmed, empty
/// ones and repeats left out (e.g. the highlighted categories).
pub fn list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// The first annotation's place and text (the chart panel edits it; a
/// link may carry more), or two empty texts.
pub fn first_annotation(spec: &ChartSpec) -> (String, String) {
    spec.annotations
        .first()
        .map(|a| (a.at.clone(), a.text.clone()))
        .unwrap_or_default()
}

/// Sets the first annotation's place or text; it is removed when both
/// are empty, and the others stay.
pub fn set_first_annotation(spec: &mut ChartSpec, at: Option<String>, text: Option<String>) {
    let mut first = spec.annotations.first().cloned().unwrap_or_default();
    if let Some(at) = at {
        first.at = at.trim().to_string();
    }
    if let Some(text) = text {
        first.text = text.trim().to_string();
    }
    let empty = first.at.is_empty() && first.text.is_empty();
    match (spec.annotations.is_empty(), empty) {
        (true, true) => {}
        (true, false) => spec.annotations.push(first),
        (false, true) => {
            spec.annotations.remove(0);
        }
        (false, false) => spec.annotations[0] = first,
    }
}
