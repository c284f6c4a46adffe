//! A Parquet file read as it is needed. When a Parquet file opens, the
//! browser's Parquet worker reads only its first rows (from the row groups
//! that hold them); the worker keeps the file and reads whole columns when
//! a request needs them: the columns an analysis reads, or all of them for
//! the summaries, a search, a sort or a download. A column no step reads
//! is never decoded. [`Engine::wants`] says what a request needs that is not
//! read yet; the worker loop has it read, hands it over with
//! [`Engine::add_columns`] and only then handles the request.

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Schema, SchemaRef};

use crate::data::load::{Limits, Table, decode};
use crate::data::view::{Selection, SortKey};
use crate::engine::protocol::{Request, Response, TableSummary};
use crate::recipe::Recipe;
use crate::recipe::run::input_columns;

use super::{Engine, Held, Loaded};

/// The rows a Parquet file's reader reads when it opens: what the preview
/// shows first (its largest page of rows), from the row groups that hold
/// them.
pub const HEAD_ROWS: u64 = 1000;

/// A Parquet file of which the worker holds the first rows and some
/// columns whole.
#[derive(Debug)]
pub(super) struct Partial {
    /// The schema of the whole file.
    schema: SchemaRef,
    /// The rows of the whole file.
    rows: usize,
    /// Its first rows, every column.
    pub(super) head: RecordBatch,
    /// The columns read whole, by name.
    read: BTreeMap<String, ArrayRef>,
}

impl Partial {
    /// The names of the columns in `wanted` (all when `None`) not read yet,
    /// in the file's order.
    fn missing(&self, wanted: Option<&BTreeSet<String>>) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name())
            .filter(|name| {
                wanted.is_none_or(|w| w.contains(*name)) && !self.read.contains_key(*name)
            })
            .cloned()
            .collect()
    }

    /// Whether its first rows hold the preview's page of `limit` rows from
    /// `offset`, neither searched nor sorted.
    pub(super) fn shows(
        &self,
        search: &str,
        sort: Option<SortKey>,
        offset: u64,
        limit: u32,
    ) -> bool {
        search.is_empty()
            && sort.is_none()
            && offset.saturating_add(u64::from(limit)) <= self.head.num_rows() as u64
    }

    /// The rows of the whole file.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// The columns in `wanted` (all when `None`), every row, in the file's
    /// order; `None` while one of them is not read.
    fn columns(&self, wanted: Option<&BTreeSet<String>>) -> Option<RecordBatch> {
        let mut fields = Vec::new();
        let mut arrays = Vec::new();
        for field in self.schema.fields() {
            if wanted.is_some_and(|w| !w.contains(field.name())) {
                continue;
            }
            arrays.push(self.read.get(field.name())?.clone());
            fields.push(field.clone());
        }
        let schema = Schema::new_with_metadata(fields, self.schema.metadata().clone());
        let options = RecordBatchOptions::new().with_row_count(Some(self.rows));
        RecordBatch::try_new_with_options(schema.into(), arrays, &options).ok()
    }

    /// Keeps the columns of `table`, which must have the file's rows and
    /// each column its type in the file.
    fn add(&mut self, table: Table) -> Result<(), String> {
        let batch = table.into_batch().map_err(|e| e.to_string())?;
        if batch.num_rows() != self.rows {
            return Err(format!(
                "the Parquet reader gave {} rows of the file's {}",
                batch.num_rows(),
                self.rows
            ));
        }
        let schema = batch.schema();
        // Every column checked before any is kept.
        if let Some(field) = schema.fields().iter().find(|field| {
            !self
                .schema
                .field_with_name(field.name())
                .is_ok_and(|known| known.data_type() == field.data_type())
        }) {
            return Err(format!(
                "the Parquet reader gave column {:?} as {}, not as the file has it",
                field.name(),
                field.data_type()
            ));
        }
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            self.read.insert(field.name().clone(), column.clone());
        }
        Ok(())
    }
}

impl Engine {
    /// Keeps the first rows of a Parquet file of `rows` rows, read by the
    /// Parquet worker as the Arrow IPC file `head`: as a whole table when
    /// they are all its rows, else as a file read as it is needed.
    pub fn open_head(&mut self, summary: TableSummary, head: Vec<u8>, rows: u64) -> Response {
        let name = summary.dataset.clone();
        let head = match decode(head, &Limits::default()).and_then(Table::into_batch) {
            Ok(head) => head,
            Err(e) => {
                return Response::Error {
                    message: format!("{name}: {e}"),
                };
            }
        };
        let Ok(rows) = usize::try_from(rows) else {
            return Response::Error {
                message: format!("{name}: it has {rows} rows"),
            };
        };
        if head.num_rows() == rows {
            return self.keep(summary, head, None);
        }
        if head.num_rows() > rows {
            return Response::Error {
                message: format!("{name}: its first rows are more than its {rows} rows"),
            };
        }
        let partial = Partial {
            schema: head.schema(),
            rows,
            head,
            read: BTreeMap::new(),
        };
        self.keep_held(summary, Held::Parquet(partial), None)
    }

