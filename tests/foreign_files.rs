//! Arrow files written by other tools (pyarrow, polars; made by
//! `tests/python/make_foreign_files.py`) open in the engine as a visitor's
//! file: every value readable, none shown as missing, no panic.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use datalabb::engine::handler::{Engine, Outcome};
use datalabb::engine::protocol::{Request, Response};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/files/foreign");

fn reply(engine: &mut Engine, request: Request, bulk: Option<Vec<u8>>) -> Response {
    match engine.handle(request, bulk) {
        Outcome::Reply(response) => response,
        other => panic!("expected a reply, got {other:?}"),
    }
}

/// Opens `name` from the corpus; its rows (all of them) and summaries.
fn open(name: &str) -> (u64, Vec<Vec<Option<String>>>, Response) {
    let bytes = std::fs::read(Path::new(CORPUS).join(name)).unwrap();
    let mut engine = Engine::new();
    let dataset = format!("file:{name}");
    let opened = reply(
        &mut engine,
        Request::OpenFile {
            dataset: dataset.clone(),
            name: name.into(),
        },
        Some(bytes),
    );
    let Response::DatasetOpened { summary } = opened else {
        panic!("{name}: {opened:?}");
    };
    let rows = reply(
        &mut engine,
        Request::Rows {
            dataset: dataset.clone(),
            search: String::new(),
            sort: None,
            offset: 0,
            limit: 1000,
            lang: Default::default(),
        },
        None,
    );
    let Response::Rows { rows, .. } = rows else {
        panic!("{name}: {rows:?}");
    };
    let summaries = reply(
        &mut engine,
        Request::Summarize {
            dataset,
            lang: Default::default(),
        },
        None,
    );
    (
        summary.rows,
        rows.into_iter().map(|r| r.cells).collect(),
        summaries,
    )
}

/// The engine's message for the file `name` in `dir`, which it must refuse.
fn refusal(dir: &str, name: &str) -> String {
    let bytes = std::fs::read(Path::new(dir).join(name)).unwrap();
    let answer = reply(
        &mut Engine::new(),
        Request::OpenFile {
            dataset: format!("file:{name}"),
            name: name.into(),
        },
        Some(bytes),
    );
    let Response::Error { message } = answer else {
        panic!("{name}: {answer:?}");
    };
    message
}

fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".arrow") || n.ends_with(".arrows") || n.ends_with(".parquet"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    names
}

/// The corpus's files of types the lab does not read, and the column each
/// message must name.
const REFUSED: [(&str, &str); 2] = [
    ("pyarrow_list_column.arrow", "tags"),
    ("pyarrow_struct_column.arrow", "place"),
];

#[test]
fn types_the_lab_does_not_read_are_named() {
    for (name, column) in REFUSED {
        let message = refusal(CORPUS, name);
        assert!(
            message.contains(&format!("{column:?}")),
            "{name}: {message}"
        );
    }
}

#[test]
fn parquet_files_that_made_the_reader_panic_get_messages() {
    // Found by the mutation test: a dictionary page of no values that
    // holds bytes, and a run header of dictionary codes longer than ten
    // bytes. The walk refuses both before the reader, which panics on
    // them, is called.
    let hostile = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/files/hostile");
    for (name, says) in [
        (
            "parquet_text_page_without_values.parquet",
            "is a dictionary of no values",
        ),
        (
            "parquet_long_vlq_in_codes.parquet",
            "a page of column \"i\" has a run header of dictionary codes longer than ten bytes",
        ),
    ] {
        let message = refusal(hostile, name);
        assert!(
            message.contains("damaged") && message.contains(says),
            "{name}: {message}"
        );
    }
}

#[test]
fn every_file_of_the_corpus_opens_pages_and_summarises() {
    for name in corpus() {
        if REFUSED.iter().any(|(refused, _)| *refused == name) {
            continue;
        }
        let (rows, cells, summaries) = open(&name);
        assert_eq!(cells.len() as u64, rows.min(1000), "{name}");
        let Response::Summaries { columns, .. } = summaries else {
            panic!("{name}: {summaries:?}");
        };
        for column in &columns {
            assert_eq!(column.rows, rows, "{name} {}", column.name);
        }
    }
}

