//! Randomised mutations of valid Arrow files and streams: the loader must
//! return an error or a table, never panic, and never ask for a huge
//! allocation. Runs briefly in the test command; for a long run:
//!
//! ```sh
//! DATALABB_MUTATIONS=1000000 DATALABB_MUTATION_SEED=7 cargo test --release --test load_mutation
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use datalabb::data::load::{Limits, decode};

#[path = "support/mutation.rs"]
mod mutation;

use mutation::{Rng, encodings, mutate};

/// Records the largest single allocation this test process asks for.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

#[test]
fn mutated_files_never_panic_nor_allocate_without_bound() {
    let iterations: usize = std::env::var("DATALABB_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let encodings = encodings();
    let limits = Limits::default();
    let seed = std::env::var("DATALABB_MUTATION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_da7a_1abb_u64);
    let mut rng = Rng::new(seed | 1);
    let (mut decoded, mut refused) = (0, 0);
    for i in 0..iterations {
        let base = encodings[i % encodings.len()].clone();
        let input = mutate(&mut rng, base);
        let outcome = catch_unwind(AssertUnwindSafe(|| decode(input.clone(), &limits)));
        match outcome {
            Ok(Ok(_)) => decoded += 1,
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
            Err(_) => {
                let path = std::env::temp_dir().join(format!("datalabb-panic-{i}.arrow"));
                std::fs::write(&path, &input).unwrap();
                panic!(
                    "mutation {i} made the loader panic; the input is in {}",
                    path.display()
                );
            }
        }
    }
    let largest = LARGEST.load(Ordering::Relaxed);
    eprintln!(
        "{iterations} mutations: {decoded} decoded, {refused} refused; largest allocation {largest} bytes"
    );
    assert!(
        refused > iterations / 4,
        "the mutations should break most inputs"
    );
    assert!(
        (largest as u64) < 2 * limits.max_decoded_bytes,
        "an allocation of {largest} bytes passed the limits"
    );
}