    /// The columns that `request` needs and that are not read yet, by
    /// dataset (only datasets read as they are needed have any).
    pub fn wants(&self, request: &Request) -> Vec<(String, Vec<String>)> {
        let all = |dataset: &str| self.missing(dataset, None);
        let mut wanted = match request {
            Request::Rows {
                dataset,
                search,
                sort,
                offset,
                limit,
                ..
            } => match self.tables.get(dataset).map(|l| &l.rows) {
                Some(Held::Parquet(partial)) if partial.shows(search, *sort, *offset, *limit) => {
                    Vec::new()
                }
                _ => all(dataset),
            },
            Request::Summarize { dataset, .. }
            | Request::Export { dataset, .. }
            | Request::Chart { dataset, .. } => all(dataset),
            Request::FindEntities { .. } | Request::Entity { .. } => all(super::entities::ENTITIES),
            Request::RunRecipe { recipe } | Request::RunPanel { recipe, .. } => {
                self.recipe_wants(recipe, true)
            }
            Request::Distinct { recipe, .. }
            | Request::Insight { recipe, .. }
            | Request::ExportStep { recipe, .. } => self.recipe_wants(recipe, false),
            _ => Vec::new(),
        };
        wanted.retain(|(_, columns)| !columns.is_empty());
        wanted
    }

    /// What `recipe`'s inputs need: the columns its steps and result read
    /// (see [`input_columns`]) when `pruned`, else all of them.
    fn recipe_wants(&self, recipe: &Recipe, pruned: bool) -> Vec<(String, Vec<String>)> {
        let columns = pruned.then(|| input_columns(recipe));
        recipe
            .inputs
            .iter()
            .filter_map(|wanted| {
                let (key, _) = self.find_input(wanted)?;
                let read = columns
                    .as_ref()
                    .and_then(|c| c.get(&wanted.name))
                    .and_then(Option::as_ref);
                Some(self.missing(key, read))
            })
            .flatten()
            .collect()
    }

    fn missing(
        &self,
        dataset: &str,
        wanted: Option<&BTreeSet<String>>,
    ) -> Vec<(String, Vec<String>)> {
        match self.tables.get(dataset).map(|l| &l.rows) {
            Some(Held::Parquet(partial)) => vec![(dataset.to_string(), partial.missing(wanted))],
            _ => Vec::new(),
        }
    }

    /// Whether `dataset` is a Parquet file read as it is needed (its
    /// reader is still wanted).
    pub fn reads_as_needed(&self, dataset: &str) -> bool {
        matches!(
            self.tables.get(dataset).map(|l| &l.rows),
            Some(Held::Parquet(_))
        )
    }

    /// Adds the columns the Parquet worker read (the Arrow IPC file
    /// `columns`) to `dataset`; once every column is read, it is a whole
    /// table. On an error the dataset stays as it was.
    pub fn add_columns(&mut self, dataset: &str, columns: Vec<u8>) -> Result<(), String> {
        let Some(loaded) = self.tables.get_mut(dataset) else {
            return Err(format!("{dataset} is not loaded; open it again"));
        };
        let Held::Parquet(partial) = &mut loaded.rows else {
            return Ok(());
        };
        let table = decode(columns, &Limits::default()).map_err(|e| format!("{dataset}: {e}"))?;
        partial.add(table).map_err(|e| format!("{dataset}: {e}"))?;
        if let Some(whole) = partial.columns(None) {
            loaded.selection = Selection::all(&whole);
            loaded.rows = Held::Whole(whole);
        }
        loaded.summary.memory_bytes = loaded.rows.memory();
        Ok(())
    }
}

impl Held {
    /// The columns `wanted` (all when `None`) of every row, or `None`
    /// while one of them is not read.
    pub(super) fn columns(&self, wanted: Option<&BTreeSet<String>>) -> Option<RecordBatch> {
        match self {
            Held::Whole(batch) => Some(batch.clone()),
            Held::Parquet(partial) => partial.columns(wanted),
        }
    }

    /// The bytes its values take.
    pub(super) fn memory(&self) -> u64 {
        match self {
            Held::Whole(batch) => super::memory(batch),
            Held::Parquet(partial) => {
                let read: u64 = partial
                    .read
                    .values()
                    .map(|c| c.to_data().get_slice_memory_size().unwrap_or(0) as u64)
                    .sum();
                read + super::memory(&partial.head)
            }
        }
    }
}

impl Loaded {
    /// All of it, or an error while it is a Parquet file not read whole
    /// (the worker reads what a request needs first; see [`Engine::wants`]).
    pub(super) fn whole(&self) -> Result<&RecordBatch, String> {
        match &self.rows {
            Held::Whole(batch) => Ok(batch),
            Held::Parquet(_) => Err(format!(
                "{}: this needs all of the file, which is not read yet; try again",
                self.summary.dataset
            )),
        }
    }
}

#[cfg(test)]
mod tests;
