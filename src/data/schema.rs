//! A table's columns and their types as the lab reasons about them. A
//! [`ColumnType`] is read from the text Arrow writes for a type (the text
//! the catalog keeps, `Float64`, `Timestamp(ms, "Europe/Stockholm")`) and
//! written back as the same text, so catalogs, links and messages keep
//! their form while the code asks the type what it is.

use std::fmt;

use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

/// A table's columns: name and type.
pub type Schema = Vec<(String, ColumnType)>;

/// A column's type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ColumnType {
    /// A signed or unsigned integer of any width (its Arrow name).
    Integer(String),
    /// A float of any width (its Arrow name).
    Float(String),
    /// A decimal with its precision and scale (its Arrow text).
    Decimal(String),
    /// Text: `Utf8`, `LargeUtf8`, `Utf8View`, or a dictionary of text.
    Text(String),
    Boolean,
    /// Days since 1970 (`Date32`).
    Date,
    /// An instant, with its unit and zone (its Arrow text).
    Timestamp(String),
    /// Any other type, kept as Arrow wrote it.
    Other(String),
}

impl ColumnType {
    /// The type steps make for numbers they compute.
    pub fn float64() -> ColumnType {
        ColumnType::Float(FLOAT64.into())
    }
    /// The type of counts.
    pub fn int64() -> ColumnType {
        ColumnType::Integer(INT64.into())
    }
    /// The type of cluster labels.
    pub fn int32() -> ColumnType {
        ColumnType::Integer(INT32.into())
    }
    /// The type of text steps make.
    pub fn utf8() -> ColumnType {
        ColumnType::Text(UTF8.into())
    }

    /// The type of an Arrow column.
    pub fn of(data_type: &DataType) -> ColumnType {
        ColumnType::from(data_type.to_string())
    }

    /// Whether the column holds numbers (integers, floats, decimals).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            ColumnType::Integer(_) | ColumnType::Float(_) | ColumnType::Decimal(_)
        )
    }

    /// Whether the column holds floats.
    pub fn is_float(&self) -> bool {
        matches!(self, ColumnType::Float(_))
    }

    /// Whether the column holds text.
    pub fn is_text(&self) -> bool {
        matches!(self, ColumnType::Text(_))
    }

    /// Whether the column holds plain text (not a dictionary of it).
    pub fn is_plain_text(&self) -> bool {
        matches!(self, ColumnType::Text(t) if !t.starts_with("Dictionary"))
    }
}

/// What a column holds, in one short word for a header (the Arrow type is
/// for a tooltip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeWord {
    Text,
    Integer,
    Decimal,
    Date,
    Time,
    YesNo,
    Other,
}

impl ColumnType {
    /// The column's [`TypeWord`].
    pub fn word(&self) -> TypeWord {
        match self {
            ColumnType::Integer(_) => TypeWord::Integer,
            ColumnType::Float(_) | ColumnType::Decimal(_) => TypeWord::Decimal,
            ColumnType::Text(_) => TypeWord::Text,
            ColumnType::Boolean => TypeWord::YesNo,
            ColumnType::Date => TypeWord::Date,
            ColumnType::Timestamp(_) => TypeWord::Time,
            ColumnType::Other(t) if t == "Date64" => TypeWord::Date,
            ColumnType::Other(t) if t.starts_with("Time") => TypeWord::Time,
            ColumnType::Other(_) => TypeWord::Other,
        }
    }
}

const FLOAT64: &str = "Float64";
const INT64: &str = "Int64";
const INT32: &str = "Int32";
const UTF8: &str = "Utf8";

