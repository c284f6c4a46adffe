//! The lines of text around the plot: the title and subtitle, the notes
//! under them, the note under the chart and the footer (the sources, the
//! licence and the lab's name), and where each is drawn.

use serde::{Deserialize, Serialize};

use crate::chart::{Context, Lang};

use super::{
    Frame, NOTE_PX, Rect, SMALL_PX, SUBTITLE_PX, TITLE_PX, ellipsis, text_width, title_block,
};

/// How a line of text around the plot looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextStyle {
    Title,
    Subtitle,
    /// The lab's notes (rows left out, labels that do not fit).
    Note,
    /// The article's note under the chart.
    ChartNote,
    Footer,
}

impl TextStyle {
    /// The font size in CSS pixels.
    pub fn px(self) -> f32 {
        match self {
            TextStyle::Title => TITLE_PX,
            TextStyle::Subtitle => SUBTITLE_PX,
            _ => SMALL_PX,
        }
    }
}

/// A line of text, left-aligned at `x` with its top at `y` (device pixels).
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub text: &'a str,
    pub x: f32,
    pub y: f32,
    pub style: TextStyle,
}

impl Line<'_> {
    /// The box the line takes (estimated as layout does).
    pub fn rect(&self, scale: f32) -> Rect {
        let px = self.style.px() * scale;
        Rect {
            x0: self.x,
            y0: self.y,
            x1: self.x + text_width(self.text, px),
            y1: self.y + px * 1.2,
        }
    }
}

/// The height of a subtitle of `lines` lines, with the space under it.
pub(super) fn subtitle_block(lines: usize, s: f32) -> f32 {
    if lines == 0 {
        0.0
    } else {
        (lines as f32 * 17.0 + 4.0) * s
    }
}

/// The height of the note under the chart, with the space above it.
pub(super) fn note_block(lines: usize, s: f32) -> f32 {
    if lines == 0 {
        0.0
    } else {
        (lines as f32 * 14.0 + 6.0) * s
    }
}

/// `text` wrapped as [`wrap`] does, or no lines when it is empty.
pub(super) fn wrap_if(text: &str, chars: usize, max_lines: usize) -> Vec<String> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        wrap(text, chars, max_lines)
    }
}

/// Every line of text around the plot of `frame`, where it is drawn: the
/// drawing and the layout tests read the same places.
pub fn text_lines<'a>(frame: &'a Frame) -> Vec<Line<'a>> {
    let s = frame.scale;
    let pad = 10.0 * s;
    let mut lines = Vec::new();
    // Each block's lines from its top, `step` CSS pixels apart.
    let mut block = |texts: &'a [String], top: f32, step: f32, style: TextStyle| {
        for (i, text) in texts.iter().enumerate() {
            lines.push(Line {
                text,
                x: pad,
                y: top + i as f32 * step * s,
                style,
            });
        }
    };
    let subtitle_top = pad + title_block(frame.title_lines.len(), s);
    let notes_top = subtitle_top + subtitle_block(frame.subtitle_lines.len(), s);
    let footer_top = frame.height as f32 - pad - 14.0 * s * frame.footer.len() as f32;
    let note_top = footer_top - 2.0 * s - 14.0 * s * frame.note_lines.len() as f32;
    block(&frame.title_lines, pad, 20.0, TextStyle::Title);
    block(
        &frame.subtitle_lines,
        subtitle_top,
        17.0,
        TextStyle::Subtitle,
    );
    block(&frame.notes, notes_top, NOTE_PX, TextStyle::Note);
    block(&frame.footer, footer_top, 14.0, TextStyle::Footer);
    block(&frame.note_lines, note_top, 14.0, TextStyle::ChartNote);
    lines
}

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

/// The footer's parts (split at " · ") in at most four lines of `chars`
/// characters; the last line is cut with an ellipsis when it must be.
pub(super) fn footer_lines(text: &str, chars: usize) -> Vec<String> {
    const MAX_LINES: usize = 4;
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
