//! Randomised mutations of valid Arrow files and streams (the lab's own and
//! those other tools write: zstd, views, zero rows) and of CSV files: the
//! loader and the CSV reader must return an error or a table, never panic,
//! and never ask for a huge allocation. Runs briefly in the test command;
//! for a long run:
//!
//! ```sh
//! DATALABB_MUTATIONS=1000000 DATALABB_MUTATION_SEED=7 cargo test --profile fuzz --test load_mutation
//! ```
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use datalabb::data::csv;
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
    let mut encodings = encodings();
    // Files other tools write (tests/files/foreign): zstd, views, zones.
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/files/foreign");
    let mut names: Vec<_> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    encodings.extend(names.iter().map(|p| std::fs::read(p).unwrap()));
    let limits = Limits::default();
    let seed = std::env::var("DATALABB_MUTATION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_da7a_1abb_u64);
    let mut rng = Rng::new(seed | 1);
    let (mut decoded, mut refused, mut caught) = (0, 0, 0);
    for i in 0..iterations {
        let base = encodings[i % encodings.len()].clone();
        let input = mutate(&mut rng, base);
        let outcome = catch_unwind(AssertUnwindSafe(|| decode(input.clone(), &limits)));
        match outcome {
            Ok(Ok(_)) => decoded += 1,
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
                // A panic inside the parquet crate's reader, caught natively;
                // in the browser it ends the Parquet worker.
                caught += usize::from(e.to_string().contains("the Parquet reader stopped"));
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
        "{iterations} mutations: {decoded} decoded, {refused} refused ({caught} by a caught panic in the Parquet reader); largest allocation {largest} bytes"
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

/// CSV as public bodies and spreadsheets write it, to mutate.
fn csv_samples() -> Vec<Vec<u8>> {
    let mut wide = (0..300)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(";");
    wide.push_str("\n1;2\n3\n");
    vec![
        b"kommunkod;namn;invanare\n0114;Upplands V\xe4sby;48 000\n0180;Stockholm;\"984 748\"\n".to_vec(),
        "\u{feff}org_nr,namn,fte,datum,aktiv\n202100-0035,Justitiekanslern,\"45,5\",2024-01-31,true\n2021000084,\"Skatteverket, huvudkontor\",\"10 500\",2023-12-31,false\n".as_bytes().to_vec(),
        b"a\tb\tc\n1\t2,5\t\n\"x\ny\"\t3\tz\n".to_vec(),
        wide.into_bytes(),
    ]
}

#[test]
fn mutated_csv_never_panics_nor_allocates_without_bound() {
    let iterations: usize = std::env::var("DATALABB_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let samples = csv_samples();
    let limits = Limits::default();
    let mut rng = Rng::new(0xc5f_5eed);
    let (mut read, mut refused) = (0, 0);
    for i in 0..iterations {
        let input = mutate(&mut rng, samples[i % samples.len()].clone());
        match catch_unwind(AssertUnwindSafe(|| csv::import(&input, &limits))) {
            Ok(Ok(_)) => read += 1,
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
            Err(_) => {
                let path = std::env::temp_dir().join(format!("datalabb-panic-{i}.csv"));
                std::fs::write(&path, &input).unwrap();
                panic!(
                    "mutation {i} made the CSV reader panic; the input is in {}",
                    path.display()
                );
            }
        }
    }
    let largest = LARGEST.load(Ordering::Relaxed);
    eprintln!(
        "{iterations} CSV mutations: {read} read, {refused} refused; largest allocation {largest} bytes"
    );
    assert!(read > 0);
    assert!((largest as u64) < 2 * limits.max_decoded_bytes);
}
