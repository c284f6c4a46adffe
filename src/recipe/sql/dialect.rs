//! What differs between the SQL dialects the query is written for: quoting,
//! type names, a regular expression's flags, semi and anti joins, and the
//! settings an engine needs to read the query as the lab means it.

use crate::data::schema::ColumnType;

/// The SQL dialects the query is written for (and tested in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    DataFusion,
    DuckDb,
    /// Spark SQL (Apache Spark 4), the engine of a cluster.
    Spark,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::DataFusion, Dialect::DuckDb, Dialect::Spark];

    pub fn parse(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "datafusion" => Some(Dialect::DataFusion),
            "duckdb" => Some(Dialect::DuckDb),
            "spark" | "sparksql" | "spark-sql" => Some(Dialect::Spark),
            _ => None,
        }
    }

    /// The name `parse` reads, as the CLI's flag and the page's choice.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DataFusion => "datafusion",
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
        }
    }

    /// The name people know the engine by.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::DataFusion => "DataFusion",
            Dialect::DuckDb => "DuckDB",
            Dialect::Spark => "Spark SQL",
        }
    }

    /// `name` as a quoted identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// `value` as a string literal. Spark reads a backslash in a literal
    /// as an escape, so it is doubled there.
    pub fn text(self, value: &str) -> String {
        let quoted = value.replace('\'', "''");
        match self {
            Dialect::Spark => format!("'{}'", quoted.replace('\\', "\\\\")),
            _ => format!("'{quoted}'"),
        }
    }

    /// The type of text.
    pub fn string(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// `expression` as text.
    pub fn as_text(self, expression: &str) -> String {
        format!("CAST({expression} AS {})", self.string())
    }

    /// `expression` (text) with every character but the digits removed.
    pub fn digits(self, expression: &str) -> String {
        match self {
            // Spark replaces every match without a flag.
            Dialect::Spark => format!("regexp_replace({expression}, '[^0-9]', '')"),
            _ => format!("regexp_replace({expression}, '[^0-9]', '', 'g')"),
        }
    }

    /// The rows of `prev` (as `l`) with (`anti`: without) a row of `table`
    /// (as `r`) where `on` holds.
    pub fn semi_join(self, prev: &str, table: &str, on: &str, anti: bool) -> String {
        match self {
            Dialect::Spark => {
                let how = if anti { "ANTI" } else { "SEMI" };
                format!("SELECT l.* FROM {prev} l LEFT {how} JOIN {table} r ON {on}")
            }
            _ => {
                let not = if anti { "NOT " } else { "" };
                format!(
                    "SELECT l.* FROM {prev} l WHERE {not}EXISTS (SELECT 1 FROM {table} r WHERE {on})"
                )
            }
        }
    }

    /// The SQL type of a column of `column_type`, for a typed null; `None`
    /// for types the query does not name.
    pub fn type_name(self, column_type: &ColumnType) -> Option<String> {
        let spark = self == Dialect::Spark;
        Some(match column_type {
            ColumnType::Integer(t) => match t.as_str() {
                "Int8" => "TINYINT",
                "Int16" => "SMALLINT",
                "Int32" => {
                    if spark {
                        "INT"
                    } else {
                        "INTEGER"
                    }
                }
                "Int64" => "BIGINT",
                _ => return None,
            }
            .to_string(),
            ColumnType::Float(t) => match t.as_str() {
                "Float32" => {
                    if spark {
                        "FLOAT"
                    } else {
                        "REAL"
                    }
                }
                "Float64" => "DOUBLE",
                _ => return None,
            }
            .to_string(),
            ColumnType::Text(t) if t == "Utf8" || t == "LargeUtf8" => self.string().to_string(),
            ColumnType::Boolean => "BOOLEAN".to_string(),
            ColumnType::Date => "DATE".to_string(),
            _ => return None,
        })
    }

    /// Comment lines on what the engine must be told before the query.
    pub fn settings(self) -> &'static str {
        match self {
            Dialect::Spark => {
                "-- Spark: the lab's column names are case-sensitive; set spark.sql.caseSensitive=true\n\
                 --   (and spark.sql.session.timeZone=UTC) before running the query.\n"
            }
            _ => "",
        }
    }
}
