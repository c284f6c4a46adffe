//! The things the datasets speak of: agencies, ministries, COFOG areas,
//! counties and municipalities. The publisher writes them as the
//! `entities` dataset (one row per kind and key, with every name the
//! sources give and the datasets that mention it); the worker reads that
//! table into an [`Index`] and finds entities by what a visitor types: a
//! name, a short name (`JK`), a former name, an organisation number with
//! or without its dash (`202100-0035`) or a municipality code (`0180`),
//! ignoring case and diacritics and forgiving a typo (`skateverket`).

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::data::search::fold;
use crate::data::values::shown;

/// What kind of thing a key names. The catalog's columns say which kind
/// of key they hold (`Column::entity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A government agency, by its organisation number (ten digits).
    Agency,
    /// A ministry (departement), by its name.
    Ministry,
    /// A COFOG division (area of government), by its number 1–10.
    Area,
    /// A county (län), by its two-digit code.
    County,
    /// A municipality (kommun), by its four-digit code.
    Municipality,
}

impl EntityKind {
    /// Every kind, in the order search results group them.
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Agency,
        EntityKind::Ministry,
        EntityKind::Area,
        EntityKind::Municipality,
        EntityKind::County,
    ];

    /// The kind's name in the catalog, the entities table and addresses.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Agency => "agency",
            EntityKind::Ministry => "ministry",
            EntityKind::Area => "area",
            EntityKind::County => "county",
            EntityKind::Municipality => "municipality",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// `text` as this kind's key, if it can be one: an organisation
    /// number's ten digits (a dash and spaces dropped), a municipality's
    /// four digits, a county's two, an area's number 1–10, a ministry's
    /// name trimmed.
    pub fn key(self, text: &str) -> Option<String> {
        let text = text.trim();
        let digits = |n: usize| {
            let kept: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
            (kept.len() == n && kept.bytes().all(|b| b.is_ascii_digit())).then_some(kept)
        };
        match self {
            EntityKind::Agency => digits(10),
            EntityKind::Municipality => digits(4),
            EntityKind::County => digits(2),
            EntityKind::Area => text
                .parse::<u8>()
                .ok()
                .filter(|d| (1..=10).contains(d))
                .map(|d| d.to_string()),
            EntityKind::Ministry => {
                (!text.is_empty() && text.len() <= 200).then(|| text.to_string())
            }
        }
    }
}

/// One row of the entities table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Entity {
    pub kind: Option<EntityKind>,
    pub key: String,
    /// The name in Swedish (for an area, the COFOG division's name).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<String>,
    /// An agency's ministry (its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ministry: Option<String>,
    /// An agency's COFOG division (1–10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// The municipality an agency has its office in (its code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// A municipality's county, or an agency's by its municipality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// The datasets and columns that mention it (`agency_fte.org_nr`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    /// How many rows of those datasets mention it.
    #[serde(default)]
    pub rows: u64,
}

impl Entity {
    /// The name to show in `english` or Swedish.
    pub fn title(&self, english: bool) -> &str {
        match &self.name_en {
            Some(en) if english && !en.is_empty() => en,
            _ => &self.name,
        }
    }
}

/// The columns of the published entities table, in order.
pub const COLUMNS: [&str; 12] = [
    "kind",
    "key",
    "name",
    "name_en",
    "short_name",
    "former_names",
    "ministry",
    "area",
    "municipality",
    "county",
    "datasets",
    "rows",
];

/// The separator of the lists in one text cell (`former_names`,
/// `datasets`).
pub const LIST_SEPARATOR: &str = "; ";

