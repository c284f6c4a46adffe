//! Importing CSV the way Swedish public bodies and spreadsheets write it:
//! comma, semicolon, tab or pipe separated; decimal comma or point;
//! UTF-8 with or without a byte-order mark, or Windows-1252; quoted fields
//! that hold separators and line breaks.
//!
//! Import is two steps, so that the visitor can correct a column's type
//! without reading the file again:
//! 1. [`parse`] reads the text into [`RawCsv`]: the header and every
//!    column as text (an Arrow `StringArray`).
//! 2. [`infer`] guesses each column's [`ColumnType`] and the decimal mark,
//!    and [`convert`] builds the typed table. A value that does not read as
//!    its column's type becomes null and is counted, never an error.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch,
    RecordBatchOptions, StringArray, StringBuilder,
};
use arrow::datatypes::{DataType, Field, Schema};
use serde::{Deserialize, Serialize};

use crate::data::load::{Limits, Table};
use crate::error::LoadError;

/// The separators tried when the file does not say, in order of preference.
const SEPARATORS: [u8; 4] = [b';', b',', b'\t', b'|'];
/// How many records decide the separator.
const SNIFF_RECORDS: usize = 50;
/// The largest CSV file read. Its text, its text columns and the typed
/// table live side by side for a while, about four times the file, and
/// must fit the browser's 4 GiB wasm heap with room to spare.
pub const MAX_CSV_BYTES: u64 = 256 << 20;

/// What a column holds, as the visitor sees and chooses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
}

impl ColumnType {
    pub const ALL: [ColumnType; 5] = [
        ColumnType::Text,
        ColumnType::Integer,
        ColumnType::Decimal,
        ColumnType::Boolean,
        ColumnType::Date,
    ];

    fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Integer => DataType::Int64,
            ColumnType::Decimal => DataType::Float64,
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Date => DataType::Date32,
        }
    }
}

/// How the file's text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8".
    Utf8Bom,
    /// Not valid UTF-8: read as Windows-1252, as older Excel saves CSV.
    Windows1252,
}

/// A CSV file read as text columns.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCsv {
    pub names: Vec<String>,
    pub columns: Vec<StringArray>,
    pub separator: u8,
    pub encoding: Encoding,
}

impl RawCsv {
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }
}

/// What the import found and chose, column by column; sent to the page so
/// the visitor can see and correct it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvReport {
    pub separator: char,
    pub encoding: Encoding,
    pub decimal_comma: bool,
    pub columns: Vec<CsvColumn>,
}

/// One imported column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvColumn {
    pub name: String,
    /// What the importer guessed.
    pub inferred: ColumnType,
    /// What the table holds (the guess, or the visitor's correction).
    pub chosen: ColumnType,
    /// Values that did not read as `chosen` and became empty.
    pub unreadable: u64,
    /// The first such value and its line in the file.
    pub first_unreadable: Option<(u64, String)>,
}

/// The most cells (rows × columns) a CSV file may make (and at most one
/// per 8 bytes of the decoded-data limit): each takes at least its 4-byte
/// offset, then its typed value.
pub const MAX_CSV_CELLS: u64 = 128_000_000;

