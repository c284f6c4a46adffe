//! An anomaly step's most unusual rows in words: how many rows it flagged,
//! then one sentence per listed row naming the features farthest from
//! all scored rows' means, in the features' units and in standard
//! deviations. No causes: a sentence says how a row differs, not why.

use super::{Table, percent, unit_of};
use crate::data::Lang;
use crate::data::format::{number, short};

/// The features an outlier sentence names at most.
pub const APART: usize = 2;
/// A feature nearer the mean than this many standard deviations is not
/// named as what makes a row unusual.
pub const NOTABLE: f64 = 0.5;

/// A feature of a listed row: its difference from the mean in standard
/// deviations, its name, its value and the mean.
type Apart = (f64, String, f64, f64);

/// The sentences for an outlier list: `long` is its long table (`row`,
/// `feature`, `value`, `mean`, `difference_sd`, rows in rank order),
/// `scores` the listed rows' scores in that order; `flagged` of `scored`
/// rows carry the flag; `units` names features' units where known.
pub fn outliers(
    long: &Table,
    scores: &[f64],
    flagged: u64,
    scored: u64,
    units: &[(String, String)],
    lang: Lang,
) -> Vec<String> {
    let unit = |f: &str| unit_of(units, f);
    let share = percent(flagged as f64 / scored.max(1) as f64 * 100.0, lang);
    let mut out = vec![match lang {
        Lang::En => format!("{flagged} of {scored} scored rows ({share}) are flagged as unusual."),
        Lang::Sv => {
            format!("{flagged} av {scored} bedömda rader ({share}) är markerade som avvikande.")
        }
    }];
    // The listed rows in their order, each with its features' lines.
    let mut rows: Vec<(String, Vec<Apart>)> = Vec::new();
    for i in 0..long.len() {
        let (Some(row), Some(feature)) = (long.text(i, "row"), long.text(i, "feature")) else {
            continue;
        };
        let (Some(value), Some(mean), Some(z)) = (
            long.number(i, "value"),
            long.number(i, "mean"),
            long.number(i, "difference_sd"),
        ) else {
            continue;
        };
        if rows.last().is_none_or(|(r, _)| *r != row) {
            rows.push((row, Vec::new()));
        }
        if let Some((_, features)) = rows.last_mut() {
            features.push((z, feature, value, mean));
        }
    }
    for (n, (row, mut features)) in rows.into_iter().enumerate() {
        features.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then_with(|| a.1.cmp(&b.1)));
        let said: Vec<String> = features
            .iter()
            .take(APART)
            .filter(|(z, ..)| z.abs() >= NOTABLE)
            .map(|(z, f, value, mean)| {
                let (v, m, u) = (short(*value, lang), short(*mean, lang), unit(f));
                let sd = number(z.abs(), 1, lang);
                match (lang, *z > 0.0) {
                    (Lang::En, true) => {
                        format!("{f} is {v}{u}, {sd} standard deviations above the mean ({m}{u})")
                    }
                    (Lang::En, false) => {
                        format!("{f} is {v}{u}, {sd} standard deviations below the mean ({m}{u})")
                    }
                    (Lang::Sv, true) => {
                        format!("{f} är {v}{u}, {sd} standardavvikelser över medelvärdet ({m}{u})")
                    }
                    (Lang::Sv, false) => {
                        format!("{f} är {v}{u}, {sd} standardavvikelser under medelvärdet ({m}{u})")
                    }
                }
            })
            .collect();
        let score = scores
            .get(n)
            .map(|s| match lang {
                Lang::En => format!(" (score {})", number(*s, 2, lang)),
                Lang::Sv => format!(" (poäng {})", number(*s, 2, lang)),
            })
            .unwrap_or_default();
        out.push(if said.is_empty() {
            match lang {
                Lang::En => format!(
                    "{row}{score}: no feature lies more than half a standard deviation from the mean; the combination of its values is what is unusual."
                ),
                Lang::Sv => format!(
                    "{row}{score}: ingen variabel ligger mer än en halv standardavvikelse från medelvärdet; det är kombinationen av värdena som avviker."
                ),
            }
        } else {
            format!("{row}{score}: {}.", said.join("; "))
        });
    }
    out
}
