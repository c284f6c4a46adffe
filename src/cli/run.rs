//! `datalabb run`: the analysis of a link (or a file) run natively against
//! a data folder, written as Arrow or CSV. The same recipe code and kernels
//! as the browser's worker, so the result is the same.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::write_atomically;
use crate::data::Catalog;
use crate::data::export::{Format, export};
use crate::data::hash::sha256_hex;
use crate::data::load::{Limits, decode};
use crate::ops::no_progress;
use crate::recipe::{Recipe, plan, run, url};

/// Reads a recipe: a link (`…#r1.…`, `#r1.…`, `r1.…`) or a file holding
/// one, or the recipe's JSON.
pub fn read_recipe(source: &str) -> Result<Recipe, String> {
    let text = if source.contains("r1.") || source.starts_with('#') {
        source.to_string()
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))?
    };
    let text = text.trim();
    if text.starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("{source}: {e}"));
    }
    let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
    url::decode(fragment)
}

/// Runs the recipe against the datasets in `data` and writes `out`.
pub fn run_recipe(source: &str, data: &Path, out: &Path) -> Result<String, String> {
    let recipe = read_recipe(source)?;
    let catalog_path = data.join("catalog.json");
    let catalog_bytes = std::fs::read(&catalog_path)
        .map_err(|e| format!("cannot read {}: {e}", catalog_path.display()))?;
    let catalog = Catalog::from_json(&catalog_bytes)
        .map_err(|e| format!("{}: {e}", catalog_path.display()))?;
    plan::validate(&recipe, &catalog)?;
    let mut tables = BTreeMap::new();
    for input in &recipe.inputs {
        let version = catalog
            .datasets
            .iter()
            .find(|d| d.id == input.dataset)
            .and_then(|d| d.versions.iter().find(|v| v.sha256 == input.sha256))
            .ok_or_else(|| format!("input {:?}: not in the catalog", input.name))?;
        let path = data.join(&version.url);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let actual = sha256_hex(&bytes);
        if actual != input.sha256 {
            return Err(format!(
                "{}: SHA-256 is {actual}, the analysis pins {}",
                path.display(),
                input.sha256
            ));
        }
        let batch = decode(bytes, &Limits::default())
            .and_then(|t| t.into_batch())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        tables.insert(input.name.clone(), batch);
    }
    let (result, reports) = run::run(&recipe, &tables, &mut no_progress).map_err(|e| e.message)?;
    let bytes = match out.extension().and_then(|e| e.to_str()) {
        Some("csv") => export(&result, Format::Csv)?,
        Some("arrow") => export(&result, Format::Arrow)?,
        _ => return Err(format!("{}: write .arrow or .csv", out.display())),
    };
    write_atomically(out, &bytes)?;
    let mut lines = vec![format!(
        "wrote {} rows × {} columns to {} (SHA-256 {})",
        result.num_rows(),
        result.num_columns(),
        out.display(),
        sha256_hex(&bytes)
    )];
    for (n, (step, report)) in recipe.steps.iter().zip(&reports).enumerate() {
        let mut line = format!("  step {} ({}): {} rows", n + 1, step.kind(), report.rows);
        if let Some(j) = &report.join {
            line.push_str(&format!(
                "; linked {} of {} left rows and {} of {} right rows",
                j.left_matched, j.left_rows, j.right_matched, j.right_rows
            ));
        }
        lines.push(line);
    }
    Ok(lines.join("\n"))
}
