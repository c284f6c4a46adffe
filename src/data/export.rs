//! A table written out for the visitor to keep: Arrow IPC (the lab's own
//! deterministic writer) or CSV (values as the preview shows them, nulls
//! empty). The browser's download and the command-line `run` call this,
//! so both write the same bytes.

use arrow::array::RecordBatch;
use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use crate::data::values::{formatter, texts};
use crate::error::ExportError;

/// The formats a result can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Arrow,
    Csv,
    /// CSV as a Swedish spreadsheet opens it: `;` between fields, a
    /// decimal comma in numbers, and a UTF-8 byte order mark (without it
    /// Excel reads å, ä and ö as Latin-1).
    CsvSv,
}

impl Format {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Arrow => "arrow",
            Format::Csv | Format::CsvSv => "csv",
        }
    }

    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Arrow => "application/vnd.apache.arrow.file",
            Format::Csv | Format::CsvSv => "text/csv",
        }
    }
}

/// The bytes of `batch` in `format`.
pub fn export(batch: &RecordBatch, format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Arrow => Ok(crate::data::ipc::write_file(batch)?),
        Format::Csv => csv(batch, false),
        Format::CsvSv => csv(batch, true),
    }
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Text that a spreadsheet would run as a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading apostrophe, so Excel
/// and LibreOffice show it as text instead of evaluating it (OWASP's advice
/// for CSV injection). Applied to text cells and column names, which may
/// come from a stranger's file or link; numbers are never changed.
pub fn inert(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

fn csv(batch: &RecordBatch, swedish: bool) -> Result<Vec<u8>, ExportError> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(if swedish { b';' } else { b',' })
        .from_writer(if swedish { BOM.to_vec() } else { Vec::new() });
    let schema = batch.schema();
    writer.write_record(schema.fields().iter().map(|f| inert(f.name().clone())))?;
    let formats: Vec<_> = batch
        .columns()
        .iter()
        .map(|c| {
            let text = formatter(c.as_ref());
            // Floats take a decimal comma; integers, dates and text stay.
            let comma = swedish && matches!(c.data_type(), DataType::Float64 | DataType::Float32);
            let is_text = texts(c.as_ref()).is_some();
            move |row| {
                text(row).map(|v| match (comma, is_text) {
                    (true, _) => v.replace('.', ","),
                    (_, true) => inert(v),
                    _ => v,
                })
            }
        })
        .collect();
    for row in 0..batch.num_rows() {
        writer.write_record(formats.iter().map(|f| f(row).unwrap_or_default()))?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.error().to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Float64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;
    use crate::data::load::{Limits, decode};

    fn table() -> RecordBatch {
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("name", DataType::Utf8, true),
                Field::new("fte", DataType::Float64, true),
            ])),
            vec![
                Arc::new(StringArray::from(vec![Some("a, \"b\""), None])),
                Arc::new(Float64Array::from(vec![Some(1.5), None])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_run_are_text() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("=cmd", DataType::Utf8, true),
            Field::new("n", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![
                    Some("=HYPERLINK(\"x\")"),
                    Some("+1"),
                    Some("-2"),
                    Some("@SUM(A1)"),
                    Some("\tx"),
                    Some("a=b"),
                    None,
                ])),
                Arc::new(Float64Array::from(vec![-1.5; 7])),
            ],
        )
        .unwrap();
        for format in [Format::Csv, Format::CsvSv] {
            let text = String::from_utf8(export(&batch, format).unwrap()).unwrap();
            let text = text.trim_start_matches('\u{feff}');
            let cells: Vec<&str> = text
                .lines()
                .map(|l| l.split([',', ';']).next().unwrap())
                .collect();
            assert_eq!(
                cells,
                [
                    "'=cmd",
                    "\"'=HYPERLINK(\"\"x\"\")\"",
                    "'+1",
                    "'-2",
                    "'@SUM(A1)",
                    "'\tx",
                    "a=b",
                    "",
                ],
                "{format:?}"
            );
            // Numbers keep their sign.
            assert!(
                text.lines().nth(1).unwrap().ends_with("-1.5")
                    || text.lines().nth(1).unwrap().ends_with("-1,5")
            );
        }
    }

    #[test]
    fn csv_quotes_and_leaves_nulls_empty() {
        let text = String::from_utf8(export(&table(), Format::Csv).unwrap()).unwrap();
        assert_eq!(text, "name,fte\n\"a, \"\"b\"\"\",1.5\n,\n");
    }

    #[test]
    fn swedish_csv_has_semicolons_decimal_commas_and_a_byte_order_mark() {
        let bytes = export(&table(), Format::CsvSv).unwrap();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "name;fte\n\"a, \"\"b\"\"\";1,5\n;\n");
    }

    #[test]
    fn arrow_reads_back_the_same_table_and_is_deterministic() {
        let bytes = export(&table(), Format::Arrow).unwrap();
        assert_eq!(bytes, export(&table(), Format::Arrow).unwrap());
        let back = decode(bytes, &Limits::default())
            .unwrap()
            .into_batch()
            .unwrap();
        assert_eq!(back, table());
    }
}
