//! The labels of every choice a form offers, one exhaustive `match` per
//! enum and language: a new variant does not compile until it has a label
//! in both languages, and no label depends on a position in a list.

use crate::chart::Lang;
use crate::chart::Lang::{En, Sv};
use crate::data::csv::ColumnType;
use crate::data::schema::TypeWord;
use crate::ml::agglomerative::Linkage;
use crate::ml::features::{ColumnScale, Missing, RowScale};
use crate::ops::group::Aggregate;
use crate::ops::join::JoinKind;
use crate::ops::keys::Normalize;
use crate::recipe::ChartKind;
use crate::recipe::edit::{FormulaChoice, StepKind};
use crate::recipe::learn::anomaly::{FlagKind, ScorerKind};
use crate::recipe::learn::{MethodKind, ProjectionKind};

/// A choice's words in a language.
pub trait Label: Copy {
    fn label(self, lang: Lang) -> &'static str;
}

impl Label for StepKind {
    /// The step menu and the form titles.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, StepKind::Filter) => "Filtrera rader",
            (En, StepKind::Filter) => "Filter rows",
            (Sv, StepKind::Join) => "Koppla ihop",
            (En, StepKind::Join) => "Join",
            (Sv, StepKind::Derive) => "Ny kolumn",
            (En, StepKind::Derive) => "New column",
            (Sv, StepKind::GroupBy) => "Gruppera",
            (En, StepKind::GroupBy) => "Group",
            (Sv, StepKind::Pivot) => "Pivotera (till kolumner)",
            (En, StepKind::Pivot) => "Pivot (long to wide)",
            (Sv, StepKind::Unpivot) => "Avpivotera (till rader)",
            (En, StepKind::Unpivot) => "Unpivot (wide to long)",
            (Sv, StepKind::Union) => "Lägg till rader",
            (En, StepKind::Union) => "Append rows",
            (Sv, StepKind::Sort) => "Sortera",
            (En, StepKind::Sort) => "Sort",
            (Sv, StepKind::Select) => "Välj kolumner",
            (En, StepKind::Select) => "Choose columns",
            (Sv, StepKind::Rename) => "Byt namn",
            (En, StepKind::Rename) => "Rename",
            (Sv, StepKind::Limit) => "Begränsa",
            (En, StepKind::Limit) => "Limit",
            (Sv, StepKind::Cluster) => "Klustra",
            (En, StepKind::Cluster) => "Cluster",
            (Sv, StepKind::Project) => "Projicera (PCA, t-SNE, UMAP …)",
            (En, StepKind::Project) => "Project (PCA, t-SNE, UMAP …)",
            (Sv, StepKind::Anomaly) => "Hitta avvikande rader",
            (En, StepKind::Anomaly) => "Find unusual rows",
        }
    }
}

impl Label for JoinKind {
    /// Which rows a join keeps.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, JoinKind::Inner) => "bara de som matchar",
            (En, JoinKind::Inner) => "only those that match",
            (Sv, JoinKind::Left) => "alla från vänster",
            (En, JoinKind::Left) => "all from the left",
            (Sv, JoinKind::Right) => "alla från höger",
            (En, JoinKind::Right) => "all from the right",
            (Sv, JoinKind::Full) => "alla från båda",
            (En, JoinKind::Full) => "all from both",
            (Sv, JoinKind::Semi) => "vänster som matchar",
            (En, JoinKind::Semi) => "left that match",
            (Sv, JoinKind::Anti) => "vänster utan match",
            (En, JoinKind::Anti) => "left without a match",
        }
    }
}

impl Label for Normalize {
    /// How a join compares keys.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, Normalize::Exact) => "exakt",
            (En, Normalize::Exact) => "exactly",
            (Sv, Normalize::Trim) => "utan kantmellanslag",
            (En, Normalize::Trim) => "without edge spaces",
            (Sv, Normalize::Case) => "utan skiftläge",
            (En, Normalize::Case) => "ignoring case",
            (Sv, Normalize::Digits) => "bara siffror",
            (En, Normalize::Digits) => "digits only",
        }
    }
}

impl Label for Aggregate {
    /// A measure of a group-by or a pivot.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, Aggregate::Count) => "antal",
            (En, Aggregate::Count) => "count",
            (Sv, Aggregate::Sum) => "summa",
            (En, Aggregate::Sum) => "sum",
            (Sv, Aggregate::Mean) => "medel",
            (En, Aggregate::Mean) => "mean",
            (_, Aggregate::Median) => "median",
            (_, Aggregate::Min) => "min",
            (_, Aggregate::Max) => "max",
            (Sv, Aggregate::CountDistinct) => "antal unika",
            (En, Aggregate::CountDistinct) => "distinct count",
        }
    }
}

impl Label for Missing {
    /// What a learning step does with a missing value.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, Missing::Drop) => "ta bort raden",
            (En, Missing::Drop) => "drop the row",
            (Sv, Missing::Mean) => "kolumnens medelvärde",
            (En, Missing::Mean) => "the column's mean",
            (Sv, Missing::Median) => "kolumnens median",
            (En, Missing::Median) => "the column's median",
        }
    }
}

impl Label for ColumnScale {
    /// How a learning step scales each column.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, ColumnScale::None) => "ingen",
            (En, ColumnScale::None) => "none",
            (Sv, ColumnScale::ZScore) => "z-värde",
            (En, ColumnScale::ZScore) => "z-score",
            (_, ColumnScale::MinMax) => "min–max",
            (_, ColumnScale::Log1p) => "log(1 + v)",
        }
    }
}

