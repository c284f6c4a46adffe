//! The lab's web page. Built for wasm32 by Trunk (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    datalabb::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("`app` is the lab's web page: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
