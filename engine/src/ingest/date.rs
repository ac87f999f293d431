//! Reading calendar dates as days since 1970-01-01.
//!
//! Formats (a column uses one; see [`DateFormat`]): ISO `2024-03-01` or `2024/03/01`, US `03/01/2024`,
//! day-first `01/03/2024`, and dotted day-first `1.3.2024`. Years have four digits; month and day one or
//! two. A time of day after the date (`2024-03-01T10:30:00`, `03/01/2024 10:30`) is accepted and ignored.
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

/// Days since 1970-01-01 of `text` under `format`; `None` when it is not such a date.
pub fn parse_date(text: &str, format: DateFormat) -> Option<f64> {
    let s = text.trim();
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
}
