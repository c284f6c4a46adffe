//! The native command-line tool. Each subcommand is a thin edge: it reads
//! files, calls the core and writes files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod generate;
mod ml;
mod run;

use crate::data::Catalog;
use crate::data::catalog::fixture_catalog;
use crate::publish::Options;
use crate::recipe::sql::{Dialect, to_sql};

#[derive(Parser)]
#[command(name = "datalabb", version, about = "Datalabb's command-line tool")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the small generated fixture catalog (for tests and a first run).
    Fixtures {
        /// The folder to write `catalog.json` into.
        #[arg(long, default_value = "public/data")]
        out: PathBuf,
    },
    /// Write a generated table of numbers and text as an Arrow file with its
    /// own catalog (for the million-row preview test and the benchmark).
    Generate {
        /// The folder to write `catalog.json` and the file into.
        #[arg(long)]
        out: PathBuf,
        /// The dataset id.
        #[arg(long, default_value = "generated")]
        id: String,
        /// How many rows (of the fact table, with `--star`).
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Write the join benchmark's star schema instead: datasets `fact`
        /// (region, year, value) and `dimension` (region, year, weight).
        #[arg(long)]
        star: bool,
    },
    /// Publish the datasets of `datasets/` as Arrow files and a catalog.
    Publish {
        /// The folder of dataset manifests.
        #[arg(long, default_value = "datasets")]
        manifests: PathBuf,
        /// The output folder (the static data host's content).
        #[arg(long, default_value = "public/data")]
        out: PathBuf,
        /// The folder mirroring the upstream files [default: ../shared/data/raw when it exists].
        #[arg(long)]
        mirror: Option<PathBuf>,
        /// Do not look for a mirror folder: read every source from its URL.
        #[arg(long, conflicts_with = "mirror")]
        no_mirror: bool,
    },
    /// Print an analysis's relational steps as one SQL query, for
    /// DataFusion (the default), DuckDB or Spark SQL, to run where the data
    /// is.
    Sql {
        /// The analysis (as for `run`).
        recipe: String,
        /// The data folder with `catalog.json`.
        #[arg(long, default_value = "public/data")]
        data: PathBuf,
        /// `datafusion`, `duckdb` or `spark`.
        #[arg(long, default_value = "datafusion")]
        dialect: String,
        /// Also write the recipe the query computes (all of it, or its
        /// steps before the first learning step) as JSON to this file.
        #[arg(long)]
        recipe_out: Option<PathBuf>,
    },
    /// Run an analysis (a lab link, `r1.…` text, a file holding either,
    /// recipe JSON, or `curated:<id>`) against a data folder and write the
    /// result.
    Run {
        /// The analysis.
        recipe: String,
        /// The data folder with `catalog.json`.
        #[arg(long, default_value = "public/data")]
        data: PathBuf,
        /// The result: `.arrow` or `.csv`.
        #[arg(long)]
        out: PathBuf,
        /// Also draw the recipe's chart as SVG to this file.
        #[arg(long)]
        chart: Option<PathBuf>,
        /// The chart's size in pixels, `WIDTHxHEIGHT`.
        #[arg(long, default_value = "960x600")]
        chart_size: String,
        /// The language of the chart's frame: `sv` or `en`.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Run one learning method on the number columns of an Arrow file (as
    /// they are, unscaled) and print its answer as JSON: labels, inertia,
    /// core rows, components (for comparisons with other tools).
    Ml {
        /// The Arrow file; every column is a feature.
        input: PathBuf,
        #[command(flatten)]
        method: ml::Method,
    },
    /// Read a table file as the lab reads it (Arrow IPC or Parquet, with
    /// the same checks as the browser) and write it as Arrow or CSV.
    Convert {
        /// The Arrow or Parquet file.
        input: PathBuf,
        /// The result: `.arrow` or `.csv`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check that a `catalog.json` is a valid catalog and summarise it.
    CheckCatalog {
        /// The catalog file.
        path: PathBuf,
    },
}

/// Runs the tool with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fixtures { out } => write_fixtures(&out),
        Command::Generate {
            out,
            rows,
            star: true,
            ..
        } => generate::write_star(&out, rows),
        Command::Generate { out, id, rows, .. } => generate::write(&out, &id, rows),
        Command::CheckCatalog { path } => check_catalog(&path),
        Command::Convert { input, out } => run::convert(&input, &out),
        Command::Sql {
            recipe,
            data,
            dialect,
            recipe_out,
        } => sql(&recipe, &data, &dialect, recipe_out.as_deref()),
        Command::Ml { input, method } => ml::run(&input, &method),
        Command::Run {
            recipe,
            data,
            out,
            chart,
            chart_size,
            lang,
        } => {
            let chart = chart.map(|path| run::ChartOut {
                path,
                size: chart_size,
                lang,
            });
            run::run_recipe(&recipe, &data, &out, chart.as_ref())
        }
        Command::Publish {
            manifests,
            out,
            mirror,
            no_mirror,
        } => {
            let mirror = match (mirror, no_mirror) {
                (_, true) => None,
                (Some(dir), false) => Some(dir),
                (None, false) => Some(PathBuf::from(DEFAULT_MIRROR)).filter(|d| d.is_dir()),
            };
            publish(&Options {
                manifests,
                out,
                mirror,
            })
        }
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where the upstream files are mirrored on the project's machines.
const DEFAULT_MIRROR: &str = "../shared/data/raw";

fn publish(options: &Options) -> Result<String, String> {
    let started = std::time::Instant::now();
    match &options.mirror {
        Some(dir) => eprintln!(
            "publishing from the mirror {} (then upstream URLs)",
            dir.display()
        ),
        None => eprintln!("publishing from the upstream URLs (no mirror folder)"),
    }
    let report = crate::publish::publish(options).map_err(|e| e.to_string())?;
    Ok(format!(
        "{}published in {} ms",
        report.render(),
        started.elapsed().as_millis()
    ))
}

fn write_fixtures(out: &Path) -> Result<String, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join("catalog.json");
    write_atomically(&path, fixture_catalog().to_json().as_bytes())?;
    Ok(format!("wrote the fixture catalog to {}", path.display()))
}

