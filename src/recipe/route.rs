//! The lab's addresses: which page a location fragment shows
//! (`#/dataset/<id>`, `#/analysis/r1.…`, `#/embed/r1.…[?follow]`, an
//! entity's page such as `#/agency/2021000035` or `#/municipality/0180`), and the
//! fragment of each page, so the back button and links work. Pure, so the
//! page's routing is tested natively.

use crate::data::entities::EntityKind;
use crate::recipe::url;

/// Which page the lab shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    Dataset(String),
    /// An analysis: the link text of its recipe (`r1.…`), decoded by the
    /// analysis page, which shows what is wrong with it.
    Analysis(String),
    /// An analysis's chart alone, for an iframe (`#/embed/r1.…`): the
    /// datasets the link pins, or with `?follow` their newest versions.
    Embed {
        link: String,
        follow: bool,
    },
    /// An agency's, ministry's, area's, county's or municipality's page
    /// (`#/agency/<org_nr>`, `#/ministry/<name>`, `#/area/<cofog>`,
    /// `#/county/<code>`, `#/municipality/<code>`); the key as typed, read
    /// by the page (`202100-0035` finds `2021000035`).
    Entity {
        kind: EntityKind,
        key: String,
    },
}

/// The fragment prefix of an embedded chart.
pub const EMBED: &str = "/embed/";
/// The suffix of an embed that follows the datasets' newest versions.
pub const FOLLOW: &str = "?follow";

/// Which page a route shows, without its details: the frame re-renders
/// only when this changes, so an analysis's edits keep its page.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    Home,
    Dataset(String),
    Analysis,
    Embed,
    Entity(EntityKind, String),
}

impl Route {
    /// The route of a location fragment such as `#/dataset/agencies`.
    pub fn from_hash(hash: &str) -> Self {
        let hash = hash.trim_start_matches('#');
        if let Some(link) = hash.strip_prefix(url::ROUTE) {
            return Route::Analysis(link.to_string());
        }
        if let Some(rest) = hash.strip_prefix(EMBED) {
            let (link, follow) = match rest.strip_suffix(FOLLOW) {
                Some(link) => (link, true),
                None => (rest, false),
            };
            return Route::Embed {
                link: link.to_string(),
                follow,
            };
        }
        if let Some(id) = hash.strip_prefix("/dataset/") {
            return match id {
                "" => Route::Home,
                id => Route::Dataset(decode_component(id)),
            };
        }
        let entity = hash.strip_prefix('/').and_then(|rest| {
            let (kind, key) = rest.split_once('/')?;
            let kind = EntityKind::from_name(kind)?;
            (!key.is_empty()).then(|| Route::Entity {
                kind,
                key: decode_component(key),
            })
        });
        entity.unwrap_or(Route::Home)
    }

    /// The fragment that shows this route.
    pub fn hash(&self) -> String {
        match self {
            Route::Home => "#/".to_string(),
            Route::Dataset(id) => format!("#/dataset/{}", encode_component(id)),
            Route::Analysis(link) => format!("#{}{link}", url::ROUTE),
            Route::Embed { link, follow } => {
                format!("#{EMBED}{link}{}", if *follow { FOLLOW } else { "" })
            }
            Route::Entity { kind, key } => format!("#/{}/{}", kind.name(), encode_component(key)),
        }
    }

    pub fn page(&self) -> Page {
        match self {
            Route::Home => Page::Home,
            Route::Dataset(id) => Page::Dataset(id.clone()),
            Route::Analysis(_) => Page::Analysis,
            Route::Embed { .. } => Page::Embed,
            Route::Entity { kind, key } => Page::Entity(*kind, key.clone()),
        }
    }

    /// A link to this route on the page at `page_url`: that address with
    /// the route's fragment. (A bare `#…` would resolve against the page's
    /// `<base>`, which drops the query and reloads the lab.)
    pub fn href_on(&self, page_url: &str) -> String {
        let page = page_url.split('#').next().unwrap_or_default();
        format!("{page}{}", self.hash())
    }
}

/// `text` as JavaScript's `encodeURIComponent` writes it: every byte of
/// its UTF-8 percent-encoded but letters, digits and `-_.!~*'()`.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `text` with its percent-escapes decoded as UTF-8, as
/// `decodeURIComponent` does; text whose escapes do not decode (a lone
/// `%`, bytes that are not UTF-8) is kept as it is.
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                None => return text.to_string(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_and_routes_round_trip() {
        for route in [
            Route::Home,
            Route::Dataset("agencies".into()),
            Route::Dataset("file:Län & kommun 100%.csv".into()),
            Route::Analysis("r1.abc-_".into()),
            Route::Embed {
                link: "r1.x".into(),
                follow: true,
            },
            Route::Embed {
                link: "r1.x".into(),
                follow: false,
            },
            Route::Entity {
                kind: EntityKind::Agency,
                key: "2021000035".into(),
            },
            Route::Entity {
                kind: EntityKind::Ministry,
                key: "Klimat- och näringslivsdepartementet".into(),
            },
            Route::Entity {
                kind: EntityKind::Municipality,
                key: "0180".into(),
            },
        ] {
            assert_eq!(Route::from_hash(&route.hash()), route, "{}", route.hash());
        }
        assert_eq!(
            Route::Dataset("file:a b.csv".into()).hash(),
            "#/dataset/file%3Aa%20b.csv"
        );
    }

    #[test]
    fn odd_fragments_show_the_start_or_what_they_name() {
        assert_eq!(Route::from_hash(""), Route::Home);
        assert_eq!(Route::from_hash("#"), Route::Home);
        assert_eq!(Route::from_hash("#/dataset/"), Route::Home);
        assert_eq!(Route::from_hash("#/nowhere"), Route::Home);
        assert_eq!(Route::from_hash("#/agency/"), Route::Home);
        assert_eq!(Route::from_hash("#/planet/earth"), Route::Home);
        assert_eq!(
            Route::from_hash("#/county/%ZZ"),
            Route::Entity {
                kind: EntityKind::County,
                key: "%ZZ".into()
            }
        );
        // A broken escape is kept as typed, not dropped or panicked on.
        assert_eq!(
            Route::from_hash("#/dataset/100%"),
            Route::Dataset("100%".into())
        );
        assert_eq!(
            Route::from_hash("#/dataset/%FF%FE"),
            Route::Dataset("%FF%FE".into())
        );
        assert_eq!(
            Route::from_hash("#/dataset/%C3%A5"),
            Route::Dataset("å".into())
        );
        assert_eq!(
            Route::from_hash("#/analysis/not a link"),
            Route::Analysis("not a link".into())
        );
    }

    #[test]
    fn links_keep_the_page_and_its_query() {
        let route = Route::Dataset("agencies".into());
        assert_eq!(
            route.href_on("https://h/lab/?lang=sv#/analysis/r1.x"),
            "https://h/lab/?lang=sv#/dataset/agencies"
        );
        assert_eq!(route.href_on(""), "#/dataset/agencies");
    }
}
