//! The texts of the search box and the entity pages.

use crate::data::Lang;
use crate::data::entities::EntityKind;

/// The texts of the search box and the entity pages.
pub struct EntityTexts {
    pub search_title: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_hint: &'static str,
    pub searching: &'static str,
    pub nothing_found: &'static str,
    pub datasets: &'static str,
    /// Each kind's plural heading, in [`EntityKind::ALL`]'s order.
    pub kinds: [&'static str; 5],
    /// Each kind in the singular, as a page's kicker.
    pub kind: [&'static str; 5],
    pub loading: &'static str,
    pub not_found: &'static str,
    pub findings: &'static str,
    pub findings_note: &'static str,
    pub open_analysis: &'static str,
    pub embed: &'static str,
    pub snippet: &'static str,
    pub rows_of: &'static str,
    pub no_rows: &'static str,
    pub staff_note: &'static str,
    pub formerly: &'static str,
    pub start: &'static str,
    /// Before the dataset versions a panel reads.
    pub data: &'static str,
}

impl EntityTexts {
    pub fn kinds(&self, kind: EntityKind) -> &'static str {
        self.kinds[position(kind)]
    }

    pub fn kind(&self, kind: EntityKind) -> &'static str {
        self.kind[position(kind)]
    }
}

fn position(kind: EntityKind) -> usize {
    EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

const SV: EntityTexts = EntityTexts {
    search_title: "Sök en myndighet eller en plats",
    search_label: "Sök myndighet, departement, område, kommun, län eller dataset",
    search_placeholder: "Skatteverket, JK, 202100-0035, 0180, Uppsala …",
    search_hint: "Namn, förkortning, tidigare namn, organisationsnummer eller kommunkod. Piltangenterna flyttar mellan träffarna.",
    searching: "Söker…",
    nothing_found: "Inga träffar.",
    datasets: "Dataset",
    kinds: [
        "Myndigheter",
        "Departement",
        "Verksamhetsområden",
        "Kommuner",
        "Län",
    ],
    kind: [
        "Myndighet",
        "Departement",
        "Verksamhetsområde (COFOG)",
        "Kommun",
        "Län",
    ],
    loading: "Hämtar uppgifterna…",
    not_found: "Det finns inget sådant i data:",
    findings: "I korthet",
    findings_note: "Meningarna skrivs ur panelernas siffror nedan; de säger inget om orsaker.",
    open_analysis: "Öppna som analys",
    embed: "Bädda in",
    snippet: "Kod att klistra in",
    rows_of: "rader av",
    no_rows: "Inga rader.",
    staff_note: "ESV redovisar myndigheternas egna uppgifter om anställda och årsarbetskrafter; Statskontoret räknar årsarbetskrafter ur sin egen myndighetsförteckning. Tidpunkt och avgränsning skiljer sig, så siffrorna kan skilja sig åt.",
    formerly: "Även kallad",
    start: "Till startsidan",
    data: "Data (dataset och version)",
};

const EN: EntityTexts = EntityTexts {
    search_title: "Find an agency or a place",
    search_label: "Search agencies, ministries, areas, municipalities, counties or datasets",
    search_placeholder: "Skatteverket, JK, 202100-0035, 0180, Uppsala …",
    search_hint: "A name, an abbreviation, a former name, an organisation number or a municipality code. The arrow keys move between the results.",
    searching: "Searching…",
    nothing_found: "Nothing found.",
    datasets: "Datasets",
    kinds: [
        "Agencies",
        "Ministries",
        "Areas of government",
        "Municipalities",
        "Counties",
    ],
    kind: [
        "Agency",
        "Ministry",
        "Area of government (COFOG)",
        "Municipality",
        "County",
    ],
    loading: "Fetching the figures…",
    not_found: "The data holds no such thing:",
    findings: "In brief",
    findings_note: "The sentences are written from the panels' numbers below; they say nothing about causes.",
    open_analysis: "Open as an analysis",
    embed: "Embed",
    snippet: "Code to paste",
    rows_of: "rows of",
    no_rows: "No rows.",
    staff_note: "ESV reports the agencies' own figures for employees and full-time equivalents; Statskontoret counts full-time equivalents for its own list of agencies. Dates and definitions differ, so the figures can differ.",
    formerly: "Also called",
    start: "To the start page",
    data: "Data (dataset and version)",
};

pub fn entity_texts(lang: Lang) -> &'static EntityTexts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}
