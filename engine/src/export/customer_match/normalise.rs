//! Normalisation of each identifier before hashing, following the platforms' published rules.
//!
//! | identifier | Google Customer Match | Meta custom audiences |
//! |---|---|---|
//! | e-mail | trim, lowercase; hashed | trim, lowercase; hashed |
//! | phone | E.164 with `+` (`+14155550100`); hashed | E.164 digits without `+` (`14155550100`); hashed |
//! | first name | lowercase, all whitespace removed; hashed | lowercase letters only (accents kept); hashed |
//! | last name | lowercase, whitespace and punctuation removed; hashed | lowercase letters only (accents kept); hashed |
//! | zip / postcode | as written (US: 5 digits), upper case; **not** hashed | lowercase, no spaces or dashes (US: 5 digits, UK: area/district/sector); hashed |
//! | country | ISO 3166-1 alpha-2, upper case; **not** hashed | ISO 3166-1 alpha-2, lower case; hashed |
//!
//! Choices where the platforms leave room:
//! - **Gmail dots**: Google asks to remove the dots before `@gmail.com` / `@googlemail.com` for enhanced
//!   conversions and Campaign Manager 360, not for Customer Match files, and Meta never does; it is an
//!   option ([`super::CustomerMatchOptions::gmail_remove_dots`]), off by default. `+tags` are never removed
//!   (neither platform documents it, and it would change the address).
//! - **Phones** without `+` or `00` are national numbers of the row's country (its country column, else the
//!   default country): the national (trunk) prefix is removed (`0` in most of Europe, `1` in North
//!   America, `8` in Russia) and the calling code added. A national number that already starts with the
//!   country's calling code at an international length is read as international. Lengths are checked
//!   against libphonenumber's shortest/longest national numbers; letters (`ext. 12`, vanity numbers) make
//!   a phone invalid rather than guessed.
//! - **US ZIP codes**: ZIP+4 keeps its first 5 digits; a 4-digit ZIP gets its leading zero back (spreadsheets
//!   drop it: `2134` → `02134`).
//! - Text is not Unicode-normalised (NFC); files are expected to be NFC, as almost all are.

use super::countries::{Country, COUNTRIES};
use super::Platform;

/// One normalised cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Normalised {
    /// Nothing there (empty or a missing-value marker).
    Empty,
    /// Present but not a usable identifier.
    Invalid,
    /// The normalised text, ready to hash (or to write as is).
    Valid(String),
}

/// Looks up a country by its ISO 3166-1 alpha-2 code (case-insensitive).
pub(crate) fn country_by_code(code: &str) -> Option<&'static Country> {
    let upper = code.to_ascii_uppercase();
    COUNTRIES
        .binary_search_by(|country| country.code.cmp(upper.as_str()))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// Common English names and three-letter codes accepted for a few countries, besides every alpha-2 code.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("america", "US"),
    ("aus", "AU"),
    ("australia", "AU"),
    ("brazil", "BR"),
    ("can", "CA"),
    ("canada", "CA"),
    ("deu", "DE"),
    ("england", "GB"),
    ("esp", "ES"),
    ("fra", "FR"),
    ("france", "FR"),
    ("gbr", "GB"),
    ("germany", "DE"),
    ("great britain", "GB"),
    ("india", "IN"),
    ("ireland", "IE"),
    ("irl", "IE"),
    ("ita", "IT"),
    ("italy", "IT"),
    ("japan", "JP"),
    ("mexico", "MX"),
    ("netherlands", "NL"),
    ("new zealand", "NZ"),
    ("nld", "NL"),
    ("northern ireland", "GB"),
    ("nzl", "NZ"),
    ("scotland", "GB"),
    ("spain", "ES"),
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("wales", "GB"),
];

/// Reads a country cell: an ISO alpha-2 code, or one of a few common names and alpha-3 codes.
pub(crate) fn country(raw: &str) -> Normalised {
    let text = raw.trim();
    if text.is_empty() {
        return Normalised::Empty;
    }
    let lower: String = text
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '.')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if lower.len() == 2 {
        if let Some(country) = country_by_code(&lower) {
            return Normalised::Valid(country.code.to_owned());
        }
    }
    let compact = lower.replace(' ', "");
    COUNTRY_ALIASES
        .iter()
        .find(|(name, _)| name.replace(' ', "") == compact)
        .map_or(Normalised::Invalid, |(_, code)| {
            Normalised::Valid((*code).to_owned())
        })
}

/// Normalises an e-mail address: trimmed, lower-cased, checked for one `@` between a local part and a
/// dotted domain, without spaces; Gmail dots removed when asked.
pub(crate) fn email(raw: &str, gmail_remove_dots: bool) -> Normalised {
    let text = raw.trim();
    if text.is_empty() {
        return Normalised::Empty;
    }
    let lower = text.to_lowercase();
    let Some((local, domain)) = lower.split_once('@') else {
        return Normalised::Invalid;
    };
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().count() >= 2);
    let text_ok = !local.is_empty()
        && local.len() <= 64
        && !lower.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"')
        });
    if !(domain_ok && text_ok) {
        return Normalised::Invalid;
    }
    if gmail_remove_dots && matches!(domain, "gmail.com" | "googlemail.com") {
        let local: String = local.chars().filter(|&c| c != '.').collect();
        if local.is_empty() {
            return Normalised::Invalid;
        }
        return Normalised::Valid(format!("{local}@{domain}"));
    }
    Normalised::Valid(lower)
}

