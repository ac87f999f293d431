//! Reading ZIP codes as customer files write them, and finding the column that holds them.

use serde::{Deserialize, Serialize};

use super::{RetrieveError, ZipIndex, ZipMatch};
use crate::ingest::DEFAULT_MISSING_MARKERS;
use crate::table::Table;

/// Column names recognised as ZIP columns (compared lower-case, without spaces, `_`, `-` or `.`).
pub const ZIP_COLUMN_NAMES: &[&str] = &[
    "zip",
    "zipcode",
    "zip5",
    "zipcode5",
    "postalcode",
    "postcode",
    "zippostalcode",
    "postal",
    "billingzip",
    "shippingzip",
    "billingpostalcode",
    "shippingpostalcode",
    "customerzip",
    "homezip",
    "mailingzip",
];

/// A column found by its values alone needs at least this share of its non-blank cells to be known ZIPs.
pub const VALUE_MATCH_SHARE: f64 = 0.8;

/// How a customer file's cell reads as a ZIP code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipKey {
    /// A 5-digit ZIP code as a number (02139 is 2139).
    Zip(u32),
    /// Empty or a missing-value marker (NA, null, …).
    Blank,
    /// Not a US ZIP code (a postcode of another country, a typo, a date…).
    Invalid,
}

/// Reads `text` as a US ZIP code: `02139`, ZIP+4 (`02139-4307`, `02139 4307`, `021394307`), a ZIP whose
/// leading zeros a spreadsheet dropped (`2139`, `601` for 00601), or one read as a number (`2139.0`).
///
/// # Example
/// ```
/// use audience_engine::retrieve::{normalize_zip, ZipKey};
/// assert_eq!(normalize_zip("02139-4307"), ZipKey::Zip(2139));
/// assert_eq!(normalize_zip("2139.0"), ZipKey::Zip(2139));
/// assert_eq!(normalize_zip(" NA "), ZipKey::Blank);
/// assert_eq!(normalize_zip("SW1A 1AA"), ZipKey::Invalid);
/// ```
pub fn normalize_zip(text: &str) -> ZipKey {
    let text = text.trim();
    if DEFAULT_MISSING_MARKERS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(text))
    {
        return ZipKey::Blank;
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let zip = match text.split_once(['-', ' ']) {
        Some((zip, plus4)) if zip.len() == 5 && plus4.len() == 4 && all_digits(plus4) => zip,
        Some(_) => return ZipKey::Invalid,
        None if text.len() == 9 && all_digits(text) => &text[..5],
        None => match text.split_once('.') {
            Some((whole, zeros)) if all_digits(zeros) && zeros.bytes().all(|b| b == b'0') => whole,
            Some(_) => return ZipKey::Invalid,
            None => text,
        },
    };
    match (3..=5).contains(&zip.len()) && all_digits(zip) {
        true => ZipKey::Zip(zip.parse().expect("3 to 5 ASCII digits")),
        false => ZipKey::Invalid,
    }
}

/// How the ZIP column was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZipColumnChoice {
    /// Named by the caller.
    Named,
    /// Its name is a ZIP column name.
    ByName,
    /// Its values are mostly known ZIP codes.
    ByValues,
}

/// The ZIP column of `table`: `explicit` when given, else the column with a ZIP-like name whose values
/// match most ZIPs, else the column whose values are mostly known ZIPs (at least [`VALUE_MATCH_SHARE`] of
/// its non-blank cells). Works on the cells' texts, so a ZIP column typed as numbers (leading zeros lost)
/// is found as well as one kept as text.
///
/// # Errors
/// [`RetrieveError::UnknownZipColumn`] for an `explicit` name the table does not have;
/// [`RetrieveError::NoZipColumn`] when no column qualifies.
pub fn detect_zip_column(
    table: &Table,
    explicit: Option<&str>,
    index: &ZipIndex,
) -> Result<(usize, ZipColumnChoice), RetrieveError> {
    if let Some(name) = explicit {
        return table
            .column_index(name)
            .or_else(|| {
                let name = name.trim();
                table
                    .columns()
                    .iter()
                    .position(|c| c.name.trim().eq_ignore_ascii_case(name))
            })
            .map(|i| (i, ZipColumnChoice::Named))
            .ok_or_else(|| RetrieveError::UnknownZipColumn {
                column: name.to_owned(),
                available: table.columns().iter().map(|c| c.name.clone()).collect(),
            });
    }
    // (known ZIP rows, rows with a value) of column `i`. With `give_up`, the count stops as soon as the
    // column can no longer have `VALUE_MATCH_SHARE` of its values known ZIPs even if every row not yet
    // looked at were one (with a margin of one row for rounding): what it returns then fails that share
    // too. Most columns of a customer file (amounts, ids, names) are given up early this way.
    let hits = |i: usize, give_up: bool| -> (usize, usize) {
        let column = &table.columns()[i];
        let counts = column.codes().counts(column.dictionary().len());
        let mut unseen: usize = counts.iter().sum();
        let (mut present, mut known) = (0, 0);
        for (text, count) in column.dictionary().iter().zip(counts) {
            unseen -= count;
            match normalize_zip(text) {
                ZipKey::Blank => {}
                ZipKey::Invalid => present += count,
                ZipKey::Zip(zip) => {
                    present += count;
                    if index.lookup(zip) != ZipMatch::Unknown {
                        known += count;
                    }
                }
            }
            if give_up
                && ((known + unseen) as f64) < VALUE_MATCH_SHARE * (present + unseen) as f64 - 1.0
            {
                break;
            }
        }
        (known, present)
    };
    let named: Vec<usize> = (0..table.columns().len())
        .filter(|&i| is_zip_name(&table.columns()[i].name))
        .collect();
    if let Some(&best) = named
        .iter()
        .max_by_key(|&&i| (hits(i, false).0, usize::MAX - i))
    {
        return Ok((best, ZipColumnChoice::ByName));
    }
    (0..table.columns().len())
        .map(|i| (i, hits(i, true)))
        .filter(|&(_, (known, present))| {
            present > 0 && known as f64 >= VALUE_MATCH_SHARE * present as f64
        })
        .max_by_key(|&(i, (known, _))| (known, usize::MAX - i))
        .map(|(i, _)| (i, ZipColumnChoice::ByValues))
        .ok_or_else(|| RetrieveError::NoZipColumn {
            names: ["zip", "zip_code", "zipcode", "postal_code", "postcode"]
                .map(String::from)
                .to_vec(),
            columns: table.columns().len(),
        })
}

/// Whether a column name is a ZIP column name.
fn is_zip_name(name: &str) -> bool {
    let squashed: String = name
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    ZIP_COLUMN_NAMES.contains(&squashed.as_str())
}
