//! What a join or a union suggests, and the inputs a recipe reads.

use crate::data::{Catalog, Dataset};
use crate::ops::keys::Normalize;
use crate::recipe::plan::Schema;
use crate::recipe::{Input, Recipe, Step};

/// The dataset whose rows could be appended to a table of `schema`: the
/// one sharing the most columns of the same name and type.
pub fn suggest_union<'a>(schema: &Schema, catalog: &'a Catalog) -> Option<&'a Dataset> {
    catalog
        .datasets
        .iter()
        .filter_map(|d| {
            let shared = d
                .latest()?
                .columns
                .iter()
                .filter(|c| {
                    schema
                        .iter()
                        .any(|(n, t)| *n == c.name && *t == c.data_type.as_str())
                })
                .count();
            (shared > 0).then_some((shared, d))
        })
        .max_by_key(|(shared, _)| *shared)
        .map(|(_, d)| d)
}

/// Points union step `step` at `dataset`.
pub fn set_union_dataset(recipe: &mut Recipe, step: usize, dataset: &Dataset) {
    let Some(name) = ensure_input(recipe, dataset) else {
        return;
    };
    if let Some(Step::Union { input }) = recipe.steps.get_mut(step) {
        *input = name;
    }
    prune_inputs(recipe);
}

/// The dataset to join a table of `schema` to, and the key on each side:
/// the first catalog dataset (not in `exclude`) one of whose key columns
/// the table has, else one sharing any column name.
pub fn suggest_join<'a>(
    schema: &Schema,
    catalog: &'a Catalog,
    exclude: &[&str],
) -> Option<(&'a Dataset, String, String)> {
    let has = |name: &str| schema.iter().any(|(n, _)| n == name);
    let candidates = || {
        catalog
            .datasets
            .iter()
            .filter(|d| !exclude.contains(&d.id.as_str()))
            .filter_map(|d| Some((d, d.latest()?)))
    };
    candidates()
        .find_map(|(d, v)| {
            let key = v.key_columns.iter().find(|k| has(k))?;
            Some((d, key.clone(), key.clone()))
        })
        .or_else(|| {
            candidates().find_map(|(d, v)| {
                let c = v.columns.iter().find(|c| has(&c.name))?;
                Some((d, c.name.clone(), c.name.clone()))
            })
        })
}

/// Organisation and other numbers are written with and without dashes or
/// spaces; compare their digits. Other keys: trimmed.
pub(super) fn normalize_for(column: &str) -> Normalize {
    let lower = column.to_lowercase();
    if ["org_nr", "orgnr", "code", "kod", "nummer", "number"]
        .iter()
        .any(|k| lower.contains(k))
    {
        Normalize::Digits
    } else {
        Normalize::Trim
    }
}

/// The input name under which `dataset`'s latest version is read, added
/// if the recipe does not read it yet.
pub fn ensure_input(recipe: &mut Recipe, dataset: &Dataset) -> Option<String> {
    if let Some(input) = recipe
        .inputs
        .iter()
        .skip(1)
        .find(|i| i.dataset == dataset.id)
    {
        return Some(input.name.clone());
    }
    let sha256 = dataset.latest()?.sha256.clone();
    let taken = |n: &str| recipe.inputs.iter().any(|i| i.name == n);
    let name = if taken(&dataset.id) {
        (2..)
            .map(|i| format!("{}_{i}", dataset.id))
            .find(|n| !taken(n))?
    } else {
        dataset.id.clone()
    };
    recipe.inputs.push(Input {
        name: name.clone(),
        dataset: dataset.id.clone(),
        sha256,
    });
    Some(name)
}

/// Points join step `step` at `dataset`, with the keys suggested for it.
pub fn set_join_dataset(recipe: &mut Recipe, step: usize, schema: &Schema, dataset: &Dataset) {
    let Some(name) = ensure_input(recipe, dataset) else {
        return;
    };
    let single = Catalog::new(vec![dataset.clone()]);
    let keys = suggest_join(schema, &single, &[]).map(|(_, l, r)| (l, r));
    if let Some(Step::Join { input, spec }) = recipe.steps.get_mut(step) {
        *input = name;
        if let Some((left, right)) = keys {
            spec.normalize = normalize_for(&left);
            spec.left_on = vec![left];
            spec.right_on = vec![right];
        } else {
            let right = dataset
                .latest()
                .and_then(|v| v.columns.first())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            spec.left_on.truncate(1);
            spec.right_on = vec![right];
        }
    }
    prune_inputs(recipe);
}

/// Drops the inputs (after the first) that no join or union reads.
pub fn prune_inputs(recipe: &mut Recipe) {
    let used: Vec<String> = recipe
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Join { input, .. } | Step::Union { input } => Some(input.clone()),
            _ => None,
        })
        .collect();
    let mut n = 0;
    recipe.inputs.retain(|i| {
        n += 1;
        n == 1 || used.contains(&i.name)
    });
}