/// The shortest and longest national number over the countries sharing a calling code.
fn lengths_for_calling_code(calling_code: u16) -> Option<(usize, usize)> {
    COUNTRIES
        .iter()
        .filter(|c| c.calling_code == calling_code)
        .fold(None, |range, c| {
            let (lo, hi) = (usize::from(c.min_length), usize::from(c.max_length));
            Some(range.map_or((lo, hi), |(a, b): (usize, usize)| (a.min(lo), b.max(hi))))
        })
}

/// Splits international digits (no `+`) into a known calling code and a national number of a valid
/// length. Calling codes are prefix-free, so at most one of the 1–3-digit prefixes is one.
fn split_international(digits: &str) -> Option<(u16, &str)> {
    (1..=3.min(digits.len())).find_map(|n| {
        let code: u16 = digits[..n].parse().ok()?;
        let (lo, hi) = lengths_for_calling_code(code)?;
        let national = &digits[n..];
        (lo..=hi)
            .contains(&national.len())
            .then_some((code, national))
    })
}

/// Normalises a phone number to E.164 digits (`14155550100`), using `country` for national numbers.
/// Returns the digits without `+`; the caller adds it for Google.
pub(crate) fn phone_digits(raw: &str, country: Option<&Country>) -> Normalised {
    let text = raw.trim();
    if text.is_empty() {
        return Normalised::Empty;
    }
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'))
    {
        return Normalised::Invalid;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Normalised::Invalid;
    }
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    if let Some(international) = international {
        return match split_international(international) {
            Some((code, national)) => Normalised::Valid(format!("{code}{national}")),
            None => Normalised::Invalid,
        };
    }
    let Some(country) = country else {
        return Normalised::Invalid;
    };
    let range = usize::from(country.min_length)..=usize::from(country.max_length);
    let code = country.calling_code.to_string();
    // A national number, with or without its trunk prefix.
    let national = match digits.strip_prefix(country.national_prefix) {
        Some(rest) if !country.national_prefix.is_empty() && range.contains(&rest.len()) => {
            Some(rest)
        }
        _ if range.contains(&digits.len()) => Some(digits.as_str()),
        _ => None,
    };
    if let Some(national) = national {
        return Normalised::Valid(format!("{code}{national}"));
    }
    // An international number written without `+`.
    match digits.strip_prefix(code.as_str()) {
        Some(rest) if range.contains(&rest.len()) => Normalised::Valid(digits),
        _ => Normalised::Invalid,
    }
}

/// Which name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NamePart {
    First,
    Last,
}

/// Normalises a first or last name for `platform`.
pub(crate) fn name(raw: &str, part: NamePart, platform: Platform) -> Normalised {
    let text = raw.trim();
    if text.is_empty() {
        return Normalised::Empty;
    }
    let lower = text.to_lowercase();
    let kept: String = match (platform, part) {
        (Platform::Google, NamePart::First) => {
            lower.chars().filter(|c| !c.is_whitespace()).collect()
        }
        (Platform::Google, NamePart::Last) => {
            lower.chars().filter(|c| c.is_alphanumeric()).collect()
        }
        (Platform::Meta, _) => lower.chars().filter(|c| c.is_alphabetic()).collect(),
    };
    if kept.chars().any(char::is_alphabetic) {
        Normalised::Valid(kept)
    } else {
        Normalised::Invalid
    }
}

