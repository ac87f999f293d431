//! Reading ordered bands such as `18-24`, `55+`, `<30k`, `Under $25,000`, `$50,000 to $74,999`,
//! `10+ years` or `Less than 1 year`, and placing them on a number line.
//!
//! # Reading a band
//! A label is read case-insensitively into numbers, symbols and words. Numbers may carry thousands
//! separators, a currency symbol, a `%` sign and a multiplier suffix (`30k` = 30,000, `2m`/`2mm` =
//! 2,000,000, `1bn` = 10⁹). En and em dashes count as `-`. Time units convert to years (`6 months` = 0.5,
//! `2 weeks` = 2/52, `90 days` = 90/365); other words that are not part of a pattern (`years`, `old`,
//! `employees`, `per`, …) are ignored. The remaining shape must be one of:
//!
//! | shape | examples | band |
//! |---|---|---|
//! | `a - b`, `a to b`, `between a and b`, `from a to b` | `18-24`, `25–34`, `$50,000 to $74,999`, `1-2 years` | [a, b] (a ≤ b) |
//! | `a+`, `a plus`, `a or more`, `a and over`, `a and above`, `a or older`, `over a`, `more than a`, `above a`, `>a`, `≥a`, `at least a` | `55+`, `65 and over`, `10+ years` | [a, ∞) |
//! | `<a`, `≤a`, `under a`, `less than a`, `below a`, `fewer than a`, `up to a`, `at most a`, `a or less`, `a and under`, `a or younger` | `<30k`, `Under $25,000`, `Less than 1 year` | (−∞, a] |
//! | `a`, `-a` | `3`, `0` | the point a |
//!
//! # Positions
//! A closed band sits at its midpoint and a point at itself. An open band extends outward by the width of
//! its nearest bounded neighbour: `a+` sits at a + w/2 where w is the width (b − a) of the bounded level
//! with the largest position below a (so `65+` after `55-64` sits at 69.5, the same distance above 65 as
//! 59.5 is above 55); `<a` sits at a − w/2 where w is the width of the bounded level with the smallest
//! position above a (`<30k` before `30k-50k` sits at 20,000). When that would cross zero for a positive
//! bound, `<a` sits at a/2 instead. With no bounded neighbour (or a point as neighbour, width 0) an open
//! band sits at its bound (`3+` after `0, 1, 2` sits at 3).

/// A band read from a label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Band {
    /// A single value.
    Point(f64),
    /// Both ends bounded, low ≤ high.
    Closed(f64, f64),
    /// Bounded below only.
    AtLeast(f64),
    /// Bounded above only.
    AtMost(f64),
}

impl Band {
    /// Whether this is a range rather than a plain number.
    pub fn is_range(self) -> bool {
        !matches!(self, Band::Point(_))
    }

