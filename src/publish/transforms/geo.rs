//! Lookup tables: Sweden's counties and municipalities, codes as
//! zero-padded strings.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Sources, built, parse_csv};
use crate::error::PublishError;
use crate::publish::source::SourceFile;
use crate::publish::table::{Links, Output, TableBuilder};

#[derive(Deserialize)]
struct County {
    county_code: String,
    county_name: String,
    county_name_short: String,
}

#[derive(Deserialize)]
struct Municipality {
    municipality_code: String,
    municipality_name: String,
    municipality_name_short: String,
    county_code: String,
}

fn check_code(
    file: &SourceFile,
    line: u64,
    what: &str,
    code: &str,
    digits: usize,
) -> Result<(), PublishError> {
    if code.len() == digits && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PublishError::Parse {
            file: file.origin.clone(),
            line,
            message: format!("{what} {code:?} is not {digits} digits (leading zeros kept)"),
        })
    }
}

fn read_counties(file: &SourceFile) -> Result<Vec<County>, PublishError> {
    let rows: Vec<(u64, County)> =
        parse_csv(file, &["county_code", "county_name", "county_name_short"])?;
    let mut counties = Vec::with_capacity(rows.len());
    for (line, county) in rows {
        check_code(file, line, "county_code", &county.county_code, 2)?;
        counties.push(county);
    }
    counties.sort_by(|a, b| a.county_code.cmp(&b.county_code));
    Ok(counties)
}

pub fn counties(sources: &Sources) -> Result<Output, PublishError> {
    let counties = read_counties(sources.get("counties")?)?;
    let table = TableBuilder::new()
        .utf8("county_code", counties.iter().map(|c| Some(&c.county_code)))
        .utf8("county_name", counties.iter().map(|c| Some(&c.county_name)))
        .utf8(
            "county_name_short",
            counties.iter().map(|c| Some(&c.county_name_short)),
        )
        .build();
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: Vec::new(),
        notes: Vec::new(),
    })
}

pub fn municipalities(sources: &Sources) -> Result<Output, PublishError> {
    let counties: BTreeMap<String, String> = read_counties(sources.get("counties")?)?
        .into_iter()
        .map(|c| (c.county_code, c.county_name))
        .collect();
    let file = sources.get("municipalities")?;
    let rows: Vec<(u64, Municipality)> = parse_csv(
        file,
        &[
            "municipality_code",
            "municipality_name",
            "municipality_name_short",
            "county_code",
        ],
    )?;
    let mut municipalities = Vec::with_capacity(rows.len());
    for (line, m) in rows {
        check_code(file, line, "municipality_code", &m.municipality_code, 4)?;
        check_code(file, line, "county_code", &m.county_code, 2)?;
        municipalities.push(m);
    }
    municipalities.sort_by(|a, b| a.municipality_code.cmp(&b.municipality_code));
    let county_name = |m: &Municipality| counties.get(&m.county_code);
    let table = TableBuilder::new()
        .utf8(
            "municipality_code",
            municipalities.iter().map(|m| Some(&m.municipality_code)),
        )
        .utf8(
            "municipality_name",
            municipalities.iter().map(|m| Some(&m.municipality_name)),
        )
        .utf8(
            "municipality_name_short",
            municipalities
                .iter()
                .map(|m| Some(&m.municipality_name_short)),
        )
        .utf8(
            "county_code",
            municipalities.iter().map(|m| Some(&m.county_code)),
        )
        .utf8("county_name", municipalities.iter().map(county_name))
        .build();
    Ok(Output {
        table: built(sources.dataset, table)?,
        links: vec![Links::count(
            "municipalities with a known county",
            municipalities
                .iter()
                .map(|m| (m.municipality_code.as_str(), county_name(m).is_some())),
        )],
        notes: Vec::new(),
    })
}
