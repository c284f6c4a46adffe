//! The entities dataset on the real published data: the search finds the
//! agencies and places visitors type, and every panel of their pages
//! checks and runs, with sentences made from its numbers.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use datalabb::data::entities::{self, EntityKind, Index};
use datalabb::data::load::{Limits, decode};
use datalabb::data::{Catalog, Lang};
use datalabb::publish::{Options, publish};
use datalabb::recipe::entity::panels;
use datalabb::recipe::execute::execute;
use datalabb::recipe::findings::{Table, sentences};

fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The real datasets, published once into a folder of this test's own.
fn published() -> (Catalog, BTreeMap<String, RecordBatch>) {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("entities-published");
    let _ = std::fs::remove_dir_all(&out);
    let report = publish(&Options {
        manifests: root().join("datasets"),
        out: out.clone(),
        mirror: Some(root().join("../shared/data/raw")),
    })
    .unwrap();
    let catalog = Catalog::from_json(&std::fs::read(&report.catalog).unwrap()).unwrap();
    let mut tables = BTreeMap::new();
    for dataset in &catalog.datasets {
        let version = dataset.latest().unwrap();
        let bytes = std::fs::read(out.join(&version.url)).unwrap();
        let table = decode(bytes, &Limits::default()).unwrap();
        let batch = arrow::compute::concat_batches(&table.schema, &table.batches).unwrap();
        tables.insert(dataset.id.clone(), batch);
    }
    (catalog, tables)
}

#[test]
fn the_search_reaches_what_visitors_type_and_every_page_runs() {
    let (catalog, tables) = published();
    let index = Index::new(entities::read(&tables["entities"]).unwrap());
    let first = |query: &str| {
        let hit = index.find(query, 5).into_iter().next();
        hit.map(|h| (h.entity.kind.unwrap(), h.entity.name))
    };
    assert_eq!(
        first("Skatteverket"),
        Some((EntityKind::Agency, "Skatteverket".into()))
    );
    assert_eq!(
        first("skateverket"),
        Some((EntityKind::Agency, "Skatteverket".into()))
    );
    assert_eq!(
        first("202100-0035"),
        Some((EntityKind::Agency, "Justitiekanslern".into()))
    );
    assert_eq!(
        first("JK"),
        Some((EntityKind::Agency, "Justitiekanslern".into()))
    );
    assert_eq!(
        first("0180"),
        Some((EntityKind::Municipality, "Stockholms kommun".into()))
    );
    assert_eq!(
        first("justitiedepartementet").map(|h| h.0),
        Some(EntityKind::Ministry)
    );

    // Every panel of one entity of each kind checks and runs; an agency
    // page has at least five, and sentences from their numbers.
    let inputs = |recipe: &datalabb::recipe::Recipe| -> BTreeMap<String, RecordBatch> {
        recipe
            .inputs
            .iter()
            .map(|i| (i.name.clone(), tables[&i.dataset].clone()))
            .collect()
    };
    for (kind, key, least) in [
        (EntityKind::Agency, "2021000035", 5),
        (EntityKind::Agency, "2021000225", 5),
        (EntityKind::Agency, "2021005448", 5),
        (EntityKind::Ministry, "Justitiedepartementet", 3),
        (EntityKind::Area, "3", 3),
        (EntityKind::Municipality, "0180", 2),
        (EntityKind::County, "01", 3),
    ] {
        let entity = index.get(kind, key).unwrap_or_else(|| panic!("{key}"));
        let page = panels(entity, &catalog, Lang::En);
        assert!(page.len() >= least, "{key}: {} panels", page.len());
        let mut values_of = Vec::new();
        for panel in &page {
            let done = execute(
                &panel.recipe,
                &catalog,
                &inputs(&panel.recipe),
                &mut |_, _, _| std::ops::ControlFlow::Continue(()),
            );
            let batch = done
                .result
                .unwrap_or_else(|e| panic!("{key} {}: {e}", panel.id));
            assert!(batch.num_rows() > 0, "{key} {}: no rows", panel.id);
            values_of.push((panel.id, Table::from_batch(&batch, 10_000)));
        }
        if key == "2021000225" {
            let said = sentences(entity, &values_of, Lang::En);
            println!("{said:#?}");
            assert!(
                said[0].starts_with("Swedish Prison and Probation Service grew by"),
                "{}",
                said[0]
            );
            assert!(
                said[0].contains("agencies under Justitiedepartementet"),
                "{}",
                said[0]
            );
        }
        for lang in [Lang::Sv, Lang::En] {
            let said = sentences(entity, &values_of, lang);
            assert!(!said.is_empty(), "{key}: no sentence");
            for sentence in &said {
                assert!(
                    !sentence.contains("NaN") && !sentence.contains("inf"),
                    "{sentence}"
                );
            }
        }
    }
}
