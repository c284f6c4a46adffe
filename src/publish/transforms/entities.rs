//! The entities dataset: one row per agency, ministry, COFOG area, county
//! and municipality, with every name the sources give and the datasets
//! that mention it. Built after the other tables of the same run, from
//! them and from the columns their manifests mark with an `entity` kind,
//! so every key a published dataset holds has its row.

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::RecordBatch;

use super::agencies::COFOG_DIVISIONS;
use super::registers::Registers;
use super::{Sources, built};
use crate::data::entities::{EntityKind, LIST_SEPARATOR};
use crate::data::search::fold;
use crate::data::values::shown;
use crate::error::PublishError;
use crate::publish::manifest::Manifest;
use crate::publish::table::{Links, Output, TableBuilder};

/// Ministries' names in English (the sources give them in Swedish only).
const MINISTRIES_EN: [(&str, &str); 21] = [
    ("Arbetsmarknadsdepartementet", "Ministry of Employment"),
    ("Finansdepartementet", "Ministry of Finance"),
    ("Försvarsdepartementet", "Ministry of Defence"),
    ("Infrastrukturdepartementet", "Ministry of Infrastructure"),
    (
        "Integrations- och jämställdhetsdepartementet",
        "Ministry of Integration and Gender Equality",
    ),
    ("Jordbruksdepartementet", "Ministry of Agriculture"),
    ("Justitiedepartementet", "Ministry of Justice"),
    (
        "Klimat- och näringslivsdepartementet",
        "Ministry of Climate and Enterprise",
    ),
    ("Kulturdepartementet", "Ministry of Culture"),
    (
        "Landsbygds- och infrastrukturdepartementet",
        "Ministry of Rural Affairs and Infrastructure",
    ),
    ("Landsbygdsdepartementet", "Ministry for Rural Affairs"),
    (
        "Miljö- och energidepartementet",
        "Ministry of the Environment and Energy",
    ),
    (
        "Miljö- och samhällsbyggnadsdepartementet",
        "Ministry of the Environment and Community Planning",
    ),
    ("Miljödepartementet", "Ministry of the Environment"),
    (
        "Näringsdepartementet",
        "Ministry of Enterprise and Innovation",
    ),
    (
        "Riksdagen och dess verk m.m.",
        "The Riksdag and its agencies",
    ),
    (
        "Socialdepartementet",
        "Ministry of Health and Social Affairs",
    ),
    ("Statsrådsberedningen", "Prime Minister's Office"),
    (
        "Utbildnings- och kulturdepartementet",
        "Ministry of Education and Culture",
    ),
    (
        "Utbildningsdepartementet",
        "Ministry of Education and Research",
    ),
    ("Utrikesdepartementet", "Ministry for Foreign Affairs"),
];

/// Post towns in SCB's register that are not a municipality's name, and
/// the municipality each lies in.
const POST_TOWNS: [(&str, &str); 9] = [
    ("Bromma", "0180"),
    ("Drottningholm", "0125"),
    ("Hägersten", "0180"),
    ("Johanneshov", "0180"),
    ("Kista", "0180"),
    ("Mellösa", "0482"),
    ("Sandöverken", "2282"),
    ("Tumba", "0127"),
    ("Visby", "0980"),
];

#[derive(Default)]
struct Row {
    name: Option<String>,
    name_en: Option<String>,
    short_name: Option<String>,
    former: BTreeSet<String>,
    ministry: Option<String>,
    area: Option<String>,
    municipality: Option<String>,
    county: Option<String>,
    datasets: BTreeSet<String>,
    rows: i64,
}

/// The column of `table` as text per row (empty cells as `None`; a
/// missing column as all empty).
fn texts(table: &RecordBatch, name: &str) -> Vec<Option<String>> {
    table.column_by_name(name).map_or_else(
        || vec![None; table.num_rows()],
        |array| shown(array.as_ref()),
    )
}

/// The table published earlier in this run as dataset `id`.
fn find<'a>(published: &'a [(&Manifest, RecordBatch)], id: &str) -> Option<&'a RecordBatch> {
    published
        .iter()
        .find(|(m, _)| m.id == id)
        .map(|(_, table)| table)
}