    /// A key that orders bands with equal positions deterministically.
    fn low_key(self) -> f64 {
        match self {
            Band::Point(a) | Band::Closed(a, _) | Band::AtLeast(a) => a,
            Band::AtMost(_) => f64::NEG_INFINITY,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Symbol(char),
    Word(String),
}

const KEYWORDS: &[&str] = &[
    "to", "and", "or", "between", "from", "more", "less", "than", "over", "under", "above",
    "below", "plus", "up", "older", "younger", "fewer", "at", "least", "most", "greater", "higher",
    "lower",
];

/// Reads `text` as a band; `None` when it has none of the shapes in the module docs.
pub fn parse_band(text: &str) -> Option<Band> {
    let mut tokens = tokenize(&text.trim().to_lowercase())?;
    let mut scale = 1.0;
    tokens.retain(|token| match token {
        Token::Word(word) => {
            if let Some(unit) = time_unit(word) {
                scale = unit;
            }
            KEYWORDS.contains(&word.as_str())
        }
        _ => true,
    });
    let mut numbers = Vec::with_capacity(2);
    let mut shape = String::new();
    for token in &tokens {
        if !shape.is_empty() {
            shape.push(' ');
        }
        match token {
            Token::Number(value) => {
                numbers.push(value * scale);
                shape.push('N');
            }
            Token::Symbol(symbol) => shape.push(*symbol),
            Token::Word(word) => shape.push_str(word),
        }
    }
    let band = match shape.as_str() {
        "N" => Band::Point(numbers[0]),
        "- N" => Band::Point(-numbers[0]),
        "N - N" | "N to N" | "between N and N" | "from N to N" => {
            let (low, high) = (numbers[0], numbers[1]);
            if low > high {
                return None;
            }
            Band::Closed(low, high)
        }
        "N +" | "N plus" | "N or more" | "N and more" | "N and over" | "N or over"
        | "N and above" | "N or above" | "N or older" | "N and older" | "N and up"
        | "N or higher" | "N and higher" | "N or greater" | "N + or more" | "> N" | "> = N"
        | "≥ N" | "over N" | "more than N" | "above N" | "greater than N" | "at least N" => {
            Band::AtLeast(numbers[0])
        }
        "< N" | "< = N" | "≤ N" | "under N" | "less than N" | "below N" | "fewer than N"
        | "up to N" | "at most N" | "N or less" | "N and less" | "N or under" | "N and under"
        | "N or below" | "N and below" | "N or younger" | "N and younger" | "N or fewer"
        | "N or lower" => Band::AtMost(numbers[0]),
        _ => return None,
    };
    Some(band)
}

fn time_unit(word: &str) -> Option<f64> {
    match word {
        "year" | "years" | "yr" | "yrs" => Some(1.0),
        "month" | "months" | "mo" | "mos" => Some(1.0 / 12.0),
        "week" | "weeks" | "wk" | "wks" => Some(1.0 / 52.0),
        "day" | "days" => Some(1.0 / 365.0),
        _ => None,
    }
}

fn tokenize(s: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = s
        .chars()
        .map(|c| match c {
            '–' | '—' | '‒' | '−' => '-',
            c => c,
        })
        .collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || matches!(c, '$' | '€' | '£' | '¥' | '%') {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            if i > 0 && chars[i - 1].is_alphabetic() {
                return None; // "q1", "a1": a code, not a number
            }
            let (value, next) = read_number(&chars, i)?;
            let mut end = next;
            while end < chars.len() && chars[end].is_alphabetic() {
                end += 1;
            }
            let suffix: String = chars[next..end].iter().collect();
            let multiplier = match suffix.as_str() {
                "e" => return None, // exponent notation, a number not a band
                "" => 1.0,
                "k" => 1e3,
                "m" | "mm" | "mn" => 1e6,
                "b" | "bn" => 1e9,
                _ => {
                    tokens.push(Token::Number(value));
                    tokens.push(Token::Word(suffix));
                    i = end;
                    continue;
                }
            };
            tokens.push(Token::Number(value * multiplier));
            i = end;
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else if matches!(c, '-' | '+' | '<' | '>' | '=' | '≤' | '≥') {
            tokens.push(Token::Symbol(c));
            i += 1;
        } else {
            return None;
        }
    }
    Some(tokens)
}

/// Digits with optional `,ddd` groups and a `.ddd` fraction, starting at `start`.
fn read_number(chars: &[char], start: usize) -> Option<(f64, usize)> {
    let mut digits = String::new();
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            digits.push(c);
            i += 1;
        } else if c == ','
            && chars.len() >= i + 4
            && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            i += 1;
        } else if c == '.'
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && !digits.contains('.')
        {
            digits.push('.');
            i += 1;
        } else {
            break;
        }
    }
    let value: f64 = digits.parse().ok()?;
    value.is_finite().then_some((value, i))
}

