//! The analysis in a link: `r1.` followed by the recipe's JSON, deflated
//! and base64url-encoded, for the address's fragment (which never reaches
//! a server). The prefix names the encoding version, so links made by
//! this version keep opening after the format moves on. Decoding checks
//! sizes before it allocates and returns a message for anything it cannot
//! read; it never panics.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::recipe::Recipe;
use crate::recipe::error::LinkError;

/// The prefix of the current encoding.
pub const PREFIX: &str = "r1.";
/// The lab's route for an analysis: `#/analysis/r1.…`.
pub const ROUTE: &str = "/analysis/";
/// The longest link text decoded (browsers carry about 2 MB in a URL).
pub const MAX_LINK: usize = 10 * 1024 * 1024;
/// The largest recipe JSON a link may inflate to.
pub const MAX_JSON: usize = 1024 * 1024;

/// The link text of `recipe` (without the `#`).
pub fn encode(recipe: &Recipe) -> Result<String, LinkError> {
    let json = serde_json::to_vec(recipe).map_err(|e| LinkError::Encode(e.to_string()))?;
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 9);
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(deflated)))
}

/// The recipe in a link text (with or without a leading `#` and the
/// route `/analysis/`).
pub fn decode(link: &str) -> Result<Recipe, LinkError> {
    if link.len() > MAX_LINK {
        return Err(LinkError::TooLong(link.len()));
    }
    let link = link.trim().trim_start_matches('#');
    let link = link.strip_prefix(ROUTE).unwrap_or(link);
    let Some(body) = link.strip_prefix(PREFIX) else {
        let version: String = link.chars().take_while(|c| *c != '.').take(8).collect();
        return Err(if version.starts_with('r') && link.contains('.') {
            LinkError::Encoding(version)
        } else {
            LinkError::NotAnalysis
        });
    };
    let deflated = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| LinkError::Damaged(e.to_string()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_JSON).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            _ => LinkError::Unpack,
        },
    )?;
    serde_json::from_slice(&json).map_err(|e| LinkError::Unreadable(e.to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ops::group::{Aggregate, Measure};
    use crate::ops::join::{JoinKind, JoinSpec};
    use crate::ops::keys::Normalize;
    use crate::recipe::{
        ChartKind, ChartSpec, Comparison, Input, Predicate, RECIPE_VERSION, Step, Value,
    };

    pub(crate) fn staff_by_ministry() -> Recipe {
        Recipe {
            v: RECIPE_VERSION,
            inputs: vec![
                Input {
                    name: "agencies".into(),
                    dataset: "agencies".into(),
                    sha256: "a".repeat(64),
                },
                Input {
                    name: "staff".into(),
                    dataset: "agency_staff".into(),
                    sha256: "b".repeat(64),
                },
            ],
            steps: vec![
                Step::Join {
                    input: "staff".into(),
                    spec: JoinSpec {
                        kind: JoinKind::Inner,
                        left_on: vec!["org_nr".into()],
                        right_on: vec!["org_nr".into()],
                        normalize: Normalize::Digits,
                    },
                },
                Step::Filter {
                    predicate: Predicate::And {
                        all: vec![
                            Predicate::Compare {
                                column: "year".into(),
                                cmp: Comparison::Ge,
                                value: Value::Number(2010.0),
                            },
                            Predicate::Compare {
                                column: "year".into(),
                                cmp: Comparison::Le,
                                value: Value::Number(2024.0),
                            },
                        ],
                    },
                },
                Step::GroupBy {
                    by: vec!["ministry".into()],
                    measures: vec![Measure {
                        aggregate: Aggregate::Sum,
                        column: Some("staff".into()),
                        name: "staff".into(),
                    }],
                },
                Step::Sort {
                    column: "staff".into(),
                    descending: true,
                },
            ],
            chart: ChartSpec {
                kind: ChartKind::Bar,
                x: Some("ministry".into()),
                y: Some("staff".into()),
                ..ChartSpec::default()
            },
        }
    }

    #[test]
    fn an_articles_furniture_rides_in_the_link_and_plain_links_stay_as_they_were() {
        let plain = staff_by_ministry();
        let before = encode(&plain).unwrap();
        let mut dressed = plain.clone();
        dressed.chart.subtitle = Some("Per ministry, 2024".into());
        dressed.chart.note = Some("Ministries as of 2024.".into());
        dressed.chart.highlight = vec!["Justitiedepartementet".into()];
        dressed.chart.values = true;
        dressed.chart.annotations = vec![crate::recipe::Annotation {
            at: "Justitiedepartementet".into(),
            y: None,
            text: "Police and prisons".into(),
        }];
        let link = encode(&dressed).unwrap();
        assert_eq!(decode(&link).unwrap(), dressed);
        // The defaults are left out: a chart without furniture links as before.
        assert_eq!(encode(&decode(&before).unwrap()).unwrap(), before);
        let json = serde_json::to_string(&plain.chart).unwrap();
        assert!(
            !json.contains("subtitle") && !json.contains("annotations") && !json.contains("values"),
            "{json}"
        );
        // A hand-made annotation with a field the lab does not know is an error, not a guess.
        let wrong = serde_json::from_str::<crate::recipe::Annotation>(
            r#"{"at":"x","text":"t","colour":"red"}"#,
        );
        assert!(wrong.is_err());
    }

    #[test]
    fn a_recipe_round_trips_through_a_compact_link() {
        let recipe = staff_by_ministry();
        let link = encode(&recipe).unwrap();
        assert!(link.starts_with("r1."));
        assert!(link.len() < 500, "{} characters", link.len());
        assert!(
            link.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        );
        assert_eq!(decode(&link).unwrap(), recipe);
        assert_eq!(decode(&format!("#{link}")).unwrap(), recipe);
        assert_eq!(decode(&format!("#{ROUTE}{link}")).unwrap(), recipe);
        // Defaults stay out of the link's JSON.
        let json = serde_json::to_string(&Recipe {
            chart: ChartSpec::default(),
            ..recipe
        })
        .unwrap();
        assert!(
            !json.contains("chart") && !json.contains("descending\":false"),
            "{json}"
        );
    }

    /// A link made by encoding "r1"; every later version must open it to
    /// the same recipe. (Add one per encoding version.)
    const LINK_R1: &str = "r1.pZHbbsIwDIbfxdfVBGjbRV9lQpVJ3eAthyoHtA713ecUWqiYtAtyUTW2f3_57TOcoN5WwK7PKUL9cQaHlqAG1OQUU4QKWkwYKa2D8Yi7t_cSe_LAWC3QmLDrHolDMycW6uHJA-NeuiXqL6Z9Lz0_PTu4zuLuMV_sWrmycxTkaqhLjXciAx904wJIp8D6-Bh1Plg0_FOstaxZJlzMTrCOTZr69YFaVpik6JpC4VWAxtyeprztMZCElTfZCgcGwiJXtuR1SZ3QZOmy22w3L5sF9J_UrKS7V5Hux0Wtg899cxikRj7izrLjmMJQ_FnCmANdRohaB9KTD4jZ3vPmSa62LJQZEn1If9W3FBW5lp2GOoVMZWfqiFIso7qu5TBZ-Za_5WUVDDfK-As";

    #[test]
    fn a_link_of_encoding_r1_keeps_opening() {
        assert_eq!(decode(LINK_R1).unwrap(), staff_by_ministry());
    }

    #[test]
    fn hostile_links_are_messages_not_panics() {
        let bomb = format!(
            "r1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
                &vec![b' '; 8 * MAX_JSON],
                9
            ))
        );
        let deep = format!(
            "r1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&[b'['; 100_000], 9))
        );
        let unknown = encode(&staff_by_ministry()).unwrap().replace("r1.", "r9.");
        let not_recipe = format!(
            "r1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
                b"{\"v\":1,\"inputs\":[],\"steps\":[{\"op\":\"explode\"}]}",
                9
            ))
        );
        for (link, expected) in [
            ("", "does not hold an analysis"),
            ("hello", "does not hold an analysis"),
            (unknown.as_str(), "encoding \"r9\""),
            ("r1.!!!!", "damaged"),
            ("r1.AAAA", "damaged"),
            (bomb.as_str(), "larger than"),
            (deep.as_str(), "cannot be read"),
            (not_recipe.as_str(), "cannot be read"),
        ] {
            let error = decode(link).unwrap_err().to_string();
            assert!(error.contains(expected), "{link:.40}: {error}");
        }
        assert!(
            decode(&"r1.".repeat(MAX_LINK))
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
        // Random text and random deflate streams.
        let mut state = 0x0123_4567_89ab_cdef_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let good = encode(&staff_by_ministry()).unwrap().into_bytes();
        for _ in 0..3000 {
            let mut link = good.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % link.len();
                link[at] = b"AZaz09-_.r1"[(next() % 11) as usize];
            }
            link.truncate(link.len() - (next() as usize % 8).min(link.len()));
            let _ = decode(&String::from_utf8_lossy(&link));
        }
    }
}
