//! Numbers and sizes for people, in Swedish or English: a chart's ticks
//! (grouped thousands, the language's decimal mark, as many decimals as
//! the tick step needs), a column's values (as many decimals as the
//! column needs, [`decimals_for`]), tooltips and notes (four significant
//! digits), counts of rows and sizes of files. The one place the page, the
//! worker's charts and insights, and the command line format a number for
//! reading. Swedish groups thousands with a narrow no-break space (U+202F)
//! and marks decimals with a comma (`1 909,69`); English with a comma and
//! a point (`1,909.69`). Exports never pass through here: they keep every
//! digit.

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
        Lang::Sv => ('\u{202f}', ','),
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

/// The most decimals a column's values are shown with.
pub const MAX_DECIMALS: usize = 6;

/// How many values of a column [`decimals_for`] looks at (spread over it).
pub const PRECISION_SAMPLE: usize = 10_000;

/// The decimals to show a column's values with, chosen from the values:
/// the fewest that write each value exactly, when there are at most
/// [`MAX_DECIMALS`] (money, shares, integers stored as floats: float noise
/// such as `1909.6899999999996` is shown `1909.69`); otherwise the fewest
/// that tell the values apart, and at least three significant digits of a
/// typical value, at most [`MAX_DECIMALS`]. Missing and infinite values are
/// left out. Looks at all values, or at [`PRECISION_SAMPLE`] of them at
/// scattered places when there are more (a regular stride could meet only
/// the whole numbers of a column of quarters).
pub fn decimals_for(values: &[f64]) -> usize {
    let mut sample: Vec<f64> = if values.len() <= PRECISION_SAMPLE {
        values.to_vec()
    } else {
        (0..PRECISION_SAMPLE as u64)
            .map(|k| values[(scatter(k) % values.len() as u64) as usize])
            .collect()
    };
    sample.retain(|v| v.is_finite());
    if sample.is_empty() {
        return 0;
    }
    let rounded = |v: f64, d: usize| {
        let scale = 10f64.powi(d as i32);
        (v * scale).round() / scale
    };
    // Exact: each value is its rounding, up to the last bits of a float.
    let exact = (0..=MAX_DECIMALS).find(|&d| {
        sample
            .iter()
            .all(|&v| (rounded(v, d) - v).abs() <= 1e-9 * v.abs().max(1.0))
    });
    if let Some(d) = exact {
        return d;
    }
    sample.sort_by(f64::total_cmp);
    sample.dedup();
    let distinct = sample.len();
    let apart = (0..=MAX_DECIMALS)
        .find(|&d| {
            let mut shown: Vec<f64> = sample.iter().map(|&v| rounded(v, d)).collect();
            shown.dedup();
            shown.len() == distinct
        })
        .unwrap_or(MAX_DECIMALS);
    // Three significant digits of the median magnitude.
    let mut magnitudes: Vec<f64> = sample.iter().map(|v| v.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let typical = magnitudes[magnitudes.len() / 2];
    let significant = if typical > 0.0 {
        (2 - typical.log10().floor() as i64).clamp(0, MAX_DECIMALS as i64) as usize
    } else {
        0
    };
    apart.max(significant).min(MAX_DECIMALS)
}

/// A well-mixed function of `k` (SplitMix64's finaliser).
pub(crate) fn scatter(k: u64) -> u64 {
    let mut z = k.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
        assert_eq!(
            number(1234567.891, 1, Lang::Sv),
            "1\u{202f}234\u{202f}567,9"
        );
        assert_eq!(number(-1500.0, 0, Lang::En), "−1,500");
        assert_eq!(number(-0.0001, 2, Lang::En), "0.00");
        assert_eq!(number(999.0, 0, Lang::En), "999");
        assert_eq!(number(1e300, 0, Lang::En), "1.00e300");
        assert_eq!(number(f64::NAN, 0, Lang::En), "–");
        assert_eq!(short(0.123456, Lang::En), "0.1235");
        assert_eq!(short(2010.0, Lang::Sv), "2\u{202f}010");
        assert_eq!(grouped(2010.0, 0, Lang::Sv, false), "2010");
        assert_eq!(short(12.5, Lang::Sv), "12,5");
    }

    #[test]
    fn both_locales_at_every_size() {
        assert_eq!(number(1909.69, 2, Lang::Sv), "1\u{202f}909,69");
        assert_eq!(number(1909.69, 2, Lang::En), "1,909.69");
        assert_eq!(number(-1909.69, 2, Lang::Sv), "−1\u{202f}909,69");
        assert_eq!(number(-0.5, 1, Lang::En), "−0.5");
        assert_eq!(
            number(12_345_678_901.0, 0, Lang::Sv),
            "12\u{202f}345\u{202f}678\u{202f}901"
        );
        assert_eq!(number(2.5e-9, 2, Lang::Sv), "2,50e−9");
        assert_eq!(number(4.2e17, 0, Lang::En), "4.20e17");
        assert_eq!(number(f64::INFINITY, 0, Lang::Sv), "∞");
    }

    #[test]
    fn a_column_gets_the_decimals_it_needs() {
        // Float noise of a subtraction: the exact two decimals.
        assert_eq!(decimals_for(&[1909.6899999999996, 1655.0500000000002]), 2);
        assert_eq!(number(1909.6899999999996, 2, Lang::Sv), "1\u{202f}909,69");
        // Integers stored as floats.
        assert_eq!(decimals_for(&[2010.0, 2024.0, -3.0]), 0);
        // Values that differ only in the fourth decimal.
        let close = [0.1234, 0.1235, 0.1236, 0.1231];
        assert_eq!(decimals_for(&close), 4);
        // A measured ratio: three significant digits, no more than the
        // values need to be told apart.
        let ratios = [96.161_795_673_2, 12.345_678_91, 50.012_345_67];
        assert_eq!(decimals_for(&ratios), 1);
        // Tiny values keep three significant digits, up to the cap.
        assert_eq!(
            decimals_for(&[0.000_123_456_7, 0.000_234_567_8]),
            MAX_DECIMALS
        );
        // Missing and infinite values are left out; none at all: 0.
        assert_eq!(decimals_for(&[f64::NAN, 1.5, f64::INFINITY]), 1);
        assert_eq!(decimals_for(&[f64::NAN]), 0);
        assert_eq!(decimals_for(&[]), 0);
        // Values that only the seventh decimal tells apart: capped.
        assert_eq!(decimals_for(&[1.000_000_1, 1.000_000_2]), MAX_DECIMALS);
        // A million values: a sample of them.
        let many: Vec<f64> = (0..1_000_000).map(|i| i as f64 / 4.0).collect();
        assert_eq!(decimals_for(&many), 2);
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
