//! The number columns a method reads, as a matrix: missing values handled,
//! each column scaled, and each row scaled when the shape of a row matters
//! more than its size (a trajectory of FTE per year).

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

use super::MlError;
use super::matrix::Matrix;
use crate::data::values::numbers;

/// What to do with a row that lacks a value (null, NaN or infinite).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Leave the row out (it gets no label).
    #[default]
    Drop,
    /// Use the column's mean.
    Mean,
    /// Use the column's median.
    Median,
}

/// How each column is scaled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnScale {
    /// As they are.
    None,
    /// (v − mean) / standard deviation; a constant column becomes 0.
    #[default]
    ZScore,
    /// (v − min) / (max − min); a constant column becomes 0.
    MinMax,
    /// ln(1 + v), for counts and sizes (values ≤ −1 are missing).
    Log1p,
}

/// How each row is scaled (before the columns are).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowScale {
    #[default]
    None,
    /// Divided by the row's mean (a row whose mean is 0 is missing).
    Mean,
    /// Each value as a percentage of the row's first (a row whose first
    /// value is 0 is missing).
    IndexFirst,
}

impl Missing {
    pub const ALL: [Missing; 3] = [Missing::Drop, Missing::Mean, Missing::Median];
}

impl ColumnScale {
    pub const ALL: [ColumnScale; 4] = [
        ColumnScale::None,
        ColumnScale::ZScore,
        ColumnScale::MinMax,
        ColumnScale::Log1p,
    ];
}

impl RowScale {
    pub const ALL: [RowScale; 3] = [RowScale::None, RowScale::Mean, RowScale::IndexFirst];
}

/// The features of a method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub missing: Missing,
    #[serde(default, skip_serializing_if = "is_default")]
    pub scale: ColumnScale,
    #[serde(default, skip_serializing_if = "is_default")]
    pub row_scale: RowScale,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// The matrix of features and, for each of its rows, the table's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub matrix: Matrix,
    pub rows: Vec<usize>,
    /// Rows left out for a missing value.
    pub dropped: usize,
}

/// Reads `spec.columns` of `batch` into a matrix, as `spec` says.
pub fn extract(batch: &RecordBatch, spec: &Features) -> Result<Extracted, MlError> {
    if spec.columns.is_empty() {
        return Err(MlError::NoFeatures);
    }
    let mut columns = Vec::with_capacity(spec.columns.len());
    for name in &spec.columns {
        let array = batch
            .column_by_name(name)
            .ok_or_else(|| MlError::NoColumn(name.clone()))?;
        let values = numbers(array.as_ref()).ok_or_else(|| MlError::NotNumbers {
            column: name.clone(),
            data_type: array.data_type().to_string(),
        })?;
        columns.push(values);
    }
    let n = batch.num_rows();
    let d = columns.len();
    // Row by row: the values, missing where not finite.
    let mut rows: Vec<Vec<Option<f64>>> = (0..n)
        .map(|i| {
            columns
                .iter()
                .map(|c| c[i].filter(|v| v.is_finite()))
                .collect()
        })
        .collect();
    for row in &mut rows {
        scale_row(row, spec.row_scale);
    }
    if spec.scale == ColumnScale::Log1p {
        for row in &mut rows {
            for v in row.iter_mut() {
                *v = v.filter(|x| *x > -1.0).map(libm::log1p);
            }
        }
    }
    // Missing values: fill per column, or drop the row.
    let mut fill = vec![None; d];
    if spec.missing != Missing::Drop {
        for (j, f) in fill.iter_mut().enumerate() {
            let mut present: Vec<f64> = rows.iter().filter_map(|r| r[j]).collect();
            if present.is_empty() {
                return Err(MlError::NothingToFill(spec.columns[j].clone()));
            }
            *f = Some(match spec.missing {
                Missing::Mean => present.iter().sum::<f64>() / present.len() as f64,
                _ => median(&mut present),
            });
        }
    }
    let mut kept = Vec::with_capacity(n);
    let mut data = Vec::with_capacity(n * d);
    let mut dropped = 0;
    for (i, row) in rows.iter().enumerate() {
        if spec.missing == Missing::Drop && row.iter().any(Option::is_none) {
            dropped += 1;
            continue;
        }
        kept.push(i);
        data.extend(row.iter().zip(&fill).map(|(v, f)| v.or(*f).unwrap_or(0.0)));
    }
    if kept.is_empty() {
        return Err(MlError::NoCompleteRow { rows: n, dropped });
    }
    let mut matrix = Matrix {
        rows: kept.len(),
        cols: d,
        data,
    };
    scale_columns(&mut matrix, spec.scale);
    Ok(Extracted {
        matrix,
        rows: kept,
        dropped,
    })
}

fn scale_row(row: &mut [Option<f64>], scale: RowScale) {
    let divisor = match scale {
        RowScale::None => return,
        RowScale::Mean => {
            let present: Vec<f64> = row.iter().flatten().copied().collect();
            if present.is_empty() {
                return;
            }
            present.iter().sum::<f64>() / present.len() as f64
        }
        RowScale::IndexFirst => match row.first().copied().flatten() {
            Some(first) => first / 100.0,
            None => 0.0,
        },
    };
    for v in row.iter_mut() {
        *v = if divisor != 0.0 && divisor.is_finite() {
            v.map(|x| x / divisor).filter(|x| x.is_finite())
        } else {
            None
        };
    }
}

fn scale_columns(m: &mut Matrix, scale: ColumnScale) {
    if matches!(scale, ColumnScale::None | ColumnScale::Log1p) {
        return;
    }
    for j in 0..m.cols {
        let column = (0..m.rows).map(|i| m.data[i * m.cols + j]);
        let (shift, divisor) = match scale {
            ColumnScale::ZScore => {
                let n = m.rows as f64;
                let mean = column.clone().sum::<f64>() / n;
                let var = column.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                (mean, var.sqrt())
            }
            _ => {
                let (lo, hi) = column.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
                (lo, hi - lo)
            }
        };
        for i in 0..m.rows {
            let v = &mut m.data[i * m.cols + j];
            // A constant column carries no information: 0.
            *v = if divisor > 0.0 && divisor.is_finite() {
                (*v - shift) / divisor
            } else {
                0.0
            };
        }
    }
}

/// The median of `values` (sorted in place; not empty).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
