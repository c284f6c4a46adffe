//! Building an Arrow table column by column, and what a transformation
//! reports about linking.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow::datatypes::{Field, Schema};

/// Columns in order, each a typed vector of optional values.
#[derive(Default)]
pub struct TableBuilder {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, name: &str, array: ArrayRef) -> Self {
        self.fields
            .push(Field::new(name, array.data_type().clone(), true));
        self.columns.push(array);
        self
    }

    pub fn utf8<S: AsRef<str>>(
        self,
        name: &str,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Self {
        let values: StringArray = values.into_iter().collect();
        self.push(name, Arc::new(values))
    }

    pub fn int32(self, name: &str, values: impl IntoIterator<Item = Option<i32>>) -> Self {
        self.push(name, Arc::new(values.into_iter().collect::<Int32Array>()))
    }

    pub fn int64(self, name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Self {
        self.push(name, Arc::new(values.into_iter().collect::<Int64Array>()))
    }

    pub fn float64(self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        self.push(name, Arc::new(values.into_iter().collect::<Float64Array>()))
    }

    pub fn boolean(self, name: &str, values: impl IntoIterator<Item = Option<bool>>) -> Self {
        self.push(name, Arc::new(values.into_iter().collect::<BooleanArray>()))
    }

    /// Days since 1970-01-01.
    pub fn date32(self, name: &str, values: impl IntoIterator<Item = Option<i32>>) -> Self {
        self.push(name, Arc::new(values.into_iter().collect::<Date32Array>()))
    }

    pub fn build(self) -> Result<RecordBatch, String> {
        RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.columns)
            .map_err(|e| e.to_string())
    }
}

/// How well one kind of record linked to the agency register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// What was linked, e.g. "agency names in letters.csv".
    pub what: String,
    pub linked: usize,
    pub total: usize,
    /// Up to [`Links::EXAMPLES`] of what did not link, sorted.
    pub unlinked_examples: Vec<String>,
}

impl Links {
    pub const EXAMPLES: usize = 5;

    /// Counts `items` (label, linked?) and keeps the first unlinked labels.
    pub fn count<'a>(what: &str, items: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        let mut links = Self {
            what: what.to_string(),
            linked: 0,
            total: 0,
            unlinked_examples: Vec::new(),
        };
        let mut unlinked = std::collections::BTreeSet::new();
        for (label, linked) in items {
            links.total += 1;
            if linked {
                links.linked += 1;
            } else {
                unlinked.insert(label.to_string());
            }
        }
        links.unlinked_examples = unlinked.into_iter().take(Self::EXAMPLES).collect();
        links
    }

    /// The share linked, in percent (100 for nothing to link).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.linked as f64 / self.total as f64
        }
    }
}

/// What a transformation produced.
pub struct Output {
    pub table: RecordBatch,
    pub links: Vec<Links>,
    /// Decisions worth reading in the report (duplicates, dropped values).
    pub notes: Vec<String>,
}
