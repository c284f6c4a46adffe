//! Agencies and their staff: the register table and the yearly series.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::registers::{Registers, float, int, title_case, year};
use super::{Sources, built, parse_json};
use crate::error::PublishError;
use crate::publish::table::{Links, Output, TableBuilder};

/// The ten COFOG divisions (UN Classification of the Functions of
/// Government), in Swedish (as SCB names them) and English. The sources
/// carry only the codes.
pub const COFOG_DIVISIONS: [(&str, &str); 10] = [
    ("Allmän offentlig förvaltning", "General public services"),
    ("Försvar", "Defence"),
    ("Samhällsskydd och rättskipning", "Public order and safety"),
    ("Näringslivsfrågor", "Economic affairs"),
    ("Miljöskydd", "Environmental protection"),
    (
        "Bostadsförsörjning och samhällsutveckling",
        "Housing and community amenities",
    ),
    ("Hälso- och sjukvård", "Health"),
    (
        "Fritidsverksamhet, kultur och religion",
        "Recreation, culture and religion",
    ),
    ("Utbildning", "Education"),
    ("Socialt skydd", "Social protection"),
];

/// ESV's figures for this year repeat the previous year's: a
/// carry-forward, not a measurement, so they are left out.
pub const ESV_CARRIED_FORWARD_YEAR: i32 = 2026;

/// One row per agency of the universe (see `registers`).
pub fn agencies(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let universe = registers.universe();
    let mut rows = Vec::with_capacity(universe.len());
    for number in &universe {
        let esv = registers
            .esv
            .kept
            .get(number)
            .map(|n| (n, &registers.esv.entries[n]));
        let stkt = registers
            .stkt
            .kept
            .get(number)
            .map(|n| (n, &registers.stkt.entries[n]));
        let scb = registers
            .scb
            .kept
            .get(number)
            .map(|n| (n, &registers.scb.entries[n]));
        let division = stkt
            .and_then(|(_, s)| int(&s.cofog10))
            .and_then(|d| i32::try_from(d).ok())
            .filter(|d| (1..=10).contains(d));
        let names = division.and_then(|d| COFOG_DIVISIONS.get(usize::try_from(d - 1).ok()?));
        let city = scb.and_then(|(_, s)| {
            [&s.office_address, &s.postal_address]
                .into_iter()
                .flatten()
                .filter_map(|a| a.city.as_deref())
                .find(|c| !c.trim().is_empty())
                .map(title_case)
        });
        rows.push(AgencyRow {
            org_nr: number.clone(),
            name: esv
                .map(|(n, _)| n.clone())
                .or_else(|| stkt.map(|(n, _)| n.clone())),
            name_en: esv.and_then(|(_, e)| nonempty(&e.name_en)),
            short_name: esv
                .and_then(|(_, e)| nonempty(&e.short_name))
                .or_else(|| scb.and_then(|(_, s)| nonempty(&s.short_name))),
            ministry: stkt
                .and_then(|(_, s)| nonempty(&s.department))
                .or_else(|| esv.and_then(|(_, e)| nonempty(&e.department))),
            cofog_division: division,
            cofog_sv: names.map(|n| n.0),
            cofog_en: names.map(|n| n.1),
            cofog_code: stkt.and_then(|(_, s)| match &s.cofog {
                Value::Number(n) => Some(n.to_string()),
                Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
                _ => None,
            }),
            structure: stkt.and_then(|(_, s)| nonempty(&s.structure)),
            has_gd: stkt.and_then(|(_, s)| s.has_gd),
            start: stkt
                .and_then(|(_, s)| year(&s.start))
                .or_else(|| esv.and_then(|(_, e)| year(&e.start)))
                .or_else(|| scb.and_then(|(_, s)| year(&s.start))),
            end: stkt
                .and_then(|(_, s)| year(&s.end))
                .or_else(|| esv.and_then(|(_, e)| year(&e.end)))
                .or_else(|| scb.and_then(|(_, s)| year(&s.end))),
            group: scb.and_then(|(_, s)| nonempty(&s.group)),
            city,
            listed_in: [esv.is_some(), stkt.is_some(), scb.is_some()],
        });
    }
    let table = TableBuilder::new()
        .utf8("org_nr", rows.iter().map(|r| Some(&r.org_nr)))
        .utf8("name", rows.iter().map(|r| r.name.as_ref()))
        .utf8("name_en", rows.iter().map(|r| r.name_en.as_ref()))
        .utf8("short_name", rows.iter().map(|r| r.short_name.as_ref()))
        .utf8("ministry", rows.iter().map(|r| r.ministry.as_ref()))
        .int32("cofog_division", rows.iter().map(|r| r.cofog_division))
        .utf8("cofog_division_sv", rows.iter().map(|r| r.cofog_sv))
        .utf8("cofog_division_en", rows.iter().map(|r| r.cofog_en))
        .utf8("cofog_code", rows.iter().map(|r| r.cofog_code.as_ref()))
        .utf8("structure", rows.iter().map(|r| r.structure.as_ref()))
        .boolean("has_director_general", rows.iter().map(|r| r.has_gd))
        .int32("start_year", rows.iter().map(|r| r.start))
        .int32("end_year", rows.iter().map(|r| r.end))
        .utf8("scb_group", rows.iter().map(|r| r.group.as_ref()))
        .utf8("city", rows.iter().map(|r| r.city.as_ref()))
        .boolean("in_esv", rows.iter().map(|r| Some(r.listed_in[0])))
        .boolean("in_stkt", rows.iter().map(|r| Some(r.listed_in[1])))
        .boolean("in_scb", rows.iter().map(|r| Some(r.listed_in[2])))
        .build();
    let scb_linked = registers
        .scb
        .kept
        .keys()
        .filter(|n| universe.contains(*n))
        .count();
    let mut notes = registers.notes();
    notes.push(format!(
        "{} agencies: {} in ESV, {} in Statskontoret, {} also in SCB ({} SCB numbers outside the universe left out)",
        universe.len(),
        registers.esv.kept.len(),
        registers.stkt.kept.len(),
        scb_linked,
        registers.scb.kept.len() - scb_linked
    ));
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![Links::count(
            "agencies with a COFOG division",
            rows.iter()
                .map(|r| (r.org_nr.as_str(), r.cofog_division.is_some())),
        )],
        notes,
    })
}

