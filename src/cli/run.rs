//! `datalabb run`: the analysis of a link (or a file) run natively against
//! a data folder, written as Arrow or CSV. The same recipe code and kernels
//! as the browser's worker, so the result is the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::chart::frame::layout;
use crate::chart::prepare::prepare;
use crate::chart::raster::rasterise;
use crate::chart::{self, Context, Lang, Size, png};
use crate::cli::write_atomically;
use crate::data::Catalog;
use crate::data::export::{Format, export};
use crate::data::format::number;
use crate::data::hash::sha256_hex;
use crate::data::load::{Limits, decode, decode_columns};
use crate::recipe::execute::execute;
use crate::recipe::{Recipe, plan, url};

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
    url::decode(fragment).map_err(|e| e.to_string())
}

/// `datalabb convert`: a table file read with the lab's loader (its checks
/// and types), written as Arrow or CSV.
pub fn convert(input: &Path, out: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let batch = decode(bytes, &Limits::default())
        .and_then(|t| t.into_batch())
        .map_err(|e| format!("{}: {e}", input.display()))?;
    write_table(&batch, out)?;
    Ok(format!(
        "wrote {} rows × {} columns to {}",
        batch.num_rows(),
        batch.num_columns(),
        out.display()
    ))
}

/// Writes `batch` to `out` as its extension says (`.arrow` or `.csv`);
/// returns the bytes written.
fn write_table(batch: &RecordBatch, out: &Path) -> Result<Vec<u8>, String> {
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some("csv") => Format::Csv,
        Some("arrow") => Format::Arrow,
        _ => return Err(format!("{}: write .arrow or .csv", out.display())),
    };
    let bytes = export(batch, format).map_err(|e| e.to_string())?;
    write_atomically(out, &bytes)?;
    Ok(bytes)
}

/// Where and how `run` draws the recipe's chart.
pub struct ChartOut {
    pub path: PathBuf,
    /// `WIDTHxHEIGHT` in pixels.
    pub size: String,
    /// `sv` or `en`.
    pub lang: String,
}

/// Runs the recipe against the datasets in `data` and writes `out` (and
/// the chart, when asked).
/// The file at `url` (a version's, from the catalog) inside the data
/// folder `data`: a relative path without `..`, so a catalog cannot make
/// `run` read files elsewhere on the machine.
fn inside(data: &Path, url: &str) -> Result<std::path::PathBuf, String> {
    use std::path::Component;
    let relative = Path::new(url);
    let safe = !url.contains("://")
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !safe || url.trim().is_empty() {
        return Err(format!(
            "{url:?}: a data file must be a relative path inside {}",
            data.display()
        ));
    }
    Ok(data.join(relative))
}

/// The catalog of the data folder `data`.
pub fn read_catalog(data: &Path) -> Result<Catalog, String> {
    let catalog_path = data.join("catalog.json");
    let catalog_bytes = std::fs::read(&catalog_path)
        .map_err(|e| format!("cannot read {}: {e}", catalog_path.display()))?;
    Catalog::from_json(&catalog_bytes).map_err(|e| format!("{}: {e}", catalog_path.display()))
}

/// [`read_recipe`], or a curated analysis by id (`curated:growth`) pinned
/// to the newest versions in `catalog`.
pub fn recipe_from(source: &str, catalog: &Catalog) -> Result<Recipe, String> {
    match source.strip_prefix("curated:") {
        Some(id) => {
            let curated = crate::recipe::curated::CURATED
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| format!("no curated analysis {id:?}"))?;
            curated
                .recipe(catalog, Lang::En)
                .ok_or_else(|| format!("curated analysis {id:?}: a dataset is not in the catalog"))
        }
        None => read_recipe(source),
    }
}

