//! The footer: the sources, the licence and the lab's name.

use crate::chart::{Context, Lang};

use super::ellipsis;

/// "Källa: … · Licens: … · Datalabb".
pub(super) fn footer(context: &Context) -> String {
    let (source, licence) = match context.lang {
        Lang::Sv => ("Källa", "Licens"),
        Lang::En => ("Source", "Licence"),
    };
    let mut parts = Vec::new();
    if !context.source.is_empty() {
        parts.push(format!("{source}: {}", context.source));
    }
    if !context.licence.is_empty() {
        parts.push(format!("{licence}: {}", context.licence));
    }
    parts.push("Datalabb".to_string());
    parts.join(" · ")
}

/// The footer's parts (split at " · ") in at most two lines of `chars`
/// characters; the second line is cut with an ellipsis when it must be.
pub(super) fn footer_lines(text: &str, chars: usize) -> Vec<String> {
    const MAX_LINES: usize = 3;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Word by word; a new line starts where the next word does not fit,
    // preferably after a " · " (checked first).
    for (i, part) in text.split(" · ").enumerate() {
        let part = if i == 0 {
            part.to_string()
        } else {
            format!("· {part}")
        };
        for word in part.split(' ') {
            let joined = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if joined.chars().count() <= chars || line.is_empty() || lines.len() + 1 >= MAX_LINES {
                line = joined;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
        }
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| ellipsis(l.trim_start_matches("· "), chars))
        .collect()
}