/// Reads CSV bytes into text columns. Never panics, whatever the bytes.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<RawCsv, LoadError> {
    if bytes.trim_ascii().is_empty() {
        return Err(LoadError::Empty);
    }
    let limit = limits.max_decoded_bytes.min(MAX_CSV_BYTES);
    if bytes.len() as u64 > limit {
        return Err(LoadError::TooLarge {
            what: "its text read as CSV",
            size: bytes.len() as u64,
            limit,
        });
    }
    let (text, encoding) = decode_text(bytes)?;
    let separator = sniff_separator(&text);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(record) => record.map_err(csv_error)?,
        None => return Err(LoadError::Empty),
    };
    if header.len() > limits.max_columns {
        return Err(LoadError::TooLarge {
            what: "columns",
            size: header.len() as u64,
            limit: limits.max_columns as u64,
        });
    }
    let names = column_names(header.iter());
    let mut builders: Vec<StringBuilder> = names.iter().map(|_| StringBuilder::new()).collect();
    let mut rows = 0u64;
    // A cell takes 4 bytes of offsets and more once typed: 8 at least.
    let max_cells = MAX_CSV_CELLS.min(limits.max_decoded_bytes / 8);
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() > names.len() {
            return Err(LoadError::Csv {
                line,
                message: format!(
                    "{} fields, but the header names {}; check the separator and the quotes",
                    record.len(),
                    names.len()
                ),
            });
        }
        rows += 1;
        if rows > limits.max_rows {
            return Err(LoadError::TooLarge {
                what: "rows",
                size: rows,
                limit: limits.max_rows,
            });
        }
        // Every row takes a cell in every column, however short its line:
        // a wide header over short lines would otherwise grow thousands of
        // times over the file's size.
        let cells = rows.saturating_mul(names.len() as u64);
        if cells > max_cells {
            return Err(LoadError::TooLarge {
                what: "cells (rows × columns)",
                size: cells,
                limit: max_cells,
            });
        }
        // A short line (a spreadsheet drops trailing empty cells) reads as
        // empty values.
        for (i, builder) in builders.iter_mut().enumerate() {
            builder.append_value(record.get(i).unwrap_or(""));
        }
    }
    Ok(RawCsv {
        names,
        columns: builders.iter_mut().map(StringBuilder::finish).collect(),
        separator,
        encoding,
    })
}

/// The guessed decimal mark and column types.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub decimal_comma: bool,
    pub types: Vec<ColumnType>,
}

/// Guesses the decimal mark (a comma when the separator is not one and
/// more numbers read with a comma than with a point) and each column's
/// type: the first of integer, decimal, boolean, date that reads every
/// non-empty value, else text. Numbers with a leading zero (`0114`, a
/// municipality code) stay text.
pub fn infer(raw: &RawCsv) -> Inferred {
    let decimal_comma = raw.separator != b',' && {
        let (mut comma, mut point) = (0usize, 0usize);
        for column in &raw.columns {
            for value in column.iter().flatten() {
                let value = value.trim();
                if value.contains(',') && parse_decimal(value, true).is_some() {
                    comma += 1;
                } else if value.contains('.') && parse_decimal(value, false).is_some() {
                    point += 1;
                }
            }
        }
        comma > point
    };
    let types = raw
        .columns
        .iter()
        .map(|column| infer_column(column, decimal_comma))
        .collect();
    Inferred {
        decimal_comma,
        types,
    }
}

fn infer_column(column: &StringArray, decimal_comma: bool) -> ColumnType {
    let mut candidates = [
        ColumnType::Integer,
        ColumnType::Decimal,
        ColumnType::Boolean,
        ColumnType::Date,
    ]
    .to_vec();
    let mut seen = false;
    for value in column.iter().flatten() {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        seen = true;
        candidates.retain(|t| reads_as(*t, value, decimal_comma));
        if candidates.is_empty() {
            return ColumnType::Text;
        }
    }
    match candidates.first() {
        Some(t) if seen => *t,
        _ => ColumnType::Text,
    }
}

fn reads_as(t: ColumnType, value: &str, decimal_comma: bool) -> bool {
    match t {
        ColumnType::Text => true,
        ColumnType::Integer => parse_integer(value).is_some(),
        ColumnType::Decimal => parse_decimal(value, decimal_comma).is_some(),
        ColumnType::Boolean => parse_boolean(value).is_some(),
        ColumnType::Date => parse_date(value).is_some(),
    }
}

