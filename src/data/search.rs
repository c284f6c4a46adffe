//! Catalog search: which datasets match what a visitor types.
//!
//! A dataset matches when every word of the query is found in its id,
//! titles, descriptions (Swedish and English), tags or column names and
//! descriptions. Matching ignores case and diacritics, so `lan` finds
//! `län` and `orebro` finds `Örebro`. Titles rank above the rest.

use crate::data::catalog::{Catalog, Dataset};

/// Lowercase without diacritics: `Länsstyrelsen i Örebro` ->
/// `lansstyrelsen i orebro`.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    fold_into(&mut folded, text);
    folded
}

/// [`fold`] into a buffer the caller reuses (no allocation per value).
pub fn fold_into(out: &mut String, text: &str) {
    out.clear();
    out.extend(text.chars().flat_map(char::to_lowercase).map(|c| match c {
        'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' | 'ù' | 'û' => 'u',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }));
}

/// The datasets of `catalog` that match `query`, best first (title
/// matches before others, then catalog order). An empty query matches all.
pub fn search<'a>(catalog: &'a Catalog, query: &str) -> Vec<&'a Dataset> {
    let words: Vec<String> = fold(query).split_whitespace().map(String::from).collect();
    let mut hits: Vec<(bool, usize, &Dataset)> = catalog
        .datasets
        .iter()
        .enumerate()
        .filter_map(|(order, dataset)| {
            let title = fold(&format!(
                "{} {} {}",
                dataset.id, dataset.title.sv, dataset.title.en
            ));
            let all = format!("{title} {}", fold(&haystack(dataset)));
            words.iter().all(|w| all.contains(w.as_str())).then(|| {
                (
                    !words.iter().all(|w| title.contains(w.as_str())),
                    order,
                    dataset,
                )
            })
        })
        .collect();
    hits.sort_by_key(|(not_in_title, order, _)| (*not_in_title, *order));
    hits.into_iter().map(|(_, _, d)| d).collect()
}

/// Everything but the title that a search looks in.
fn haystack(dataset: &Dataset) -> String {
    let mut text = format!("{} {} ", dataset.description.sv, dataset.description.en);
    text.push_str(&dataset.tags.join(" "));
    if let Some(version) = dataset.latest() {
        for column in &version.columns {
            text.push(' ');
            text.push_str(&column.name);
            text.push(' ');
            text.push_str(&column.description.sv);
            text.push(' ');
            text.push_str(&column.description.en);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;

    fn ids(query: &str) -> Vec<String> {
        search(&fixture_catalog(), query)
            .iter()
            .map(|d| d.id.clone())
            .collect()
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Länsstyrelsen i ÖREBRO"), "lansstyrelsen i orebro");
        assert_eq!(
            fold("Ångermanland, Malmö, Café"),
            "angermanland, malmo, cafe"
        );
    }

    #[test]
    fn finds_by_title_tag_column_and_description_in_both_languages() {
        assert_eq!(
            ids(""),
            ["fixture-agencies", "fixture-staff", "fixture-counties"]
        );
        assert_eq!(ids("lan"), ["fixture-counties"], "lan finds län");
        assert_eq!(ids("LÄN"), ["fixture-counties"]);
        assert_eq!(ids("counties"), ["fixture-counties"]);
        assert_eq!(ids("fte"), ["fixture-staff"], "a column name");
        assert_eq!(
            ids("arsarbetskrafter"),
            ["fixture-staff"],
            "a Swedish column description"
        );
        assert_eq!(
            ids("made-up"),
            ["fixture-agencies"],
            "an English description"
        );
        assert_eq!(
            ids("org_nr year"),
            ["fixture-staff"],
            "every word must match"
        );
        assert!(ids("nothing like this").is_empty());
    }

    #[test]
    fn title_matches_come_first() {
        let mut catalog = fixture_catalog();
        catalog.datasets[0]
            .description
            .en
            .push_str(" Linked to the counties.");
        let found: Vec<&str> = search(&catalog, "counties")
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(found, ["fixture-counties", "fixture-agencies"]);
    }

    #[test]
    fn hostile_queries_are_harmless() {
        assert!(ids(&"x".repeat(100_000)).is_empty());
        assert_eq!(ids("   \t\n ").len(), 3);
        assert!(ids("\u{0}\u{202e}🙂").is_empty());
    }
}