/// The position of each band on the number line (see the module docs).
pub fn positions(bands: &[Band]) -> Vec<f64> {
    let bounded: Vec<(f64, f64)> = bands
        .iter()
        .filter_map(|band| match *band {
            Band::Point(a) => Some((a, 0.0)),
            Band::Closed(a, b) => Some(((a + b) / 2.0, b - a)),
            _ => None,
        })
        .collect();
    bands
        .iter()
        .map(|band| match *band {
            Band::Point(a) => a,
            Band::Closed(a, b) => (a + b) / 2.0,
            Band::AtLeast(a) => {
                let width = bounded
                    .iter()
                    .filter(|(position, _)| *position < a)
                    .max_by(|x, y| x.0.total_cmp(&y.0))
                    .map_or(0.0, |&(_, width)| width);
                a + width / 2.0
            }
            Band::AtMost(a) => {
                let width = bounded
                    .iter()
                    .filter(|(position, _)| *position > a)
                    .min_by(|x, y| x.0.total_cmp(&y.0))
                    .map_or(0.0, |&(_, width)| width);
                let position = a - width / 2.0;
                if a > 0.0 && position < 0.0 {
                    a / 2.0
                } else {
                    position
                }
            }
        })
        .collect()
}

/// Orders bands by position, then lower bound (open-below first), for a deterministic level order.
pub fn compare(a: (Band, f64), b: (Band, f64)) -> std::cmp::Ordering {
    a.1.total_cmp(&b.1)
        .then(a.0.low_key().total_cmp(&b.0.low_key()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Band::*;

    #[test]
    fn reads_every_documented_pattern() {
        let cases = [
            ("18-24", Closed(18.0, 24.0)),
            ("25–34", Closed(25.0, 34.0)),
            ("25 — 34", Closed(25.0, 34.0)),
            ("55+", AtLeast(55.0)),
            ("65 and over", AtLeast(65.0)),
            ("65 years and over", AtLeast(65.0)),
            ("<30k", AtMost(30_000.0)),
            ("Under $25,000", AtMost(25_000.0)),
            ("$50,000 to $74,999", Closed(50_000.0, 74_999.0)),
            ("$50,000 - $74,999 per year", Closed(50_000.0, 74_999.0)),
            ("10+ years", AtLeast(10.0)),
            ("1-2 years", Closed(1.0, 2.0)),
            ("Less than 1 year", AtMost(1.0)),
            ("between 5 and 10", Closed(5.0, 10.0)),
            (">= 100", AtLeast(100.0)),
            ("≤ 5", AtMost(5.0)),
            ("6 months", Point(0.5)),
            ("Over 1M", AtLeast(1e6)),
            ("3", Point(3.0)),
            ("3 or more", AtLeast(3.0)),
            ("1,000-4,999 employees", Closed(1000.0, 4999.0)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_band(text), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn rejects_labels_that_are_not_bands() {
        for text in [
            "",
            "Retail",
            "Q1",
            "high",
            "24-18",
            "2024-03-01",
            "18-24 (young)",
            "a1",
            "555-123-4567",
            "1/2",
            "1e-5",
            "2.5E-1",
        ] {
            assert_eq!(parse_band(text), None, "{text:?}");
        }
    }

    #[test]
    fn open_bands_extend_by_the_neighbouring_width() {
        let bands = [
            AtMost(18.0),
            Closed(18.0, 24.0),
            Closed(25.0, 34.0),
            Closed(55.0, 64.0),
            AtLeast(65.0),
        ];
        assert_eq!(positions(&bands), vec![15.0, 21.0, 29.5, 59.5, 69.5]);
        let income = [
            AtMost(30_000.0),
            Closed(30_000.0, 50_000.0),
            AtLeast(50_000.0),
        ];
        assert_eq!(positions(&income), vec![20_000.0, 40_000.0, 60_000.0]);
        let tenure = [
            AtMost(1.0),
            Closed(1.0, 2.0),
            Closed(3.0, 5.0),
            AtLeast(10.0),
        ];
        assert_eq!(positions(&tenure), vec![0.5, 1.5, 4.0, 11.0]);
    }

    #[test]
    fn open_bands_without_a_bounded_neighbour_sit_at_their_bound() {
        let bands = [Point(0.0), Point(1.0), Point(2.0), AtLeast(3.0)];
        assert_eq!(positions(&bands), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(positions(&[AtLeast(55.0)]), vec![55.0]);
        // a positive upper bound never moves below zero
        assert_eq!(positions(&[AtMost(1.0), Closed(1.0, 10.0)]), vec![0.5, 5.5]);
    }
}