/// Builds the typed table from text columns. `types` has one entry per
/// column. Values that do not read as their type become null and are
/// counted in the report.
pub fn convert(
    raw: &RawCsv,
    decimal_comma: bool,
    types: &[ColumnType],
    inferred: &[ColumnType],
) -> Result<(Table, CsvReport), LoadError> {
    if types.len() != raw.columns.len() {
        return Err(LoadError::Csv {
            line: 0,
            message: format!(
                "{} column types were given for {} columns",
                types.len(),
                raw.columns.len()
            ),
        });
    }
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(types.len());
    let mut columns = Vec::with_capacity(types.len());
    for (i, (column, &chosen)) in raw.columns.iter().zip(types).enumerate() {
        let (array, unreadable, first_unreadable) = convert_column(column, chosen, decimal_comma);
        arrays.push(array);
        columns.push(CsvColumn {
            name: raw.names.get(i).cloned().unwrap_or_default(),
            inferred: inferred.get(i).copied().unwrap_or(chosen),
            chosen,
            unreadable,
            first_unreadable,
        });
    }
    let schema = Arc::new(Schema::new(
        raw.names
            .iter()
            .zip(types)
            .map(|(name, t)| Field::new(name, t.data_type(), true))
            .collect::<Vec<_>>(),
    ));
    let options = RecordBatchOptions::new().with_row_count(Some(raw.num_rows()));
    let batch =
        RecordBatch::try_new_with_options(schema.clone(), arrays, &options).map_err(|e| {
            LoadError::Csv {
                line: 0,
                message: e.to_string(),
            }
        })?;
    Ok((
        Table {
            schema,
            batches: vec![batch],
        },
        CsvReport {
            separator: char::from(raw.separator),
            encoding: raw.encoding,
            decimal_comma,
            columns,
        },
    ))
}

/// One column converted: the array, how many values did not read, and the
/// first of them with its line (the header is line 1).
fn convert_column(
    column: &StringArray,
    t: ColumnType,
    decimal_comma: bool,
) -> (ArrayRef, u64, Option<(u64, String)>) {
    let mut unreadable = Unreadable::default();
    let array: ArrayRef = match t {
        ColumnType::Text => {
            let mut b = StringBuilder::with_capacity(column.len(), column.values().len());
            for value in column.iter() {
                b.append_option(value.filter(|v| !v.trim().is_empty()));
            }
            Arc::new(b.finish())
        }
        ColumnType::Integer => Arc::new(Int64Array::from(unreadable.read(column, parse_integer))),
        ColumnType::Decimal => Arc::new(Float64Array::from(
            unreadable.read(column, |v| parse_decimal(v, decimal_comma)),
        )),
        ColumnType::Boolean => Arc::new(BooleanArray::from(unreadable.read(column, parse_boolean))),
        ColumnType::Date => Arc::new(Date32Array::from(unreadable.read(column, parse_date))),
    };
    (array, unreadable.count, unreadable.first)
}

/// Values that did not read as their column's type: how many, and the
/// first with its line (the header is line 1).
#[derive(Default)]
struct Unreadable {
    count: u64,
    first: Option<(u64, String)>,
}

impl Unreadable {
    /// Each value of `column` read by `parse`: empty values are null, and so
    /// are unreadable ones, which are counted.
    fn read<T>(
        &mut self,
        column: &StringArray,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<Option<T>> {
        column
            .iter()
            .enumerate()
            .map(|(row, value)| {
                let value = value.map(str::trim).filter(|v| !v.is_empty())?;
                let parsed = parse(value);
                if parsed.is_none() {
                    self.count += 1;
                    if self.first.is_none() {
                        self.first = Some((row as u64 + 2, value.chars().take(80).collect()));
                    }
                }
                parsed
            })
            .collect()
    }
}

/// Reads the text: UTF-8 (a byte-order mark is dropped), else
/// Windows-1252. UTF-16 and binary files are refused with a message.
fn decode_text(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, Encoding), LoadError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(LoadError::Csv {
            line: 1,
            message: "the file is UTF-16 text; save it as CSV in UTF-8 and open it again".into(),
        });
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(LoadError::Csv {
            line: 1,
            message: "this is a binary file, not CSV text".into(),
        });
    }
    if head.trim_ascii_start().starts_with(b"<") {
        return Err(LoadError::Html);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.into(), Encoding::Utf8Bom)),
            Err(e) => Err(LoadError::Csv {
                line: line_of(rest, e.valid_up_to()),
                message: "the file says it is UTF-8 but is not; save it as CSV UTF-8 again".into(),
            }),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.into(), Encoding::Utf8)),
        Err(_) => Ok((
            bytes
                .iter()
                .map(|&b| windows_1252(b))
                .collect::<String>()
                .into(),
            Encoding::Windows1252,
        )),
    }
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// Windows-1252 as the WHATWG encoding standard defines it: Latin-1, except
/// 0x80–0x9F, where the five unassigned bytes map to C1 controls.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The separator that splits the header into more than one field and the
/// most of the first records into as many fields as the header (more
/// fields breaking ties); `,` when none splits the header.
fn sniff_separator(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for separator in SEPARATORS {
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .take(SNIFF_RECORDS)
            .map_while(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some(&fields) = counts.first().filter(|&&h| h > 1) else {
            continue;
        };
        let agreeing = counts.iter().filter(|&&c| c == fields).count();
        if (agreeing, fields) > (best.1, best.2) {
            best = (separator, agreeing, fields);
        }
    }
    best.0
}

/// Header names, trimmed; an empty name becomes `column_N`, a repeated one
/// gets `_2`, `_3`.
fn column_names<'a>(header: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The next suffix to try for each base name, so that a header of
    // thousands of equal names stays linear.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, name) in header.enumerate() {
        let name = name.trim();
        let base = if name.is_empty() {
            format!("column_{}", i + 1)
        } else {
            name.to_string()
        };
        let mut unique = base.clone();
        let n = next.entry(base.clone()).or_insert(2);
        while taken.contains(&unique) {
            unique = format!("{base}_{n}");
            *n += 1;
        }
        taken.insert(unique.clone());
        names.push(unique);
    }
    names
}

