//! The lab's Parquet reader, a worker of its own that the compute worker
//! starts when a Parquet file is opened (see `engine::parquet`). Built for
//! wasm32 by Trunk (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    datalabb::engine::parquet::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "`parquet` is the lab's Parquet reader for the browser: build it with `trunk build` (see README.md); natively, `datalabb convert` reads Parquet"
    );
    std::process::exit(2);
}
