//! Upload files for six destinations, one file per segment: Google Customer Match and Meta custom
//! audiences (written by [`super::customer_match`]), TikTok custom audiences, X (Twitter) custom
//! audiences, LinkedIn Matched Audiences contact lists, and a generic hashed-email file.
//!
//! Every identifier is normalised, then SHA-256 hashed here (lower-case hex); every row of a segment is
//! written or counted as skipped ([`CustomerMatchReport`]), and rows labelled
//! [`NO_SEGMENT`] (held out or filtered out) are never written.
//!
//! # Formats
//! | destination | header | identifiers | normalisation before hashing |
//! |---|---|---|---|
//! | TikTok | `Email_SHA256,Phone_SHA256` (the columns the file has) | e-mail, phone | e-mail trimmed, lower case, `+tag` removed before `@`; phone E.164 digits without `+` (`16577770000`) |
//! | X | none: one hash per line | e-mail | trimmed, lower case |
//! | LinkedIn | `email,firstname,lastname,jobtitle,employeecompany,country,googleaid` (the template's headers, kept as they are) | e-mail (only `email` is filled) | trimmed, lower case |
//! | hashed e-mail | `email_sha256` | e-mail | trimmed, lower case |
//!
//! Sources (checked 2026-12):
//! - TikTok, "List of supported IDs and formats for a customer file" (updated August 2025),
//!   <https://ads.tiktok.com/help/article/list-of-supported-ids-and-formats-for-a-customer-file>: headers
//!   `Email_SHA256` / `Phone_SHA256`; e-mail lower case with the `+` part before `@` removed; phone with
//!   symbols (including `+`) and leading zeros removed and the country code added
//!   ("(657)777-0000 is normalized to 16577770000"). The same page's example hash of
//!   `janedoe@gmail.com` is pinned in the tests.
//! - X, "Custom Audiences User Data", <https://developer.x.com/en/docs/x-ads-api/audiences/overview/user-data>:
//!   e-mail lower case, leading and trailing spaces removed; "the data for each line must be hashed using
//!   SHA256, without a salt", lower-case hex. One identifier per line, no header.
//! - LinkedIn, "Requirements for contact targeting lists in Campaign Manager",
//!   <https://www.linkedin.com/help/lms/answer/a1489764>: keep the template's headers; e-mail addresses
//!   may be plain or SHA-256 hashed; names, job title and company stay empty here (they would leave the
//!   machine unhashed, and names alone do not match).
//! - The hashed e-mail file is for any other tool that takes SHA-256 e-mails (one column, `email_sha256`).
//!
//! Choices: a row with several e-mail (or phone) columns uses the first valid one; a row is written when
//! it has a value the destination takes (TikTok: a valid e-mail or phone; the others: a valid e-mail).
//!
//! ```
//! use audience_engine::export::customer_match::{detect_identifier_columns, CustomerMatchOptions, IdentifierColumn};
//! use audience_engine::export::destinations::{audience_files, Destination};
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let csv = b"email,phone\nJane+news@Example.com,(657) 777-0000\nnot-an-email,\n";
//! let table = read_table(&csv[..], &IngestOptions::default()).unwrap().table;
//! let columns: Vec<IdentifierColumn> = detect_identifier_columns(&table).iter().map(IdentifierColumn::from).collect();
//! let options = CustomerMatchOptions { default_country: Some("US".into()), ..Default::default() };
//! let files = audience_files(&table, &[0, 0], &[0], &columns, Destination::TikTok, &options).unwrap();
//! assert_eq!(files[0].file_name, "customer-match-tiktok-segment-1.csv");
//! assert!(files[0].csv.starts_with("Email_SHA256,Phone_SHA256\n"));
//! assert_eq!((files[0].report.rows_written, files[0].report.rows_skipped), (1, 1));
//! ```

use serde::{Deserialize, Serialize};

use super::customer_match::countries::Country;
use super::customer_match::normalise::{self, NamePart, Normalised};
use super::customer_match::{
    customer_match_files, sha256_hex, CustomerMatchOptions, CustomerMatchReport, FieldReport,
    Identifier, IdentifierColumn, Platform,
};
use super::upload::SegmentUpload;
use super::ExportError;
use crate::holdout::NO_SEGMENT;
use crate::table::Table;

