//! The csv module's tests.

use super::*;
use arrow::array::AsArray;
use arrow::datatypes::{Date32Type, Float64Type, Int64Type};

fn imported(bytes: &[u8]) -> (Table, CsvReport) {
    let (_, table, report) = import(bytes, &Limits::default()).unwrap();
    (table, report)
}

fn types(report: &CsvReport) -> Vec<ColumnType> {
    report.columns.iter().map(|c| c.chosen).collect()
}

#[test]
fn reads_a_swedish_spreadsheet_export() {
    // Semicolons, decimal comma, a thousands space, Windows-1252 text,
    // CRLF line ends, a quoted field with a separator and a line break.
    let mut bytes = b"Kommun;Kod;Inv\xe5nare;Andel;Datum;Aktiv\r\n".to_vec();
    bytes.extend_from_slice(b"G\xe4vle;2180;\"103 011\";12,5;2024-01-31;sant\r\n");
    bytes.extend_from_slice(b"\"Ume\xe5; stad\nnorr\";0114;130 224;-0,25;2024-02-29;falskt\r\n");
    bytes.extend_from_slice(b"Kiruna;2584;;3;;\r\n");
    let (table, report) = imported(&bytes);
    assert_eq!(report.separator, ';');
    assert_eq!(report.encoding, Encoding::Windows1252);
    assert!(report.decimal_comma);
    assert_eq!(report.columns[2].name, "Invånare");
    use ColumnType::*;
    // "0114" keeps its leading zero: the code column stays text.
    assert_eq!(
        types(&report),
        [Text, Text, Integer, Decimal, Date, Boolean]
    );
    let batch = &table.batches[0];
    assert_eq!(batch.num_rows(), 3);
    let names = batch.column(0).as_string::<i32>();
    assert_eq!(names.value(0), "Gävle");
    assert_eq!(names.value(1), "Umeå; stad\nnorr");
    assert_eq!(batch.column(1).as_string::<i32>().value(1), "0114");
    let people = batch.column(2).as_primitive::<Int64Type>();
    assert_eq!((people.value(0), people.value(1)), (103_011, 130_224));
    assert!(people.is_null(2));
    let share = batch.column(3).as_primitive::<Float64Type>();
    assert_eq!(
        (share.value(0), share.value(1), share.value(2)),
        (12.5, -0.25, 3.0)
    );
    let day = batch.column(4).as_primitive::<Date32Type>();
    assert_eq!(day.value(0), 19_753);
    assert_eq!(day.value(1), 19_782);
    assert!(batch.column(5).as_boolean().value(0));
    assert!(report.columns.iter().all(|c| c.unreadable == 0));
}

#[test]
fn reads_utf8_with_a_byte_order_mark_and_commas() {
    let (table, report) = imported("\u{feff}namn,värde\nlän,1.5\n\"a, b\",2e3\n".as_bytes());
    assert_eq!(report.separator, ',');
    assert_eq!(report.encoding, Encoding::Utf8Bom);
    assert!(!report.decimal_comma);
    assert_eq!(report.columns[0].name, "namn");
    assert_eq!(types(&report), [ColumnType::Text, ColumnType::Decimal]);
    let batch = &table.batches[0];
    assert_eq!(batch.column(0).as_string::<i32>().value(1), "a, b");
    assert_eq!(
        batch.column(1).as_primitive::<Float64Type>().value(1),
        2000.0
    );
}

#[test]
fn a_corrected_type_makes_unreadable_values_empty_and_counts_them() {
    let bytes = b"id;amount\n1;12\n2;n/a\n3;7\n";
    let raw = parse(bytes, &Limits::default()).unwrap();
    let inferred = infer(&raw);
    assert_eq!(inferred.types, [ColumnType::Integer, ColumnType::Text]);
    let (table, report) = convert(
        &raw,
        inferred.decimal_comma,
        &[ColumnType::Text, ColumnType::Integer],
        &inferred.types,
    )
    .unwrap();
    let amount = &report.columns[1];
    assert_eq!(
        (amount.inferred, amount.chosen),
        (ColumnType::Text, ColumnType::Integer)
    );
    assert_eq!(amount.unreadable, 1);
    assert_eq!(amount.first_unreadable, Some((3, "n/a".to_string())));
    let column = table.batches[0].column(1).as_primitive::<Int64Type>();
    assert_eq!(column.null_count(), 1);
    assert_eq!(column.value(2), 7);
    assert!(convert(&raw, false, &[ColumnType::Text], &inferred.types).is_err());
}

#[test]
fn names_are_made_unique_and_short_lines_are_padded() {
    let (table, report) = imported(b"a;a;;b\n1;2\n");
    let names: Vec<_> = report.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "a_2", "column_3", "b"]);
    assert_eq!(table.batches[0].column(3).null_count(), 1);
}

