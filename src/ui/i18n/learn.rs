//! The cluster and project forms' texts.

use crate::data::Lang;

/// The texts of the cluster and project forms, in one language.
pub struct LearnTexts {
    pub features: &'static str,
    pub missing: &'static str,

    pub scale: &'static str,

    pub row_scale: &'static str,

    pub method: &'static str,

    pub linkage: &'static str,

    pub k: &'static str,
    pub seed: &'static str,
    pub eps: &'static str,
    pub min_points: &'static str,
    pub name: &'static str,
    pub components: &'static str,
    pub prefix: &'static str,
    pub projection: &'static str,

    pub perplexity: &'static str,
    pub explore: &'static str,
    pub choose_k: &'static str,
    pub k_distance: &'static str,
    pub profiles: &'static str,
    pub working: &'static str,
    pub close: &'static str,
    pub inertia: &'static str,
    pub silhouette: &'static str,
    pub k_distance_title: &'static str,
    pub profiles_title: &'static str,
    pub best_k: &'static str,
    pub suggested_eps: &'static str,
    pub apply: &'static str,
}

const LEARN_SV: LearnTexts = LearnTexts {
    features: "Egenskaper (talkolumner)",
    missing: "Saknade värden",
    scale: "Skala kolumner",
    row_scale: "Skala rader",
    method: "Metod",
    linkage: "länkning",
    k: "k (antal kluster)",
    seed: "frö",
    eps: "eps (avstånd)",
    min_points: "minsta antal grannar",
    name: "ny kolumn",
    components: "komponenter",
    prefix: "kolumnprefix",
    projection: "Metod",
    perplexity: "perplexitet (antal grannar)",
    explore: "Hjälp:",
    choose_k: "Välj k (2–10)",
    k_distance: "k-avstånd (eps)",
    profiles: "Klusterprofiler",
    working: "Räknar…",
    close: "Stäng",
    inertia: "Tröghet (summan av kvadrerade avstånd till centrum) per k: leta efter armbågen",
    silhouette: "Silhuett per k: högre är bättre",
    k_distance_title: "Avstånd till den k:te närmaste raden, störst först: eps nära knäet",
    profiles_title: "Hur långt varje klusters medelvärde ligger från alla raders (standardavvikelser)",
    best_k: "Silhuetten är högst vid k =",
    suggested_eps: "Kurvans knä föreslår eps ≈",
    apply: "Använd",
};

const LEARN_EN: LearnTexts = LearnTexts {
    features: "Features (number columns)",
    missing: "Missing values",
    scale: "Scale columns",
    row_scale: "Scale rows",
    method: "Method",
    linkage: "linkage",
    k: "k (clusters)",
    seed: "seed",
    eps: "eps (distance)",
    min_points: "min points",
    name: "new column",
    components: "components",
    prefix: "column prefix",
    projection: "Method",
    perplexity: "perplexity (neighbours)",
    explore: "Help:",
    choose_k: "Choose k (2–10)",
    k_distance: "k-distances (eps)",
    profiles: "Cluster profiles",
    working: "Working…",
    close: "Close",
    inertia: "Inertia (sum of squared distances to the centres) by k: look for the elbow",
    silhouette: "Silhouette by k: higher is better",
    k_distance_title: "Distance to the k-th nearest row, largest first: eps near the knee",
    profiles_title: "How far each cluster's mean lies from all rows' (standard deviations)",
    best_k: "The silhouette is highest at k =",
    suggested_eps: "The knee of the curve suggests eps ≈",
    apply: "Use it",
};

pub fn learn_texts(lang: Lang) -> &'static LearnTexts {
    match lang {
        Lang::Sv => &LEARN_SV,
        Lang::En => &LEARN_EN,
    }
}