/// Where an upload file goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// Google Ads Customer Match.
    Google,
    /// Meta (Facebook, Instagram) custom audiences.
    Meta,
    /// TikTok custom audiences (customer file).
    #[serde(rename = "tiktok")]
    TikTok,
    /// X (Twitter) custom (tailored) audiences.
    X,
    /// LinkedIn Matched Audiences (contact list).
    #[serde(rename = "linkedin")]
    LinkedIn,
    /// A generic file of SHA-256 hashed e-mails.
    HashedEmail,
}

impl Destination {
    /// Every destination, in the order files are listed.
    pub const ALL: [Destination; 6] = [
        Destination::Google,
        Destination::Meta,
        Destination::TikTok,
        Destination::X,
        Destination::LinkedIn,
        Destination::HashedEmail,
    ];

    /// Short name used in file names and on the command line (`google`, `meta`, `tiktok`, `x`,
    /// `linkedin`, `hashed-email`).
    pub fn slug(self) -> &'static str {
        match self {
            Destination::Google => "google",
            Destination::Meta => "meta",
            Destination::TikTok => "tiktok",
            Destination::X => "x",
            Destination::LinkedIn => "linkedin",
            Destination::HashedEmail => "hashed-email",
        }
    }

    /// The name people know (`Google Customer Match`, `TikTok`, …).
    pub fn label(self) -> &'static str {
        match self {
            Destination::Google => "Google Customer Match",
            Destination::Meta => "Meta",
            Destination::TikTok => "TikTok",
            Destination::X => "X (Twitter)",
            Destination::LinkedIn => "LinkedIn",
            Destination::HashedEmail => "hashed e-mail file",
        }
    }

    /// Reads a slug (case-insensitive; `twitter` is X, `facebook` is Meta).
    pub fn parse(text: &str) -> Option<Destination> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "twitter" => return Some(Destination::X),
            "facebook" | "instagram" => return Some(Destination::Meta),
            "hashed_email" | "email" => return Some(Destination::HashedEmail),
            _ => {}
        }
        Destination::ALL.into_iter().find(|d| d.slug() == text)
    }

    /// Whether a row with these identifiers is written to this destination's file.
    pub fn takes(self, has: Reach) -> bool {
        match self {
            Destination::Google | Destination::Meta => has.email || has.phone || has.address,
            Destination::TikTok => has.email || has.phone,
            Destination::X | Destination::LinkedIn | Destination::HashedEmail => has.email,
        }
    }
}

/// Which identifiers of one row are usable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// A valid e-mail.
    pub email: bool,
    /// A valid phone (E.164 after normalisation).
    pub phone: bool,
    /// First name, last name, ZIP and country all valid.
    pub address: bool,
}

/// One upload file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudienceFile {
    /// Destination.
    pub destination: Destination,
    /// Segment index.
    pub segment: u32,
    /// Suggested file name: `customer-match-<destination>-segment-<number>[-<name>].csv`.
    pub file_name: String,
    /// The file's text (UTF-8, `\n` line ends).
    pub csv: String,
    /// Rows written and skipped.
    pub report: CustomerMatchReport,
}

/// The identifier columns of a table, grouped, with the default country: reads one row's contact
/// details, normalised (shared by the upload files and [`crate::coverage`]).
pub(crate) struct Contacts<'a> {
    table: &'a Table,
    emails: Vec<usize>,
    phones: Vec<usize>,
    first: Vec<usize>,
    last: Vec<usize>,
    zips: Vec<usize>,
    country: Option<usize>,
    default_country: Option<&'static Country>,
}

/// One row's contact details, normalised (e-mail trimmed and lower-cased; phone as E.164 digits).
pub(crate) struct RowContact {
    pub email: Normalised,
    pub phone: Normalised,
    pub address: bool,
}

impl<'a> Contacts<'a> {
    /// Groups `columns`; checks them and the default country.
    pub(crate) fn new(
        table: &'a Table,
        columns: &[IdentifierColumn],
        default_country: Option<&str>,
    ) -> Result<Self, ExportError> {
        if let Some(bad) = columns.iter().find(|c| c.column >= table.columns().len()) {
            return Err(ExportError::ColumnOutOfRange {
                column: bad.column,
                columns: table.columns().len(),
            });
        }
        let default_country = match default_country {
            None => None,
            Some(raw) => match normalise::country(raw) {
                Normalised::Valid(code) => normalise::country_by_code(&code),
                _ => {
                    return Err(ExportError::UnknownCountry {
                        value: raw.to_owned(),
                    })
                }
            },
        };
        let of = |identifier: Identifier| -> Vec<usize> {
            columns
                .iter()
                .filter(|c| c.identifier == identifier)
                .map(|c| c.column)
                .collect()
        };
        Ok(Contacts {
            table,
            emails: of(Identifier::Email),
            phones: of(Identifier::Phone),
            first: of(Identifier::FirstName),
            last: of(Identifier::LastName),
            zips: of(Identifier::Zip),
            country: of(Identifier::Country).first().copied(),
            default_country,
        })
    }

