//! Findings in plain words, Swedish and English, made from the numbers of
//! an entity page's panels (`recipe::entity`) and nothing else: the same
//! tables the page shows, so a sentence never says more than its panel.
//! No causes; percentages are rounded to whole per cent and say so; ranks
//! count only the agencies with figures for both years, and ties say so.

use arrow::array::{Array, RecordBatch};
use serde::{Deserialize, Serialize};

use super::entity::{GROWTH_FROM, GROWTH_TO};
use crate::data::Lang;
use crate::data::entities::{Entity, EntityKind};
use crate::data::format::grouped;
use crate::data::values::{formatter, numbers};

/// One cell of a panel's table as the worker sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
    Null,
}

/// A panel's table: its columns and (the first of) its rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The rows of the whole result (more than `rows` when cut).
    pub total_rows: u64,
}

impl Table {
    fn at(&self, row: usize, column: &str) -> Option<&Cell> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.rows.get(row)?.get(i)
    }

    /// The number in `column` of `row`, if it is a finite one.
    pub fn number(&self, row: usize, column: &str) -> Option<f64> {
        match self.at(row, column)? {
            Cell::Number(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }

    /// The text in `column` of `row` (a number as text too).
    pub fn text(&self, row: usize, column: &str) -> Option<String> {
        match self.at(row, column)? {
            Cell::Text(t) => Some(t.clone()),
            Cell::Number(v) => Some(v.to_string()),
            Cell::Null => None,
        }
    }

    /// The first `limit` rows of `all` as values: numbers as numbers (not
    /// finite ones as null), everything else as the text the preview shows.
    pub fn from_batch(all: &RecordBatch, limit: usize) -> Table {
        let n = all.num_rows().min(limit);
        let batch = all.slice(0, n);
        let columns: Vec<Vec<Cell>> = batch
            .columns()
            .iter()
            .map(|array| match numbers(array.as_ref()) {
                Some(numbers) => numbers
                    .into_iter()
                    .take(n)
                    .map(|v| v.filter(|v| v.is_finite()).map_or(Cell::Null, Cell::Number))
                    .collect(),
                None => {
                    let text = formatter(array.as_ref());
                    (0..n)
                        .map(|i| {
                            if array.is_null(i) {
                                Cell::Null
                            } else {
                                text(i).map_or(Cell::Null, Cell::Text)
                            }
                        })
                        .collect()
                }
            })
            .collect();
        Table {
            columns: batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            rows: (0..n)
                .map(|i| columns.iter().map(|c| c[i].clone()).collect())
                .collect(),
            total_rows: all.num_rows() as u64,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The tables of a page's panels by panel id.
pub type Tables<'a> = &'a [(&'a str, Table)];

fn table<'a>(tables: Tables<'a>, id: &str) -> Option<&'a Table> {
    tables.iter().find(|(i, _)| *i == id).map(|(_, t)| t)
}

/// The sentences of `entity`'s page from its panels' tables.
pub fn sentences(entity: &Entity, tables: Tables, lang: Lang) -> Vec<String> {
    let name = entity.title(lang == Lang::En);
    let mut out = Vec::new();
    match entity.kind {
        Some(EntityKind::Agency) => {
            out.extend(growth(entity, name, tables, lang));
            out.extend(table(tables, "staff").and_then(|t| staff(t, lang)));
            out.extend(table(tables, "women").and_then(|t| women(t, lang)));
            out.extend(table(tables, "women_all").and_then(|t| women_rank(entity, t, lang)));
            out.extend(table(tables, "letters").and_then(|t| letters(t, lang)));
            out.extend(table(tables, "similar").map(|t| similar(entity, name, t, lang)));
        }
        Some(EntityKind::Ministry | EntityKind::Area) => {
            let under = match (entity.kind, lang) {
                (Some(EntityKind::Area), Lang::En) => format!("in the area {name}"),
                (Some(EntityKind::Area), Lang::Sv) => format!("inom området {name}"),
                _ => format!("under {name}"),
            };
            let growth = table(tables, "growth");
            out.extend(table(tables, "totals").and_then(|t| totals(&under, t, growth, lang)));
            out.extend(table(tables, "growth").and_then(|t| extremes(t, lang)));
        }
        Some(EntityKind::Municipality | EntityKind::County) => {
            out.extend(table(tables, "agencies").map(|t| based_here(name, t, lang)));
        }
        None => {}
    }
    out
}

/// A whole percentage: `68 %` in Swedish, `68%` in English.
fn percent(v: f64, lang: Lang) -> String {
    let n = grouped(v.abs().round(), 0, lang, true);
    match lang {
        Lang::Sv => format!("{n}\u{a0}%"),
        Lang::En => format!("{n}%"),
    }
}

/// `a`, `a and b`, `a, b and c` (`och` in Swedish).
fn listed(items: &[String], lang: Lang) -> String {
    match (lang, items.split_last()) {
        (_, None) => String::new(),
        (_, Some((last, []))) => last.clone(),
        (Lang::En, Some((last, rest))) => format!("{} and {last}", rest.join(", ")),
        (Lang::Sv, Some((last, rest))) => format!("{} och {last}", rest.join(", ")),
    }
}

/// FTE and counts: whole numbers from 100 up, else one decimal.
fn amount(v: f64, lang: Lang) -> String {
    grouped(v, if v.abs() >= 100.0 { 0 } else { 1 }, lang, true)
}

/// `2nd` / `plats 2`, with a tie said.
fn place(rank: usize, tied: bool, lang: Lang) -> String {
    match lang {
        Lang::En => {
            let suffix = match (rank % 10, rank % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{rank}{suffix}{}", if tied { " (tied)" } else { "" })
        }
        Lang::Sv => format!("{}plats {rank}", if tied { "delad " } else { "" }),
    }
}

/// The rank of the row whose `org_nr` is `key` by `growth_percent`
/// (1 = fastest), whether it is tied, and of how many.
fn rank(t: &Table, key: &str) -> Option<(usize, bool, usize)> {
    rank_by(t, key, "growth_percent")
}

/// The rank of the row whose `org_nr` is `key` by `column` (1 = the
/// largest), whether it is tied, and of how many rows with a value.
fn rank_by(t: &Table, key: &str, column: &str) -> Option<(usize, bool, usize)> {
    let growths: Vec<(Option<String>, f64)> = (0..t.len())
        .filter_map(|i| Some((t.text(i, "org_nr"), t.number(i, column)?)))
        .collect();
    let own = growths.iter().find(|(k, _)| k.as_deref() == Some(key))?.1;
    let above = growths.iter().filter(|(_, g)| *g > own).count();
    let equal = growths.iter().filter(|(_, g)| *g == own).count();
    Some((above + 1, equal > 1, growths.len()))
}

fn growth(entity: &Entity, name: &str, tables: Tables, lang: Lang) -> Vec<String> {
    let Some(all) = table(tables, "growth_all") else {
        return Vec::new();
    };
    let row = (0..all.len()).find(|&i| all.text(i, "org_nr").as_deref() == Some(&entity.key));
    let (from, to) = (GROWTH_FROM.to_string(), GROWTH_TO.to_string());
    let values = row.and_then(|i| {
        Some((
            all.number(i, &from)?,
            all.number(i, &to)?,
            all.number(i, "growth_percent")?,
        ))
    });
    let Some((a, b, g)) = values else {
        return vec![match lang {
            Lang::En => format!(
                "{name} has no full-time equivalents for both {from} and {to} in Statskontoret's figures, so its growth is not ranked."
            ),
            Lang::Sv => format!(
                "{name} saknar årsarbetskrafter för antingen {from} eller {to} i Statskontorets siffror, så dess tillväxt rangordnas inte."
            ),
        }];
    };
    let (a_text, b_text) = (amount(a, lang), amount(b, lang));
    let change = match (lang, g.round()) {
        (Lang::En, r) if r > 0.0 => format!("grew by {}", percent(g, lang)),
        (Lang::En, r) if r < 0.0 => format!("shrank by {}", percent(g, lang)),
        (Lang::En, _) => "changed by less than half a per cent".to_string(),
        (Lang::Sv, r) if r > 0.0 => format!("växte med {}", percent(g, lang)),
        (Lang::Sv, r) if r < 0.0 => format!("minskade med {}", percent(g, lang)),
        (Lang::Sv, _) => "förändrades med mindre än en halv procent".to_string(),
    };
    let mut first = match lang {
        Lang::En => format!(
            "{name} {change} in full-time equivalents from {from} to {to} (from {a_text} to {b_text}; rounded to whole per cent)."
        ),
        Lang::Sv => format!(
            "{name} {change} i årsarbetskrafter från {from} till {to} (från {a_text} till {b_text}; avrundat till hela procent)."
        ),
    };
    let mut ranks = Vec::new();
    let ministry = entity.ministry.as_deref().unwrap_or_default();
    if let Some((r, tied, n)) = table(tables, "growth_ministry").and_then(|t| rank(t, &entity.key))
    {
        ranks.push(match (lang, n) {
            (Lang::En, 1) => {
                format!("it is the only agency under {ministry} with figures for both years")
            }
            (Lang::Sv, 1) => {
                format!("den är den enda myndigheten under {ministry} med siffror för båda åren")
            }
            (Lang::En, _) => format!("{} of {n} agencies under {ministry}", place(r, tied, lang)),
            (Lang::Sv, _) => format!(
                "{} av {n} myndigheter under {ministry}",
                place(r, tied, lang)
            ),
        });
    }
    if let Some((r, tied, n)) = rank(all, &entity.key) {
        ranks.push(match lang {
            Lang::En => format!(
                "{} of {n} agencies with figures for both years",
                place(r, tied, lang)
            ),
            Lang::Sv => format!(
                "{} av {n} myndigheter med siffror för båda åren",
                place(r, tied, lang)
            ),
        });
    }
    let joined = ranks.join(match lang {
        Lang::En => ", and ",
        Lang::Sv => ", och ",
    });
    if !joined.is_empty() {
        first.push(' ');
        first.push_str(&match lang {
            Lang::En => format!("By growth it ranks {joined}."),
            Lang::Sv => format!("Efter tillväxt ligger den på {joined}."),
        });
    }
    // By size in the last year, among the same agencies.
    let to = GROWTH_TO.to_string();
    let by_size = [
        table(tables, "growth_ministry").and_then(|t| rank_by(t, &entity.key, &to)),
        rank_by(all, &entity.key, &to),
    ];
    if let [Some((rm, tm, nm)), Some((ra, ta, na))] = by_size {
        first.push(' ');
        first.push_str(&match lang {
            Lang::En => format!(
                "By full-time equivalents in {to} it is {} of {nm} under {ministry} and {} of {na}.",
                place(rm, tm, lang),
                place(ra, ta, lang)
            ),
            Lang::Sv => format!(
                "Efter årsarbetskrafter {to} ligger den på {} av {nm} under {ministry} och {} av {na}.",
                place(rm, tm, lang),
                place(ra, ta, lang)
            ),
        });
    }
    vec![first]
}

/// The latest year both sources give FTE, and how far apart they are.
fn staff(t: &Table, lang: Lang) -> Option<String> {
    let mut years: std::collections::BTreeMap<i64, (Option<f64>, Option<f64>)> = Default::default();
    for i in 0..t.len() {
        let (Some(year), Some(value)) = (t.number(i, "year"), t.number(i, "value")) else {
            continue;
        };
        let entry = years.entry(year as i64).or_default();
        match t.text(i, "measure").as_deref() {
            Some("fte_statskontoret") => entry.0 = Some(value),
            Some("fte_esv") => entry.1 = Some(value),
            _ => {}
        }
    }
    let (year, stkt, esv) = years
        .iter()
        .rev()
        .find_map(|(y, (s, e))| Some((*y, (*s)?, (*e)?)))?;
    // Years where the two differ more than tenfold: said, as a likely
    // fault in one of the sources, not explained.
    let apart: Vec<String> = years
        .iter()
        .filter_map(|(y, (s, e))| {
            let (s, e) = ((*s)?, (*e)?);
            let ratio = s.max(e) / s.min(e).max(f64::MIN_POSITIVE);
            (ratio > 10.0).then(|| match lang {
                Lang::En => format!(
                    "{y} (Statskontoret {}, ESV {})",
                    amount(s, lang),
                    amount(e, lang)
                ),
                Lang::Sv => format!(
                    "{y} (Statskontoret {}, ESV {})",
                    amount(s, lang),
                    amount(e, lang)
                ),
            })
        })
        .collect();
    let odd = (!apart.is_empty()).then(|| match lang {
        Lang::En => format!(" The sources differ more than tenfold in {}: one of the figures is likely a fault in its source.", listed(&apart, lang)),
        Lang::Sv => format!(" Källorna skiljer sig mer än tiofalt år {}: en av siffrorna är troligen ett fel i sin källa.", listed(&apart, lang)),
    });
    let (s, e) = (amount(stkt, lang), amount(esv, lang));
    if stkt == 0.0 {
        return None;
    }
    let diff = (esv - stkt) / stkt * 100.0;
    let difference = match (lang, (diff * 10.0).round() / 10.0) {
        (Lang::En, 0.0) => "the same to a tenth of a per cent".to_string(),
        (Lang::Sv, 0.0) => "samma på en tiondels procent när".to_string(),
        (Lang::En, d) => format!(
            "ESV's figure is {}% {}",
            grouped(d.abs(), 1, lang, true),
            if d > 0.0 { "higher" } else { "lower" }
        ),
        (Lang::Sv, d) => format!(
            "ESV:s siffra är {}\u{a0}% {}",
            grouped(d.abs(), 1, lang, true),
            if d > 0.0 { "högre" } else { "lägre" }
        ),
    };
    let odd = odd.unwrap_or_default();
    Some(match lang {
        Lang::En => format!(
            "In {year} Statskontoret counts {s} full-time equivalents and ESV {e}: {difference}.{odd}"
        ),
        Lang::Sv => format!(
            "{year} räknar Statskontoret {s} årsarbetskrafter och ESV {e}: {difference}.{odd}"
        ),
    })
}

fn women(t: &Table, lang: Lang) -> Option<String> {
    let shares: Vec<(f64, f64)> = (0..t.len())
        .filter_map(|i| Some((t.number(i, "year")?, t.number(i, "women_percent")?)))
        .collect();
    let (last_year, last) = *shares.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (first_year, first) = *shares.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    let earlier = (first_year < last_year).then(|| match lang {
        Lang::En => format!(" ({} in {first_year})", percent(first, lang)),
        Lang::Sv => format!(" ({} {first_year})", percent(first, lang)),
    });
    let earlier = earlier.unwrap_or_default();
    Some(match lang {
        Lang::En => format!(
            "Women were {} of the staff in {last_year}{earlier}.",
            percent(last, lang)
        ),
        Lang::Sv => format!(
            "Kvinnor var {} av de anställda {last_year}{earlier}.",
            percent(last, lang)
        ),
    })
}

/// The agency's women's share in [`GROWTH_TO`] ranked among all agencies
/// with a figure that year, and among those of its ministry.
fn women_rank(entity: &Entity, all: &Table, lang: Lang) -> Option<String> {
    let own = (0..all.len()).find(|&i| all.text(i, "org_nr").as_deref() == Some(&entity.key))?;
    let share = percent(all.number(own, "women_percent")?, lang);
    let (r, tied, n) = rank_by(all, &entity.key, "women_percent")?;
    let year = GROWTH_TO;
    let mut text = match lang {
        Lang::En => format!(
            "By the women's share of its staff in {year} ({share}) it is {} of {n} agencies",
            place(r, tied, lang)
        ),
        Lang::Sv => format!(
            "Efter andelen kvinnor bland de anställda {year} ({share}) ligger den på {} av {n} myndigheter",
            place(r, tied, lang)
        ),
    };
    if let Some(ministry) = &entity.ministry {
        let peers = Table {
            rows: all
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| all.text(*i, "ministry").as_deref() == Some(ministry.as_str()))
                .map(|(_, row)| row.clone())
                .collect(),
            ..all.clone()
        };
        if let Some((r, tied, n)) =
            rank_by(&peers, &entity.key, "women_percent").filter(|p| p.2 > 1)
        {
            text.push_str(&match lang {
                Lang::En => format!(" and {} of {n} under {ministry}", place(r, tied, lang)),
                Lang::Sv => format!(" och {} av {n} under {ministry}", place(r, tied, lang)),
            });
        }
    }
    text.push_str(match lang {
        Lang::En => " (1st = the highest share).",
        Lang::Sv => " (plats 1 = störst andel).",
    });
    Some(text)
}

fn letters(t: &Table, lang: Lang) -> Option<String> {
    let mut per_year: std::collections::BTreeMap<i64, f64> = Default::default();
    let (mut letters, mut amendments) = (0.0, 0.0);
    for i in 0..t.len() {
        let (Some(year), Some(count)) = (t.number(i, "year"), t.number(i, "count")) else {
            continue;
        };
        *per_year.entry(year as i64).or_default() += count;
        match t.text(i, "kind").as_deref() {
            Some("letters") => letters += count,
            Some("amendments") => amendments += count,
            _ => {}
        }
    }
    let (first, last) = (*per_year.keys().next()?, *per_year.keys().last()?);
    let most = per_year.values().copied().fold(0.0, f64::max);
    let years: Vec<String> = per_year
        .iter()
        .filter(|(_, c)| **c == most)
        .map(|(y, _)| y.to_string())
        .collect();
    let span = if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    };
    let whole = |v: f64| grouped(v, 0, lang, true);
    let (l, a, m) = (whole(letters), whole(amendments), whole(most));
    let peak = if most > 0.0 && per_year.len() > 1 {
        let years = listed(&years, lang);
        match lang {
            Lang::En => format!(
                ", most in {years} ({m}{})",
                if years.contains(' ') { " each" } else { "" }
            ),
            Lang::Sv => format!(
                ", flest {years} ({m}{})",
                if years.contains(' ') { " vardera" } else { "" }
            ),
        }
    } else {
        String::new()
    };
    Some(match lang {
        Lang::En => {
            format!("It received {l} appropriation directions and {a} amendments in {span}{peak}.")
        }
        Lang::Sv => format!("Den fick {l} regleringsbrev och {a} ändringsbeslut {span}{peak}."),
    })
}

/// The total FTE of a group of agencies (`under` says which) in the
/// last year of `totals`, and the change from [`GROWTH_FROM`] to
/// [`GROWTH_TO`] among the agencies of `growth` only (those with figures
/// for both years), so that agencies joining or leaving the group do not
/// count as growth.
fn totals(under: &str, totals: &Table, growth: Option<&Table>, lang: Lang) -> Option<String> {
    let last = (0..totals.len())
        .filter_map(|i| {
            Some((
                totals.number(i, "year")?,
                totals.number(i, "fte")?,
                totals.number(i, "agencies")?,
            ))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (n, fte, year) = (last.2 as u64, amount(last.1, lang), last.0);
    let mut text = match lang {
        Lang::En => format!(
            "The {n} agencies {under} with figures had {fte} full-time equivalents in {year}."
        ),
        Lang::Sv => {
            format!("De {n} myndigheterna {under} med siffror hade {fte} årsarbetskrafter {year}.")
        }
    };
    let (from, to) = (GROWTH_FROM.to_string(), GROWTH_TO.to_string());
    let both: Vec<(f64, f64)> = growth
        .map(|g| {
            (0..g.len())
                .filter_map(|i| Some((g.number(i, &from)?, g.number(i, &to)?)))
                .collect()
        })
        .unwrap_or_default();
    let (a, b): (f64, f64) = both
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    if !both.is_empty() && a > 0.0 {
        let change = (b - a) / a * 100.0;
        let (p, m) = (percent(change, lang), both.len());
        let (a, b) = (amount(a, lang), amount(b, lang));
        let dir = match (lang, change.round()) {
            (Lang::En, c) if c > 0.0 => format!("grew by {p}"),
            (Lang::En, c) if c < 0.0 => format!("shrank by {p}"),
            (Lang::En, _) => "changed by less than half a per cent".into(),
            (Lang::Sv, c) if c > 0.0 => format!("växte med {p}"),
            (Lang::Sv, c) if c < 0.0 => format!("minskade med {p}"),
            (Lang::Sv, _) => "förändrades med mindre än en halv procent".into(),
        };
        text.push(' ');
        text.push_str(&match lang {
            Lang::En => format!("The {m} with figures for both {from} and {to} {dir}, from {a} to {b} (rounded to whole per cent)."),
            Lang::Sv => format!("De {m} med siffror för både {from} och {to} {dir}, från {a} till {b} (avrundat till hela procent)."),
        });
    }
    Some(text)
}

/// The fastest growth and the largest decline in a table sorted by growth.
fn extremes(t: &Table, lang: Lang) -> Option<String> {
    let rows: Vec<(String, f64)> = (0..t.len())
        .filter_map(|i| Some((t.text(i, "name")?, t.number(i, "growth_percent")?)))
        .collect();
    let top = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let low = rows.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let sign = |g: f64| if g.round() < 0.0 { "−" } else { "+" };
    let mut text = match lang {
        Lang::En => format!(
            "From {GROWTH_FROM} to {GROWTH_TO} the fastest growth of the {} agencies with figures for both years was {} ({}{})",
            rows.len(),
            top.0,
            sign(top.1),
            percent(top.1, lang)
        ),
        Lang::Sv => format!(
            "Från {GROWTH_FROM} till {GROWTH_TO} växte {} snabbast av de {} myndigheterna med siffror båda åren ({}{})",
            top.0,
            rows.len(),
            sign(top.1),
            percent(top.1, lang)
        ),
    };
    if rows.len() > 1 && low.1.round() < 0.0 {
        text.push_str(&match lang {
            Lang::En => format!(
                "; the largest decline was {} ({}{})",
                low.0,
                sign(low.1),
                percent(low.1, lang)
            ),
            Lang::Sv => format!(
                "; störst minskning hade {} ({}{})",
                low.0,
                sign(low.1),
                percent(low.1, lang)
            ),
        });
    }
    text.push('.');
    Some(text)
}

/// How many agencies the similar-curve sentence names.
pub const SIMILAR: usize = 5;

/// The agencies whose FTE curve 2010–2024, scaled by its own mean (the
/// clustering's features), lies nearest to this one's, and its cluster.
fn similar(entity: &Entity, name: &str, t: &Table, lang: Lang) -> String {
    let years: Vec<String> = (GROWTH_FROM..=GROWTH_TO).map(|y| y.to_string()).collect();
    let curve = |i: usize| -> Option<Vec<f64>> {
        let values: Option<Vec<f64>> = years.iter().map(|y| t.number(i, y)).collect();
        let values = values?;
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        (mean > 0.0).then(|| values.iter().map(|v| v / mean).collect())
    };
    let own = (0..t.len()).find(|&i| t.text(i, "org_nr").as_deref() == Some(&entity.key));
    let Some((own, shape)) = own.and_then(|i| Some((i, curve(i)?))) else {
        return match lang {
            Lang::En => format!(
                "{name} lacks full-time equivalents for some year {GROWTH_FROM}–{GROWTH_TO}, so its curve is not compared."
            ),
            Lang::Sv => format!(
                "{name} saknar årsarbetskrafter något år {GROWTH_FROM}–{GROWTH_TO}, så dess kurva jämförs inte."
            ),
        };
    };
    let mut near: Vec<(f64, String)> = (0..t.len())
        .filter(|&i| i != own)
        .filter_map(|i| {
            let other = curve(i)?;
            let d: f64 = shape
                .iter()
                .zip(&other)
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            Some((d, t.text(i, "name")?))
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let names: Vec<String> = near.into_iter().take(SIMILAR).map(|(_, n)| n).collect();
    let cluster = t.number(own, "cluster");
    let members = cluster.map_or(0, |c| {
        (0..t.len())
            .filter(|&i| t.number(i, "cluster") == Some(c))
            .count()
    });
    let compared = (0..t.len()).filter(|&i| curve(i).is_some()).count();
    let list = listed(&names, lang);
    let group = cluster.map(|c| match lang {
        Lang::En => format!(" It is in cluster {c:.0} with {members} agencies."),
        Lang::Sv => format!(" Den hör till kluster {c:.0} med {members} myndigheter."),
    });
    match lang {
        Lang::En => format!(
            "By the shape of its full-time equivalents {GROWTH_FROM}–{GROWTH_TO} (each agency's figures divided by its own mean, as in the start page's clusters; {compared} agencies with every year), the most similar are {list}.{}",
            group.unwrap_or_default()
        ),
        Lang::Sv => format!(
            "Efter formen på årsarbetskrafterna {GROWTH_FROM}–{GROWTH_TO} (varje myndighets siffror delade med sitt eget medelvärde, som i startsidans kluster; {compared} myndigheter med alla år) liknar den mest {list}.{}",
            group.unwrap_or_default()
        ),
    }
}

fn based_here(name: &str, t: &Table, lang: Lang) -> String {
    let n = t.total_rows.max(t.len() as u64);
    match (lang, n) {
        (Lang::En, 0) => format!("No agency in SCB's register has its city in {name}."),
        (Lang::Sv, 0) => format!("Ingen myndighet i SCB:s register har sin ort i {name}."),
        (Lang::En, 1) => format!("One agency has its city in {name} (SCB's register)."),
        (Lang::Sv, 1) => format!("En myndighet har sin ort i {name} (SCB:s register)."),
        (Lang::En, n) => format!("{n} agencies have their city in {name} (SCB's register)."),
        (Lang::Sv, n) => format!("{n} myndigheter har sin ort i {name} (SCB:s register)."),
    }
}

/// " FTE" for a feature whose unit `units` names, else nothing: what
/// follows a number in a sentence.
fn unit_of(units: &[(String, String)], feature: &str) -> String {
    units
        .iter()
        .find(|(c, _)| c == feature)
        .map(|(_, u)| format!(" {u}"))
        .unwrap_or_default()
}

mod clusters;
mod outliers;
#[cfg(test)]
mod tests;

pub use clusters::{APART, clusters};
pub use outliers::outliers;
