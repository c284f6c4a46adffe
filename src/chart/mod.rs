//! Charts: a recipe's [`ChartSpec`](crate::recipe::ChartSpec) and its
//! result table become a picture in three pure steps.
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.
//!
//! The worker prepares, lays out and rasterises (it has the data); the
//! page draws the frame with plotters, because plotters measures text
//! through the page's `window()`. Natively the same drawing makes SVG.

pub mod describe;
pub mod draw;
pub mod frame;
pub mod interact;
pub mod png;
pub mod prepare;
pub mod raster;
pub mod tip;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// Why a chart cannot be drawn. Shown in the language it was asked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartError {
    /// The spec names a column the table does not have.
    NoColumn {
        lang: Lang,
        role: &'static str,
        column: String,
    },
    /// A role the chart needs has no column chosen.
    Unchosen { lang: Lang, role: &'static str },
    /// A role that needs numbers has a column of another type.
    NotNumbers {
        lang: Lang,
        column: String,
        data_type: String,
    },
    /// The spec is a table, not a chart.
    NoKind { lang: Lang },
    /// No row has valid values in the chosen columns.
    NothingToShow { lang: Lang, rows: usize },
    /// The drawing backend failed (its own words).
    Draw(String),
}

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use ChartError::*;
        use Lang::{En, Sv};
        match self {
            NoColumn {
                lang: Sv,
                role,
                column,
            } => write!(
                f,
                "Diagrammets {role} är kolumnen \"{column}\", som inte finns i resultatet."
            ),
            NoColumn {
                lang: En,
                role,
                column,
            } => write!(
                f,
                "The chart's {role} is column \"{column}\", which the result does not have."
            ),
            Unchosen { lang: Sv, role } => write!(f, "Välj en kolumn för diagrammets {role}."),
            Unchosen { lang: En, role } => write!(f, "Choose a column for the chart's {role}."),
            NotNumbers {
                lang: Sv,
                column,
                data_type,
            } => write!(
                f,
                "Kolumnen \"{column}\" är inte tal ({data_type}); välj en kolumn med tal eller ett stapeldiagram."
            ),
            NotNumbers {
                lang: En,
                column,
                data_type,
            } => write!(
                f,
                "Column \"{column}\" is not numbers ({data_type}); choose a number column or a bar chart."
            ),
            NoKind { lang: Sv } => f.write_str("Välj en diagramtyp."),
            NoKind { lang: En } => f.write_str("Choose a kind of chart."),
            NothingToShow { lang: Sv, rows } => write!(
                f,
                "Inga rader att visa: resultatet har {} rader och ingen har giltiga värden i de valda kolumnerna.",
                crate::data::format::number(*rows as f64, 0, Lang::Sv)
            ),
            NothingToShow { lang: En, rows } => write!(
                f,
                "Nothing to show: the result has {} rows and none has valid values in the chosen columns.",
                crate::data::format::number(*rows as f64, 0, Lang::En)
            ),
            Draw(message) => write!(f, "drawing failed: {message}"),
        }
    }
}

impl std::error::Error for ChartError {}

/// The height an embed asks its page for at `width` CSS pixels: the chart
/// at three fifths of the width (between 260 and 520 px, so a phone's
/// frame is not mostly empty and a wide one not too tall) and the line
/// with the link under it.
pub fn embed_height(width: u32) -> u32 {
    chart_height_in_embed(width) + EMBED_LINK_PX
}

/// The room an embed keeps under its chart for the link to the lab.
pub const EMBED_LINK_PX: u32 = 44;

/// The chart's part of [`embed_height`].
pub fn chart_height_in_embed(width: u32) -> u32 {
    (width as f32 * 0.6).clamp(260.0, 520.0).round() as u32
}

/// Where the chart is drawn: its size in CSS pixels and the device pixels
/// per CSS pixel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Size {
    pub width: u32,
    pub height: u32,
    pub scale: f32,
}

impl Size {
    /// The largest canvas side in device pixels the lab draws (a bigger
    /// request is scaled down): 8192 px, as browsers allow.
    pub const MAX_SIDE: u32 = 8192;

    /// The size in device pixels, each side at least 1 and at most
    /// [`Size::MAX_SIDE`], and the scale that fits it.
    pub fn device(&self) -> (u32, u32, f32) {
        let scale = if self.scale.is_finite() {
            self.scale.clamp(0.25, 8.0)
        } else {
            1.0
        };
        let w = (self.width.clamp(1, 20_000) as f32 * scale)
            .round()
            .max(1.0);
        let h = (self.height.clamp(1, 20_000) as f32 * scale)
            .round()
            .max(1.0);
        let fit = (Self::MAX_SIDE as f32 / w.max(h)).min(1.0);
        (
            ((w * fit) as u32).max(1),
            ((h * fit) as u32).max(1),
            scale * fit,
        )
    }
}

/// The visible part of a zoomed scatter or line chart, in data units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl View {
    /// A view with finite, ordered and non-empty ranges, if this is one.
    pub fn checked(self) -> Option<View> {
        let ok = [self.x0, self.x1, self.y0, self.y1]
            .iter()
            .all(|v| v.is_finite())
            && self.x1 > self.x0
            && self.y1 > self.y0;
        ok.then_some(self)
    }
}