/// The entities of a table with [`COLUMNS`] (other columns ignored; a
/// missing one is an error naming it). Rows with an unknown kind or an
/// empty key are left out.
pub fn read(batch: &RecordBatch) -> Result<Vec<Entity>, String> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| format!("the entities table has no column {name:?}"))
    };
    let get = |name: &str| column(name).map(|array| shown(array.as_ref()));
    let [
        kind,
        key,
        name,
        name_en,
        short_name,
        former,
        ministry,
        area,
        municipality,
        county,
        datasets,
        rows,
    ] = COLUMNS.map(get);
    let list = |text: &Option<String>| -> Vec<String> {
        text.as_deref()
            .map(|t| {
                t.split(LIST_SEPARATOR.trim())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (kind, key, name, name_en, short_name, former) =
        (kind?, key?, name?, name_en?, short_name?, former?);
    let (ministry, area, municipality, county, datasets, rows) =
        (ministry?, area?, municipality?, county?, datasets?, rows?);
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let Some(k) = kind[i].as_deref().and_then(EntityKind::from_name) else {
            continue;
        };
        let Some(key) = key[i].clone() else { continue };
        out.push(Entity {
            kind: Some(k),
            name: name[i].clone().unwrap_or_else(|| key.clone()),
            key,
            name_en: name_en[i].clone(),
            short_name: short_name[i].clone(),
            former_names: list(&former[i]),
            ministry: ministry[i].clone(),
            area: area[i].clone(),
            municipality: municipality[i].clone(),
            county: county[i].clone(),
            datasets: list(&datasets[i]),
            rows: rows[i].as_deref().and_then(|r| r.parse().ok()).unwrap_or(0),
        });
    }
    Ok(out)
}

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The query is the entity's key (`0180`, `202100-0035`).
    Key,
    /// The query is one of its names.
    Name,
    /// A name starts with the query.
    Prefix,
    /// Every word of the query starts a word of a name.
    Words,
    /// A name contains the query.
    Contains,
    /// A name is within a typo or two of the query.
    Typo,
}

/// One entity found, with the name that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub entity: Entity,
    pub matched: String,
    pub how: Match,
}

/// The longest query the index looks at; more is cut.
pub const MAX_QUERY_CHARS: usize = 200;

/// One name of an entity, prepared once for every query: as written,
/// folded, and its words folded (as text and as characters).
#[derive(Debug, Clone, Default)]
struct Name {
    shown: String,
    folded: Vec<char>,
    text: String,
    words: Vec<String>,
    word_chars: Vec<Vec<char>>,
}

impl Name {
    fn new(shown: &str) -> Self {
        let text = fold(shown);
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        Self {
            shown: shown.to_string(),
            folded: text.chars().collect(),
            word_chars: words.iter().map(|w| w.chars().collect()).collect(),
            words,
            text,
        }
    }
}

/// The query, prepared once: folded, its words, and each kind's key.
struct Query {
    text: String,
    chars: Vec<char>,
    words: Vec<Vec<char>>,
    word_texts: Vec<String>,
    keys: Vec<(EntityKind, String)>,
}

/// The entities with their names folded once, for [`Index::find`].
#[derive(Debug, Clone, Default)]
pub struct Index {
    entities: Vec<Entity>,
    /// Per entity: its names (name, English name, short name, former names).
    names: Vec<Vec<Name>>,
}

