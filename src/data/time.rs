//! Timestamps as text, written by the lab rather than arrow's display,
//! which reads a named time zone ("Europe/Stockholm", even "UTC") only with
//! the tz database compiled in and otherwise shows nothing at all.
//!
//! A value is shown as the instant it holds, in ISO 8601:
//!
//! - without a zone, as the wall-clock time it stores: `2024-03-31T02:30:00`;
//! - with a fixed offset (`+01:00`), in that offset: `2024-03-31T01:30:00+01:00`;
//! - with a named zone, in UTC: `2024-03-31T00:30:00Z`. The zone's rules
//!   (daylight saving, history) are not in the lab, so it never guesses a
//!   local time; the column's type names the zone. Where the platform has
//!   the rules (the browser's `Intl`, given to [`set_zone_rules`] by the
//!   worker), the page shows the local time with its offset instead
//!   ([`format_shown`]: `2024-03-31T01:30:00+01:00`); exports, join keys and
//!   pivot names keep the UTC text, so the browser and the command line
//!   write the same bytes.
//!
//! Fractions of a second are shown when there are any, with the digits of
//! the column's unit. Exports write the same text, so the browser and the
//! command line agree byte for byte.

use std::sync::OnceLock;

use arrow::datatypes::TimeUnit;

/// A platform's rules for named zones: the offset in seconds east of UTC
/// of zone `name` at `utc_seconds`, or `None` for a zone it does not know.
pub type ZoneRules = fn(name: &str, utc_seconds: i64) -> Option<i32>;

static RULES: OnceLock<ZoneRules> = OnceLock::new();

/// Gives the lab a platform's zone rules (once; later calls are ignored).
pub fn set_zone_rules(rules: ZoneRules) {
    let _ = RULES.set(rules);
}

/// A timestamp as the page shows it: a named zone's values in its local
/// time with the offset, when the platform's rules know the zone and the
/// offset is a sane one; otherwise as [`format`] writes it.
pub fn format_shown(value: i64, unit: TimeUnit, zone: Option<&str>) -> String {
    let parsed = Zone::parse(zone);
    if let (Some(name), Some(rules)) = (zone, RULES.get())
        && offset_seconds(name.trim()).is_none()
        && let Some(offset) = rules(name.trim(), value.div_euclid(per_second(unit)))
        && offset.abs() < 86_400
    {
        return format(value, unit, Zone::Offset(offset));
    }
    format(value, unit, parsed)
}

/// The zone of a timestamp column, as far as the lab applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// No zone: the wall-clock time as stored.
    Naive,
    /// A fixed offset from UTC in seconds; 0 is shown as `Z`.
    Offset(i32),
}

impl Zone {
    /// The zone for a column's time zone string: offsets (`+01:00`,
    /// `-0530`, `+05`) and UTC's names apply; any other name is shown in
    /// UTC.
    pub fn parse(zone: Option<&str>) -> Zone {
        let Some(zone) = zone.map(str::trim) else {
            return Zone::Naive;
        };
        Zone::Offset(offset_seconds(zone).unwrap_or(0))
    }
}

