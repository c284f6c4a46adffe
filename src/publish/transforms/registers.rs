//! The three agency registers (ESV, Statskontoret, SCB), the rule that
//! makes one agency per organisation number, and the name index that links
//! name-keyed sources (Arbetsgivarverket, the letters) to those numbers.
//!
//! **Universe.** An agency is an organisation number found in ESV's
//! register or Statskontoret's list (the state's agencies); SCB's register
//! adds group, city and years to numbers already in that universe.
//!
//! **Duplicates.** When one register lists several entries under one
//! number, the entry kept is, in order: the one whose name another register
//! uses for that number, the one still active (no end year), the one with
//! the most yearly figures, the first by name. The others are reported;
//! their rows keep a null number.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::error::PublishError;
use crate::publish::transforms::{Sources, parse_csv, parse_json};

/// An entry of ESV's register (`esv.json`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Esv {
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub department: Option<String>,
    pub org_nr: Option<String>,
    pub employees: BTreeMap<String, Value>,
    pub fte: BTreeMap<String, Value>,
    pub start: Value,
    pub end: Value,
    pub old_names: Vec<String>,
}

/// An entry of Statskontoret's list (`stkt.json`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Stkt {
    pub department: Option<String>,
    pub org_nr: Option<String>,
    pub cofog: Value,
    pub cofog10: Value,
    pub structure: Option<String>,
    pub has_gd: Option<bool>,
    pub start: Value,
    pub end: Value,
    pub fte: BTreeMap<String, Value>,
    pub other_names: Vec<String>,
}

/// An address in SCB's register.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    pub city: Option<String>,
}

/// An entry of SCB's register (`scb.json`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Scb {
    pub org_nr: Option<String>,
    pub group: Option<String>,
    pub short_name: Option<String>,
    pub postal_address: Option<Address>,
    pub office_address: Option<Address>,
    pub start: Value,
    pub end: Value,
    pub old_names: Vec<String>,
}

/// One register's entries, keyed by name, and the entry kept per number.
pub struct Register<T> {
    pub entries: BTreeMap<String, T>,
    /// Organisation number -> the name of the entry kept for it.
    pub kept: BTreeMap<String, String>,
    /// Names of entries with no valid organisation number.
    pub without_number: Vec<String>,
    /// One line per number with several entries.
    pub duplicates: Vec<String>,
}

impl<T> Register<T> {
    /// The number of the entry `name`, if it is the one kept for it.
    pub fn kept_number(&self, name: &str, number: Option<&str>) -> Option<String> {
        let number = normalise_org_nr(number?)?;
        (self.kept.get(&number).map(String::as_str) == Some(name)).then_some(number)
    }
}

