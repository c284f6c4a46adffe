//! What a researcher or an editor copies from an analysis: a citation
//! (the datasets with their versions and SHA-256, the date, a short hash
//! of the recipe, the link), the command that runs it again, and the
//! iframe that embeds its chart.

use super::Recipe;
use crate::data::hash::sha256_hex;
use crate::data::{Catalog, Lang};

/// The first 12 hex digits of the SHA-256 of the link text (`r1.…`): the
/// same analysis has the same hash wherever it is cited.
pub fn recipe_hash(link: &str) -> String {
    sha256_hex(link.as_bytes())[..12].to_string()
}

/// The citation of the analysis at `href` (its link text `link`) as of
/// `date` (yyyy-mm-dd).
pub fn citation(
    recipe: &Recipe,
    catalog: &Catalog,
    link: &str,
    href: &str,
    date: &str,
    lang: Lang,
) -> String {
    let (analysis, retrieved, data, version, licence) = match lang {
        Lang::Sv => ("Datalabb-analys", "hämtad", "Data", "version", "licens"),
        Lang::En => (
            "Datalabb analysis",
            "retrieved",
            "Data",
            "version",
            "licence",
        ),
    };
    let title = recipe.chart.title.as_deref().unwrap_or_default();
    let mut text = format!("{analysis} {}", recipe_hash(link));
    if !title.is_empty() {
        text.push_str(&format!(": “{title}”"));
    }
    text.push_str(&format!(" ({retrieved} {date}). {data}: "));
    let inputs: Vec<String> = recipe
        .inputs
        .iter()
        .map(|input| {
            let short = input.sha256.get(..12).unwrap_or(&input.sha256);
            match catalog.dataset(&input.dataset) {
                Some(d) => {
                    let sources: Vec<&str> = d.sources.iter().map(|s| s.name.as_str()).collect();
                    format!(
                        "{} ({}, {version} {short}, SHA-256 {}; {}; {licence} {})",
                        d.title.get(lang),
                        d.id,
                        input.sha256,
                        sources.join(", "),
                        d.licence.name
                    )
                }
                None => format!(
                    "{} ({version} {short}, SHA-256 {})",
                    input.dataset, input.sha256
                ),
            }
        })
        .collect();
    text.push_str(&inputs.join("; "));
    text.push_str(&format!(". {href}"));
    text
}

/// The command that runs the analysis again from the published data.
pub fn command(href: &str) -> String {
    format!(
        "cargo run --release --bin datalabb -- run '{}' --data public/data --out result.csv",
        href.replace('\'', "%27")
    )
}

/// The iframe that embeds the chart at `src`, titled `title`: the width
/// of the article's column (at most 960 px) and 480 px high.
pub fn iframe(src: &str, title: &str) -> String {
    format!(
        r#"<iframe src="{}" title="{}" width="100%" height="480" style="border:0;max-width:960px" loading="lazy"></iframe>"#,
        escape(src),
        escape(title)
    )
}

/// The key of the one message an embed sends its parent page: its
/// content height in CSS pixels, `{"datalabb:height": 612, "id": "…"}`.
pub const HEIGHT_KEY: &str = "datalabb:height";

/// The script of the embed snippet: it sizes the iframe whose window sent
/// the height message (from the iframe's own origin) to that height,
/// between 100 and 4,000 px. Without it the iframe keeps its fixed height.
pub const RESIZE_SCRIPT: &str = r#"<script>addEventListener("message", function (e) {
  var h = e.data && e.data["datalabb:height"];
  if (typeof h !== "number" || !isFinite(h)) return;
  document.querySelectorAll("iframe").forEach(function (f) {
    if (f.contentWindow === e.source && new URL(f.src, location.href).origin === e.origin)
      f.style.height = Math.max(100, Math.min(4000, Math.round(h))) + "px";
  });
});</script>"#;

/// What a newsroom pastes: the [`iframe`] and the [`RESIZE_SCRIPT`] that
/// lets it grow to the embed's content (a title that wraps on a phone).
pub fn snippet(src: &str, title: &str) -> String {
    format!("{}\n{RESIZE_SCRIPT}", iframe(src, title))
}

/// Text safe inside an HTML attribute in double quotes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;
    use crate::recipe::url;

    #[test]
    fn the_citation_names_every_dataset_version_and_the_recipe_hash() {
        let catalog = fixture_catalog();
        let mut recipe = url::tests::staff_by_ministry();
        for (input, id) in recipe
            .inputs
            .iter_mut()
            .zip(["fixture-agencies", "fixture-staff"])
        {
            input.dataset = id.into();
            input.sha256 = catalog
                .dataset(id)
                .unwrap()
                .latest()
                .unwrap()
                .sha256
                .clone();
        }
        let link = url::encode(&recipe).unwrap();
        let href = format!("https://lab.example/#/analysis/{link}");
        let text = citation(&recipe, &catalog, &link, &href, "2026-11-28", Lang::En);
        assert!(text.starts_with(&format!("Datalabb analysis {}", recipe_hash(&link))));
        assert!(text.contains("(retrieved 2026-11-28)"));
        for input in &recipe.inputs {
            assert!(
                text.contains(&input.sha256) && text.contains(&input.dataset),
                "{text}"
            );
        }
        assert!(text.ends_with(&href));
        assert_eq!(recipe_hash(&link).len(), 12);
        assert_ne!(recipe_hash(&link), recipe_hash("r1.other"));
        let sv = citation(&recipe, &catalog, &link, &href, "2026-11-28", Lang::Sv);
        assert!(sv.contains("hämtad 2026-11-28"));
    }

    #[test]
    fn the_command_and_the_iframe_quote_what_they_carry() {
        assert_eq!(
            command("https://x/#/analysis/r1.a'b"),
            "cargo run --release --bin datalabb -- run 'https://x/#/analysis/r1.a%27b' --data public/data --out result.csv"
        );
        let html = iframe("https://x/?a=1&b=2#/embed/r1.x", "A \"title\" <b>");
        assert!(html.contains(r#"src="https://x/?a=1&amp;b=2#/embed/r1.x""#));
        assert!(html.contains(r#"title="A &quot;title&quot; &lt;b&gt;""#));
        assert!(html.starts_with("<iframe ") && html.ends_with("></iframe>"));
        let pasted = snippet("https://x/#/embed/r1.x", "t");
        assert!(pasted.starts_with(&iframe("https://x/#/embed/r1.x", "t")));
        assert!(pasted.contains(HEIGHT_KEY) && pasted.ends_with("</script>"));
        // It trusts only the iframe's own window and origin.
        assert!(
            pasted.contains("f.contentWindow === e.source")
                && pasted.contains(".origin === e.origin")
        );
    }
}