impl From<String> for ColumnType {
    fn from(text: String) -> ColumnType {
        let integer = [
            "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
        ];
        match text.as_str() {
            t if integer.contains(&t) => ColumnType::Integer(text),
            "Float16" | "Float32" | "Float64" => ColumnType::Float(text),
            "Utf8" | "LargeUtf8" | "Utf8View" => ColumnType::Text(text),
            "Boolean" => ColumnType::Boolean,
            "Date32" => ColumnType::Date,
            t if t.starts_with("Decimal") => ColumnType::Decimal(text),
            t if t.starts_with("Timestamp") => ColumnType::Timestamp(text),
            // A dictionary shows its values: text, if they are.
            t if t.starts_with("Dictionary") && t.contains("Utf8") => ColumnType::Text(text),
            _ => ColumnType::Other(text),
        }
    }
}

impl From<&str> for ColumnType {
    fn from(text: &str) -> ColumnType {
        ColumnType::from(text.to_string())
    }
}

impl From<ColumnType> for String {
    fn from(t: ColumnType) -> String {
        t.to_string()
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ColumnType {
    /// The text Arrow writes for this type.
    pub fn as_str(&self) -> &str {
        match self {
            ColumnType::Integer(t)
            | ColumnType::Float(t)
            | ColumnType::Decimal(t)
            | ColumnType::Text(t)
            | ColumnType::Timestamp(t)
            | ColumnType::Other(t) => t,
            ColumnType::Boolean => "Boolean",
            ColumnType::Date => "Date32",
        }
    }
}

impl PartialEq<&str> for ColumnType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::TimeUnit;

    #[test]
    fn every_type_reads_back_as_the_text_arrow_writes() {
        let types = [
            DataType::Int8,
            DataType::UInt64,
            DataType::Float32,
            DataType::Float64,
            DataType::Decimal128(12, 2),
            DataType::Utf8,
            DataType::LargeUtf8,
            DataType::Utf8View,
            DataType::Boolean,
            DataType::Date32,
            DataType::Date64,
            DataType::Timestamp(TimeUnit::Millisecond, Some("Europe/Stockholm".into())),
            DataType::Timestamp(TimeUnit::Second, None),
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Int64)),
            DataType::Binary,
        ];
        for t in types {
            let typed = ColumnType::of(&t);
            assert_eq!(typed.to_string(), t.to_string());
            let json = serde_json::to_string(&typed).unwrap();
            assert_eq!(json, format!("{:?}", t.to_string()));
            assert_eq!(serde_json::from_str::<ColumnType>(&json).unwrap(), typed);
        }
    }

    #[test]
    fn the_kinds_the_lab_asks_about() {
        assert!(ColumnType::from("Int16").is_number());
        assert!(ColumnType::from("Decimal128(12, 2)").is_number());
        assert!(ColumnType::float64().is_float() && !ColumnType::int64().is_float());
        assert!(!ColumnType::from("Utf8").is_number());
        let dictionary = ColumnType::from("Dictionary(Int32, Utf8)");
        assert!(dictionary.is_text() && !dictionary.is_plain_text());
        assert!(!ColumnType::from("Dictionary(Int32, Int64)").is_text());
        assert_eq!(ColumnType::from("Date32"), ColumnType::Date);
        assert!(matches!(
            ColumnType::from("Timestamp(ms, \"UTC\")"),
            ColumnType::Timestamp(_)
        ));
        assert!(matches!(ColumnType::from("Binary"), ColumnType::Other(_)));
        assert!(ColumnType::utf8() == "Utf8");
        assert_eq!(
            ColumnType::from("Dictionary(Int32, Utf8)").word(),
            TypeWord::Text
        );
        assert_eq!(
            ColumnType::from("Timestamp(ms, \"Europe/Stockholm\")").word(),
            TypeWord::Time
        );
        assert_eq!(ColumnType::from("Float32").word(), TypeWord::Decimal);
        assert_eq!(ColumnType::from("UInt8").word(), TypeWord::Integer);
        assert_eq!(ColumnType::from("Boolean").word(), TypeWord::YesNo);
        assert_eq!(ColumnType::from("Date64").word(), TypeWord::Date);
        assert_eq!(ColumnType::from("Binary").word(), TypeWord::Other);
    }
}
