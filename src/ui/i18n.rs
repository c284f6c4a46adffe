//! The page's own texts in Swedish and English. Dataset texts come from the
//! catalog, which carries both languages.

use crate::data::Lang;

/// Every text of the page's frame, in one language.
pub struct Texts {
    pub tagline: &'static str,
    pub engine_starting: &'static str,
    pub engine_ready: &'static str,
    pub engine_restarting: &'static str,
    pub engine_stopped: &'static str,
    pub catalog_needs_engine: &'static str,
    pub restart: &'static str,
    pub restarted_notice: &'static str,
    pub stopped_notice: &'static str,
    pub dismiss: &'static str,
    pub datasets: &'static str,
    pub catalog_loading: &'static str,
    pub catalog_failed: &'static str,
    pub catalog_empty: &'static str,
    pub retry: &'static str,
    /// Singular and plural.
    pub rows: [&'static str; 2],
    pub columns: [&'static str; 2],
    pub versions: [&'static str; 2],
    pub licence: &'static str,
    pub source: &'static str,
    pub footer: &'static str,
    pub diagnostics: &'static str,
    pub open: &'static str,
    pub open_failed: &'static str,
    pub cancel: &'static str,
    pub unload: &'static str,
    pub downloading: &'static str,
    pub downloaded: &'static str,
    pub from_cache: &'static str,
    pub in_memory: &'static str,
    pub of: &'static str,
    pub loaded_data: &'static str,
    pub total: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub no_match: &'static str,
    pub simulate_crash: &'static str,
}

const SV: Texts = Texts {
    tagline: "Länka, gruppera och visa öppna data om staten – allt beräknas i din webbläsare.",
    engine_starting: "Beräkningsmotorn startar…",
    engine_ready: "Beräkningsmotorn redo",
    engine_restarting: "Beräkningsmotorn startas om…",
    engine_stopped: "Beräkningsmotorn har stannat",
    catalog_needs_engine: "Katalogen läses när beräkningsmotorn går igen.",
    restart: "Starta om",
    restarted_notice: "Beräkningsmotorn stannade och har startats om; katalogen lästes in igen.",
    stopped_notice: "Beräkningsmotorn stannade flera gånger. Starta om den, eller ladda om sidan.",
    dismiss: "Stäng",
    datasets: "Datamängder",
    catalog_loading: "Läser katalogen…",
    catalog_failed: "Katalogen kunde inte läsas",
    catalog_empty: "Katalogen innehåller inga datamängder ännu.",
    retry: "Försök igen",
    rows: ["rad", "rader"],
    columns: ["kolumn", "kolumner"],
    versions: ["version", "versioner"],
    licence: "Licens",
    source: "Källa",
    footer: "Datalabb hämtar publicerade datamängder och räknar i din webbläsare; inget skickas till någon server.",
    diagnostics: "Diagnostik",
    open: "Öppna",
    open_failed: "Datamängden kunde inte öppnas",
    cancel: "Avbryt",
    unload: "Stäng",
    downloading: "Hämtar",
    downloaded: "hämtad",
    from_cache: "från webbläsarens cache",
    in_memory: "i minnet",
    of: "av",
    loaded_data: "Öppnade data",
    total: "Totalt",
    search_label: "Sök bland datamängderna",
    search_placeholder: "Sök: myndighet, län, årsarbetskrafter …",
    no_match: "Inga datamängder matchar sökningen.",
    simulate_crash: "Simulera krasch i beräkningsmotorn",
};

const EN: Texts = Texts {
    tagline: "Link, cluster and chart open data about the Swedish state – computed entirely in your browser.",
    engine_starting: "Compute engine starting…",
    engine_ready: "Compute engine ready",
    engine_restarting: "Compute engine restarting…",
    engine_stopped: "Compute engine stopped",
    catalog_needs_engine: "The catalog is read once the compute engine runs again.",
    restart: "Restart",
    restarted_notice: "The compute engine stopped and was restarted; the catalog was reloaded.",
    stopped_notice: "The compute engine stopped several times. Restart it, or reload the page.",
    dismiss: "Dismiss",
    datasets: "Datasets",
    catalog_loading: "Loading the catalog…",
    catalog_failed: "The catalog could not be loaded",
    catalog_empty: "The catalog has no datasets yet.",
    retry: "Try again",
    rows: ["row", "rows"],
    columns: ["column", "columns"],
    versions: ["version", "versions"],
    licence: "Licence",
    source: "Source",
    footer: "Datalabb downloads published datasets and computes in your browser; nothing is sent to a server.",
    diagnostics: "Diagnostics",
    open: "Open",
    open_failed: "The dataset could not be opened",
    cancel: "Cancel",
    unload: "Unload",
    downloading: "Downloading",
    downloaded: "downloaded",
    from_cache: "from the browser's cache",
    in_memory: "in memory",
    of: "of",
    loaded_data: "Loaded data",
    total: "Total",
    search_label: "Search the datasets",
    search_placeholder: "Search: agency, county, FTE …",
    no_match: "No dataset matches the search.",
    simulate_crash: "Simulate a compute engine crash",
};

/// The texts in `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// `n` and the singular or plural noun: `1 row`, `12 345 rows`.
pub fn counted(n: u64, noun: [&'static str; 2]) -> String {
    format!("{} {}", count(n), noun[usize::from(n != 1)])
}

/// A size for people, in the language's style: `88 kB`, `1.2 MB`,
/// `1,2 MB` (kilobytes below one megabyte, so small tables do not read
/// as `0.0 MB`).
pub fn size(bytes: u64, lang: Lang) -> String {
    if bytes < 1_000_000 {
        return format!("{}\u{a0}kB", count(bytes.div_ceil(1000)));
    }
    let tenths = (bytes + 50_000) / 100_000;
    let separator = match lang {
        Lang::Sv => ',',
        Lang::En => '.',
    };
    format!("{}{separator}{}\u{a0}MB", count(tenths / 10), tenths % 10)
}

/// Formats a count with a thin space between thousands (`12 345`).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}
