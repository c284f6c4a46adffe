//! The lab's compute worker. Built for wasm32 by Trunk (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    datalabb::engine::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("`worker` is the lab's compute worker: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