impl Label for RowScale {
    /// How a learning step scales each row.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, RowScale::None) => "ingen",
            (En, RowScale::None) => "none",
            (Sv, RowScale::Mean) => "med radens medelvärde",
            (En, RowScale::Mean) => "by the row's mean",
            (Sv, RowScale::IndexFirst) => "index: första = 100",
            (En, RowScale::IndexFirst) => "index: first = 100",
        }
    }
}

impl Label for MethodKind {
    /// A clustering method.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, MethodKind::KMeans) => "k-medel",
            (En, MethodKind::KMeans) => "k-means",
            (_, MethodKind::Dbscan) => "DBSCAN",
            (Sv, MethodKind::GaussianMixture) => "Gaussisk blandning",
            (En, MethodKind::GaussianMixture) => "Gaussian mixture",
            (Sv, MethodKind::Agglomerative) => "Hierarkisk (agglomerativ)",
            (En, MethodKind::Agglomerative) => "Hierarchical (agglomerative)",
        }
    }
}

impl Label for Linkage {
    /// How agglomerative clustering measures the distance of two clusters.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (_, Linkage::Ward) => "Ward",
            (Sv, Linkage::Average) => "medelavstånd",
            (En, Linkage::Average) => "average",
            (Sv, Linkage::Complete) => "största avstånd",
            (En, Linkage::Complete) => "complete",
        }
    }
}

impl Label for FlagKind {
    /// Which rows an anomaly step flags.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, FlagKind::Share) => "en andel av raderna",
            (En, FlagKind::Share) => "a share of the rows",
            (Sv, FlagKind::Threshold) => "rader över en poäng",
            (En, FlagKind::Threshold) => "rows above a score",
        }
    }
}

impl Label for ScorerKind {
    /// How an anomaly step scores the rows.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, ScorerKind::IsolationForest) => "Isolationsskog",
            (En, ScorerKind::IsolationForest) => "Isolation forest",
            (Sv, ScorerKind::Autoencoder) => "Autokodare (rekonstruktionsfel)",
            (En, ScorerKind::Autoencoder) => "Autoencoder (reconstruction error)",
        }
    }
}

impl Label for ProjectionKind {
    /// A projection method.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, ProjectionKind::Pca) => "PCA (huvudkomponenter)",
            (En, ProjectionKind::Pca) => "PCA (principal components)",
            (Sv, ProjectionKind::Tsne) => "t-SNE (karta, högst 10 000 rader)",
            (En, ProjectionKind::Tsne) => "t-SNE (a map, at most 10,000 rows)",
            (Sv, ProjectionKind::Autoencoder) => "Autokodare (mittlagret)",
            (En, ProjectionKind::Autoencoder) => "Autoencoder (its middle layer)",
            (Sv, ProjectionKind::Umap) => "UMAP (karta, upp till 100 000 rader)",
            (En, ProjectionKind::Umap) => "UMAP (a map, up to 100,000 rows)",
        }
    }
}

impl Label for ChartKind {
    /// A kind of chart.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Sv, ChartKind::Table) => "Bara tabell",
            (En, ChartKind::Table) => "Table only",
            (Sv, ChartKind::Bar) => "Stapel",
            (En, ChartKind::Bar) => "Bar",
            (Sv, ChartKind::Line) => "Linje",
            (En, ChartKind::Line) => "Line",
            (Sv, ChartKind::Scatter) => "Punkt",
            (En, ChartKind::Scatter) => "Scatter",
            (_, ChartKind::Histogram) => "Histogram",
            (Sv, ChartKind::Heatmap) => "Värmekarta",
            (En, ChartKind::Heatmap) => "Heatmap",
        }
    }
}

impl Label for ColumnType {
    /// A CSV column's type, as the visitor picks it.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (_, ColumnType::Text) => "text",
            (Sv, ColumnType::Integer) => "heltal",
            (En, ColumnType::Integer) => "integer",
            (Sv, ColumnType::Decimal) => "decimaltal",
            (En, ColumnType::Decimal) => "decimal",
            (Sv, ColumnType::Boolean) => "sant/falskt",
            (En, ColumnType::Boolean) => "true/false",
            (Sv, ColumnType::Date) => "datum",
            (En, ColumnType::Date) => "date",
        }
    }
}

impl Label for FormulaChoice {
    /// The derive form's formulas.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (_, FormulaChoice::Divide) => "a ÷ b",
            (_, FormulaChoice::Multiply) => "a × b",
            (_, FormulaChoice::Add) => "a + b",
            (_, FormulaChoice::Subtract) => "a − b",
            (Sv, FormulaChoice::Log) => "logaritm",
            (En, FormulaChoice::Log) => "logarithm",
            (Sv, FormulaChoice::Share) => "andel av summan",
            (En, FormulaChoice::Share) => "share of the total",
            (Sv, FormulaChoice::Change) => "förändring mot föregående",
            (En, FormulaChoice::Change) => "change from the previous",
            (Sv, FormulaChoice::ChangePercent) => "förändring i %",
            (En, FormulaChoice::ChangePercent) => "change in %",
        }
    }
}

impl Label for TypeWord {
    /// What a column holds, in a header.
    fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (_, TypeWord::Text) => "text",
            (Sv, TypeWord::Integer) => "heltal",
            (En, TypeWord::Integer) => "integer",
            (Sv, TypeWord::Decimal) => "decimaltal",
            (En, TypeWord::Decimal) => "decimal",
            (Sv, TypeWord::Date) => "datum",
            (En, TypeWord::Date) => "date",
            (Sv, TypeWord::Time) => "tid",
            (En, TypeWord::Time) => "time",
            (Sv, TypeWord::YesNo) => "ja/nej",
            (En, TypeWord::YesNo) => "yes/no",
            (Sv, TypeWord::Other) => "annat",
            (En, TypeWord::Other) => "other",
        }
    }
}
