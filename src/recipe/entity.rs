//! The panels of an entity's page (`#/agency/<org_nr>`, `#/ministry/<name>`,
//! …): each is a plain recipe on the published datasets, pinned to their
//! newest versions, so the page's numbers are what `datalabb run` gives
//! for the panel's link, and "open as an analysis" opens that link.

use serde_json::{Value, json};

use super::Recipe;
use super::curated::{between, input, trajectory_features, years};
use crate::data::entities::{Entity, EntityKind};
use crate::data::{Catalog, Lang, Localized};

/// The years an agency's growth is measured between (as in the start
/// page's growth analysis).
pub const GROWTH_FROM: i32 = 2010;
pub const GROWTH_TO: i32 = 2024;

/// What a panel shows, which the page and the sentences read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// One row of facts (a register's row), shown as a list.
    Facts,
    /// A table of members (agencies, municipalities), each a link.
    Members(EntityKind),
    /// A chart with its table.
    Chart,
}

/// One panel of an entity's page.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Stable within a page: `facts`, `staff`, `women`, `letters`,
    /// `growth_ministry`, `growth_all`, `agencies`, `totals`, ….
    pub id: &'static str,
    pub title: Localized,
    pub kind: PanelKind,
    /// The column that holds a member's key (for `Members`).
    pub key_column: Option<&'static str>,
    pub recipe: Recipe,
}

fn eq(column: &str, value: Value) -> Value {
    json!({ "op": "compare", "column": column, "cmp": "eq", "value": value })
}

fn both(a: Value, b: Value) -> Value {
    json!({ "op": "and", "all": [a, b] })
}

fn not_null(column: &str) -> Value {
    json!({ "op": "not", "not": { "op": "is_null", "column": column } })
}

fn arith(op: &str, left: Value, right: Value) -> Value {
    json!({ "fn": "arithmetic", "op": op, "left": left, "right": right })
}

/// Growth from [`GROWTH_FROM`] to [`GROWTH_TO`] of every agency with both
/// years, with its name and ministry, fastest first; `only` filters the
/// agencies (by a column of `agencies`) before the sort.
fn growth(only: Option<Value>) -> Vec<Value> {
    let (from, to) = (GROWTH_FROM.to_string(), GROWTH_TO.to_string());
    let mut steps = vec![
        json!({ "op": "pivot", "index": ["org_nr"], "column": "year", "values": "fte", "keys": [from, to] }),
        json!({ "op": "join", "input": "agencies", "kind": "inner", "left_on": ["org_nr"], "right_on": ["org_nr"] }),
    ];
    steps.extend(only.map(|p| json!({ "op": "filter", "predicate": p })));
    steps.extend([
        json!({ "op": "derive", "name": "change", "formula": arith("sub", json!(to), json!(from)) }),
        json!({ "op": "derive", "name": "growth_ratio", "formula": arith("div", json!("change"), json!(from)) }),
        json!({ "op": "derive", "name": "growth_percent", "formula": arith("mul", json!("growth_ratio"), json!(100)) }),
        json!({ "op": "filter", "predicate": not_null("growth_percent") }),
        json!({ "op": "sort", "column": "growth_percent", "descending": true }),
        json!({ "op": "select", "columns": ["name", "org_nr", "ministry", from, to, "change", "growth_percent"] }),
    ]);
    steps
}

/// FTE per year summed over the agencies that `only` keeps.
fn totals(only: Value) -> Value {
    json!({ "v": 1, "inputs": [input("agency_fte"), input("agencies")], "steps": [
        { "op": "join", "input": "agencies", "kind": "inner", "left_on": ["org_nr"], "right_on": ["org_nr"] },
        { "op": "filter", "predicate": only },
        { "op": "group_by", "by": ["year"], "measures": [
            { "aggregate": "sum", "column": "fte", "name": "fte" },
            { "aggregate": "count", "name": "agencies" } ] },
        { "op": "sort", "column": "year" },
    ], "chart": { "kind": "line", "x": "year", "y": "fte" } })
}

/// The agencies `only` keeps, by name.
fn agencies_where(only: Value) -> Value {
    json!({ "v": 1, "inputs": [input("agencies")], "steps": [
        { "op": "filter", "predicate": only },
        { "op": "select", "columns": ["name", "org_nr", "short_name", "ministry", "cofog_division_en", "city", "end_year"] },
        { "op": "sort", "column": "name" },
    ] })
}

/// The agencies whose office is in a place (by the entities' columns).
fn agencies_in(column: &str, key: &str) -> Value {
    json!({ "v": 1, "inputs": [input("entities")], "steps": [
        { "op": "filter", "predicate": both(eq("kind", json!("agency")), eq(column, json!(key))) },
        { "op": "select", "columns": ["name", "key", "short_name", "ministry"] },
        { "op": "sort", "column": "name" },
    ] })
}

fn growth_bars(steps: Vec<Value>, highlight: Option<&str>) -> Value {
    json!({ "v": 1, "inputs": [input("agency_fte"), input("agencies")], "steps": steps,
        "chart": { "kind": "bar", "x": "name", "y": "growth_percent", "orientation": "horizontal",
                   "highlight": highlight.map(|h| vec![h]).unwrap_or_default() } })
}