#[test]
fn numbers_read_the_way_people_write_them() {
    assert_eq!(parse_integer("12 345"), Some(12_345));
    assert_eq!(parse_integer("−7"), Some(-7));
    assert_eq!(parse_integer("0"), Some(0));
    for bad in [
        "0114",
        "1 23",
        "12 3456",
        "1e3",
        "",
        "-",
        "9223372036854775808",
        "1,5",
    ] {
        assert_eq!(parse_integer(bad), None, "{bad}");
    }
    assert_eq!(parse_decimal("1 234,5", true), Some(1234.5));
    assert_eq!(parse_decimal(",5", true), Some(0.5));
    assert_eq!(parse_decimal("1.5e-3", false), Some(0.0015));
    assert_eq!(parse_decimal("0.5", false), Some(0.5));
    for bad in [
        "1.5", "1,", "1,5,5", "e3", "1e99999", "NaN", "inf", "0012,5",
    ] {
        assert_eq!(parse_decimal(bad, true), None, "{bad}");
    }
    assert_eq!(parse_decimal("1e400", false), None);
    assert_eq!(parse_date("1970-01-01"), Some(0));
    assert_eq!(parse_date("2023-02-29"), None);
    assert_eq!(parse_date("2024-13-01"), None);
    assert_eq!(parse_date("+024-01-01"), None);
    assert_eq!(parse_date("1969-12-31"), Some(-1));
    assert_eq!(parse_boolean("FALSKT"), Some(false));
}

#[test]
fn broken_and_hostile_input_is_an_error_not_a_panic() {
    let limits = Limits::default();
    assert_eq!(parse(b"", &limits), Err(LoadError::Empty));
    assert_eq!(parse(b" \r\n ", &limits), Err(LoadError::Empty));
    assert_eq!(
        parse(b"<!doctype html><p>404", &limits),
        Err(LoadError::Html)
    );
    assert!(matches!(
        parse(b"\xff\xfea\0b\0", &limits),
        Err(LoadError::Csv { .. })
    ));
    assert!(matches!(
        parse(b"PK\x03\x04\0\0", &limits),
        Err(LoadError::Csv { .. })
    ));
    assert!(matches!(
        parse(b"\xef\xbb\xbfa\xff", &limits),
        Err(LoadError::Csv { line: 1, .. })
    ));
    let Err(LoadError::Csv { line, message }) = parse(b"a;b\n1;2\n1;2;3\n", &limits) else {
        panic!("expected an error");
    };
    assert_eq!(line, 3);
    assert!(message.contains("3 fields"), "{message}");
    // A wide header over short lines is stopped by its cells, not its bytes.
    let mut wide = (0..5_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    wide.push('\n');
    wide.push_str(&"1\n".repeat(20_000));
    let tight = Limits {
        max_decoded_bytes: 1_000_000,
        ..Limits::default()
    };
    assert!(matches!(
        parse(wide.as_bytes(), &tight),
        Err(LoadError::TooLarge {
            what: "cells (rows × columns)",
            ..
        })
    ));
    let small = Limits {
        max_decoded_bytes: 10,
        max_rows: 2,
        max_columns: 2,
    };
    assert!(matches!(
        parse(b"a;b\n1;2\n3;4\n", &small),
        Err(LoadError::TooLarge { .. })
    ));
    let small = Limits {
        max_decoded_bytes: 100,
        ..small
    };
    assert!(matches!(
        parse(b"a;b\n1;2\n3;4\n5;6\n", &small),
        Err(LoadError::TooLarge { what: "rows", .. })
    ));
    assert!(matches!(
        parse(b"a;b;c\n", &small),
        Err(LoadError::TooLarge {
            what: "columns",
            ..
        })
    ));
    // An unterminated quote runs to the end of the file.
    let (_, table, _) = import(b"a;b\n\"1;2\n", &limits).unwrap();
    assert_eq!(table.num_rows(), 1);
    // Thousands of equal names are made unique quickly.
    let header = vec!["a"; 5000].join(";");
    let names = parse(header.as_bytes(), &limits).unwrap().names;
    assert_eq!((names[1].as_str(), names[4999].as_str()), ("a_2", "a_5000"));
    // Only a header: a table with no rows.
    let (_, table, report) = import(b"x;y\n", &limits).unwrap();
    assert_eq!((table.num_rows(), report.columns.len()), (0, 2));
    // Random bytes never panic.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b";,\"\n\r a1.e\xe4-0\xc3";
    for _ in 0..2000 {
        let len = (next() % 64) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let _ = import(&bytes, &limits);
    }
}
