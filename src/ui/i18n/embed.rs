//! The texts of an embedded chart and of the embed and cite panels.

use crate::data::Lang;

/// The texts of an embedded chart and of the embed and cite panels.
pub struct EmbedTexts {
    pub loading: &'static str,
    pub open_in_lab: &'static str,
    /// The embed's toggle between the chart and its data table.
    pub show_data: &'static str,
    pub show_chart: &'static str,
    pub broken_link: &'static str,
    pub engine_stopped: &'static str,
    pub host_down: &'static str,
    pub dataset_gone: &'static str,
    pub version_gone: &'static str,
    pub load_failed: &'static str,
    pub no_chart: &'static str,
    pub failed: &'static str,
    pub embed: &'static str,
    pub embed_intro: &'static str,
    pub follow: &'static str,
    pub snippet: &'static str,
    pub cite: &'static str,
    pub citation: &'static str,
    pub command: &'static str,
    pub command_intro: &'static str,
    pub sql: &'static str,
    pub sql_intro: &'static str,
    pub sql_engine: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
}

const EMBED_SV: EmbedTexts = EmbedTexts {
    loading: "Laddar diagrammet…",
    open_in_lab: "Öppna i Datalabb ↗",
    show_data: "Data",
    show_chart: "Diagram",
    broken_link: "Länken till analysen går inte att läsa:",
    engine_stopped: "Beräkningsmotorn har stannat; öppna analysen i labbet.",
    host_down: "Data kunde inte hämtas:",
    dataset_gone: "Datamängden finns inte längre på servern",
    version_gone: "Den version av data som diagrammet bygger på finns inte längre på servern",
    load_failed: "Data kunde inte öppnas:",
    no_chart: "Analysen har inget diagram.",
    failed: "Analysen kunde inte köras:",
    embed: "Bädda in",
    embed_intro: "Klistra in koden i en artikel: diagrammet visas med titel, källa och licens och en länk hit. Det bygger på exakt de versioner av data som länken anger och ändras aldrig.",
    follow: "Följ uppdateringar (använd alltid den senaste versionen av varje datamängd)",
    snippet: "Kod att klistra in",
    cite: "Citera",
    citation: "Citat",
    command: "Kör om analysen från kommandoraden",
    command_intro: "I en kopia av projektet, med de publicerade datamängderna i public/data:",
    sql: "Analysen som SQL",
    sql_intro: "Eller som en SQL-fråga för DataFusion, DuckDB eller Spark SQL (ett kluster), där all data finns (registrera tabellerna som kommentarerna namnger):",
    sql_engine: "Motor",
    copy: "Kopiera",
    copied: "Kopierat",
};

const EMBED_EN: EmbedTexts = EmbedTexts {
    loading: "Loading the chart…",
    open_in_lab: "Open in Datalabb ↗",
    show_data: "Data",
    show_chart: "Chart",
    broken_link: "The analysis's link cannot be read:",
    engine_stopped: "The compute engine stopped; open the analysis in the lab.",
    host_down: "The data could not be fetched:",
    dataset_gone: "The dataset is no longer on the host",
    version_gone: "The version of the data this chart is built on is no longer on the host",
    load_failed: "The data could not be opened:",
    no_chart: "The analysis has no chart.",
    failed: "The analysis could not run:",
    embed: "Embed",
    embed_intro: "Paste the code into an article: the chart shows with its title, source and licence and a link here. It is built on exactly the versions of the data the link pins, and never changes.",
    follow: "Follow updates (always use the newest version of each dataset)",
    snippet: "Code to paste",
    cite: "Cite",
    citation: "Citation",
    command: "Run the analysis again from the command line",
    command_intro: "In a copy of the project, with the published datasets in public/data:",
    sql: "The analysis as SQL",
    sql_intro: "Or as one SQL query for DataFusion, DuckDB or Spark SQL (a cluster), where all the data is (register the tables the comments name):",
    sql_engine: "Engine",
    copy: "Copy",
    copied: "Copied",
};

pub fn embed_texts(lang: Lang) -> &'static EmbedTexts {
    match lang {
        Lang::Sv => &EMBED_SV,
        Lang::En => &EMBED_EN,
    }
}