fn check_catalog(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let catalog = Catalog::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let versions: usize = catalog.datasets.iter().map(|d| d.versions.len()).sum();
    Ok(format!(
        "{}: a valid catalog v{} with {} datasets and {versions} versions",
        path.display(),
        catalog.version,
        catalog.datasets.len()
    ))
}

/// Writes `bytes` beside `path` and renames, so that a reader never sees a
/// half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} is not a file path", path.display()))?;
    let mut aside = name.to_os_string();
    aside.push(".partial");
    let aside = path.with_file_name(aside);
    std::fs::write(&aside, bytes).map_err(|e| format!("cannot write {}: {e}", aside.display()))?;
    std::fs::rename(&aside, path).map_err(|e| {
        let _ = std::fs::remove_file(&aside);
        format!("cannot move {} into place: {e}", path.display())
    })
}

/// `datalabb sql`: the query on standard output.
fn sql(
    source: &str,
    data: &Path,
    dialect: &str,
    recipe_out: Option<&Path>,
) -> Result<String, String> {
    let dialect = Dialect::parse(dialect)
        .ok_or_else(|| format!("--dialect {dialect}: write datafusion, duckdb or spark"))?;
    let catalog = run::read_catalog(data)?;
    let recipe = run::recipe_from(source, &catalog)?;
    let sql = to_sql(&recipe, &catalog, dialect).map_err(|e| e.to_string())?;
    if let Some(path) = recipe_out {
        let json = serde_json::to_vec_pretty(&sql.computed).map_err(|e| e.to_string())?;
        write_atomically(path, &json)?;
    }
    println!("{}{};", sql.preamble, sql.query);
    Ok(format!(
        "-- {}",
        sql.note
            .as_deref()
            .unwrap_or("The query computes every step.")
    ))
}
