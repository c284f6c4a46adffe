//! A Parquet file read as it is needed answers every request as the same
//! file read whole does, and reads only what the requests need.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::super::tests::{engine_with_fixture_tables, load, reply};
use super::*;
use crate::chart::Lang;
use crate::data::catalog::fixture_catalog;
use crate::data::load::tests::{parquet_file, sample};
use crate::data::load::{parquet_columns, parquet_head};
use crate::engine::handler::{Outcome, catalog_summary};
use crate::engine::protocol::RESULT;

/// What the columns asked of each dataset were.
type Asked = Vec<(String, Vec<String>)>;

/// Answers `request` as the worker does: first the columns it wants, read
/// from `files` (by dataset) as the Parquet worker reads them.
fn answer(
    engine: &mut Engine,
    files: &BTreeMap<String, Bytes>,
    request: Request,
) -> (Response, Asked) {
    let wants = engine.wants(&request);
    for (dataset, columns) in &wants {
        let columns = columns.iter().cloned().collect();
        let ipc = parquet_columns(files[dataset].clone(), &Limits::default(), &columns).unwrap();
        engine.add_columns(dataset, ipc).unwrap();
    }
    let Outcome::Reply(response) = engine.handle(request, None) else {
        panic!("not a reply");
    };
    (response, wants)
}

/// Opens `file` as the worker opens a Parquet file: its first `head` rows.
fn open(engine: &mut Engine, dataset: &str, sha256: &str, file: &Bytes, head: u64) -> Response {
    let (ipc, rows) = parquet_head(file.clone(), &Limits::default(), head).unwrap();
    let summary = catalog_summary(dataset, sha256, file.len() as u64, false);
    engine.open_head(summary, ipc, rows)
}

fn rows(
    dataset: &str,
    search: &str,
    sort: Option<crate::data::view::SortKey>,
    offset: u64,
    limit: u32,
) -> Request {
    Request::Rows {
        dataset: dataset.into(),
        search: search.into(),
        sort,
        offset,
        limit,
        lang: Lang::Sv,
    }
}

#[test]
fn a_parquet_file_shows_its_first_rows_and_reads_the_rest_when_asked() {
    let file = Bytes::from(parquet_file(
        &sample(),
        20,
        ::parquet::basic::Compression::SNAPPY,
    ));
    let files = BTreeMap::from([("d".to_string(), file.clone())]);
    // The same file read whole, as the CLI and a catalog's Arrow file are.
    let mut whole = Engine::new();
    let Response::DatasetOpened { summary: all } =
        whole.open_verified("d", "s", "u", file.to_vec(), false)
    else {
        panic!("not opened whole");
    };
    let mut lazy = Engine::new();
    let Response::DatasetOpened { summary } = open(&mut lazy, "d", "s", &file, 30) else {
        panic!("not opened");
    };
    assert_eq!((summary.rows, &summary.columns), (125, &all.columns));
    assert!(
        summary.memory_bytes < all.memory_bytes / 2,
        "{} of {}",
        summary.memory_bytes,
        all.memory_bytes
    );
    assert!(lazy.reads_as_needed("d") && summary.read_as_needed && !all.read_as_needed);
    // The first rows come from what the open read.
    for (offset, limit) in [(0, 30), (5, 20), (29, 1), (30, 0)] {
        let request = rows("d", "", None, offset, limit);
        let (shown, asked) = answer(&mut lazy, &files, request.clone());
        assert_eq!(asked, Vec::new());
        assert_eq!(shown, reply(&mut whole, request, None), "{offset} {limit}");
    }
    // More, a search or a sort read every column first.
    let names: Vec<String> = all.columns.iter().map(|(n, _)| n.clone()).collect();
    for request in [
        rows("d", "", None, 25, 10),
        rows("d", "rad 1", None, 0, 10),
        rows(
            "d",
            "",
            Some(crate::data::view::SortKey {
                column: 1,
                descending: true,
            }),
            0,
            10,
        ),
    ] {
        let mut lazy = Engine::new();
        open(&mut lazy, "d", "s", &file, 30);
        let (shown, asked) = answer(&mut lazy, &files, request.clone());
        assert_eq!(asked, vec![("d".to_string(), names.clone())]);
        assert_eq!(shown, reply(&mut whole, request, None));
        assert!(!lazy.reads_as_needed("d"));
    }
    // The summaries and a download too; then it is whole.
    for request in [
        Request::Summarize {
            dataset: "d".into(),
            lang: Lang::En,
        },
        Request::Export {
            dataset: "d".into(),
            format: crate::data::export::Format::Csv,
        },
    ] {
        let mut lazy = Engine::new();
        open(&mut lazy, "d", "s", &file, 30);
        let (answered, asked) = answer(&mut lazy, &files, request.clone());
        assert_eq!(asked, vec![("d".to_string(), names.clone())]);
        assert_eq!(answered, reply(&mut whole, request, None));
        assert_eq!(
            lazy.tables()["d"].summary.memory_bytes,
            whole.tables()["d"].summary.memory_bytes
        );
    }
    // A file whose first rows are all its rows is whole at once.
    let mut small = Engine::new();
    open(&mut small, "d", "s", &file, 125);
    assert!(!small.reads_as_needed("d"));
    assert_eq!(
        small.wants(&Request::Summarize {
            dataset: "d".into(),
            lang: Lang::En
        }),
        Vec::new()
    );
}