/// The entities table from the tables `published` earlier in this run
/// (with their manifests) and the registers among `sources`.
pub fn entities(
    sources: &Sources,
    published: &[(&Manifest, RecordBatch)],
) -> Result<Output, PublishError> {
    let mut rows: BTreeMap<(EntityKind, String), Row> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut links = Vec::new();

    // Areas: the ten COFOG divisions.
    for (i, (sv, en)) in COFOG_DIVISIONS.iter().enumerate() {
        let row = rows
            .entry((EntityKind::Area, (i + 1).to_string()))
            .or_default();
        row.name = Some(sv.to_string());
        row.name_en = Some(en.to_string());
    }

    // Counties and municipalities, from their tables.
    if let Some(table) = find(published, "counties") {
        let [code, name, short] =
            ["county_code", "county_name", "county_name_short"].map(|c| texts(table, c));
        for i in 0..table.num_rows() {
            let Some(key) = code[i].as_deref().and_then(|c| EntityKind::County.key(c)) else {
                continue;
            };
            let row = rows.entry((EntityKind::County, key)).or_default();
            row.name.clone_from(&name[i]);
            row.short_name.clone_from(&short[i]);
        }
    }
    // Municipality names (folded, short and long) -> code, for agencies' cities.
    let mut by_name: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    if let Some(table) = find(published, "municipalities") {
        let [code, name, short, county] = [
            "municipality_code",
            "municipality_name",
            "municipality_name_short",
            "county_code",
        ]
        .map(|c| texts(table, c));
        for i in 0..table.num_rows() {
            let Some(key) = code[i]
                .as_deref()
                .and_then(|c| EntityKind::Municipality.key(c))
            else {
                continue;
            };
            let towns = POST_TOWNS
                .iter()
                .filter(|(_, c)| *c == key)
                .map(|(t, _)| *t);
            let names = [&name[i], &short[i]]
                .into_iter()
                .flatten()
                .map(String::as_str);
            for n in names.chain(towns) {
                by_name.insert(fold(n), (key.clone(), county[i].clone()));
            }
            let row = rows.entry((EntityKind::Municipality, key)).or_default();
            row.name.clone_from(&name[i]);
            row.short_name.clone_from(&short[i]);
            row.county.clone_from(&county[i]);
        }
    }

    // Agencies, their ministries, and their other names from the registers.
    if let Some(table) = find(published, "agencies") {
        let registers = Registers::load(sources)?;
        let [org, name, name_en, short, ministry, area, city] = [
            "org_nr",
            "name",
            "name_en",
            "short_name",
            "ministry",
            "cofog_division",
            "city",
        ]
        .map(|c| texts(table, c));
        let mut located = Vec::new();
        for i in 0..table.num_rows() {
            let Some(key) = org[i].as_deref().and_then(|o| EntityKind::Agency.key(o)) else {
                continue;
            };
            let place = city[i].as_deref().map(|c| (c, by_name.get(&fold(c))));
            if let Some((city, found)) = place {
                located.push((city.to_string(), found.is_some()));
            }
            let row = rows.entry((EntityKind::Agency, key.clone())).or_default();
            row.name.clone_from(&name[i]);
            row.name_en.clone_from(&name_en[i]);
            row.short_name.clone_from(&short[i]);
            row.ministry.clone_from(&ministry[i]);
            row.area.clone_from(&area[i]);
            if let Some((_, Some((code, county)))) = place {
                row.municipality = Some(code.clone());
                row.county.clone_from(county);
            }
            row.former = other_names(&registers, &key);
            if let Some(ministry) = &ministry[i] {
                let row = rows
                    .entry((EntityKind::Ministry, ministry.clone()))
                    .or_default();
                row.name = Some(ministry.clone());
                row.name_en = MINISTRIES_EN
                    .iter()
                    .find(|(sv, _)| sv == ministry)
                    .map(|(_, en)| en.to_string());
            }
        }
        links.push(Links::count(
            "agencies' cities as municipalities",
            located.iter().map(|(c, linked)| (c.as_str(), *linked)),
        ));
    }

    // Every key a published column holds, and where.
    let mut unnamed = 0;
    for (manifest, table) in published {
        for doc in &manifest.columns {
            let Some(kind) = doc.entity else { continue };
            let mention = format!("{}.{}", manifest.id, doc.name);
            for value in texts(table, &doc.name).into_iter().flatten() {
                let Some(key) = kind.key(&value) else {
                    continue;
                };
                let row = rows.entry((kind, key.clone())).or_default();
                if row.name.is_none() {
                    row.name = Some(key);
                    unnamed += 1;
                }
                if !row.datasets.contains(&mention) {
                    row.datasets.insert(mention.clone());
                }
                row.rows += 1;
            }
        }
    }
    if unnamed > 0 {
        notes.push(format!(
            "{unnamed} keys named by a dataset but no register; their name is the key"
        ));
    }
    // Names equal to the entity's own are not other names.
    for row in rows.values_mut() {
        let own: Vec<String> = [&row.name, &row.name_en, &row.short_name]
            .into_iter()
            .flatten()
            .map(|n| fold(n))
            .collect();
        row.former.retain(|n| !own.contains(&fold(n)));
    }
    let counts: BTreeMap<EntityKind, usize> = rows.keys().fold(BTreeMap::new(), |mut m, (k, _)| {
        *m.entry(*k).or_default() += 1;
        m
    });
    notes.push(format!(
        "entities: {}",
        counts
            .iter()
            .map(|(k, n)| format!("{n} {}", k.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    let list = |set: &BTreeSet<String>| {
        (!set.is_empty()).then(|| set.iter().cloned().collect::<Vec<_>>().join(LIST_SEPARATOR))
    };
    let all: Vec<(&(EntityKind, String), &Row)> = rows.iter().collect();
    let table = TableBuilder::new()
        .utf8("kind", all.iter().map(|((k, _), _)| Some(k.name())))
        .utf8("key", all.iter().map(|((_, key), _)| Some(key)))
        .utf8("name", all.iter().map(|(_, r)| r.name.as_ref()))
        .utf8("name_en", all.iter().map(|(_, r)| r.name_en.as_ref()))
        .utf8("short_name", all.iter().map(|(_, r)| r.short_name.as_ref()))
        .utf8("former_names", all.iter().map(|(_, r)| list(&r.former)))
        .utf8("ministry", all.iter().map(|(_, r)| r.ministry.as_ref()))
        .utf8("area", all.iter().map(|(_, r)| r.area.as_ref()))
        .utf8(
            "municipality",
            all.iter().map(|(_, r)| r.municipality.as_ref()),
        )
        .utf8("county", all.iter().map(|(_, r)| r.county.as_ref()))
        .utf8("datasets", all.iter().map(|(_, r)| list(&r.datasets)))
        .int64("rows", all.iter().map(|(_, r)| Some(r.rows)))
        .build();
    Ok(Output {
        table: built(sources.dataset, table)?,
        links,
        notes,
    })
}

/// Every name the registers give the agency `number` (the kept entries'
/// names, ESV's and SCB's old names, Statskontoret's other names).
fn other_names(registers: &Registers, number: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let esv = registers.esv.kept.get(number).map(|n| {
        let old = registers.esv.entries.get(n).map(|e| &e.old_names);
        (n, old)
    });
    let stkt = registers.stkt.kept.get(number).map(|n| {
        let other = registers.stkt.entries.get(n).map(|e| &e.other_names);
        (n, other)
    });
    let scb = registers.scb.kept.get(number).map(|n| {
        let old = registers.scb.entries.get(n).map(|e| &e.old_names);
        (n, old)
    });
    for (name, others) in [esv, stkt, scb].into_iter().flatten() {
        names.insert(name.clone());
        names.extend(others.into_iter().flatten().cloned());
    }
    names.retain(|n| !n.trim().is_empty() && n.len() <= 200);
    names
}