/// A panel before its inputs are pinned: id, title (sv, en), kind, the
/// members' key column, the recipe as JSON.
type Spec = (
    &'static str,
    [&'static str; 2],
    PanelKind,
    Option<&'static str>,
    Value,
);

/// The panels of `entity`'s page, pinned to the newest version of each
/// dataset in `catalog`; a panel whose datasets the catalog lacks is left
/// out.
pub fn panels(entity: &Entity, catalog: &Catalog, lang: Lang) -> Vec<Panel> {
    let key = entity.key.as_str();
    let mut out: Vec<Spec> = Vec::new();
    let mut push =
        |id, title, kind, key_column, recipe| out.push((id, title, kind, key_column, recipe));
    match entity.kind {
        Some(EntityKind::Agency) => {
            let org = eq("org_nr", json!(key));
            push(
                "facts",
                ["Fakta", "Facts"],
                PanelKind::Facts,
                None,
                json!({ "v": 1, "inputs": [input("agencies")], "steps": [
                { "op": "filter", "predicate": org },
                { "op": "select", "columns": ["name", "name_en", "short_name", "org_nr", "ministry", "cofog_division_sv", "cofog_division_en", "structure", "city", "start_year", "end_year"] },
            ] }),
            );
            push(
                "staff",
                ["Personal enligt två källor", "Staff by two sources"],
                PanelKind::Chart,
                None,
                json!({ "v": 1,
                "inputs": [input("agency_fte"), input("agency_staff")], "steps": [
                { "op": "rename", "from": "fte", "to": "fte_statskontoret" },
                { "op": "union", "input": "agency_staff" },
                { "op": "filter", "predicate": org },
                { "op": "group_by", "by": ["year"], "measures": [
                    { "aggregate": "max", "column": "fte_statskontoret", "name": "fte_statskontoret" },
                    { "aggregate": "max", "column": "fte", "name": "fte_esv" },
                    { "aggregate": "max", "column": "employees", "name": "employees_esv" } ] },
                { "op": "unpivot", "columns": ["fte_statskontoret", "fte_esv", "employees_esv"], "name": "measure", "value": "value" },
                { "op": "filter", "predicate": not_null("value") },
                { "op": "sort", "column": "year" },
            ], "chart": { "kind": "line", "x": "year", "y": "value", "color": "measure" } }),
            );
            push(
                "women",
                ["Andel kvinnor", "Women's share"],
                PanelKind::Chart,
                None,
                json!({ "v": 1,
                "inputs": [input("agency_staff_gender")], "steps": [
                { "op": "filter", "predicate": org },
                { "op": "derive", "name": "women_ratio", "formula": arith("div", json!("women"), json!("total")) },
                { "op": "derive", "name": "women_percent", "formula": arith("mul", json!("women_ratio"), json!(100)) },
                { "op": "select", "columns": ["year", "women", "men", "total", "women_percent"] },
                { "op": "sort", "column": "year" },
            ], "chart": { "kind": "line", "x": "year", "y": "women_percent" } }),
            );
            push(
                "letters",
                [
                    "Regleringsbrev och ändringar",
                    "Appropriation directions and amendments",
                ],
                PanelKind::Chart,
                None,
                json!({ "v": 1,
                "inputs": [input("appropriation_counts")], "steps": [
                { "op": "filter", "predicate": org },
                { "op": "select", "columns": ["year", "letters", "amendments"] },
                { "op": "unpivot", "columns": ["letters", "amendments"], "name": "kind", "value": "count" },
                { "op": "sort", "column": "year" },
            ], "chart": { "kind": "line", "x": "year", "y": "count", "color": "kind" } }),
            );
            if let Some(ministry) = &entity.ministry {
                push(
                    "growth_ministry",
                    ["Tillväxt inom departementet", "Growth within the ministry"],
                    PanelKind::Chart,
                    None,
                    growth_bars(
                        growth(Some(eq("ministry", json!(ministry)))),
                        Some(entity.name.as_str()),
                    ),
                );
            }
            push(
                "growth_all",
                [
                    "Tillväxt bland alla myndigheter",
                    "Growth among all agencies",
                ],
                PanelKind::Chart,
                None,
                json!({ "v": 1,
                "inputs": [input("agency_fte"), input("agencies")], "steps": growth(None),
                "chart": { "kind": "histogram", "x": "growth_percent" } }),
            );
            // Every agency's women's share in one year, with its ministry.
            push(
                "women_all",
                [
                    "Andel kvinnor bland alla myndigheter",
                    "Women's share among all agencies",
                ],
                PanelKind::Chart,
                None,
                json!({ "v": 1, "inputs": [input("agency_staff_gender"), input("agencies")], "steps": [
                    { "op": "filter", "predicate": eq("year", json!(GROWTH_TO)) },
                    { "op": "join", "input": "agencies", "kind": "inner", "left_on": ["org_nr"], "right_on": ["org_nr"] },
                    { "op": "derive", "name": "women_ratio", "formula": arith("div", json!("women"), json!("total")) },
                    { "op": "derive", "name": "women_percent", "formula": arith("mul", json!("women_ratio"), json!(100)) },
                    { "op": "filter", "predicate": not_null("women_percent") },
                    { "op": "sort", "column": "women_percent", "descending": true },
                    { "op": "select", "columns": ["name", "org_nr", "ministry", "women", "total", "women_percent"] },
                ], "chart": { "kind": "histogram", "x": "women_percent" } }),
            );
            // The start page's clustering of the FTE curves, with org_nr.
            let features = trajectory_features();
            push(
                "similar",
                [
                    "Myndigheter med liknande kurva",
                    "Agencies with a similar curve",
                ],
                PanelKind::Chart,
                None,
                json!({ "v": 1, "inputs": [input("agency_fte")], "steps": [
                    { "op": "filter", "predicate": between("year", GROWTH_FROM, GROWTH_TO) },
                    { "op": "pivot", "index": ["org_nr", "name"], "column": "year", "values": "fte",
                      "keys": years(GROWTH_FROM, GROWTH_TO) },
                    { "op": "cluster", "features": features, "method": { "k_means": { "k": 4 } }, "name": "cluster" },
                    { "op": "project", "features": features, "components": 2, "prefix": "pc" },
                ], "chart": { "kind": "scatter", "x": "pc1", "y": "pc2", "color": "cluster", "label": "name" } }),
            );
        }
        Some(kind @ (EntityKind::Ministry | EntityKind::Area)) => {
            let only = if kind == EntityKind::Ministry {
                eq("ministry", json!(key))
            } else {
                eq(
                    "cofog_division",
                    json!(key.parse::<f64>().unwrap_or(f64::NAN)),
                )
            };
            push(
                "agencies",
                ["Myndigheter", "Agencies"],
                PanelKind::Members(EntityKind::Agency),
                Some("org_nr"),
                agencies_where(only.clone()),
            );
            push(
                "totals",
                ["Årsarbetskrafter per år", "Full-time equivalents per year"],
                PanelKind::Chart,
                None,
                totals(only.clone()),
            );
            push(
                "growth",
                ["Störst förändring", "Largest changes"],
                PanelKind::Chart,
                None,
                growth_bars(growth(Some(only)), None),
            );
        }
        Some(EntityKind::Municipality) => {
            push(
                "facts",
                ["Fakta", "Facts"],
                PanelKind::Facts,
                None,
                json!({ "v": 1, "inputs": [input("municipalities")], "steps": [
                { "op": "filter", "predicate": eq("municipality_code", json!(key)) },
            ] }),
            );
            push(
                "agencies",
                ["Myndigheter med ort här", "Agencies based here"],
                PanelKind::Members(EntityKind::Agency),
                Some("key"),
                agencies_in("municipality", key),
            );
        }
        Some(EntityKind::County) => {
            push(
                "facts",
                ["Fakta", "Facts"],
                PanelKind::Facts,
                None,
                json!({ "v": 1, "inputs": [input("counties")], "steps": [
                { "op": "filter", "predicate": eq("county_code", json!(key)) },
            ] }),
            );
            push(
                "municipalities",
                ["Kommuner", "Municipalities"],
                PanelKind::Members(EntityKind::Municipality),
                Some("municipality_code"),
                json!({ "v": 1,
                "inputs": [input("municipalities")], "steps": [
                { "op": "filter", "predicate": eq("county_code", json!(key)) },
                { "op": "select", "columns": ["municipality_name", "municipality_code"] },
                { "op": "sort", "column": "municipality_name" },
            ] }),
            );
            push(
                "agencies",
                ["Myndigheter med ort här", "Agencies based here"],
                PanelKind::Members(EntityKind::Agency),
                Some("key"),
                agencies_in("county", key),
            );
        }
        None => {}
    }
    let name = entity.title(lang == Lang::En).to_string();
    out.into_iter()
        .filter_map(|(id, [sv, en], kind, key_column, recipe)| {
            let mut recipe: Recipe = serde_json::from_value(recipe).ok()?;
            for input in &mut recipe.inputs {
                input.sha256 = catalog.dataset(&input.dataset)?.latest()?.sha256.clone();
            }
            let title = Localized::new(sv, en);
            if recipe.chart.kind != Default::default() {
                recipe.chart.title = Some(format!("{name}: {}", title.get(lang)));
            }
            Some(Panel {
                id,
                title,
                kind,
                key_column,
                recipe,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: EntityKind, key: &str) -> Entity {
        Entity {
            kind: Some(kind),
            key: key.into(),
            name: "Kriminalvården".into(),
            ministry: Some("Justitiedepartementet".into()),
            ..Entity::default()
        }
    }

    #[test]
    fn a_catalog_without_the_datasets_gives_no_panel() {
        let catalog = crate::data::catalog::fixture_catalog();
        for kind in EntityKind::ALL {
            // The fixture catalog lacks the published datasets: no panel.
            assert!(panels(&entity(kind, "2021000035"), &catalog, Lang::En).is_empty());
        }
    }
}