#[test]
fn no_value_is_shown_as_missing() {
    // Every fourth row of the every-type tables is null; the rest have a
    // value in every column, and the preview shows each.
    for name in [
        "pyarrow_every_type.arrow",
        "pyarrow_every_type_zstd.arrow",
        "pyarrow_every_type_lz4.arrows",
        "pyarrow_every_type_snappy.parquet",
        "pyarrow_every_type_gzip_v2.parquet",
        "pyarrow_every_type_lz4.parquet",
        "pyarrow_every_type_plain.parquet",
        "pyarrow_every_type_zstd.parquet",
        "pyarrow_every_type_zstd_v2.parquet",
        "pyarrow_every_type_brotli.parquet",
    ] {
        let (rows, cells, summaries) = open(name);
        assert_eq!(rows, 12, "{name}");
        for (i, row) in cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                assert_eq!(
                    cell.is_none(),
                    i % 4 == 3,
                    "{name} row {i} column {c}: {cell:?}"
                );
            }
        }
        let Response::Summaries { columns, .. } = summaries else {
            panic!("{name}");
        };
        for column in columns {
            assert_eq!(column.nulls, 3, "{name} {}", column.name);
        }
    }
}

#[test]
fn timestamps_show_the_instant_they_hold() {
    let (_, cells, _) = open("pyarrow_every_type.arrow");
    let names = [
        "int",
        "float",
        "text",
        "large_text",
        "dict",
        "flag",
        "day",
        "at_utc",
        "at_stockholm",
        "at_offset",
        "at_naive",
        "at_ns",
        "amount",
        "wait",
        "blob",
    ];
    let cell = |row: usize, column: &str| {
        let c = names.iter().position(|n| *n == column).unwrap();
        cells[row][c].clone().unwrap()
    };
    // pyarrow stores 2024-03-31 00:30 (naive, so taken as UTC) as the
    // instant; each zone shows that instant.
    assert_eq!(cell(0, "at_utc"), "2024-03-31T00:30:00Z");
    assert_eq!(cell(0, "at_stockholm"), "2024-03-31T00:30:00Z");
    assert_eq!(cell(0, "at_offset"), "2024-03-31T01:30:00+01:00");
    assert_eq!(cell(1, "at_naive"), "2024-03-31T00:30:00.001500");
    assert_eq!(cell(1, "at_stockholm"), "2024-03-31T02:30:00Z");
    assert_eq!(cell(0, "at_ns"), "2024-03-31T00:30:00Z");
    assert_eq!(cell(0, "amount"), "1909.69");
    assert_eq!(cell(0, "text"), "Skatteverket");
    assert_eq!(cell(1, "dict"), "län");
}

#[test]
fn text_views_read_as_text() {
    for name in ["pyarrow_views.arrow", "pyarrow_views_zstd.arrow"] {
        let (_, cells, _) = open(name);
        assert_eq!(cells[0][0].as_deref(), Some("Skatteverket"), "{name}");
        assert_eq!(cells[1][0], None, "{name}");
        assert_eq!(
            cells[2][0].as_deref(),
            Some("a string longer than twelve bytes"),
            "{name}"
        );
    }
    for name in [
        "polars_default.arrow",
        "polars_zstd.arrow",
        "polars_lz4.arrow",
    ] {
        let (rows, cells, _) = open(name);
        assert_eq!(rows, 3, "{name}");
        assert_eq!(cells[1][0].as_deref(), Some("Kriminalvården"), "{name}");
        assert_eq!(cells[0][1].as_deref(), Some("10,000.50"), "{name}");
    }
}

#[test]
fn zstd_files_of_many_batches_read_whole() {
    let (rows, cells, _) = open("pyarrow_batches_zstd.arrow");
    assert_eq!(rows, 10_000);
    assert_eq!(cells[999][1].as_deref(), Some("rad 999"));
}
