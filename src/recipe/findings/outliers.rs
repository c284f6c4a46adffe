//! An anomaly step's most unusual rows in words: how many rows it flagged,
//! then one sentence per listed row naming the features farthest from
//! all scored rows' means, in the features' units and in standard
//! deviations, and how far it lies from its peers (the rows most like it
//! in the other features: "agencies of its size"). No causes: a sentence
//! says how a row differs, not why.

use super::{Table, percent, unit_of};
use crate::data::Lang;
use crate::data::format::{number, short};

/// The features an outlier sentence names at most.
pub const APART: usize = 2;
/// A feature nearer the mean than this many standard deviations is not
/// named as what makes a row unusual.
pub const NOTABLE: f64 = 0.5;

/// A feature of a listed row: its difference from the mean in standard
/// deviations, its name, its value, the mean, and its peers where it has
/// them.
type Apart = (f64, String, f64, f64, Option<Peers>);

/// A row's peers for a feature: how many, their mean, and the row's
/// difference from it in their standard deviations.
#[derive(Clone, Copy)]
struct Peers {
    count: f64,
    mean: f64,
    apart: f64,
}

/// The sentences for an outlier list: `long` is its long table (`row`,
/// `feature`, `value`, `mean`, `difference_sd`, and where the row has
/// peers `peers`, `peer_mean` and `peer_difference_sd`; rows in rank order),
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
        let peers = match (
            long.number(i, "peers"),
            long.number(i, "peer_mean"),
            long.number(i, "peer_difference_sd"),
        ) {
            (Some(count), Some(mean), Some(apart)) => Some(Peers { count, mean, apart }),
            _ => None,
        };
        if let Some((_, features)) = rows.last_mut() {
            features.push((z, feature, value, mean, peers));
        }
    }
    for (n, (row, mut features)) in rows.into_iter().enumerate() {
        features.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then_with(|| a.1.cmp(&b.1)));
        let names: Vec<String> = features.iter().map(|a| a.1.clone()).collect();
        let said: Vec<String> = features
            .iter()
            .take(APART)
            .filter(|(z, ..)| z.abs() >= NOTABLE)
            .map(|(z, f, value, mean, peers)| {
                let (v, m, u) = (short(*value, lang), short(*mean, lang), unit(f));
                let sd = number(z.abs(), 1, lang);
                let others: Vec<&String> = names.iter().filter(|n| *n != f).collect();
                let among = peers
                    .map(|p| among_peers(&p, &others, &u, lang))
                    .unwrap_or_default();
                let all = match (lang, *z > 0.0) {
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
                };
                all + &among
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

/// ", and 3.1 standard deviations above the 20 rows most like it in
/// fte_2010 (mean 130.4)":
/// the row against its peers, who are named by the other features (all of
/// them when there are at most two).
fn among_peers(p: &Peers, others: &[&String], unit: &str, lang: Lang) -> String {
    let k = number(p.count, 0, lang);
    let m = short(p.mean, lang);
    let sd = number(p.apart.abs(), 1, lang);
    let by = if others.len() <= 2 {
        others
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(match lang {
                Lang::En => " and ",
                Lang::Sv => " och ",
            })
    } else {
        match lang {
            Lang::En => "the other features".into(),
            Lang::Sv => "de andra variablerna".into(),
        }
    };
    let above = p.apart >= 0.0;
    match lang {
        Lang::En => {
            let side = if above { "above" } else { "below" };
            format!(
                ", and {sd} standard deviations {side} the {k} rows most like it in {by} (mean {m}{unit})"
            )
        }
        Lang::Sv => {
            let side = if above { "över" } else { "under" };
            format!(
                ", och {sd} standardavvikelser {side} de {k} rader som mest liknar den i {by} (medelvärde {m}{unit})"
            )
        }
    }
}