struct AgencyRow {
    org_nr: String,
    name: Option<String>,
    name_en: Option<String>,
    short_name: Option<String>,
    ministry: Option<String>,
    cofog_division: Option<i32>,
    cofog_sv: Option<&'static str>,
    cofog_en: Option<&'static str>,
    cofog_code: Option<String>,
    structure: Option<String>,
    has_gd: Option<bool>,
    start: Option<i32>,
    end: Option<i32>,
    group: Option<String>,
    city: Option<String>,
    listed_in: [bool; 3],
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
}

/// One yearly figure of one agency.
struct YearRow {
    org_nr: Option<String>,
    name: String,
    year: i32,
    values: Vec<Option<f64>>,
}

/// Turns `{year: value}` series of named entries into long rows, sorted by
/// organisation number (unlinked last), name and year. Returns the rows,
/// the count of values that were not numbers, and of years dropped.
fn long_rows<'a>(
    entries: impl Iterator<Item = (&'a String, Option<String>, Vec<&'a BTreeMap<String, Value>>)>,
    skip_year: Option<i32>,
) -> (Vec<YearRow>, usize, usize) {
    let mut rows = Vec::new();
    let (mut unreadable, mut skipped) = (0, 0);
    for (name, org_nr, series) in entries {
        let mut years: Vec<&String> = series.iter().flat_map(|s| s.keys()).collect();
        years.sort();
        years.dedup();
        for key in years {
            let Some(y) = year(&Value::from(key.as_str())) else {
                unreadable += 1;
                continue;
            };
            if Some(y) == skip_year {
                skipped += 1;
                continue;
            }
            let values = series
                .iter()
                .map(|s| {
                    let value = s.get(key)?;
                    let number = float(value);
                    if number.is_none() && !value.is_null() {
                        unreadable += 1;
                    }
                    number
                })
                .collect();
            rows.push(YearRow {
                org_nr: org_nr.clone(),
                name: name.clone(),
                year: y,
                values,
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.org_nr.is_none(), &a.org_nr, &a.name, a.year).cmp(&(
            b.org_nr.is_none(),
            &b.org_nr,
            &b.name,
            b.year,
        ))
    });
    (rows, unreadable, skipped)
}

fn whole(value: Option<f64>) -> Option<i32> {
    value
        .filter(|v| v.fract() == 0.0 && v.abs() < 1e9)
        .map(|v| v as i32)
}

/// Employees and FTE per agency and year from ESV, without the carried-
/// forward year.
pub fn staff_esv(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let esv = &registers.esv;
    let entries = esv.entries.iter().map(|(name, e)| {
        (
            name,
            esv.kept_number(name, e.org_nr.as_deref()),
            vec![&e.employees, &e.fte],
        )
    });
    let (rows, unreadable, skipped) = long_rows(entries, Some(ESV_CARRIED_FORWARD_YEAR));
    let table = TableBuilder::new()
        .utf8("org_nr", rows.iter().map(|r| r.org_nr.as_ref()))
        .utf8("name", rows.iter().map(|r| Some(&r.name)))
        .int32("year", rows.iter().map(|r| Some(r.year)))
        .int32("employees", rows.iter().map(|r| whole(r.values[0])))
        .float64("fte", rows.iter().map(|r| r.values[1]))
        .build();
    let mut notes = vec![format!(
        "dropped {skipped} rows for {ESV_CARRIED_FORWARD_YEAR} (ESV carries the previous year's figures forward)"
    )];
    if unreadable > 0 {
        notes.push(format!("{unreadable} values were not numbers and are null"));
    }
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![series_links(
            "ESV entries",
            &registers.esv.entries,
            |name, e: &super::registers::Esv| esv.kept_number(name, e.org_nr.as_deref()).is_some(),
        )],
        notes,
    })
}