pub use crate::data::Lang;

/// What the chart says about where its data comes from, and what its
/// columns mean (from the catalog, followed through the steps).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The sources, e.g. "ESV, Statskontoret".
    pub source: String,
    /// The licence, e.g. "CC0 1.0".
    pub licence: String,
    /// `(column, unit)` for the columns that have one.
    #[serde(default)]
    pub units: Vec<(String, String)>,
    /// `(column, words)` for the columns whose meaning is known, e.g.
    /// `("growth", "Full-time equivalents, 2024 − 2010")`.
    #[serde(default)]
    pub words: Vec<(String, String)>,
    #[serde(default)]
    pub lang: Lang,
}

impl Context {
    /// The context of `recipe`'s chart: the sources and licences of its
    /// inputs and the meaning of its result's columns, from `catalog`.
    pub fn for_recipe(
        recipe: &crate::recipe::Recipe,
        catalog: &crate::data::Catalog,
        lang: Lang,
    ) -> Context {
        let mut sources: Vec<String> = Vec::new();
        let mut licences: Vec<String> = Vec::new();
        for input in &recipe.inputs {
            let Some(dataset) = catalog.dataset(&input.dataset) else {
                continue;
            };
            for source in &dataset.sources {
                if !sources.contains(&source.name) {
                    sources.push(source.name.clone());
                }
            }
            if !licences.contains(&dataset.licence.name) {
                licences.push(dataset.licence.name.clone());
            }
        }
        let mut units = Vec::new();
        let mut words = Vec::new();
        for (column, meaning) in crate::recipe::columns::meanings(recipe, catalog, lang) {
            if let Some(unit) = meaning.unit {
                units.push((column.clone(), unit));
            }
            if !meaning.words.is_empty() {
                words.push((column, meaning.words));
            }
        }
        Context {
            source: sources.join(", "),
            licence: licences.join(", "),
            units,
            words,
            lang,
        }
    }

    pub fn unit(&self, column: &str) -> Option<&str> {
        self.units
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, u)| u.as_str())
    }

    /// What `column` means in words, when known.
    pub fn words(&self, column: &str) -> Option<&str> {
        self.words
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, w)| w.as_str())
    }

    /// The title of an axis showing `column`: its words and unit, e.g.
    /// "Full-time equivalents, 2024 − 2010 (FTE)", or its name and unit
    /// when its meaning is not known.
    pub fn axis_title(&self, column: &str) -> String {
        let name = self.words(column).unwrap_or(column);
        match self.unit(column) {
            Some(unit)
                if !unit.is_empty() && !unit.eq_ignore_ascii_case(name) && unit != "year" =>
            {
                format!("{name} ({unit})")
            }
            _ => name.to_string(),
        }
    }
}

/// The colour-blind-safe palette (Okabe & Ito), in the order groups take
/// it; [`OTHER`] is the grey of "other" and of lines not highlighted.
pub const PALETTE: [[u8; 3]; 8] = [
    [0x00, 0x72, 0xB2],
    [0xE6, 0x9F, 0x00],
    [0x00, 0x9E, 0x73],
    [0xD5, 0x5E, 0x00],
    [0xCC, 0x79, 0xA7],
    [0x56, 0xB4, 0xE9],
    [0xF0, 0xE4, 0x42],
    [0x00, 0x00, 0x00],
];

/// The grey of "other".
pub const OTHER: [u8; 3] = [0x99, 0x99, 0x99];

/// The colour group of "other" (and of lines not highlighted): grey.
pub const OTHER_GROUP: u8 = PALETTE.len() as u8;

/// The colour of group `g` (groups past the palette are "other").
pub fn group_color(g: u8) -> [u8; 3] {
    PALETTE.get(usize::from(g)).copied().unwrap_or(OTHER)
}

/// The sequential scale of heatmaps (viridis, colour-blind safe), at
/// `t` in 0..=1.
pub fn ramp(t: f64) -> [u8; 3] {
    const STOPS: [[u8; 3]; 9] = [
        [0x44, 0x01, 0x54],
        [0x47, 0x2d, 0x7b],
        [0x3b, 0x52, 0x8b],
        [0x2c, 0x72, 0x8e],
        [0x21, 0x91, 0x8c],
        [0x28, 0xae, 0x80],
        [0x5e, 0xc9, 0x62],
        [0xad, 0xdc, 0x30],
        [0xfd, 0xe7, 0x25],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |k: usize| (f64::from(a[k]) + (f64::from(b[k]) - f64::from(a[k])) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// Natively, registers the bundled font (DejaVu Sans) for plotters to
/// measure text, so that SVG made by the CLI and the snapshot tests is the
/// same on every machine. The browser measures with its own fonts.
#[cfg(not(target_arch = "wasm32"))]
pub fn register_font() {
    static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use plotters::style::FontStyle;
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The font is bundled and known to parse; a failure would only
            // leave text unmeasured, which drawing then reports.
            let _ = plotters::style::register_font("sans-serif", style, FONT);
        }
    });
}