#[test]
fn an_analysis_reads_only_the_columns_it_needs_of_a_parquet_file() {
    // The fixture's agencies and staff as Parquet files of one row per row
    // group, opened with their first row only.
    let (mut whole, recipe) = engine_with_fixture_tables();
    let mut lazy = Engine::new();
    load(&mut lazy, Some(fixture_catalog().to_json().as_bytes()));
    let mut files = BTreeMap::new();
    let [agencies, staff] = crate::recipe::tests::fixture_tables();
    for (input, batch) in recipe.inputs.iter().zip([agencies, staff]) {
        let file = Bytes::from(parquet_file(
            &[batch],
            1,
            ::parquet::basic::Compression::SNAPPY,
        ));
        open(&mut lazy, &input.dataset, &input.sha256, &file, 1);
        files.insert(input.dataset.clone(), file);
    }
    let run = Request::RunRecipe {
        recipe: recipe.clone(),
    };
    let (ran, asked) = answer(&mut lazy, &files, run.clone());
    // Of the first input only the join's key and the group-by's key; of
    // the joined one all (its columns all reach the join's output).
    assert_eq!(
        asked,
        vec![
            (
                "fixture-agencies".to_string(),
                vec!["org_nr".to_string(), "ministry".to_string()]
            ),
            (
                "fixture-staff".to_string(),
                vec!["org_nr".to_string(), "year".to_string(), "fte".to_string()]
            ),
        ]
    );
    assert_eq!(ran, reply(&mut whole, run.clone(), None));
    let export = Request::Export {
        dataset: RESULT.into(),
        format: crate::data::export::Format::Csv,
    };
    assert_eq!(
        reply(&mut lazy, export.clone(), None),
        reply(&mut whole, export, None)
    );
    // The agencies' names are never read; nothing more is asked again.
    assert!(lazy.reads_as_needed("fixture-agencies"));
    assert!(!lazy.reads_as_needed("fixture-staff"));
    assert_eq!(lazy.wants(&run), Vec::new());
    // A step's distinct values need the whole input.
    let distinct = Request::Distinct {
        recipe,
        step: 0,
        column: "name".into(),
        limit: 10,
    };
    let (values, asked) = answer(&mut lazy, &files, distinct.clone());
    assert_eq!(
        asked,
        vec![("fixture-agencies".to_string(), vec!["name".to_string()])]
    );
    assert_eq!(values, reply(&mut whole, distinct, None));
    assert!(!lazy.reads_as_needed("fixture-agencies"));
}

#[test]
fn columns_that_do_not_fit_are_refused_and_the_table_stays_as_it_was() {
    let file = Bytes::from(parquet_file(
        &sample(),
        20,
        ::parquet::basic::Compression::SNAPPY,
    ));
    let mut lazy = Engine::new();
    open(&mut lazy, "d", "s", &file, 30);
    let summarize = Request::Summarize {
        dataset: "d".into(),
        lang: Lang::En,
    };
    let before = lazy.wants(&summarize);
    let limits = Limits::default();
    let ipc = |names: &[&str]| {
        parquet_columns(
            file.clone(),
            &limits,
            &names.iter().map(|n| n.to_string()).collect(),
        )
        .unwrap()
    };
    // The first rows again (not every row), a column of another type,
    // garbage, a dataset not open.
    let (head, _) = parquet_head(file.clone(), &limits, 30).unwrap();
    // A good column beside the one of another type: neither is kept.
    let id = sample()[0].column(0).clone();
    let id = arrow::compute::concat(&[id.as_ref(), sample()[1].column(0).as_ref()]).unwrap();
    let text = std::sync::Arc::new(arrow::array::StringArray::from(vec!["x"; 125])) as _;
    let other = RecordBatch::try_from_iter([("id", id), ("value", text)]).unwrap();
    let other = crate::data::ipc::write_file(&other).unwrap();
    for (bytes, expected) in [
        (head, "rows of the file's 125"),
        (other, "column \"value\" as Utf8"),
        (b"not arrow".to_vec(), "d: "),
    ] {
        let error = lazy.add_columns("d", bytes).unwrap_err();
        assert!(error.contains(expected), "{error}");
        assert_eq!(lazy.wants(&summarize), before);
    }
    assert!(
        lazy.add_columns("elsewhere", ipc(&["id"]))
            .unwrap_err()
            .contains("not loaded")
    );
    // Unread, a request that needs all of it is an error, not a panic.
    for request in [
        summarize.clone(),
        rows("d", "x", None, 0, 10),
        rows("d", "", None, 100, 10),
    ] {
        assert!(matches!(
            reply(&mut lazy, request, None),
            Response::Error { .. }
        ));
    }
    // Columns added in parts make it whole.
    lazy.add_columns("d", ipc(&["id", "name"])).unwrap();
    assert_eq!(
        lazy.wants(&summarize)[0].1,
        ["value", "flag", "day", "kind"]
    );
    lazy.add_columns("d", ipc(&["value", "flag", "day", "kind"]))
        .unwrap();
    assert!(!lazy.reads_as_needed("d"));
    assert!(matches!(
        reply(&mut lazy, summarize, None),
        Response::Summaries { .. }
    ));
    // Heads that are not the file's.
    let (head, _) = parquet_head(file.clone(), &limits, 30).unwrap();
    for (ipc, rows) in [(head.clone(), 10), (b"PAR1".to_vec(), 125)] {
        let opened = lazy.open_head(catalog_summary("e", "s", 1, false), ipc, rows);
        assert!(matches!(opened, Response::Error { .. }), "{opened:?}");
        assert!(!lazy.tables().contains_key("e"));
    }
}