    fn text(&self, column: usize, row: usize) -> &'a str {
        let col = &self.table.columns()[column];
        if col.is_missing(row) {
            ""
        } else {
            col.text(row)
        }
    }

    /// The first valid value over `columns`; else `Invalid` if any was present; else `Empty`.
    fn first_valid(
        &self,
        columns: &[usize],
        row: usize,
        read: impl Fn(&str) -> Normalised,
    ) -> Normalised {
        let mut seen_invalid = false;
        for &column in columns {
            match read(self.text(column, row)) {
                Normalised::Valid(v) => return Normalised::Valid(v),
                Normalised::Invalid => seen_invalid = true,
                Normalised::Empty => {}
            }
        }
        if seen_invalid {
            Normalised::Invalid
        } else {
            Normalised::Empty
        }
    }

    /// Whether the table has any e-mail / phone column.
    pub(crate) fn has_columns(&self) -> (bool, bool) {
        (!self.emails.is_empty(), !self.phones.is_empty())
    }

    /// One row's contact details.
    pub(crate) fn row(&self, row: usize) -> RowContact {
        // The row's country: its own cell if valid, the default when the cell is empty (or there is no
        // country column), none when the cell is invalid.
        let country: Option<&'static Country> =
            match self.country.map(|c| normalise::country(self.text(c, row))) {
                Some(Normalised::Valid(code)) => normalise::country_by_code(&code),
                Some(Normalised::Invalid) => None,
                Some(Normalised::Empty) | None => self.default_country,
            };
        let email = self.first_valid(&self.emails, row, |raw| normalise::email(raw, false));
        let phone = self.first_valid(&self.phones, row, |raw| {
            normalise::phone_digits(raw, country)
        });
        let valid = |columns: &[usize], read: &dyn Fn(&str) -> Normalised| {
            matches!(self.first_valid(columns, row, read), Normalised::Valid(_))
        };
        let address = country.is_some()
            && valid(&self.first, &|raw| {
                normalise::name(raw, NamePart::First, Platform::Google)
            })
            && valid(&self.last, &|raw| {
                normalise::name(raw, NamePart::Last, Platform::Google)
            })
            && valid(&self.zips, &|raw| {
                normalise::zip(raw, country.map(|c| c.code), Platform::Google)
            });
        RowContact {
            email,
            phone,
            address,
        }
    }
}

impl RowContact {
    /// Which identifiers are usable.
    pub(crate) fn reach(&self) -> Reach {
        Reach {
            email: matches!(self.email, Normalised::Valid(_)),
            phone: matches!(self.phone, Normalised::Valid(_)),
            address: self.address,
        }
    }
}

/// The e-mail as TikTok wants it: the `+tag` before `@` removed.
fn tiktok_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => email.to_string(),
    }
}

/// LinkedIn's contact-list template headers, in order.
pub const LINKEDIN_HEADERS: [&str; 7] = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "employeecompany",
    "country",
    "googleaid",
];

