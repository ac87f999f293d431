//! Finding identifier columns by name and content.
//!
//! A column is an identifier when its header names one (`email`, `E-mail address`, `phone`, `mobile`,
//! `first_name`, `surname`, `zip`, `postcode`, `country`, …) **and** at least half of a sample of its
//! distinct present values reads as that identifier (so `email_opt_in` with yes/no values is not an e-mail
//! column). A column whose header says nothing is still an e-mail column when at least 90% of the sample
//! are e-mail addresses. Each column gets at most one identifier.

use crate::table::{Cell, Column, Table};

use super::normalise::{self, Normalised};
use super::Identifier;

/// Distinct present values looked at per column.
const SAMPLE: usize = 500;

/// How a column was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedBy {
    /// Its header names the identifier and its values agree.
    Name,
    /// Its values are e-mail addresses, whatever its header says.
    Content,
}

/// A column recognised as holding an identifier.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DetectedIdentifier {
    /// The identifier.
    pub identifier: Identifier,
    /// Column index in the table.
    pub column: usize,
    /// Column name.
    pub column_name: String,
    /// How it was recognised.
    pub by: DetectedBy,
    /// Share of the sampled distinct present values that are valid for the identifier (0 to 1).
    pub valid_share: f64,
}

/// The header reduced to lower-case letters and digits (`"E-mail Address"` → `"emailaddress"`).
fn compact(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The identifier a header names, if any.
fn identifier_by_name(header: &str) -> Option<Identifier> {
    let h = compact(header);
    let has = |part: &str| h.contains(part);
    if has("email") || h == "mail" || h == "mailaddress" {
        Some(Identifier::Email)
    } else if has("phone")
        || has("mobile")
        || matches!(
            h.as_str(),
            "tel" | "telephone" | "cell" | "cellular" | "msisdn" | "telefon"
        )
    {
        Some(Identifier::Phone)
    } else if matches!(
        h.as_str(),
        "firstname" | "fname" | "givenname" | "forename" | "first" | "fn"
    ) || (has("first") && has("name"))
    {
        Some(Identifier::FirstName)
    } else if matches!(
        h.as_str(),
        "lastname" | "lname" | "surname" | "familyname" | "last" | "ln"
    ) || ((has("last") || has("family")) && has("name"))
    {
        Some(Identifier::LastName)
    } else if has("zip")
        || has("postcode")
        || has("postalcode")
        || matches!(h.as_str(), "postal" | "plz")
    {
        Some(Identifier::Zip)
    } else if h.starts_with("country") || matches!(h.as_str(), "iso2" | "countryiso") {
        Some(Identifier::Country)
    } else {
        None
    }
}

/// Whether one value reads as `identifier` (lenient for phones: their country is not known here).
fn reads_as(identifier: Identifier, text: &str) -> bool {
    match identifier {
        Identifier::Email => matches!(normalise::email(text, false), Normalised::Valid(_)),
        Identifier::Phone => {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            (7..=15).contains(&digits)
                && text.trim().chars().all(|c| {
                    c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '+')
                })
        }
        Identifier::FirstName | Identifier::LastName => text.chars().any(char::is_alphabetic),
        Identifier::Zip => matches!(
            normalise::zip(text, None, super::Platform::Meta),
            Normalised::Valid(_)
        ),
        Identifier::Country => matches!(normalise::country(text), Normalised::Valid(_)),
    }
}

/// Share of up to [`SAMPLE`] distinct present values of `column` that read as `identifier`; `None` when
/// the column has no present value.
fn valid_share(column: &Column, identifier: Identifier) -> Option<f64> {
    let mut seen = 0usize;
    let mut valid = 0usize;
    for (text, cell) in column.dictionary().iter().zip(column.cells()) {
        if matches!(cell, Cell::Missing) || text.trim().is_empty() {
            continue;
        }
        seen += 1;
        valid += usize::from(reads_as(identifier, text));
        if seen == SAMPLE {
            break;
        }
    }
    (seen > 0).then(|| valid as f64 / seen as f64)
}

/// Finds the identifier columns of `table`, in column order.
///
/// ```
/// use audience_engine::export::customer_match::{detect_identifier_columns, DetectedBy, Identifier};
/// use audience_engine::ingest::{read_table, IngestOptions};
///
/// let csv = b"id,E-mail,email_opt_in,Mobile,contact\n\
///             1,ann@example.com,yes,+44 20 7946 0958,bo@example.org\n\
///             2,cy@example.net,no,020 7946 0000,di@example.com\n";
/// let table = read_table(csv, &IngestOptions::default()).unwrap().table;
/// let found: Vec<_> = detect_identifier_columns(&table)
///     .into_iter()
///     .map(|d| (d.column_name, d.identifier, d.by))
///     .collect();
/// assert_eq!(found, [
///     ("E-mail".to_string(), Identifier::Email, DetectedBy::Name),
///     ("Mobile".to_string(), Identifier::Phone, DetectedBy::Name),
///     ("contact".to_string(), Identifier::Email, DetectedBy::Content),
/// ]);
/// ```
pub fn detect_identifier_columns(table: &Table) -> Vec<DetectedIdentifier> {
    let mut found = Vec::new();
    for (index, column) in table.columns().iter().enumerate() {
        let detection = match identifier_by_name(&column.name) {
            Some(identifier) => valid_share(column, identifier)
                .filter(|&share| share >= 0.5)
                .map(|share| (identifier, DetectedBy::Name, share)),
            None => valid_share(column, Identifier::Email)
                .filter(|&share| share >= 0.9)
                .map(|share| (Identifier::Email, DetectedBy::Content, share)),
        };
        if let Some((identifier, by, valid_share)) = detection {
            found.push(DetectedIdentifier {
                identifier,
                column: index,
                column_name: column.name.clone(),
                by,
                valid_share,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_identifiers_in_many_spellings() {
        let cases = [
            ("email", Some(Identifier::Email)),
            ("E-mail Address", Some(Identifier::Email)),
            ("work_email", Some(Identifier::Email)),
            ("Phone Number", Some(Identifier::Phone)),
            ("mobile", Some(Identifier::Phone)),
            ("Tel", Some(Identifier::Phone)),
            ("first_name", Some(Identifier::FirstName)),
            ("FirstName", Some(Identifier::FirstName)),
            ("given name", Some(Identifier::FirstName)),
            ("Last Name", Some(Identifier::LastName)),
            ("surname", Some(Identifier::LastName)),
            ("ZIP", Some(Identifier::Zip)),
            ("Zip Code", Some(Identifier::Zip)),
            ("postcode", Some(Identifier::Zip)),
            ("Postal Code", Some(Identifier::Zip)),
            ("Country", Some(Identifier::Country)),
            ("country_code", Some(Identifier::Country)),
            ("name", None),
            ("State", None),
            ("Job Title", None),
        ];
        for (header, expected) in cases {
            assert_eq!(identifier_by_name(header), expected, "{header}");
        }
    }

    #[test]
    fn values_must_agree_with_the_header() {
        assert!(reads_as(Identifier::Phone, "+1 (415) 555-0100"));
        assert!(!reads_as(Identifier::Phone, "yes"));
        assert!(!reads_as(Identifier::Phone, "12"));
        assert!(reads_as(Identifier::Zip, "SW1A 1AA"));
        assert!(!reads_as(Identifier::Email, "yes"));
        assert!(reads_as(Identifier::Country, "usa"));
    }
}
