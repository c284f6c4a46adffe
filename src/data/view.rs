//! What the preview table shows: rows that contain a text, in the order of
//! a column, a page at a time. The selection is a list of row numbers, so
//! scrolling costs only the formatting of the rows on screen.

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use crate::data::Lang;
use crate::data::search::{fold, fold_into};
use crate::data::values::{Texts, display_formatter, formatter, sort_rows, texts};
use crate::error::ViewError;

/// The most rows one page may ask for.
pub const MAX_PAGE: usize = 1000;
/// Longest cell text sent to the page, in characters.
const MAX_CELL: usize = 200;

/// Sort by a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

/// One row as text: its number in the table (from 0) and its cells
/// (`None` for null).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub index: u64,
    pub cells: Vec<Option<String>>,
}

/// The rows of a table that a search and a sort select, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub search: String,
    pub sort: Option<SortKey>,
    /// Row numbers, or `None` for all rows in table order.
    rows: Option<Vec<u32>>,
    total: usize,
}

impl Selection {
    /// Every row, in table order.
    pub fn all(batch: &RecordBatch) -> Self {
        Self {
            search: String::new(),
            sort: None,
            rows: None,
            total: batch.num_rows(),
        }
    }

    /// The rows of `batch` that contain `search` (in any column, ignoring
    /// case and diacritics), sorted by `sort` (nulls last, ties in table
    /// order). A sort column that does not exist is an error.
    pub fn new(
        batch: &RecordBatch,
        search: &str,
        sort: Option<SortKey>,
    ) -> Result<Self, ViewError> {
        let query = fold(search.trim());
        if let Some(key) = sort
            && key.column >= batch.num_columns()
        {
            return Err(ViewError::NoSortColumn {
                column: key.column,
                columns: batch.num_columns(),
            });
        }
        if batch.num_rows() > u32::MAX as usize {
            return Err(ViewError::TooManyRows);
        }
        let mut rows = (!query.is_empty()).then(|| matching(batch, &query));
        if let Some(key) = sort {
            let mut order = rows.unwrap_or_else(|| (0..batch.num_rows() as u32).collect());
            sort_rows(
                batch.column(key.column).as_ref(),
                &mut order,
                key.descending,
            );
            rows = Some(order);
        }
        Ok(Self {
            search: search.to_string(),
            sort,
            total: rows.as_ref().map_or(batch.num_rows(), Vec::len),
            rows,
        })
    }

    /// How many rows are selected.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Rows `offset..offset + limit` of the selection, formatted for
    /// reading in `lang`; `limit` is capped at [`MAX_PAGE`].
    pub fn page(&self, batch: &RecordBatch, offset: usize, limit: usize, lang: Lang) -> Vec<Row> {
        let end = offset.saturating_add(limit.min(MAX_PAGE)).min(self.total);
        if offset >= end {
            return Vec::new();
        }
        let formatters: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| display_formatter(c.as_ref(), lang))
            .collect();
        (offset..end)
            .filter_map(|k| {
                let index = match &self.rows {
                    Some(rows) => *rows.get(k)? as usize,
                    None => k,
                };
                let cells = batch
                    .columns()
                    .iter()
                    .zip(&formatters)
                    .map(|(_, format)| format(index).map(|text| cell(&text)))
                    .collect();
                Some(Row {
                    index: index as u64,
                    cells,
                })
            })
            .collect()
    }
}

