//! The analyses the start page offers: plain recipes on the published
//! datasets, pinned to the newest version of each when the page is built
//! (so a click opens an ordinary, shareable analysis link).

use serde_json::{Value, json};

use super::Recipe;
use crate::data::{Catalog, Lang};

/// A curated analysis: its title and a sentence in both languages, and
/// the recipe with its inputs not yet pinned.
pub struct Curated {
    pub id: &'static str,
    title: [&'static str; 2],
    summary: [&'static str; 2],
    recipe: fn() -> Value,
}

impl Curated {
    pub fn title(&self, lang: Lang) -> &'static str {
        self.title[usize::from(lang == Lang::En)]
    }

    pub fn summary(&self, lang: Lang) -> &'static str {
        self.summary[usize::from(lang == Lang::En)]
    }

    /// The recipe with each input pinned to the newest version of its
    /// dataset and the title as its chart's; `None` when the catalog lacks
    /// a dataset.
    pub fn recipe(&self, catalog: &Catalog, lang: Lang) -> Option<Recipe> {
        let mut recipe: Recipe = serde_json::from_value((self.recipe)()).ok()?;
        recipe.chart.title = Some(self.title(lang).to_string());
        for input in &mut recipe.inputs {
            input.sha256 = catalog.dataset(&input.dataset)?.latest()?.sha256.clone();
        }
        Some(recipe)
    }
}

/// An input named as its dataset, its version pinned later.
pub(crate) fn input(id: &str) -> Value {
    json!({ "name": id, "dataset": id, "sha256": "" })
}

/// The years `from..=to` as the pivot's keys.
pub(crate) fn years(from: i32, to: i32) -> Vec<String> {
    (from..=to).map(|y| y.to_string()).collect()
}

/// `from <= column <= to`.
pub(crate) fn between(column: &str, from: i32, to: i32) -> Value {
    json!({ "op": "and", "all": [
        { "op": "compare", "column": column, "cmp": "ge", "value": from },
        { "op": "compare", "column": column, "cmp": "le", "value": to },
    ]})
}

/// The features of the trajectories' clustering: FTE 2010–2024, each
/// agency's row scaled by its mean (the curve's shape, not its size).
pub(crate) fn trajectory_features() -> Value {
    json!({ "columns": years(2010, 2024), "row_scale": "mean", "scale": "none" })
}

