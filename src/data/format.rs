//! Numbers and sizes for people, in Swedish or English: a chart's ticks
//! (grouped thousands, the language's decimal mark, as many decimals as
//! the tick step needs), tooltips and notes (four significant digits),
//! counts of rows and sizes of files. The one place the page, the worker's
//! charts and insights, and the command line format a number for reading.

use crate::data::Lang;

/// `v` with `decimals` decimals, thousands grouped (`12 345,6` in Swedish,
/// `12,345.6` in English). Very large or small magnitudes use an exponent.
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    grouped(v, decimals, lang, true)
}

/// As [`number`], with thousands grouped or not (years read `2024`).
pub fn grouped(v: f64, decimals: usize, lang: Lang, group_thousands: bool) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "–".into()
        } else if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let magnitude = v.abs();
    if magnitude >= 1e15 || (magnitude > 0.0 && magnitude < 1e-6) {
        let text = format!("{v:.2e}");
        return localise(&text, lang);
    }
    let decimals = decimals.min(10);
    let text = format!("{:.*}", decimals, magnitude);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let (group, mark) = match lang {
        Lang::Sv => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::with_capacity(text.len() + 6);
    let negative = v < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if negative {
        out.push('−');
    }
    let digits = int.len();
    for (i, c) in int.chars().enumerate() {
        if group_thousands && i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

/// `v` with up to 4 significant digits, for tooltips and notes.
pub fn short(v: f64, lang: Lang) -> String {
    if v == 0.0 || !v.is_finite() {
        return number(v, 0, lang);
    }
    let digits = v.abs().log10().floor() as i32;
    let decimals = (3 - digits).clamp(0, 6) as usize;
    let text = number(v, decimals, lang);
    // Trailing zeros of the decimals say nothing.
    let mark = if lang == Lang::Sv { ',' } else { '.' };
    if text.contains(mark) {
        let trimmed = text.trim_end_matches('0');
        trimmed.trim_end_matches(mark).to_string()
    } else {
        text
    }
}

/// A count with a narrow no-break space between thousands (`12 345`).
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

/// A size for people, in the language's style: `88 kB`, `1.2 MB`,
/// `1,2 MB` (kilobytes below one megabyte, so small tables do not read
/// as `0.0 MB`).
pub fn size(bytes: u64, lang: Lang) -> String {
    if bytes < 1_000_000 {
        return format!("{}\u{a0}kB", count(bytes.div_ceil(1000)));
    }
    let tenths = bytes.saturating_add(50_000) / 100_000;
    let separator = match lang {
        Lang::Sv => ',',
        Lang::En => '.',
    };
    format!("{}{separator}{}\u{a0}MB", count(tenths / 10), tenths % 10)
}

fn localise(text: &str, lang: Lang) -> String {
    let text = text.replace('-', "−");
    match lang {
        Lang::Sv => text.replace('.', ","),
        Lang::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_marks_decimals() {
        assert_eq!(number(1234567.891, 1, Lang::En), "1,234,567.9");
        assert_eq!(number(1234567.891, 1, Lang::Sv), "1\u{a0}234\u{a0}567,9");
        assert_eq!(number(-1500.0, 0, Lang::En), "−1,500");
        assert_eq!(number(-0.0001, 2, Lang::En), "0.00");
        assert_eq!(number(999.0, 0, Lang::En), "999");
        assert_eq!(number(1e300, 0, Lang::En), "1.00e300");
        assert_eq!(number(f64::NAN, 0, Lang::En), "–");
        assert_eq!(short(0.123456, Lang::En), "0.1235");
        assert_eq!(short(2010.0, Lang::Sv), "2\u{a0}010");
        assert_eq!(grouped(2010.0, 0, Lang::Sv, false), "2010");
        assert_eq!(short(12.5, Lang::Sv), "12,5");
    }

    #[test]
    fn counts_and_sizes() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12_345), "12\u{202f}345");
        assert_eq!(
            count(u64::MAX),
            "18\u{202f}446\u{202f}744\u{202f}073\u{202f}709\u{202f}551\u{202f}615"
        );
        assert_eq!(size(0, Lang::En), "0\u{a0}kB");
        assert_eq!(size(1, Lang::En), "1\u{a0}kB");
        assert_eq!(size(88_000, Lang::Sv), "88\u{a0}kB");
        assert_eq!(size(1_250_000, Lang::Sv), "1,3\u{a0}MB");
        assert_eq!(size(1_250_000, Lang::En), "1.3\u{a0}MB");
        assert!(size(u64::MAX, Lang::En).ends_with("MB"));
    }
}