fn cell(text: &str) -> String {
    match text.char_indices().nth(MAX_CELL) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Row numbers whose text, in some column, contains `query` (folded).
fn matching(batch: &RecordBatch, query: &str) -> Vec<u32> {
    let mut hit = vec![false; batch.num_rows()];
    let mut folded = String::new();
    for column in batch.columns() {
        match texts(column.as_ref()) {
            // A dictionary's values are searched once, not once per row.
            Some(Texts::Dictionary { keys, values }) => {
                let found: Vec<bool> = values
                    .iter()
                    .map(|v| v.is_some_and(|v| contains_folded(v, query, &mut folded)))
                    .collect();
                for (hit, key) in hit.iter_mut().zip(keys) {
                    *hit |= key.and_then(|k| found.get(k).copied()).unwrap_or(false);
                }
            }
            Some(strings) => {
                for (i, hit) in hit.iter_mut().enumerate() {
                    if !*hit && let Some(value) = strings.get(i) {
                        *hit = contains_folded(value, query, &mut folded);
                    }
                }
            }
            None => {
                if !could_contain(column.data_type(), query) {
                    continue;
                }
                let format = formatter(column.as_ref());
                for (i, hit) in hit.iter_mut().enumerate() {
                    if !*hit && let Some(text) = format(i) {
                        *hit = contains_folded(&text, query, &mut folded);
                    }
                }
            }
        }
    }
    hit.iter()
        .enumerate()
        .filter(|(_, hit)| **hit)
        .map(|(i, _)| i as u32)
        .collect()
}

/// Whether the text of a value of `data_type` can contain `query`: numbers,
/// dates and times are written with digits and a few signs only, booleans
/// as `true` or `false`. Saves formatting every number of a column for a
/// search of words.
fn could_contain(data_type: &DataType, query: &str) -> bool {
    if data_type.is_numeric() || data_type.is_temporal() {
        query
            .chars()
            .all(|c| c.is_ascii_digit() || "-+.:eTZ naif".contains(c))
    } else if *data_type == DataType::Boolean {
        "true".contains(query) || "false".contains(query)
    } else {
        true
    }
}

/// `value` contains `query` (already folded), ignoring case and
/// diacritics. ASCII values, the common case, are compared in place;
/// others are folded into `buffer`, reused from value to value.
fn contains_folded(value: &str, query: &str, buffer: &mut String) -> bool {
    if value.is_ascii() {
        let (value, query) = (value.as_bytes(), query.as_bytes());
        query.len() <= value.len()
            && value
                .windows(query.len())
                .any(|w| w.eq_ignore_ascii_case(query))
    } else {
        fold_into(buffer, value);
        buffer.contains(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> RecordBatch {
        crate::data::load::tests::sample().remove(0)
    }

    fn indices(selection: &Selection, batch: &RecordBatch) -> Vec<u64> {
        selection
            .page(batch, 0, MAX_PAGE, Lang::En)
            .iter()
            .map(|r| r.index)
            .collect()
    }

    #[test]
    fn pages_through_all_rows() {
        let batch = batch();
        let all = Selection::all(&batch);
        assert_eq!(all.len(), 50);
        let page = all.page(&batch, 48, 10, Lang::En);
        assert_eq!(page.len(), 2);
        assert_eq!(page[0].index, 48);
        assert_eq!(
            page[0].cells,
            [
                Some("48".to_string()),
                Some("72.0".to_string()),
                Some("rad 48 åäö".to_string()),
                Some("true".to_string()),
                Some("2022-02-25".to_string()),
                Some("län".to_string()),
            ]
        );
        assert_eq!(all.page(&batch, 0, 1, Lang::En)[0].cells[0], None);
        assert!(all.page(&batch, 50, 10, Lang::En).is_empty());
        assert!(
            all.page(&batch, usize::MAX, usize::MAX, Lang::En)
                .is_empty()
        );
        assert_eq!(all.page(&batch, 0, usize::MAX, Lang::En).len(), 50);
    }

    #[test]
    fn searches_every_column_ignoring_case_and_diacritics() {
        let batch = batch();
        let found = Selection::new(&batch, "RAD 4 AAO", None).unwrap();
        assert_eq!(indices(&found, &batch), [4]);
        // "Kommun" is a dictionary value; "2022-02-1" a date.
        assert_eq!(Selection::new(&batch, "kommun", None).unwrap().len(), 13);
        assert_eq!(
            indices(&Selection::new(&batch, "2022-02-1", None).unwrap(), &batch),
            (33..=42).collect::<Vec<_>>()
        );
        assert!(
            Selection::new(&batch, "no such text", None)
                .unwrap()
                .is_empty()
        );
        assert_eq!(Selection::new(&batch, "  ", None).unwrap().len(), 50);
    }

    #[test]
    fn sorts_with_nulls_last_and_ties_in_table_order() {
        let batch = batch();
        let by_flag = Selection::new(
            &batch,
            "",
            Some(SortKey {
                column: 3,
                descending: true,
            }),
        )
        .unwrap();
        let order = indices(&by_flag, &batch);
        assert_eq!(&order[..3], [0, 2, 4]);
        assert_eq!(&order[25..28], [1, 3, 5]);
        let by_id = Selection::new(
            &batch,
            "åäö",
            Some(SortKey {
                column: 0,
                descending: true,
            }),
        )
        .unwrap();
        let order = indices(&by_id, &batch);
        // Name is null for every 5th row, id for every 7th; nulls (of id) last.
        assert_eq!(order.len(), 40);
        assert_eq!(&order[..3], [48, 47, 46]);
        assert_eq!(&order[34..], [7, 14, 21, 28, 42, 49]);
        assert!(
            Selection::new(
                &batch,
                "",
                Some(SortKey {
                    column: 6,
                    descending: false
                })
            )
            .is_err()
        );
    }
}