impl Index {
    pub fn new(entities: Vec<Entity>) -> Self {
        let names = entities
            .iter()
            .map(|e| {
                let mut names: Vec<&str> = vec![&e.name];
                names.extend(e.name_en.as_deref());
                names.extend(e.short_name.as_deref());
                names.extend(e.former_names.iter().map(String::as_str));
                names.into_iter().map(Name::new).collect()
            })
            .collect();
        Self { entities, names }
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The entity of `kind` with `key` (the key read as [`EntityKind::key`]
    /// reads it, so `202100-0035` finds `2021000035`).
    pub fn get(&self, kind: EntityKind, key: &str) -> Option<&Entity> {
        let key = kind.key(key)?;
        self.entities
            .iter()
            .find(|e| e.kind == Some(kind) && e.key == key)
    }

    /// The entities that match `query`, best first: by how they matched,
    /// then by how many rows mention them, then by name; at most `limit`.
    pub fn find(&self, query: &str, limit: usize) -> Vec<Hit> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let text = fold(query.trim());
        if text.is_empty() || limit == 0 {
            return Vec::new();
        }
        let word_texts: Vec<String> = text.split_whitespace().map(String::from).collect();
        let query = Query {
            chars: text.chars().collect(),
            words: word_texts.iter().map(|w| w.chars().collect()).collect(),
            word_texts,
            keys: EntityKind::ALL
                .into_iter()
                .filter_map(|k| Some((k, k.key(&query)?)))
                .collect(),
            text,
        };
        let mut scratch = Scratch::default();
        let mut hits: Vec<(Match, usize, usize)> = Vec::new();
        for (i, entity) in self.entities.iter().enumerate() {
            let by_key = query
                .keys
                .iter()
                .any(|(k, key)| entity.kind == Some(*k) && *key == entity.key);
            if by_key {
                hits.push((Match::Key, i, usize::MAX));
                continue;
            }
            let best = self.names[i]
                .iter()
                .enumerate()
                .filter_map(|(n, name)| name_match(name, &query, &mut scratch).map(|m| (m, n)))
                .min();
            if let Some((how, n)) = best {
                hits.push((how, i, n));
            }
        }
        hits.sort_by(|a, b| {
            let (ea, eb) = (&self.entities[a.1], &self.entities[b.1]);
            a.0.cmp(&b.0)
                .then(eb.rows.cmp(&ea.rows))
                .then(ea.name.cmp(&eb.name))
        });
        hits.truncate(limit);
        hits.into_iter()
            .map(|(how, i, n)| Hit {
                entity: self.entities[i].clone(),
                matched: self.names[i]
                    .get(n)
                    .map_or_else(|| self.entities[i].key.clone(), |name| name.shown.clone()),
                how,
            })
            .collect()
    }
}

/// How a prepared name matches the prepared query.
fn name_match(name: &Name, query: &Query, scratch: &mut Scratch) -> Option<Match> {
    if name.text == query.text {
        return Some(Match::Name);
    }
    if name.text.starts_with(&query.text) {
        return Some(Match::Prefix);
    }
    if query
        .word_texts
        .iter()
        .all(|w| name.words.iter().any(|n| n.starts_with(w.as_str())))
    {
        return Some(Match::Words);
    }
    // Short queries ("jk", "ab") only match whole names or word starts.
    if query.chars.len() >= 3 && name.text.contains(&query.text) {
        return Some(Match::Contains);
    }
    let mut typo = |word: &[char], candidates: &mut dyn Iterator<Item = &[char]>| {
        let n = word.len();
        let allowed = match n {
            0..=3 => return false,
            4..=7 => 1,
            _ => 2,
        };
        for c in candidates {
            // Or a typo in the word's beginning, when the name goes on.
            if scratch.within(word, c, allowed)
                || (c.len() > n && scratch.within(word, &c[..n], allowed.min(1)))
            {
                return true;
            }
        }
        false
    };
    let by_words = query
        .words
        .iter()
        .all(|w| typo(w, &mut name.word_chars.iter().map(Vec::as_slice)));
    (by_words || typo(&query.chars, &mut std::iter::once(name.folded.as_slice())))
        .then_some(Match::Typo)
}

/// Whether `a` and `b` are at most `limit` edits apart (insertions,
/// deletions, substitutions and swaps of neighbours, on characters).
pub fn within(a: &str, b: &str, limit: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    Scratch::default().within(&a, &b, limit)
}

/// The rows of the edit distance, kept between comparisons.
#[derive(Default)]
struct Scratch {
    before: Vec<usize>,
    last: Vec<usize>,
    row: Vec<usize>,
}

impl Scratch {
    /// [`within`] on characters, without allocating once warm.
    fn within(&mut self, a: &[char], b: &[char], limit: usize) -> bool {
        if a.len().abs_diff(b.len()) > limit {
            return false;
        }
        // Optimal string alignment distance, three rows.
        let Scratch { before, last, row } = self;
        last.clear();
        last.extend(0..=b.len());
        before.clear();
        before.resize(b.len() + 1, 0);
        for i in 1..=a.len() {
            row.clear();
            row.resize(b.len() + 1, i);
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(before[j - 2] + 1);
                }
                row[j] = best;
            }
            if row.iter().min().is_some_and(|m| *m > limit) {
                return false;
            }
            std::mem::swap(before, last);
            std::mem::swap(last, row);
        }
        last[b.len()] <= limit
    }
}

#[cfg(test)]
mod tests;
