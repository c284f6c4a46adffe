//! The native command-line tool. Each subcommand is a thin edge: it reads
//! files, calls the core and writes files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::data::Catalog;
use crate::data::catalog::fixture_catalog;

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
        Command::CheckCatalog { path } => check_catalog(&path),
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
