//! The command-line tool: `datalabb --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    datalabb::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
