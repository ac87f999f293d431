//! Reading calendar dates as days since 1970-01-01.
//!
//! Formats (a column uses one; see [`DateFormat`]): ISO `2024-03-01` or `2024/03/01`, US `03/01/2024`,
//! day-first `01/03/2024`, dotted day-first `1.3.2024`, and compact `20240301` (exactly eight digits, a
//! year from 1900 to 2100). Years have four digits; month and day one or two (two in compact dates). A time of day after the date (`2024-03-01T10:30:00`, `03/01/2024 10:30`) is accepted and ignored.
//! Impossible dates (`2023-02-29`, month 13) are not dates.

use serde::{Deserialize, Serialize};

/// How a column writes its dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// `2024-03-01`, `2024/03/01`
    Iso,
    /// `03/01/2024` is 1 March (month first, as in the US).
    MonthDayYear,
    /// `01/03/2024` is 1 March (day first).
    DayMonthYear,
    /// `1.3.2024` is 1 March.
    DottedDayMonthYear,
    /// `20240301` is 1 March (`YYYYMMDD`, years 1900–2100). Not in [`DateFormat::ALL`]: eight digits are
    /// also a number, so a column is only read this way when *every* present value is such a date.
    Compact,
}

impl DateFormat {
    /// All formats, in the order preferred when several read a column equally well.
    pub const ALL: [DateFormat; 4] = [
        DateFormat::Iso,
        DateFormat::MonthDayYear,
        DateFormat::DayMonthYear,
        DateFormat::DottedDayMonthYear,
    ];
}

/// Years a compact `YYYYMMDD` date may have: outside them, eight digits are taken for a number.
pub const COMPACT_YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;

/// Days since 1970-01-01 of `text` under `format`; `None` when it is not such a date.
pub fn parse_date(text: &str, format: DateFormat) -> Option<f64> {
    let s = super::trim::trim(text);
    if format == DateFormat::Compact {
        return parse_compact(s);
    }
    let date = match s.find(['T', ' ']) {
        Some(at) => {
            let time = &s[at + 1..];
            if !time.starts_with(|c: char| c.is_ascii_digit()) || !time.contains(':') {
                return None;
            }
            &s[..at]
        }
        None => s,
    };
    let (separators, order): (&[char], [usize; 3]) = match format {
        // order = indexes of (year, month, day) among the three parts
        DateFormat::Iso => (&['-', '/'], [0, 1, 2]),
        DateFormat::MonthDayYear => (&['/'], [2, 0, 1]),
        DateFormat::DayMonthYear => (&['/'], [2, 1, 0]),
        DateFormat::DottedDayMonthYear => (&['.'], [2, 1, 0]),
        DateFormat::Compact => unreachable!("read by parse_compact"),
    };
    let separator = date.chars().find(|c| separators.contains(c))?;
    let parts: Vec<&str> = date.split(separator).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (year, month, day) = (parts[order[0]], parts[order[1]], parts[order[2]]);
    if year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return None;
    }
    let (year, month, day): (i64, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) as f64)
}

/// `YYYYMMDD` with a year in [`COMPACT_YEARS`].
fn parse_compact(s: &str) -> Option<f64> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, month, day): (i64, u32, u32) = (
        s[..4].parse().ok()?,
        s[4..6].parse().ok()?,
        s[6..].parse().ok()?,
    );
    if !COMPACT_YEARS.contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) as f64)
}

/// The ISO text (`2024-03-01`) of a day counted from 1970-01-01 (the inverse of [`parse_date`] under
/// [`DateFormat::Iso`]).
pub fn iso_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use DateFormat::*;

    #[test]
    fn known_days_since_the_epoch() {
        assert_eq!(parse_date("1970-01-01", Iso), Some(0.0));
        assert_eq!(parse_date("1969-12-31", Iso), Some(-1.0));
        assert_eq!(parse_date("2000-03-01", Iso), Some(11_017.0));
        // 2024-03-01: 54 years with 13 leap days to 2024-01-01 (19_723), + 31 + 29.
        assert_eq!(parse_date("2024-03-01", Iso), Some(19_783.0));
        assert_eq!(parse_date("2024/03/01", Iso), Some(19_783.0));
        assert_eq!(parse_date("2024-03-01T10:30:00Z", Iso), Some(19_783.0));
    }

    #[test]
    fn each_format_reads_first_of_march_2024() {
        assert_eq!(parse_date("03/01/2024", MonthDayYear), Some(19_783.0));
        assert_eq!(parse_date("3/1/2024 10:30", MonthDayYear), Some(19_783.0));
        assert_eq!(parse_date("01/03/2024", DayMonthYear), Some(19_783.0));
        assert_eq!(parse_date("1.3.2024", DottedDayMonthYear), Some(19_783.0));
    }

    #[test]
    fn rejects_impossible_dates_and_other_text() {
        for (text, format) in [
            ("2023-02-29", Iso),
            ("2024-13-01", Iso),
            ("2024-04-31", Iso),
            ("13/01/2024", MonthDayYear),
            ("01/13/2024", DayMonthYear),
            ("24-03-01", Iso),
            ("2024-03", Iso),
            ("1.5", DottedDayMonthYear),
            ("18-24", Iso),
            ("2024-03-01 lunch", Iso),
            ("hello", Iso),
        ] {
            assert_eq!(parse_date(text, format), None, "{text:?} as {format:?}");
        }
        assert_eq!(parse_date("2024-02-29", Iso), Some(19_782.0));
    }

    #[test]
    fn compact_dates_read_only_as_plausible_eight_digit_dates() {
        assert_eq!(parse_date("20240301", Compact), Some(19_783.0));
        assert_eq!(parse_date(" 19970101 ", Compact), Some(9_862.0));
        for text in [
            "20230229",
            "20241301",
            "20240100",
            "18991231",
            "21010101",
            "2024031",
            "202403011",
            "2024-03-01",
            "1234567a",
        ] {
            assert_eq!(parse_date(text, Compact), None, "{text:?}");
        }
        // Compact is never tried by the separated formats.
        assert!(DateFormat::ALL
            .iter()
            .all(|&f| parse_date("20240301", f).is_none()));
    }

    #[test]
    fn iso_date_inverts_parse_date() {
        for text in [
            "1970-01-01",
            "1969-12-31",
            "2000-02-29",
            "2024-03-01",
            "1997-01-01",
        ] {
            let days = parse_date(text, Iso).unwrap() as i64;
            assert_eq!(iso_date(days), text);
        }
    }
}