/// Writes one upload file per segment in `segments` (in that order; repeats ignored) for `destination`,
/// from the rows of `table` whose label is that segment (rows labelled
/// [`NO_SEGMENT`] are never written). Google and Meta files are
/// [`customer_match_files`]; `options.platform` is ignored (the destination decides).
///
/// # Errors
/// [`ExportError::LabelCount`], [`ExportError::NoSegmentsChosen`], [`ExportError::NoUploadRows`] for a
/// chosen segment without a row to upload, [`ExportError::NoIdentifierColumns`] when the table has no
/// column the destination takes (X, LinkedIn and the hashed e-mail file need an e-mail column; TikTok an
/// e-mail or phone column), [`ExportError::ColumnOutOfRange`], [`ExportError::UnknownCountry`],
/// [`ExportError::Csv`].
pub fn audience_files(
    table: &Table,
    labels: &[u32],
    segments: &[u32],
    columns: &[IdentifierColumn],
    destination: Destination,
    options: &CustomerMatchOptions,
) -> Result<Vec<AudienceFile>, ExportError> {
    if labels.len() != table.n_rows() {
        return Err(ExportError::LabelCount {
            labels: labels.len(),
            rows: table.n_rows(),
        });
    }
    if segments.is_empty() {
        return Err(ExportError::NoSegmentsChosen);
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(segments.len());
    for &segment in segments {
        if !chosen.contains(&segment) {
            chosen.push(segment);
        }
    }
    if let Some(&segment) = chosen
        .iter()
        .find(|&&s| s == NO_SEGMENT || !labels.contains(&s))
    {
        return Err(ExportError::NoUploadRows { segment });
    }
    let platform = match destination {
        Destination::Google => Some(Platform::Google),
        Destination::Meta => Some(Platform::Meta),
        _ => None,
    };
    if let Some(platform) = platform {
        let options = CustomerMatchOptions {
            platform,
            ..options.clone()
        };
        return Ok(
            customer_match_files(table, labels, &chosen, columns, &options)?
                .into_iter()
                .map(|file| AudienceFile {
                    destination,
                    segment: file.segment,
                    file_name: file.file_name,
                    csv: file.csv,
                    report: file.report,
                })
                .collect(),
        );
    }
    let contacts = Contacts::new(table, columns, options.default_country.as_deref())?;
    let (has_email, has_phone) = contacts.has_columns();
    let uses_phone = destination == Destination::TikTok && has_phone;
    if !has_email && !uses_phone {
        return Err(ExportError::NoIdentifierColumns);
    }
    let source = |identifier: Identifier| {
        columns
            .iter()
            .filter(|c| c.identifier == identifier)
            .map(|c| table.columns()[c.column].name.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let field = |identifier: Identifier, header: &str| FieldReport {
        identifier,
        header: header.to_string(),
        source: source(identifier),
        valid: 0,
        empty: 0,
        invalid: 0,
    };
    chosen
        .iter()
        .map(|&segment| {
            let mut fields: Vec<FieldReport> = Vec::new();
            let header: Vec<&str> = match destination {
                Destination::TikTok => {
                    let mut header = Vec::new();
                    if has_email {
                        header.push("Email_SHA256");
                        fields.push(field(Identifier::Email, "Email_SHA256"));
                    }
                    if uses_phone {
                        header.push("Phone_SHA256");
                        fields.push(field(Identifier::Phone, "Phone_SHA256"));
                    }
                    header
                }
                Destination::X => {
                    fields.push(field(Identifier::Email, "(no header)"));
                    Vec::new()
                }
                Destination::LinkedIn => {
                    fields.push(field(Identifier::Email, "email"));
                    LINKEDIN_HEADERS.to_vec()
                }
                _ => {
                    fields.push(field(Identifier::Email, "email_sha256"));
                    vec!["email_sha256"]
                }
            };
            write_segment(
                table,
                labels,
                segment,
                destination,
                &contacts,
                header,
                fields,
                options,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn write_segment(
    table: &Table,
    labels: &[u32],
    segment: u32,
    destination: Destination,
    contacts: &Contacts<'_>,
    header: Vec<&str>,
    mut fields: Vec<FieldReport>,
    options: &CustomerMatchOptions,
) -> Result<AudienceFile, ExportError> {
    let mut file = SegmentUpload::new(segment, header)?;
    for row in (0..table.n_rows()).filter(|&row| labels[row] == segment) {
        let contact = contacts.row(row);
        let values: Vec<&Normalised> = fields
            .iter()
            .map(|f| match f.identifier {
                Identifier::Phone => &contact.phone,
                _ => &contact.email,
            })
            .collect();
        file.count(&mut fields, values.iter().copied());
        if !values.iter().any(|v| matches!(v, Normalised::Valid(_))) {
            let had_value = values.iter().any(|v| **v != Normalised::Empty);
            file.skip(row, had_value);
            continue;
        }
        let hashed: Vec<String> = fields
            .iter()
            .zip(&values)
            .map(|(field, value)| match value {
                Normalised::Valid(text) => match (destination, field.identifier) {
                    (Destination::TikTok, Identifier::Email) => sha256_hex(&tiktok_email(text)),
                    _ => sha256_hex(text),
                },
                _ => String::new(),
            })
            .collect();
        match destination {
            Destination::LinkedIn => {
                let mut record = vec![String::new(); LINKEDIN_HEADERS.len()];
                record[0] = hashed[0].clone();
                file.write(&record)?;
            }
            _ => file.write(&hashed)?,
        }
    }
    let (file_name, csv, report) = file.finish(destination.slug(), fields, options)?;
    Ok(AudienceFile {
        destination,
        segment,
        file_name,
        csv,
        report,
    })
}

#[cfg(test)]
mod tests;