/// FTE per agency and year from Statskontoret.
pub fn fte_stkt(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let stkt = &registers.stkt;
    let entries = stkt.entries.iter().map(|(name, e)| {
        (
            name,
            stkt.kept_number(name, e.org_nr.as_deref()),
            vec![&e.fte],
        )
    });
    let (rows, unreadable, _) = long_rows(entries, None);
    let table = TableBuilder::new()
        .utf8("org_nr", rows.iter().map(|r| r.org_nr.as_ref()))
        .utf8("name", rows.iter().map(|r| Some(&r.name)))
        .int32("year", rows.iter().map(|r| Some(r.year)))
        .float64("fte", rows.iter().map(|r| r.values[0]))
        .build();
    let mut notes = Vec::new();
    if unreadable > 0 {
        notes.push(format!("{unreadable} values were not numbers and are null"));
    }
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![series_links(
            "Statskontoret entries",
            &stkt.entries,
            |name, e: &super::registers::Stkt| {
                stkt.kept_number(name, e.org_nr.as_deref()).is_some()
            },
        )],
        notes,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Agv {
    total: BTreeMap<String, Value>,
    women: BTreeMap<String, Value>,
    men: BTreeMap<String, Value>,
}

/// Employees by gender per agency and year from Arbetsgivarverket, linked
/// to organisation numbers through the agency names and the name list.
pub fn staff_gender(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let agv: BTreeMap<String, Agv> = parse_json(sources.get("agv")?)?;
    let entries = agv.iter().map(|(name, e)| {
        (
            name,
            registers.link_name(name).map(String::from),
            vec![&e.total, &e.women, &e.men],
        )
    });
    let (rows, unreadable, _) = long_rows(entries, None);
    let table = TableBuilder::new()
        .utf8("org_nr", rows.iter().map(|r| r.org_nr.as_ref()))
        .utf8("name", rows.iter().map(|r| Some(&r.name)))
        .int32("year", rows.iter().map(|r| Some(r.year)))
        .int32("total", rows.iter().map(|r| whole(r.values[0])))
        .int32("women", rows.iter().map(|r| whole(r.values[1])))
        .int32("men", rows.iter().map(|r| whole(r.values[2])))
        .build();
    let mut notes = Vec::new();
    if unreadable > 0 {
        notes.push(format!("{unreadable} values were not numbers and are null"));
    }
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![series_links("Arbetsgivarverket names", &agv, |name, _| {
            registers.link_name(name).is_some()
        })],
        notes,
    })
}

fn series_links<T>(
    what: &str,
    entries: &BTreeMap<String, T>,
    linked: impl Fn(&str, &T) -> bool,
) -> Links {
    Links::count(
        what,
        entries
            .iter()
            .map(|(name, e)| (name.as_str(), linked(name, e))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cofog_divisions_are_ten_and_named_in_both_languages() {
        assert_eq!(COFOG_DIVISIONS.len(), 10);
        assert!(
            COFOG_DIVISIONS
                .iter()
                .all(|(sv, en)| !sv.is_empty() && !en.is_empty())
        );
        assert_eq!(COFOG_DIVISIONS[8], ("Utbildning", "Education"));
    }

    #[test]
    fn long_rows_drop_the_skipped_year_and_count_unreadable_values() {
        let name = "A".to_string();
        let series = BTreeMap::from([
            ("2025".to_string(), Value::from(3)),
            ("2026".to_string(), Value::from(3)),
            ("2024".to_string(), Value::from("n/a")),
            ("x".to_string(), Value::from(1)),
        ]);
        let (rows, unreadable, skipped) = long_rows(
            std::iter::once((&name, Some("1".into()), vec![&series])),
            Some(2026),
        );
        assert_eq!(
            rows.iter().map(|r| r.year).collect::<Vec<_>>(),
            vec![2024, 2025]
        );
        assert_eq!(rows[0].values, vec![None]);
        assert_eq!((unreadable, skipped), (2, 1));
    }
}