/// Seconds east of UTC for an offset string, `None` for a name.
fn offset_seconds(zone: &str) -> Option<i32> {
    if ["UTC", "Z", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Zulu"]
        .iter()
        .any(|name| zone.eq_ignore_ascii_case(name))
    {
        return Some(0);
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Units per second.
fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// The digits of a fraction of a second in `unit`.
fn fraction_digits(unit: TimeUnit) -> usize {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// The civil date of a day count from 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's algorithm), exact for every i64 day count that fits.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A timestamp `value` in `unit` as ISO 8601 text in `zone`.
pub fn format(value: i64, unit: TimeUnit, zone: Zone) -> String {
    let per = per_second(unit);
    let offset = match zone {
        Zone::Naive => 0,
        Zone::Offset(seconds) => i64::from(seconds),
    };
    let seconds = value.div_euclid(per).saturating_add(offset);
    let fraction = value.rem_euclid(per);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut text = if (0..=9999).contains(&year) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:+}-{month:02}-{day:02}")
    };
    text.push_str(&format!(
        "T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    ));
    if fraction != 0 {
        text.push_str(&format!(
            ".{fraction:0width$}",
            width = fraction_digits(unit)
        ));
    }
    match zone {
        Zone::Naive => {}
        Zone::Offset(0) => text.push('Z'),
        Zone::Offset(seconds) => {
            let sign = if seconds < 0 { '-' } else { '+' };
            let minutes = seconds.unsigned_abs() / 60;
            text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
        }
    }
    text
}

/// Days from 1970-01-01 to a civil date (the inverse of
/// [`civil_from_days`]).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An instant written as a filter's value: `2024-03-31`,
/// `2024-03-31T02:30`, `2024-03-31 02:30:00.5`, with an optional `Z` or
/// offset (`+01:00`). Without one it is read as the column shows its
/// values (see the module documentation): wall-clock time for a column
/// without a zone, the column's offset, or UTC for a named zone. Returns
/// the value in `unit`, or `None` when the text is not such an instant or
/// does not fit.
pub fn parse_instant(text: &str, unit: TimeUnit, zone: Zone) -> Option<i64> {
    let text = text.trim();
    // Ten bytes of date; text that is not ASCII there is no instant.
    let (date, rest) = text.split_at_checked(10).unwrap_or((text, ""));
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if date.len() != 10 || !(1..=12).contains(&month) || day == 0 || day > 31 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None; // 2023-02-30
    }
    // The zone suffix, then the time of day.
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, Some(0))
    } else if let Some(at) = rest.rfind(['+', '-']).filter(|&at| at >= 5) {
        (&rest[..at], Some(offset_seconds(&rest[at..])?))
    } else {
        (rest, None)
    };
    let (mut seconds, mut nanos) = (0i64, 0i64);
    if !clock.is_empty() {
        let (whole, fraction) = clock.split_once('.').unwrap_or((clock, ""));
        let hms: Vec<&str> = whole.split(':').collect();
        if !(2..=3).contains(&hms.len()) || hms.iter().any(|p| p.len() != 2) {
            return None;
        }
        let field = |i: usize, max: i64| -> Option<i64> {
            let v: i64 = hms.get(i).map_or(Some(0), |p| p.parse().ok())?;
            (0..=max).contains(&v).then_some(v)
        };
        seconds = field(0, 23)? * 3600 + field(1, 59)? * 60 + field(2, 59)?;
        if !fraction.is_empty() {
            if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            nanos = format!("{fraction:0<9}").parse().ok()?;
        }
    }
    let shown_offset = match zone {
        Zone::Naive => 0,
        Zone::Offset(s) => i64::from(s),
    };
    let offset = offset.map_or(shown_offset, i64::from);
    // A naive column holds wall-clock times: a written offset is ignored
    // only when it is the column's own way of showing them (none).
    let utc = days
        .checked_mul(86_400)?
        .checked_add(seconds)?
        .checked_sub(if zone == Zone::Naive && offset == 0 {
            0
        } else {
            offset
        })?;
    let per = per_second(unit);
    utc.checked_mul(per)?
        .checked_add(nanos / (1_000_000_000 / per))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_the_epoch_and_leap_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    }

    #[test]
    fn zones_show_the_instant_in_their_offset_or_utc() {
        // 2024-03-31T00:30:00Z in milliseconds.
        let ms = 1_711_845_000_000;
        let unit = TimeUnit::Millisecond;
        assert_eq!(format(ms, unit, Zone::Naive), "2024-03-31T00:30:00");
        assert_eq!(
            format(ms, unit, Zone::parse(Some("UTC"))),
            "2024-03-31T00:30:00Z"
        );
        assert_eq!(
            format(ms, unit, Zone::parse(Some("+01:00"))),
            "2024-03-31T01:30:00+01:00"
        );
        assert_eq!(
            format(ms, unit, Zone::parse(Some("-0530"))),
            "2024-03-30T19:00:00-05:30"
        );
        assert_eq!(
            format(ms, unit, Zone::parse(Some("Europe/Stockholm"))),
            "2024-03-31T00:30:00Z"
        );
        assert_eq!(format(ms + 1, unit, Zone::Naive), "2024-03-31T00:30:00.001");
        assert_eq!(
            format(-1, TimeUnit::Nanosecond, Zone::Naive),
            "1969-12-31T23:59:59.999999999"
        );
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        for unit in [
            TimeUnit::Second,
            TimeUnit::Millisecond,
            TimeUnit::Microsecond,
            TimeUnit::Nanosecond,
        ] {
            for value in [i64::MIN, i64::MAX, 0] {
                for zone in [Zone::Naive, Zone::Offset(-86_340), Zone::Offset(86_340)] {
                    assert!(!format(value, unit, zone).is_empty());
                }
            }
        }
        assert!(format(i64::MAX, TimeUnit::Second, Zone::Naive).starts_with('+'));
    }

    #[test]
    fn instants_are_read_as_they_are_shown() {
        let ms = TimeUnit::Millisecond;
        let at = 1_711_845_000_000; // 2024-03-31T00:30:00Z
        let utc = Zone::Offset(0);
        assert_eq!(parse_instant("2024-03-31T00:30:00Z", ms, utc), Some(at));
        assert_eq!(parse_instant("2024-03-31 00:30", ms, utc), Some(at));
        assert_eq!(
            parse_instant("2024-03-31T01:30:00+01:00", ms, utc),
            Some(at)
        );
        // Without a suffix, in the column's own offset.
        assert_eq!(
            parse_instant("2024-03-31T01:30", ms, Zone::Offset(3600)),
            Some(at)
        );
        assert_eq!(
            parse_instant("2024-03-31T00:30:00.25", ms, Zone::Naive),
            Some(at + 250)
        );
        assert_eq!(
            parse_instant("2024-03-31", TimeUnit::Second, utc),
            Some(1_711_843_200)
        );
        // Every value the formatter writes reads back.
        for unit in [
            TimeUnit::Second,
            TimeUnit::Millisecond,
            TimeUnit::Microsecond,
            TimeUnit::Nanosecond,
        ] {
            for zone in [Zone::Naive, Zone::Offset(0), Zone::Offset(-19_800)] {
                for value in [0_i64, 1_711_845_000_123, -86_400_001] {
                    let value = (i128::from(value) * i128::from(per_second(unit)) / 1000) as i64;
                    assert_eq!(
                        parse_instant(&format(value, unit, zone), unit, zone),
                        Some(value),
                        "{unit:?} {zone:?} {value}"
                    );
                }
            }
        }
        for bad in [
            "",
            "2024",
            "2024-02-30",
            "2024-13-01",
            "2024-03-31T25:00",
            "2024-03-31T10",
            "2024-03-31T10:00:00.1234567891",
            "31/03/2024",
            "2024-03-31T10:00+99:00",
        ] {
            assert_eq!(parse_instant(bad, ms, utc), None, "{bad}");
        }
        assert_eq!(
            parse_instant("9999999-01-01", TimeUnit::Nanosecond, utc),
            None
        );
        // Text from a link: characters of several bytes anywhere.
        for odd in [
            "2024-03-3å",
            "åäö",
            "2024-03-31Tö",
            "2024-03-31T10:00+0å",
            "2024-03-31\u{1F600}",
        ] {
            assert_eq!(parse_instant(odd, ms, utc), None, "{odd}");
        }
    }

    #[test]
    fn named_zones_show_local_time_where_the_platform_has_rules() {
        let at = 1_711_845_000_000; // 2024-03-31T00:30:00Z
        let ms = TimeUnit::Millisecond;
        // Rules: Stockholm at +1 before 01:00Z that day, +2 after; nothing else.
        fn rules(name: &str, utc: i64) -> Option<i32> {
            (name == "Europe/Stockholm").then_some(if utc < 1_711_846_800 { 3600 } else { 7200 })
        }
        set_zone_rules(rules);
        assert_eq!(
            format_shown(at, ms, Some("Europe/Stockholm")),
            "2024-03-31T01:30:00+01:00"
        );
        assert_eq!(
            format_shown(at + 7_200_000, ms, Some("Europe/Stockholm")),
            "2024-03-31T04:30:00+02:00"
        );
        // An unknown zone, a fixed offset and no zone are as `format` writes them.
        assert_eq!(
            format_shown(at, ms, Some("Mars/Olympus")),
            "2024-03-31T00:30:00Z"
        );
        assert_eq!(
            format_shown(at, ms, Some("+01:00")),
            "2024-03-31T01:30:00+01:00"
        );
        assert_eq!(format_shown(at, ms, None), "2024-03-31T00:30:00");
        // The shown text reads back as the same instant.
        let shown = format_shown(at, ms, Some("Europe/Stockholm"));
        assert_eq!(parse_instant(&shown, ms, Zone::Offset(0)), Some(at));
    }

    #[test]
    fn odd_offsets_are_names() {
        assert_eq!(offset_seconds("+25:00"), None);
        assert_eq!(offset_seconds("+1"), None);
        assert_eq!(offset_seconds("+01:xx"), None);
        assert_eq!(offset_seconds("+"), None);
        assert_eq!(offset_seconds("ö"), None);
    }
}
