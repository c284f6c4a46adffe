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

/// `text` in lines of at most `chars` characters, broken between words,
/// at most `max_lines` of them: what is left over ends the last line with
/// an ellipsis, and a word longer than a line is cut with one.
pub(super) fn wrap(text: &str, chars: usize, max_lines: usize) -> Vec<String> {
    let chars = chars.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if joined.chars().count() <= chars || line.is_empty() {
            line = joined;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| ellipsis(&l, chars)).collect()
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn a_title_wraps_between_words_and_is_cut_only_past_its_lines() {
        let title = "Growth in full-time equivalents 2010–2024, the 20 fastest-growing agencies";
        let lines = wrap(title, 30, 3);
        assert_eq!(
            lines,
            [
                "Growth in full-time",
                "equivalents 2010–2024, the 20",
                "fastest-growing agencies"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(lines.join(" "), title);
        // Too long for its lines: the last one says so.
        let cut = wrap(title, 12, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…') && cut[1].chars().count() <= 12);
        // A word longer than a line; an empty title; odd widths.
        assert_eq!(wrap("Arbetsförmedlingen", 8, 3), ["Arbetsf…"]);
        assert_eq!(wrap("", 10, 3), [""]);
        assert_eq!(wrap("a b", 0, 0), ["…"]);
    }
}
