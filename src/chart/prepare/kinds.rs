//! The values of each kind of chart.

use arrow::array::{Array, RecordBatch};

use crate::chart::Lang;
use crate::data::values::formatter;
use crate::recipe::{ChartSpec, Orientation};

use super::coded::{Coded, fold_groups, natural, weight};
use super::{
    Body, DataTable, Line, MAX_CATEGORIES, MAX_GROUPS, MAX_HEAT, MAX_TABLE_ROWS, Points, Prepared,
    Words,
};

/// Sorts a line chart's points into lines (one per name, by x) and colours
/// the highlighted lines, or the highest ones when none is named.
pub(super) fn lines(
    points: &mut Points,
    names: Option<&Coded>,
    highlight: &[String],
    prepared: &mut Prepared,
    w: &Words,
) {
    let n = points.x.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut series: Vec<(String, Vec<usize>)> = Vec::new();
    match names {
        Some(names) => {
            // Codes are in order of first appearance: a line per code.
            series = names
                .names
                .iter()
                .map(|n| (n.clone(), Vec::new()))
                .collect();
            for (i, &code) in names.codes.iter().enumerate().take(n) {
                series[code as usize].1.push(i);
            }
            series.retain(|(_, rows)| !rows.is_empty());
        }
        None => series.push((String::new(), std::mem::take(&mut order))),
    }
    for (_, rows) in &mut series {
        rows.sort_by(|&a, &b| points.x[a].total_cmp(&points.x[b]));
    }
    // Which lines take a colour.
    let chosen: Vec<usize> = if !highlight.is_empty() {
        series
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| highlight.contains(name))
            .map(|(i, _)| i)
            .take(MAX_GROUPS)
            .collect()
    } else if series.len() <= MAX_GROUPS {
        (0..series.len()).collect()
    } else {
        let mut peaks: Vec<(usize, f64)> = series
            .iter()
            .enumerate()
            .map(|(i, (_, rows))| {
                (
                    i,
                    rows.iter().map(|&r| points.y[r]).fold(f64::MIN, f64::max),
                )
            })
            .collect();
        peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
        peaks.iter().take(MAX_GROUPS - 1).map(|(i, _)| *i).collect()
    };
    let mut chosen_sorted = chosen.clone();
    chosen_sorted.sort_by(|&a, &b| natural(&series[a].0, &series[b].0));
    let grey = crate::chart::OTHER_GROUP;
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut row = Vec::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    // Grey lines first, so that coloured ones are drawn over them.
    let mut drawn: Vec<(usize, u8, bool)> = Vec::new();
    for s in 0..series.len() {
        if !chosen_sorted.contains(&s) {
            drawn.push((s, grey, false));
        }
    }
    for (g, &s) in chosen_sorted.iter().enumerate() {
        drawn.push((s, g as u8, true));
    }
    for (s, g, highlighted) in drawn {
        let start = x.len();
        for &i in &series[s].1 {
            x.push(points.x[i]);
            y.push(points.y[i]);
            row.push(points.row[i]);
            group.push(g);
        }
        points.lines.push(Line {
            name: series[s].0.clone(),
            start,
            end: x.len(),
            group: g,
            highlighted,
        });
    }
    points.x = x;
    points.y = y;
    points.row = row;
    points.group = group;
    if names.is_some() {
        prepared.groups = chosen_sorted.iter().map(|&s| series[s].0.clone()).collect();
        let rest = series.len() - chosen_sorted.len();
        if rest > 0 {
            prepared.groups.push(format!("{} ({rest})", w.other));
            prepared.other = true;
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn bars(
    prepared: &mut Prepared,
    spec: &ChartSpec,
    names: &Coded,
    colors: Option<&Coded>,
    values: Option<&[Option<f64>]>,
    w: &Words,
    skipped: &mut usize,
    lang: Lang,
) {
    let (groups, other, group_of) = match colors {
        Some(c) => fold_groups(c, w),
        None => (Vec::new(), false, vec![0u8; names.codes.len()]),
    };
    let n_groups = groups.len().max(1);
    // A category per code that has a value, in order of appearance.
    let mut category_of_code = vec![usize::MAX; names.names.len()];
    let mut categories: Vec<String> = Vec::new();
    let mut sums: Vec<Vec<f64>> = vec![Vec::new(); n_groups];
    for (i, &code) in names.codes.iter().enumerate() {
        let Some(v) = weight(values, i, skipped) else {
            continue;
        };
        let code = code as usize;
        if category_of_code[code] == usize::MAX {
            category_of_code[code] = categories.len();
            categories.push(names.names[code].clone());
            for s in sums.iter_mut() {
                s.push(0.0);
            }
        }
        let c = category_of_code[code];
        // "other" is the last slot.
        let slot = usize::from(group_of[i]).min(n_groups - 1);
        sums[slot][c] += v;
    }
    if categories.len() > MAX_CATEGORIES {
        let total = |c: usize| sums.iter().map(|s| s[c]).sum::<f64>().abs();
        let mut by_total: Vec<usize> = (0..categories.len()).collect();
        by_total.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
        let mut keep: Vec<usize> = by_total[..MAX_CATEGORIES].to_vec();
        keep.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
        let rest = categories.len() - MAX_CATEGORIES;
        let mut folded_categories: Vec<String> =
            keep.iter().map(|&c| categories[c].clone()).collect();
        folded_categories.push(format!("{} ({rest})", w.other));
        let folded: Vec<Vec<f64>> = sums
            .iter()
            .map(|s| {
                let mut row: Vec<f64> = keep.iter().map(|&c| s[c]).collect();
                row.push(by_total[MAX_CATEGORIES..].iter().map(|&c| s[c]).sum());
                row
            })
            .collect();
        prepared.notes.push(match lang {
            Lang::Sv => format!(
                "De {MAX_CATEGORIES} största av {} kategorier; resten summeras i \"{}\".",
                categories.len(),
                w.other
            ),
            Lang::En => format!(
                "The {MAX_CATEGORIES} largest of {} categories; the rest are summed in \"{}\".",
                categories.len(),
                w.other
            ),
        });
        categories = folded_categories;
        sums = folded;
    }
    let horizontal = match spec.orientation {
        Orientation::Horizontal => true,
        Orientation::Vertical => false,
        Orientation::Auto => {
            categories.len() > 12 || categories.iter().any(|c| c.chars().count() > 10)
        }
    };
    let mut table = DataTable {
        columns: vec![spec.x.clone().unwrap_or_default()],
        rows: Vec::new(),
        total: categories.len() as u64,
    };
    if groups.is_empty() {
        table.columns.push(prepared.y_title.clone());
    } else {
        table.columns.extend(groups.iter().cloned());
    }
    // One precision per column of the table, as the preview writes it.
    let decimals: Vec<usize> = sums
        .iter()
        .map(|s| crate::data::format::decimals_for(s))
        .collect();
    for (c, name) in categories.iter().enumerate().take(MAX_TABLE_ROWS) {
        let mut row = vec![name.clone()];
        row.extend(
            sums.iter()
                .zip(&decimals)
                .map(|(s, &d)| crate::data::format::number(s[c], d, lang)),
        );
        table.rows.push(row);
    }
    prepared.table = table;
    prepared.groups = groups;
    prepared.other = other;
    prepared.body = Body::Bars {
        categories,
        values: sums,
        stacked: spec.stacked,
        horizontal,
    };
}

pub(super) fn histogram(prepared: &mut Prepared, spec: &ChartSpec, values: &[f64], lang: Lang) {
    if values.is_empty() {
        prepared.body = Body::Histogram {
            edges: Vec::new(),
            counts: Vec::new(),
            log_x: spec.log_x,
        };
        return;
    }
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if hi - lo <= 0.0 || !(hi - lo).is_finite() {
        // One distinct value (or a range too wide to split): one bin.
        let half = if lo.abs() > 1e300 {
            0.0
        } else {
            lo.abs().max(1.0) * 0.05
        };
        lo -= half;
        hi += half;
    }
    let auto = ((values.len() as f64).log2().ceil() as u32 + 1).clamp(5, 50);
    let bins = spec.bins.unwrap_or(auto).clamp(1, 200) as usize;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &v in values {
        let b = if width > 0.0 && width.is_finite() {
            (((v - lo) / width) as usize).min(bins - 1)
        } else {
            0
        };
        counts[b] += 1;
    }
    let edges: Vec<f64> = (0..=bins).map(|i| lo + width * i as f64).collect();
    let edge = |v: f64| {
        let v = if spec.log_x { 10f64.powf(v) } else { v };
        crate::data::format::short(v, lang)
    };
    prepared.table = DataTable {
        columns: match lang {
            Lang::Sv => vec!["från".into(), "till".into(), "antal".into()],
            Lang::En => vec!["from".into(), "to".into(), "count".into()],
        },
        rows: (0..bins)
            .map(|i| vec![edge(edges[i]), edge(edges[i + 1]), counts[i].to_string()])
            .collect(),
        total: bins as u64,
    };
    prepared.body = Body::Histogram {
        edges,
        counts,
        log_x: spec.log_x,
    };
}

#[allow(clippy::too_many_arguments)]
pub(super) fn heatmap(
    prepared: &mut Prepared,
    spec: &ChartSpec,
    xs: &Coded,
    ys: &Coded,
    values: Option<&[Option<f64>]>,
    w: &Words,
    skipped: &mut usize,
    lang: Lang,
) {
    // The most frequent categories of each side, in order of appearance
    // (codes are in that order); each code's cell index or none.
    let top = |coded: &Coded| -> (Vec<String>, Vec<Option<usize>>) {
        let counts = coded.counts();
        let mut list: Vec<usize> = (0..coded.names.len()).collect();
        list.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        list.truncate(MAX_HEAT);
        list.sort_unstable();
        let mut index = vec![None; coded.names.len()];
        for (i, &c) in list.iter().enumerate() {
            index[c] = Some(i);
        }
        (
            list.iter().map(|&c| coded.names[c].clone()).collect(),
            index,
        )
    };
    let (x_names, xi) = top(xs);
    let (y_names, yi) = top(ys);
    let (x_total, y_total) = (xs.names.len(), ys.names.len());
    let mut sums = vec![0.0; x_names.len() * y_names.len()];
    let mut counts = vec![0u64; sums.len()];
    for i in 0..xs.codes.len() {
        let (Some(x), Some(y)) = (xi[xs.codes[i] as usize], yi[ys.codes[i] as usize]) else {
            continue;
        };
        let Some(v) = weight(values, i, skipped) else {
            continue;
        };
        sums[y * x_names.len() + x] += v;
        counts[y * x_names.len() + x] += 1;
    }
    let cells: Vec<Option<f64>> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| match (c, values.is_some()) {
            (0, _) => None,
            (c, true) => Some(s / c as f64),
            (_, false) => Some(*s),
        })
        .collect();
    if x_total > MAX_HEAT || y_total > MAX_HEAT {
        prepared.notes.push(match lang {
            Lang::Sv => format!("De {MAX_HEAT} vanligaste kategorierna per axel visas ({x_total} × {y_total})."),
            Lang::En => format!("The {MAX_HEAT} most frequent categories per axis are shown ({x_total} × {y_total})."),
        });
    }
    if values.is_none() {
        prepared.notes.push(w.count.to_string());
    }
    let value_title = spec.value.clone().unwrap_or_else(|| w.count.to_string());
    let mut table = DataTable {
        columns: vec![
            spec.y.clone().unwrap_or_default(),
            spec.x.clone().unwrap_or_default(),
            value_title,
        ],
        rows: Vec::new(),
        total: cells.iter().filter(|c| c.is_some()).count() as u64,
    };
    let present: Vec<f64> = cells.iter().flatten().copied().collect();
    let decimals = crate::data::format::decimals_for(&present);
    'rows: for (yi, yn) in y_names.iter().enumerate() {
        for (xi, xn) in x_names.iter().enumerate() {
            if let Some(v) = cells[yi * x_names.len() + xi] {
                if table.rows.len() >= MAX_TABLE_ROWS {
                    break 'rows;
                }
                table.rows.push(vec![
                    yn.clone(),
                    xn.clone(),
                    crate::data::format::number(v, decimals, lang),
                ]);
            }
        }
    }
    prepared.table = table;
    prepared.body = Body::Heatmap {
        xs: x_names,
        ys: y_names,
        cells,
    };
}

/// The data tab of a scatter or line chart: the plotted rows.
pub(super) fn point_table(batch: &RecordBatch, spec: &ChartSpec, points: &Points) -> DataTable {
    let mut names: Vec<&String> = Vec::new();
    for n in [&spec.label, &spec.color, &spec.x, &spec.y, &spec.size]
        .into_iter()
        .flatten()
    {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let arrays: Vec<&dyn Array> = names
        .iter()
        .filter_map(|n| batch.column_by_name(n).map(|c| c.as_ref()))
        .collect();
    let formats: Vec<_> = arrays.iter().map(|a| formatter(*a)).collect();
    DataTable {
        columns: names.iter().map(|n| n.to_string()).collect(),
        rows: points
            .row
            .iter()
            .take(MAX_TABLE_ROWS)
            .map(|&r| {
                formats
                    .iter()
                    .map(|f| f(r as usize).unwrap_or_else(|| "–".into()))
                    .collect()
            })
            .collect(),
        total: points.row.len() as u64,
    }
}
