//! Appropriation directions (regleringsbrev) and their amendments.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::registers::Registers;
use super::{Sources, built, parse_csv};
use crate::error::PublishError;
use crate::publish::source::SourceFile;
use crate::publish::table::{Links, Output, TableBuilder};

/// The category of letters addressed to an agency (the other, `Anslag`,
/// names an appropriation).
const AGENCY_CATEGORY: &str = "Myndighet";
const LETTER: &str = "Regleringsbrev";
const AMENDMENT: &str = "Ändringsbeslut";

#[derive(Deserialize)]
struct Row {
    rbid: String,
    #[serde(rename = "type")]
    kind: String,
    date: String,
    year: String,
    category: String,
    name: String,
    pdf: String,
}

struct Letter {
    rbid: i64,
    kind: String,
    category: String,
    year: i32,
    date: Option<i32>,
    name: String,
    org_nr: Option<String>,
    has_pdf: bool,
}

fn read(file: &SourceFile, registers: &Registers) -> Result<Vec<Letter>, PublishError> {
    let rows: Vec<(u64, Row)> = parse_csv(
        file,
        &["rbid", "type", "date", "year", "category", "name", "pdf"],
    )?;
    let mut letters = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let bad = |message: String| PublishError::Parse {
            file: file.origin.clone(),
            line,
            message,
        };
        let rbid = row
            .rbid
            .trim()
            .parse()
            .map_err(|_| bad(format!("rbid {:?} is not a number", row.rbid)))?;
        let year = row
            .year
            .trim()
            .parse()
            .map_err(|_| bad(format!("year {:?} is not a year", row.year)))?;
        let date = match row.date.trim() {
            "" => None,
            text => Some(
                parse_date(text).ok_or_else(|| bad(format!("date {text:?} is not YYYY-MM-DD")))?,
            ),
        };
        let org_nr = (row.category == AGENCY_CATEGORY)
            .then(|| registers.link_name(&row.name).map(String::from))
            .flatten();
        letters.push(Letter {
            rbid,
            kind: row.kind,
            category: row.category,
            year,
            date,
            name: row.name,
            org_nr,
            has_pdf: row.pdf.trim().eq_ignore_ascii_case("true"),
        });
    }
    letters.sort_by_key(|l| l.rbid);
    Ok(letters)
}

fn name_links(letters: &[Letter]) -> Links {
    let mut names = BTreeMap::new();
    for letter in letters.iter().filter(|l| l.category == AGENCY_CATEGORY) {
        names.insert(letter.name.as_str(), letter.org_nr.is_some());
    }
    Links::count("agency names in the letters", names)
}

/// One row per letter, with the agency's organisation number where the
/// name links.
pub fn letters(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let letters = read(sources.get("letters")?, &registers)?;
    let table = TableBuilder::new()
        .int64("rbid", letters.iter().map(|l| Some(l.rbid)))
        .utf8("type", letters.iter().map(|l| Some(&l.kind)))
        .utf8("category", letters.iter().map(|l| Some(&l.category)))
        .int32("year", letters.iter().map(|l| Some(l.year)))
        .date32("date", letters.iter().map(|l| l.date))
        .utf8("name", letters.iter().map(|l| Some(&l.name)))
        .utf8("org_nr", letters.iter().map(|l| l.org_nr.as_ref()))
        .boolean(
            "is_amendment",
            letters.iter().map(|l| Some(l.kind == AMENDMENT)),
        )
        .boolean("has_pdf", letters.iter().map(|l| Some(l.has_pdf)))
        .build();
    let agency_letters: Vec<&Letter> = letters
        .iter()
        .filter(|l| l.category == AGENCY_CATEGORY)
        .collect();
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![
            name_links(&letters),
            Links::count(
                "letters to agencies",
                agency_letters
                    .iter()
                    .map(|l| (l.name.as_str(), l.org_nr.is_some())),
            ),
        ],
        notes: vec![format!(
            "{} letters: {} to agencies, {} to appropriations (these have no agency)",
            letters.len(),
            agency_letters.len(),
            letters.len() - agency_letters.len()
        )],
    })
}

/// Per agency and budget year: how many appropriation directions and how
/// many amendments, counting the letters whose agency name links.
pub fn counts(sources: &Sources) -> Result<Output, PublishError> {
    let registers = Registers::load(sources)?;
    let letters = read(sources.get("letters")?, &registers)?;
    let mut counts: BTreeMap<(&str, i32), (i32, i32)> = BTreeMap::new();
    let mut other_types = 0;
    for letter in &letters {
        let Some(org_nr) = &letter.org_nr else {
            continue;
        };
        let entry = counts.entry((org_nr.as_str(), letter.year)).or_default();
        match letter.kind.as_str() {
            LETTER => entry.0 += 1,
            AMENDMENT => entry.1 += 1,
            _ => other_types += 1,
        }
    }
    let table = TableBuilder::new()
        .utf8("org_nr", counts.keys().map(|k| Some(k.0)))
        .int32("year", counts.keys().map(|k| Some(k.1)))
        .int32("letters", counts.values().map(|v| Some(v.0)))
        .int32("amendments", counts.values().map(|v| Some(v.1)))
        .build();
    let mut notes = Vec::new();
    if other_types > 0 {
        notes.push(format!(
            "{other_types} linked letters of another type are not counted"
        ));
    }
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![name_links(&letters)],
        notes,
    })
}

/// `YYYY-MM-DD` as days since 1970-01-01, for a real calendar date.
pub fn parse_date(text: &str) -> Option<i32> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month[(m - 1) as usize] {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp as i32 + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2002-12-20"), Some(12_041));
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-1-01"), None);
        assert_eq!(parse_date("20x4-01-01"), None);
        assert_eq!(parse_date(""), None);
    }
}
