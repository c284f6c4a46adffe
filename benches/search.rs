//! Entity search benchmark, native: what one keystroke costs the worker.
//! An index of 755 entities (as many as the published data has) and of
//! 20,000, with made-up Swedish-looking names; queries that match by key,
//! by name, by word starts and by a typo, and one that matches nothing
//! (the whole index is scanned, typos included). The baseline is one pass
//! folding every name and testing `contains`, in the same run.
//!
//!   cargo bench --bench search          RUNS=N for more runs

// Only `median` of the shared helpers is used here.
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
mod common;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::median;
    use std::hint::black_box;
    use std::time::Instant;

    use datalabb::data::entities::{Entity, EntityKind, Index};
    use datalabb::data::search::fold;
    use datalabb::ml::rng::Rng;

    const PARTS: [&str; 16] = [
        "stat",
        "verket",
        "myndighet",
        "skatte",
        "kriminal",
        "vården",
        "nämnden",
        "rådet",
        "styrelsen",
        "kammar",
        "kollegiet",
        "läns",
        "universitet",
        "högskola",
        "inspektion",
        "fonden",
    ];

    fn entities(n: usize) -> Vec<Entity> {
        let mut rng = Rng::new(7);
        (0..n)
            .map(|i| {
                let words = 1 + (rng.next_u64() % 3) as usize;
                let name: Vec<String> = (0..words)
                    .map(|_| {
                        let a = PARTS[(rng.next_u64() % 16) as usize];
                        let b = PARTS[(rng.next_u64() % 16) as usize];
                        let mut w = format!("{a}{b}");
                        w[..1].make_ascii_uppercase();
                        w
                    })
                    .collect();
                Entity {
                    kind: Some(EntityKind::Agency),
                    key: format!("{:010}", 2_021_000_000 + i),
                    name: name.join(" "),
                    former_names: vec![format!("Gamla {}", name[0])],
                    rows: rng.next_u64() % 500,
                    ..Entity::default()
                }
            })
            .collect()
    }

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        for n in [755, 20_000] {
            let all = entities(n);
            let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
            let started = Instant::now();
            let index = Index::new(all);
            println!(
                "index of {n}: built in {:.2} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
            // Each run: 100 queries; the time of one, in microseconds.
            let time = |f: &dyn Fn() -> usize| -> Vec<f64> {
                (0..runs)
                    .map(|_| {
                        let started = Instant::now();
                        for _ in 0..100 {
                            black_box(f());
                        }
                        started.elapsed().as_secs_f64() * 1e6 / 100.0
                    })
                    .collect()
            };
            let base = median(time(&|| {
                names.iter().filter(|n| fold(n).contains("verket")).count()
            }));
            println!("{n}: baseline, fold + contains over every name: median {base:>9.1} µs");
            for query in [
                "2021000035",
                "skatteverket",
                "stat myn",
                "skateverket",
                "zzqqxx",
            ] {
                let m = median(time(&|| index.find(query, 40).len()));
                println!(
                    "{n}: find {query:<14} median {m:>9.1} µs  {:>5.1}× baseline",
                    m / base
                );
            }
        }
    }
}
