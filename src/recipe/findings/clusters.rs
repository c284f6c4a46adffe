//! A cluster step's profiles in words: one sentence per cluster (its size
//! and share, the features whose means differ most from all clustered
//! rows', in their units, some members) and one for the rows left out.

use super::{Table, percent, unit_of};
use crate::data::Lang;
use crate::data::format::short;

/// The features a cluster sentence names at most.
pub const APART: usize = 2;

/// One sentence per cluster of a cluster step's profiles (the wide table
/// of `ml::insight::profiles`: `cluster`, `size`, maybe `members`, then
/// each feature's mean in its own units), and one for the rows left out:
/// its size and share, the features whose mean differs most from that of
/// all clustered rows (relative to it, said in the features' units), and
/// some members. `rows_in` is how many rows the step received; `units`
/// names the features' units where known.
pub fn clusters(
    profile: &Table,
    features: &[String],
    units: &[(String, String)],
    rows_in: u64,
    lang: Lang,
) -> Vec<String> {
    let sizes: Vec<f64> = (0..profile.len())
        .map(|i| profile.number(i, "size").unwrap_or(0.0))
        .collect();
    let clustered: f64 = sizes.iter().sum();
    if clustered <= 0.0 {
        return Vec::new();
    }
    // Each feature's mean over all clustered rows (the sizes weigh).
    let overall: Vec<Option<f64>> = features
        .iter()
        .map(|f| {
            let sum: Option<f64> = (0..profile.len())
                .map(|i| Some(profile.number(i, f)? * sizes[i]))
                .sum();
            sum.map(|s| s / clustered)
        })
        .collect();
    let unit = |f: &str| unit_of(units, f);
    let mut out = Vec::new();
    for (i, size) in sizes.iter().copied().enumerate() {
        let label = profile.text(i, "cluster").unwrap_or_default();
        let share = share_of(size, rows_in, lang);
        let mut apart: Vec<(f64, &String, f64, f64)> = features
            .iter()
            .zip(&overall)
            .filter_map(|(f, all)| {
                let (mine, all) = (profile.number(i, f)?, (*all)?);
                let scale = all.abs().max(f64::EPSILON);
                let rel = (mine - all).abs() / scale;
                (rel >= 0.05).then_some((rel, f, mine, all))
            })
            .collect();
        apart.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let said: Vec<String> = apart
            .iter()
            .take(APART)
            .map(|(_, f, mine, all)| {
                let (m, a, u) = (short(*mine, lang), short(*all, lang), unit(f));
                match lang {
                    Lang::En => {
                        format!("{f} averages {m}{u} against {a}{u} for all clustered rows")
                    }
                    Lang::Sv => {
                        format!("{f} är i medel {m}{u} mot {a}{u} för alla klustrade rader")
                    }
                }
            })
            .collect();
        let (n, total) = (size as u64, rows_in);
        let mut text = match (lang, label.as_str()) {
            (Lang::En, "-1") => format!("Noise (no dense region): {n} of {total} rows ({share})"),
            (Lang::Sv, "-1") => format!("Brus (inget tätt område): {n} av {total} rader ({share})"),
            (Lang::En, _) => format!("Cluster {label}: {n} of {total} rows ({share})"),
            (Lang::Sv, _) => format!("Kluster {label}: {n} av {total} rader ({share})"),
        };
        if said.is_empty() {
            text.push_str(match lang {
                Lang::En => "; its means lie within 5% of all clustered rows' in every feature.",
                Lang::Sv => "; dess medelvärden ligger inom 5\u{a0}% från alla klustrade raders i varje variabel.",
            });
        } else {
            text.push_str(&format!("; {}.", said.join("; ")));
        }
        if let Some(members) = profile.text(i, "members").filter(|m| !m.is_empty()) {
            let end = if members.ends_with(['…', '.']) {
                ""
            } else {
                "."
            };
            text.push_str(&match lang {
                Lang::En => format!(" Among them: {members}{end}"),
                Lang::Sv => format!(" Bland dem: {members}{end}"),
            });
        }
        out.push(text);
    }
    let left_out = rows_in.saturating_sub(clustered as u64);
    if left_out > 0 {
        out.push(match lang {
            Lang::En => format!("{left_out} of {rows_in} rows were left out: a feature has no value there, and the step's missing-value rule drops such rows."),
            Lang::Sv => format!("{left_out} av {rows_in} rader lämnades utanför: en variabel saknar värde där, och stegets regel för saknade värden tar bort sådana rader."),
        });
    }
    out
}

/// `part` of `whole` as a whole percentage, or "under 1%" when that would
/// round a part that is there to nothing.
fn share_of(part: f64, whole: u64, lang: Lang) -> String {
    let p = part / whole.max(1) as f64 * 100.0;
    match (lang, p > 0.0 && p < 0.5) {
        (Lang::En, true) => "under 1%".into(),
        (Lang::Sv, true) => "under 1\u{a0}%".into(),
        _ => percent(p, lang),
    }
}