pub fn run_recipe(
    source: &str,
    data: &Path,
    out: &Path,
    chart: Option<&ChartOut>,
) -> Result<String, String> {
    let catalog = read_catalog(data)?;
    let recipe = recipe_from(source, &catalog)?;
    plan::validate(&recipe, &catalog).map_err(|e| e.to_string())?;
    let mut tables = BTreeMap::new();
    // Of a Parquet file, only the columns the steps read are decoded.
    let columns = crate::recipe::run::input_columns(&recipe);
    for input in &recipe.inputs {
        let version = catalog
            .datasets
            .iter()
            .find(|d| d.id == input.dataset)
            .and_then(|d| d.versions.iter().find(|v| v.sha256 == input.sha256))
            .ok_or_else(|| format!("input {:?}: not in the catalog", input.name))?;
        let path = inside(data, &version.url)?;
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
        let wanted = columns.get(&input.name).and_then(Option::as_ref);
        let batch = decode_columns(bytes, &Limits::default(), wanted)
            .and_then(|t| t.into_batch())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        tables.insert(input.name.clone(), batch);
    }
    let done = execute(&recipe, &catalog, &tables, &mut |_, _, _| {
        std::ops::ControlFlow::Continue(())
    });
    let result = done.result.map_err(|e| e.to_string())?;
    let bytes = write_table(&result, out)?;
    let mut lines = vec![format!(
        "wrote {} rows × {} columns to {} (SHA-256 {})",
        counted(result.num_rows() as u64),
        counted(result.num_columns() as u64),
        out.display(),
        sha256_hex(&bytes)
    )];
    for (n, (step, report)) in recipe.steps.iter().zip(&done.steps).enumerate() {
        let rows = counted(report.rows.unwrap_or_default());
        let mut line = format!("  step {} ({}): {rows} rows", n + 1, step.kind());
        if let Some(j) = &report.join {
            line.push_str(&format!(
                "; linked {} of {} left rows and {} of {} right rows",
                counted(j.left_matched),
                counted(j.left_rows),
                counted(j.right_matched),
                counted(j.right_rows)
            ));
        }
        lines.push(line);
    }
    if let Some(chart) = chart {
        lines.push(draw_chart(&recipe, &catalog, &result, chart)?);
    }
    Ok(lines.join("\n"))
}

/// Draws the recipe's chart of `result` as SVG, with the bundled font; the
/// marks of big series as an embedded PNG, as the browser's SVG export.
fn draw_chart(
    recipe: &Recipe,
    catalog: &Catalog,
    result: &RecordBatch,
    out: &ChartOut,
) -> Result<String, String> {
    let lang = match out.lang.as_str() {
        "sv" => Lang::Sv,
        "en" => Lang::En,
        other => return Err(format!("--lang {other}: write sv or en")),
    };
    let (width, height) = out
        .size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|&(w, h)| (50..=Size::MAX_SIDE).contains(&w) && (50..=Size::MAX_SIDE).contains(&h))
        .ok_or_else(|| {
            format!(
                "--chart-size {}: write WIDTHxHEIGHT, each 50 to {}",
                out.size,
                Size::MAX_SIDE
            )
        })?;
    chart::register_font();
    let context = Context::for_recipe(recipe, catalog, lang);
    let prepared = prepare(result, &recipe.chart, &context).map_err(|e| format!("chart: {e}"))?;
    let frame = layout(
        &prepared,
        &context,
        Size {
            width,
            height,
            scale: 1.0,
        },
        None,
        None,
    );
    let image = rasterise(&prepared, &frame, None)
        .and_then(|r| png::encode(r.width, r.height, &r.rgba))
        .map(|png| format!("data:image/png;base64,{}", STANDARD.encode(png)));
    let svg = chart::draw::svg(&frame, image.as_deref()).map_err(|e| e.to_string())?;
    write_atomically(&out.path, svg.as_bytes())?;
    Ok(format!(
        "drew the chart ({} marks) to {}",
        frame.shown,
        out.path.display()
    ))
}

/// A count in the tool's printed reports (English: `1,152`).
fn counted(n: u64) -> String {
    number(n as f64, 0, crate::data::Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_stay_inside_the_data_folder() {
        let data = Path::new("/srv/data");
        assert_eq!(
            inside(data, "agencies/ab.arrow").unwrap(),
            Path::new("/srv/data/agencies/ab.arrow")
        );
        for bad in [
            "../secret.arrow",
            "/etc/passwd",
            "a/../../b",
            "https://x/a.arrow",
            "",
            " ",
        ] {
            assert!(inside(data, bad).is_err(), "{bad}");
        }
    }
}
