//! The chart panel's texts.

use crate::data::Lang;

/// The texts of the chart panel, in one language.
pub struct ChartTexts {
    pub heading: &'static str,
    pub kind: &'static str,
    pub title: &'static str,

    pub x: &'static str,
    pub y: &'static str,
    pub color: &'static str,
    pub size: &'static str,
    pub label: &'static str,
    pub value: &'static str,
    pub stacked: &'static str,
    pub log_x: &'static str,
    pub log_y: &'static str,
    pub chart_tab: &'static str,
    pub data_tab: &'static str,
    pub canvas_label: &'static str,
    pub png: &'static str,
    pub svg: &'static str,
    pub reset: &'static str,
    pub filter_selection: &'static str,
    pub hint: &'static str,
    pub first_rows: &'static str,
    pub of: &'static str,
    pub rows: &'static str,
}

const CHART_SV: ChartTexts = ChartTexts {
    heading: "Diagram",
    kind: "Typ",
    title: "Rubrik",
    x: "x",
    y: "y",
    color: "Färg",
    size: "Storlek",
    label: "Etikett",
    value: "Värde",
    stacked: "Staplade",
    log_x: "Logaritmisk x",
    log_y: "Logaritmisk y",
    chart_tab: "Diagram",
    data_tab: "Data",
    canvas_label: "Diagrammet. Värdena finns som tabell under fliken Data. Tangenter: + och − zoomar, pilar panorerar, 0 återställer.",
    png: "Ladda ner PNG",
    svg: "Ladda ner SVG",
    reset: "Återställ zoom",
    filter_selection: "Filtrera till markeringen",
    hint: "Hjul zoomar, dra panorerar, skift + dra markerar, klick på förklaringen framhäver.",
    first_rows: "De första",
    of: "av",
    rows: "rader",
};

const CHART_EN: ChartTexts = ChartTexts {
    heading: "Chart",
    kind: "Kind",
    title: "Title",
    x: "x",
    y: "y",
    color: "Colour",
    size: "Size",
    label: "Label",
    value: "Value",
    stacked: "Stacked",
    log_x: "Log x",
    log_y: "Log y",
    chart_tab: "Chart",
    data_tab: "Data",
    canvas_label: "The chart. Its values are a table under the Data tab. Keys: + and − zoom, arrows pan, 0 resets.",
    png: "Download PNG",
    svg: "Download SVG",
    reset: "Reset zoom",
    filter_selection: "Filter to the selection",
    hint: "Wheel zooms, drag pans, shift + drag selects, a click on the legend highlights.",
    first_rows: "The first",
    of: "of",
    rows: "rows",
};

pub fn chart_texts(lang: Lang) -> &'static ChartTexts {
    match lang {
        Lang::Sv => &CHART_SV,
        Lang::En => &CHART_EN,
    }
}