/// The start page's analyses, in the order shown.
pub const CURATED: [Curated; 5] = [
    Curated {
        id: "growth",
        title: [
            "Vilka myndigheter växte mest 2010–2024?",
            "Which agencies grew most, 2010–2024?",
        ],
        summary: [
            "Förändringen i årsarbetskrafter från 2010 till 2024: de 20 som ökade mest.",
            "The change in full-time equivalents from 2010 to 2024: the 20 largest increases.",
        ],
        recipe: || {
            json!({ "v": 1, "inputs": [input("agency_fte")], "steps": [
                { "op": "pivot", "index": ["name"], "column": "year", "values": "fte", "keys": ["2010", "2024"] },
                { "op": "derive", "name": "growth", "formula": { "fn": "arithmetic", "op": "sub", "left": "2024", "right": "2010" } },
                { "op": "filter", "predicate": { "op": "not", "not": { "op": "is_null", "column": "growth" } } },
                { "op": "sort", "column": "growth", "descending": true },
                { "op": "limit", "rows": 20 },
            ], "chart": { "kind": "bar", "x": "name", "y": "growth", "orientation": "horizontal" } })
        },
    },
    Curated {
        id: "trajectories",
        title: [
            "Kluster av myndigheter efter hur de vuxit",
            "Clusters of agencies by how they grew",
        ],
        summary: [
            "Myndigheter grupperade efter formen på sin kurva av årsarbetskrafter 2010–2024 (k-medel på rader skalade med sitt medelvärde; myndigheter som saknar ett år lämnas utanför), visade i sina två första huvudkomponenter.",
            "Agencies grouped by the shape of their FTE curve 2010–2024 (k-means on rows scaled by their mean; agencies missing a year are left out), shown on their first two principal components.",
        ],
        recipe: || {
            let features = trajectory_features();
            json!({ "v": 1, "inputs": [input("agency_fte")], "steps": [
                { "op": "filter", "predicate": between("year", 2010, 2024) },
                { "op": "pivot", "index": ["name"], "column": "year", "values": "fte", "keys": years(2010, 2024) },
                { "op": "cluster", "features": features, "method": { "k_means": { "k": 4 } }, "name": "cluster" },
                { "op": "project", "features": features, "components": 2, "prefix": "pc" },
            ], "chart": { "kind": "scatter", "x": "pc1", "y": "pc2", "color": "cluster", "label": "name" } })
        },
    },
    Curated {
        id: "outliers",
        title: [
            "Myndigheter vars tillväxt sticker ut",
            "Agencies whose growth stands out",
        ],
        summary: [
            "Förändringen i årsarbetskrafter 2010–2024 och storleken 2010 (myndigheter med minst 50): en isolationsskog markerar de 5 % som liknar de andra minst, och varje markerad myndighet får en mening om vad som skiljer den ut.",
            "The change in full-time equivalents 2010–2024 and the size in 2010 (agencies with at least 50): an isolation forest flags the 5% least like the others, and each flagged agency gets a sentence on what sets it apart.",
        ],
        recipe: || {
            json!({ "v": 1, "inputs": [input("agency_fte")], "steps": [
                { "op": "pivot", "index": ["name"], "column": "year", "values": "fte", "keys": ["2010", "2024"] },
                { "op": "rename", "from": "2010", "to": "fte_2010" },
                { "op": "rename", "from": "2024", "to": "fte_2024" },
                { "op": "filter", "predicate": { "op": "and", "all": [
                    { "op": "compare", "column": "fte_2010", "cmp": "ge", "value": 50 },
                    { "op": "not", "not": { "op": "is_null", "column": "fte_2024" } } ] } },
                { "op": "derive", "name": "ratio", "formula": { "fn": "arithmetic", "op": "div", "left": "fte_2024", "right": "fte_2010" } },
                { "op": "derive", "name": "fte_2024_per_100_in_2010", "formula": { "fn": "arithmetic", "op": "mul", "left": "ratio", "right": 100 } },
                { "op": "derive", "name": "growth_percent", "formula": { "fn": "arithmetic", "op": "sub", "left": "fte_2024_per_100_in_2010", "right": 100 } },
                { "op": "anomaly", "features": { "columns": ["fte_2010", "fte_2024_per_100_in_2010"], "scale": "log1p" }, "name": "anomaly" },
                { "op": "select", "columns": ["name", "fte_2010", "fte_2024", "growth_percent", "anomaly", "anomaly_flag"] },
                { "op": "sort", "column": "anomaly", "descending": true },
            ], "chart": { "kind": "scatter", "x": "fte_2010", "y": "growth_percent", "color": "anomaly_flag", "label": "name", "log_x": true } })
        },
    },
    Curated {
        id: "gender",
        title: [
            "Könsfördelningen per departement 2024",
            "The gender balance by ministry, 2024",
        ],
        summary: [
            "Andelen kvinnor bland de anställda i myndigheterna under varje departement.",
            "The share of women among the staff of the agencies under each ministry.",
        ],
        recipe: || {
            json!({ "v": 1, "inputs": [input("agency_staff_gender"), input("agencies")], "steps": [
                { "op": "filter", "predicate": { "op": "compare", "column": "year", "cmp": "eq", "value": 2024 } },
                { "op": "join", "input": "agencies", "kind": "inner", "left_on": ["org_nr"], "right_on": ["org_nr"], "normalize": "digits" },
                { "op": "group_by", "by": ["ministry"], "measures": [
                    { "aggregate": "sum", "column": "women", "name": "women" },
                    { "aggregate": "sum", "column": "total", "name": "staff" } ] },
                { "op": "derive", "name": "women_share", "formula": { "fn": "arithmetic", "op": "div", "left": "women", "right": "staff" } },
                { "op": "derive", "name": "women_percent", "formula": { "fn": "arithmetic", "op": "mul", "left": "women_share", "right": 100 } },
                { "op": "sort", "column": "women_percent", "descending": true },
            ], "chart": { "kind": "bar", "x": "ministry", "y": "women_percent" } })
        },
    },
    Curated {
        id: "letters",
        title: [
            "Regleringsbrev och ändringar per år",
            "Appropriation directions and amendments per year",
        ],
        summary: [
            "Hur många regleringsbrev och ändringsbeslut myndigheterna fick varje år.",
            "How many appropriation directions and amendments the agencies received each year.",
        ],
        recipe: || {
            json!({ "v": 1, "inputs": [input("appropriation_counts")], "steps": [
                { "op": "group_by", "by": ["year"], "measures": [
                    { "aggregate": "sum", "column": "letters", "name": "letters" },
                    { "aggregate": "sum", "column": "amendments", "name": "amendments" } ] },
                { "op": "unpivot", "columns": ["letters", "amendments"], "name": "kind", "value": "count" },
                { "op": "sort", "column": "year" },
            ], "chart": { "kind": "line", "x": "year", "y": "count", "color": "kind" } })
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::url;

    #[test]
    fn every_curated_recipe_reads_and_encodes_as_a_link() {
        for curated in &CURATED {
            let recipe: Recipe = serde_json::from_value((curated.recipe)())
                .unwrap_or_else(|e| panic!("{}: {e}", curated.id));
            assert!(!recipe.steps.is_empty() && recipe.chart.kind != Default::default());
            let link = url::encode(&recipe).unwrap();
            assert_eq!(url::decode(&link).unwrap(), recipe, "{}", curated.id);
            assert!(!curated.title(Lang::Sv).is_empty() && !curated.summary(Lang::En).is_empty());
        }
    }

    #[test]
    fn a_catalog_without_the_dataset_offers_no_link() {
        let catalog = crate::data::catalog::fixture_catalog();
        assert!(
            CURATED
                .iter()
                .all(|c| c.recipe(&catalog, Lang::En).is_none())
        );
    }
}