/// The three registers and the name list, read and linked.
pub struct Registers {
    pub esv: Register<Esv>,
    pub stkt: Register<Stkt>,
    pub scb: Register<Scb>,
    names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct MatchRow {
    name: String,
    official_name: String,
}

impl Registers {
    /// Reads `esv`, `stkt`, `scb` and `matchlist` from `sources`.
    pub fn load(sources: &Sources) -> Result<Self, PublishError> {
        let esv: BTreeMap<String, Esv> = parse_json(sources.get("esv")?)?;
        let stkt: BTreeMap<String, Stkt> = parse_json(sources.get("stkt")?)?;
        let scb: BTreeMap<String, Scb> = parse_json(sources.get("scb")?)?;
        let matchlist: Vec<(u64, MatchRow)> =
            parse_csv(sources.get("matchlist")?, &["name", "official_name"])?;

        // Names other registers use for a number guide the duplicate rule.
        let mut names_by_number: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut note_names = |entries: Vec<(&String, Option<&String>)>| {
            for (name, number) in entries {
                if let Some(number) = number.and_then(|n| normalise_org_nr(n)) {
                    names_by_number
                        .entry(number)
                        .or_default()
                        .insert(normalise_name(name));
                }
            }
        };
        note_names(esv.iter().map(|(n, e)| (n, e.org_nr.as_ref())).collect());
        note_names(stkt.iter().map(|(n, e)| (n, e.org_nr.as_ref())).collect());

        let esv = Register::build(
            esv,
            &names_by_number,
            |e| e.org_nr.as_deref(),
            |e| (is_null(&e.end), e.fte.len() + e.employees.len()),
        );
        let stkt = Register::build(
            stkt,
            &names_by_number,
            |e| e.org_nr.as_deref(),
            |e| (is_null(&e.end), e.fte.len()),
        );
        let scb = Register::build(
            scb,
            &names_by_number,
            |e| e.org_nr.as_deref(),
            |e| (is_null(&e.end), 0),
        );

        // The name index: every name of a kept entry, then the name list.
        let mut names = BTreeMap::new();
        let mut add = |name: &str, number: &str| {
            names
                .entry(normalise_name(name))
                .or_insert_with(|| number.to_string());
        };
        for (number, name) in &esv.kept {
            add(name, number);
            for old in &esv.entries[name].old_names {
                add(old, number);
            }
        }
        for (number, name) in &stkt.kept {
            add(name, number);
            for other in &stkt.entries[name].other_names {
                add(other, number);
            }
        }
        let universe: BTreeSet<&String> = esv.kept.keys().chain(stkt.kept.keys()).collect();
        for (number, name) in &scb.kept {
            if universe.contains(number) {
                add(name, number);
                for old in &scb.entries[name].old_names {
                    add(old, number);
                }
            }
        }
        let mut aliases = Vec::new();
        for (_, row) in &matchlist {
            if let Some(number) = names.get(&normalise_name(&row.official_name)) {
                aliases.push((normalise_name(&row.name), number.clone()));
            }
        }
        for (alias, number) in aliases {
            names.entry(alias).or_insert(number);
        }
        Ok(Self {
            esv,
            stkt,
            scb,
            names,
        })
    }

    /// Every organisation number of the universe, sorted.
    pub fn universe(&self) -> BTreeSet<String> {
        self.esv
            .kept
            .keys()
            .chain(self.stkt.kept.keys())
            .cloned()
            .collect()
    }

    /// The organisation number an agency name links to, if any.
    pub fn link_name(&self, name: &str) -> Option<&str> {
        self.names.get(&normalise_name(name)).map(String::as_str)
    }