/// Normalises a ZIP or postcode for `platform`, given the row's country code if known.
pub(crate) fn zip(raw: &str, country: Option<&str>, platform: Platform) -> Normalised {
    let text = raw.trim();
    if text.is_empty() {
        return Normalised::Empty;
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Normalised::Invalid;
    }
    let compact: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
    if !(2..=10).contains(&compact.len()) {
        return Normalised::Invalid;
    }
    match country {
        Some("US") => {
            if !compact.chars().all(|c| c.is_ascii_digit()) {
                return Normalised::Invalid;
            }
            match compact.len() {
                4 => Normalised::Valid(format!("0{compact}")),
                5 | 9 => Normalised::Valid(compact[..5].to_owned()),
                _ => Normalised::Invalid,
            }
        }
        Some("GB") if platform == Platform::Meta => {
            // Area/district/sector: the postcode without its last two letters (the unit).
            if !(5..=7).contains(&compact.len()) {
                return Normalised::Invalid;
            }
            Normalised::Valid(compact[..compact.len() - 2].to_ascii_lowercase())
        }
        _ => match platform {
            Platform::Google => Normalised::Valid(
                text.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_uppercase(),
            ),
            Platform::Meta => Normalised::Valid(compact.to_ascii_lowercase()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(text: &str) -> Normalised {
        Normalised::Valid(text.to_owned())
    }

    #[test]
    fn emails_are_trimmed_and_lowercased_and_checked() {
        assert_eq!(
            email("  Jane.Doe@Example.COM ", false),
            valid("jane.doe@example.com")
        );
        assert_eq!(
            email("Jo.Hn+ads@Gmail.com", false),
            valid("jo.hn+ads@gmail.com")
        );
        assert_eq!(
            email("Jo.Hn+ads@Gmail.com", true),
            valid("john+ads@gmail.com")
        );
        assert_eq!(
            email("a.b@googlemail.com", true),
            valid("ab@googlemail.com")
        );
        assert_eq!(email("a.b@example.com", true), valid("a.b@example.com"));
        assert_eq!(email("", false), Normalised::Empty);
        for bad in [
            "no-at-sign",
            "two@@example.com",
            "a@b",
            "a b@example.com",
            "@example.com",
            "a@example.c",
            "a@.com",
        ] {
            assert_eq!(email(bad, false), Normalised::Invalid, "{bad}");
        }
    }

    #[test]
    fn phones_become_e164_digits() {
        let us = country_by_code("US");
        let gb = country_by_code("gb");
        let it = country_by_code("IT");
        assert_eq!(phone_digits("(415) 555-0100", us), valid("14155550100"));
        assert_eq!(phone_digits("1-415-555-0100", us), valid("14155550100"));
        assert_eq!(phone_digits("+1 415 555 0100", None), valid("14155550100"));
        assert_eq!(phone_digits("001 415 555 0100", gb), valid("14155550100"));
        assert_eq!(phone_digits("020 7946 0958", gb), valid("442079460958"));
        assert_eq!(phone_digits("44 20 7946 0958", gb), valid("442079460958"));
        assert_eq!(
            phone_digits("+44 (0)20 7946 0958".replace("(0)", "").as_str(), None),
            valid("442079460958")
        );
        // Italy keeps the leading 0 of landlines.
        assert_eq!(phone_digits("06 6982 1234", it), valid("390669821234"));
        assert_eq!(phone_digits("", us), Normalised::Empty);
        // National numbers need a country; letters, short and overlong numbers are refused.
        for (bad, country) in [
            ("415 555 0100", None),
            ("555-CALL-NOW", us),
            ("415 555 0100 ext. 12", us),
            ("12345", us),
            ("+1 415 555 0100 99", None),
            ("+999 1234567", None),
            ("+", None),
        ] {
            assert_eq!(phone_digits(bad, country), Normalised::Invalid, "{bad}");
        }
    }

    #[test]
    fn names_follow_each_platforms_rules() {
        assert_eq!(
            name(" Mary Ann ", NamePart::First, Platform::Google),
            valid("maryann")
        );
        assert_eq!(
            name("Mary-Ann", NamePart::First, Platform::Google),
            valid("mary-ann")
        );
        assert_eq!(
            name("O'Brien", NamePart::Last, Platform::Google),
            valid("obrien")
        );
        assert_eq!(
            name("Mary-Ann", NamePart::First, Platform::Meta),
            valid("maryann")
        );
        assert_eq!(
            name("Pérez", NamePart::Last, Platform::Meta),
            valid("pérez")
        );
        assert_eq!(name("Zoë", NamePart::First, Platform::Google), valid("zoë"));
        assert_eq!(
            name(" - ", NamePart::Last, Platform::Meta),
            Normalised::Invalid
        );
        assert_eq!(name("", NamePart::Last, Platform::Meta), Normalised::Empty);
    }

    #[test]
    fn zips_and_postcodes_follow_each_platforms_rules() {
        assert_eq!(
            zip("94016-1234", Some("US"), Platform::Meta),
            valid("94016")
        );
        assert_eq!(
            zip("940161234", Some("US"), Platform::Google),
            valid("94016")
        );
        assert_eq!(zip("2134", Some("US"), Platform::Google), valid("02134"));
        assert_eq!(
            zip("9401A", Some("US"), Platform::Google),
            Normalised::Invalid
        );
        assert_eq!(zip("SW1A 1AA", Some("GB"), Platform::Meta), valid("sw1a1"));
        assert_eq!(
            zip("sw1a  1aa", Some("GB"), Platform::Google),
            valid("SW1A 1AA")
        );
        assert_eq!(zip("75008", Some("FR"), Platform::Meta), valid("75008"));
        assert_eq!(zip("K1A 0B1", None, Platform::Meta), valid("k1a0b1"));
        assert_eq!(zip("12#45", None, Platform::Meta), Normalised::Invalid);
        assert_eq!(zip(" ", None, Platform::Meta), Normalised::Empty);
    }

    #[test]
    fn countries_are_read_as_alpha_2_codes() {
        assert_eq!(country(" us "), valid("US"));
        assert_eq!(country("United Kingdom"), valid("GB"));
        assert_eq!(country("U.S.A."), valid("US"));
        assert_eq!(country("DEU"), valid("DE"));
        assert_eq!(country("Narnia"), Normalised::Invalid);
        assert_eq!(country("ZZ"), Normalised::Invalid);
        assert_eq!(country(""), Normalised::Empty);
    }
}