fn csv_error(e: ::csv::Error) -> LoadError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "the text is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    LoadError::Csv { line, message }
}

/// Characters that group thousands in Swedish and English numbers.
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Splits a sign (`+`, `-` or the minus sign `−`) off a number.
fn split_sign(value: &str) -> (bool, &str) {
    if let Some(rest) = value.strip_prefix('-').or_else(|| value.strip_prefix('−')) {
        (true, rest)
    } else {
        (false, value.strip_prefix('+').unwrap_or(value))
    }
}

/// Digits, optionally grouped by threes with spaces (`12 345`), without a
/// leading zero unless the number is zero. Returns the digits alone.
fn integer_digits(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split(is_group_separator).collect();
    let first = groups.first()?;
    let grouped_well = groups.len() == 1
        || ((1..=3).contains(&first.len()) && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    let valid = grouped_well
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.len() > 1 && digits.starts_with('0'));
    valid.then_some(digits)
}

/// An integer such as `-12`, `12 345` or `+7`.
pub fn parse_integer(value: &str) -> Option<i64> {
    let (negative, rest) = split_sign(value.trim());
    let digits = integer_digits(rest)?;
    let sign = if negative { "-" } else { "" };
    format!("{sign}{digits}").parse().ok()
}

/// A decimal number with the given mark: `1 234,5` or `1234.5`, `-0,25`,
/// `,5`; with a point also an exponent (`1.5e3`). Integers read too.
pub fn parse_decimal(value: &str, decimal_comma: bool) -> Option<f64> {
    let (negative, rest) = split_sign(value.trim());
    let mark = if decimal_comma { ',' } else { '.' };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) if !decimal_comma => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    let (whole, fraction) = match mantissa.split_once(mark) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let whole = if whole.is_empty() && fraction.is_some() {
        "0".to_string()
    } else {
        integer_digits(whole)?
    };
    let mut normal = String::with_capacity(value.len() + 2);
    if negative {
        normal.push('-');
    }
    normal.push_str(&whole);
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        normal.push('.');
        normal.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let (negative, digits) = split_sign(exponent);
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        normal.push('e');
        if negative {
            normal.push('-');
        }
        normal.push_str(digits);
    }
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `true`/`false` in English or Swedish (`sant`/`falskt`), any case.
pub fn parse_boolean(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "true" | "sant" => Some(true),
        "false" | "falskt" => Some(false),
        _ => None,
    }
}

/// An ISO date, `2024-02-29`, as days since 1970-01-01.
pub fn parse_date(value: &str) -> Option<i32> {
    let value = value.trim();
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = value.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    i32::try_from(days_from_civil(year, month, day)).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses, infers and converts in one go: what opening a CSV file does.
pub fn import(bytes: &[u8], limits: &Limits) -> Result<(RawCsv, Table, CsvReport), LoadError> {
    let raw = parse(bytes, limits)?;
    let inferred = infer(&raw);
    let (table, report) = convert(
        &raw,
        inferred.decimal_comma,
        &inferred.types,
        &inferred.types,
    )?;
    Ok((raw, table, report))
}

#[cfg(test)]
mod tests;