    /// Report lines about duplicate numbers and entries without one.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (source, duplicates, without) in [
            ("esv", &self.esv.duplicates, &self.esv.without_number),
            ("stkt", &self.stkt.duplicates, &self.stkt.without_number),
            ("scb", &self.scb.duplicates, &self.scb.without_number),
        ] {
            notes.extend(duplicates.iter().map(|d| format!("{source}: {d}")));
            if !without.is_empty() {
                notes.push(format!(
                    "{source}: {} entries without a valid organisation number (e.g. {})",
                    without.len(),
                    without
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        notes
    }
}

impl<T> Register<T> {
    fn build(
        entries: BTreeMap<String, T>,
        names_by_number: &BTreeMap<String, BTreeSet<String>>,
        number: impl Fn(&T) -> Option<&str>,
        rank: impl Fn(&T) -> (bool, usize),
    ) -> Self {
        let mut by_number: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        let mut without_number = Vec::new();
        for (name, entry) in &entries {
            match number(entry).and_then(normalise_org_nr) {
                Some(n) => by_number.entry(n).or_default().push(name),
                None => without_number.push(name.clone()),
            }
        }
        let mut kept = BTreeMap::new();
        let mut duplicates = Vec::new();
        for (n, names) in by_number {
            let known = names_by_number.get(&n);
            // Sorting by name first makes the final tie-break "first by name".
            let best = names.iter().copied().max_by(|a, b| {
                let key = |name: &String| {
                    let (active, figures) = rank(&entries[name]);
                    let used_elsewhere = known.is_some_and(|k| k.contains(&normalise_name(name)));
                    (used_elsewhere, active, figures)
                };
                key(a).cmp(&key(b)).then_with(|| b.cmp(a))
            });
            let Some(best) = best else { continue };
            if names.len() > 1 {
                let others: Vec<&str> = names
                    .iter()
                    .filter(|x| **x != best)
                    .map(|x| x.as_str())
                    .collect();
                let shown = others
                    .iter()
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if others.len() > 3 {
                    format!(" and {} more", others.len() - 3)
                } else {
                    String::new()
                };
                duplicates.push(format!(
                    "{n} has {} entries; kept {best:?}, not {shown}{more}",
                    names.len()
                ));
            }
            kept.insert(n, best.clone());
        }
        Self {
            entries,
            kept,
            without_number,
            duplicates,
        }
    }
}

/// `202100-4284` and `2021004284` -> `2021004284`; anything but 10 digits
/// (after removing spaces and dashes) is not a number.
pub fn normalise_org_nr(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Lowercase, trimmed, inner white space collapsed.
pub fn normalise_name(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_null(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty())
}

/// An integer from a number or a numeric string (`2018`, `"2018"`, `2018.0`).
pub fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite number from a number or a numeric string (decimal comma too).
pub fn float(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    };
    number.filter(|f| f.is_finite())
}

/// A year in the range the sources cover.
pub fn year(value: &Value) -> Option<i32> {
    int(value)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1800..=2100).contains(y))
}

/// `STOCKHOLM` -> `Stockholm`, `UPPLANDS VÄSBY` -> `Upplands Väsby`.
pub fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.trim().chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, ' ' | '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisations() {
        assert_eq!(
            normalise_org_nr("202100-4284").as_deref(),
            Some("2021004284")
        );
        assert_eq!(
            normalise_org_nr("2021004284").as_deref(),
            Some("2021004284")
        );
        assert_eq!(normalise_org_nr(""), None);
        assert_eq!(normalise_org_nr("20210042845"), None);
        assert_eq!(normalise_org_nr("20210O4284"), None);
        assert_eq!(normalise_name("  Statens   Konstråd "), "statens konstråd");
        assert_eq!(title_case("UPPLANDS VÄSBY"), "Upplands Väsby");
        assert_eq!(title_case("KUNGÄLV-YTTERBY"), "Kungälv-Ytterby");
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(int(&Value::from(2018)), Some(2018));
        assert_eq!(int(&Value::from("2018")), Some(2018));
        assert_eq!(int(&Value::from(2018.0)), Some(2018));
        assert_eq!(int(&Value::from(2018.5)), None);
        assert_eq!(float(&Value::from("12,5")), Some(12.5));
        assert_eq!(float(&Value::from("NaN")), None);
        assert_eq!(float(&Value::Null), None);
        assert_eq!(year(&Value::from("95")), None);
    }

    #[test]
    fn the_duplicate_rule_prefers_the_name_other_registers_use() {
        let entries = BTreeMap::from([
            ("A".to_string(), (Some("2021004169"), true, 30)),
            ("B".to_string(), (Some("202100-4169"), true, 40)),
            ("C".to_string(), (Some(""), true, 1)),
        ]);
        let known = BTreeMap::from([("2021004169".to_string(), BTreeSet::from(["a".to_string()]))]);
        let register = Register::build(entries.clone(), &known, |e| e.0, |e| (e.1, e.2));
        assert_eq!(register.kept["2021004169"], "A");
        assert_eq!(register.without_number, vec!["C".to_string()]);
        assert_eq!(register.duplicates.len(), 1);
        // Without that knowledge, the one with more figures wins.
        let register = Register::build(entries, &BTreeMap::new(), |e| e.0, |e| (e.1, e.2));
        assert_eq!(register.kept["2021004169"], "B");
        assert_eq!(register.kept_number("A", Some("2021004169")), None);
        assert_eq!(
            register.kept_number("B", Some("202100-4169")).as_deref(),
            Some("2021004169")
        );
    }
}
