//! Customer-match files for ad platforms: one CSV per chosen segment, with identifiers normalised by the
//! platform's rules and SHA-256 hashed locally (nothing leaves the machine unhashed except what the
//! platform asks for in plain text: Google's country and ZIP).
//!
//! 1. [`detect_identifier_columns`] finds e-mail, phone, first/last name, ZIP/postcode and country columns
//!    by name and content; the caller may adjust the list ([`IdentifierColumn`]).
//! 2. [`customer_match_files`] writes one file per chosen segment with the platform's headers
//!    ([`Platform::header`]) and a [`CustomerMatchReport`] that accounts for every row of the segment:
//!    `rows_written + rows_skipped == rows_in_segment`, with the reason for each skipped row and, per
//!    column, how many values were empty or invalid (invalid values are left blank in written rows).
//!
//! The normalisation rules, and the choices made where the platforms leave room (Gmail dots, national
//! phone numbers, US ZIP codes), are listed below.
//!
//! # Normalisation
//! | identifier | Google Customer Match | Meta custom audiences |
//! |---|---|---|
//! | e-mail | trim, lowercase; hashed | trim, lowercase; hashed |
//! | phone | E.164 with `+` (`+14155550100`); hashed | E.164 digits without `+` (`14155550100`); hashed |
//! | first name | lowercase, all whitespace removed; hashed | lowercase letters only (accents kept); hashed |
//! | last name | lowercase, whitespace and punctuation removed; hashed | lowercase letters only (accents kept); hashed |
//! | zip / postcode | as written (US: 5 digits), upper case; **not** hashed | lowercase, no spaces or dashes (US: 5 digits, UK: area/district/sector); hashed |
//! | country | ISO 3166-1 alpha-2, upper case; **not** hashed | ISO 3166-1 alpha-2, lower case; hashed |
//!
//! - Gmail dots are removed only with [`CustomerMatchOptions::gmail_remove_dots`] (Google documents it for
//!   enhanced conversions, not for Customer Match files; Meta never does). `+tags` are kept.
//! - Phones without `+`/`00` are national numbers of the row's country (country column, else
//!   [`CustomerMatchOptions::default_country`]); the trunk prefix (`0`, NANP `1`, Russia `8`) is removed and
//!   the calling code added; lengths are checked against libphonenumber's metadata; letters make a phone
//!   invalid. A phone without a known country is invalid rather than guessed.
//! - US ZIP+4 keeps 5 digits; a 4-digit US ZIP regains its leading zero (`2134` → `02134`).
//! - A row is written when it has a valid e-mail, a valid phone, or a complete address (first name, last
//!   name, ZIP and country, the country possibly from the default); otherwise it is skipped and counted.
//!
//! # Example
//! ```
//! use audience_engine::export::customer_match::{
//!     customer_match_files, detect_identifier_columns, CustomerMatchOptions, IdentifierColumn, Platform,
//! };
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let csv = b"email,phone,segment\n Ann@Example.com ,(415) 555-0100,0\nnot-an-email,,0\nbo@example.org,,1\n";
//! let table = read_table(csv, &IngestOptions::default()).unwrap().table;
//! let labels = [0, 0, 1];
//! let columns: Vec<IdentifierColumn> =
//!     detect_identifier_columns(&table).iter().map(IdentifierColumn::from).collect();
//! let options = CustomerMatchOptions { default_country: Some("US".into()), ..CustomerMatchOptions::default() };
//! let files = customer_match_files(&table, &labels, &[0], &columns, &options).unwrap();
//! let file = &files[0];
//! assert_eq!(file.file_name, "customer-match-google-segment-1.csv");
//! assert_eq!((file.report.rows_written, file.report.rows_skipped), (1, 1));
//! // SHA-256 of "ann@example.com" and of "+14155550100".
//! assert!(file.csv.starts_with("Email,Phone,Country\n"));
//! assert!(file.csv.contains("71d4f55f72fa128d"));
//! ```

pub(crate) mod countries;
mod detect;
pub(crate) mod normalise;

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::formula::escape_formula;
use super::upload::SegmentUpload;
use super::ExportError;
use crate::table::Table;
use countries::Country;
pub use detect::{detect_identifier_columns, DetectedBy, DetectedIdentifier};
use normalise::{NamePart, Normalised};

/// The ad platform a file is for.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Google Ads Customer Match.
    #[default]
    Google,
    /// Meta (Facebook, Instagram) custom audiences from a customer list.
    Meta,
}

impl Platform {
    /// Short lower-case name used in file names (`google`, `meta`).
    pub fn slug(self) -> &'static str {
        match self {
            Platform::Google => "google",
            Platform::Meta => "meta",
        }
    }

    /// The column header the platform expects for `identifier`.
    pub fn header(self, identifier: Identifier) -> &'static str {
        match (self, identifier) {
            (Platform::Google, Identifier::Email) => "Email",
            (Platform::Google, Identifier::Phone) => "Phone",
            (Platform::Google, Identifier::FirstName) => "First Name",
            (Platform::Google, Identifier::LastName) => "Last Name",
            (Platform::Google, Identifier::Zip) => "Zip",
            (Platform::Google, Identifier::Country) => "Country",
            (Platform::Meta, Identifier::Email) => "email",
            (Platform::Meta, Identifier::Phone) => "phone",
            (Platform::Meta, Identifier::FirstName) => "fn",
            (Platform::Meta, Identifier::LastName) => "ln",
            (Platform::Meta, Identifier::Zip) => "zip",
            (Platform::Meta, Identifier::Country) => "country",
        }
    }

    /// Whether the platform wants `identifier` SHA-256 hashed (Google takes country and ZIP in plain text).
    pub fn hashes(self, identifier: Identifier) -> bool {
        !(self == Platform::Google && matches!(identifier, Identifier::Zip | Identifier::Country))
    }
}

/// A kind of customer identifier.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Identifier {
    /// E-mail address.
    Email,
    /// Phone number.
    Phone,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// ZIP or postal code.
    Zip,
    /// Country.
    Country,
}

/// A table column used as an identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdentifierColumn {
    /// The identifier it holds.
    pub identifier: Identifier,
    /// Its index in [`Table::columns`].
    pub column: usize,
}

impl From<&DetectedIdentifier> for IdentifierColumn {
    fn from(detected: &DetectedIdentifier) -> Self {
        IdentifierColumn {
            identifier: detected.identifier,
            column: detected.column,
        }
    }
}

/// Settings of [`customer_match_files`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerMatchOptions {
    /// Which platform's format.
    pub platform: Platform,
    /// ISO 3166-1 alpha-2 code (or a common name such as "USA") of the country assumed where a row has no
    /// country: it gives national phone numbers their calling code and completes addresses. When set, the
    /// file has a country column even if the table has none.
    pub default_country: Option<String>,
    /// Remove dots before `@gmail.com` / `@googlemail.com` (off by default; see the module docs).
    pub gmail_remove_dots: bool,
    /// The segments' names, indexed by segment index (as
    /// [`PersonaReport::names_by_index`](crate::profile::PersonaReport::names_by_index) gives them), so
    /// the file names carry them ([`file_name`]). Empty: file names carry the segment number only.
    #[serde(default)]
    pub segment_names: Vec<String>,
}

/// Most characters of a segment name kept in a file name.
const NAME_IN_FILE_NAME: usize = 40;

/// The file name of a customer-match file: `customer-match-<platform>-segment-<number>[-<name>].csv`, where
/// `number` is the segment's number as people see it (1..=k) and `name` the persona's name reduced to
/// lower-case ASCII letters and digits joined by single hyphens (at most 40 characters, cut at a hyphen
/// when it can be). The result is safe in every file system and never starts with a spreadsheet formula
/// character.
///
/// ```
/// use audience_engine::export::customer_match::{file_name, Platform};
/// assert_eq!(
///     file_name(Platform::Google, 8, Some("Tech · CEOs / Referral (25–34)")),
///     "customer-match-google-segment-8-tech-ceos-referral-25-34.csv"
/// );
/// assert_eq!(file_name(Platform::Meta, 3, None), "customer-match-meta-segment-3.csv");
/// ```
pub fn file_name(platform: Platform, number: u32, name: Option<&str>) -> String {
    file_name_for(platform.slug(), number, name)
}

/// [`file_name`] for any destination slug (`customer-match-<slug>-segment-…`).
pub(crate) fn file_name_for(destination: &str, number: u32, name: Option<&str>) -> String {
    let mut slug = String::new();
    for c in name.unwrap_or_default().chars() {
        let folded = fold_to_ascii(c);
        for c in folded.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
    }
    if slug.len() > NAME_IN_FILE_NAME {
        let cut = &slug[..NAME_IN_FILE_NAME];
        slug = match cut.rfind('-') {
            Some(at) if at >= NAME_IN_FILE_NAME / 2 => cut[..at].to_string(),
            _ => cut.to_string(),
        };
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        format!("customer-match-{destination}-segment-{number}.csv")
    } else {
        format!("customer-match-{destination}-segment-{number}-{slug}.csv")
    }
}

/// Latin letters with accents as their plain letter (`é` → `e`, `ß` → `ss`); other characters unchanged.
fn fold_to_ascii(c: char) -> String {
    let plain = match c {
        'à'..='å' | 'À'..='Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è'..='ë' | 'È'..='Ë' => "e",
        'ì'..='ï' | 'Ì'..='Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => "o",
        'ù'..='ü' | 'Ù'..='Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => return c.to_string(),
    };
    plain.to_string()
}

/// What happened to one identifier column of a file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldReport {
    /// The identifier.
    pub identifier: Identifier,
    /// The header written.
    pub header: String,
    /// The input column's name, or `"(default country)"`.
    pub source: String,
    /// Rows of the segment with a valid value.
    pub valid: usize,
    /// Rows where the value was empty or a missing marker (a default country fills these for country).
    pub empty: usize,
    /// Rows where a value was present but unusable (left blank in the file).
    pub invalid: usize,
}

/// The accounting of one file: every row of the segment is written or skipped for a stated reason.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerMatchReport {
    /// Segment id.
    pub segment: u32,
    /// Rows labelled with the segment.
    pub rows_in_segment: usize,
    /// Rows written to the file.
    pub rows_written: usize,
    /// Rows not written (`skipped_empty + skipped_unusable`).
    pub rows_skipped: usize,
    /// Skipped rows with no identifier value at all.
    pub skipped_empty: usize,
    /// Skipped rows whose values were all invalid, or an incomplete address without e-mail or phone.
    pub skipped_unusable: usize,
    /// The first skipped rows (0-based data-row indices, at most 10).
    pub skipped_examples: Vec<usize>,
    /// Per output column.
    pub fields: Vec<FieldReport>,
}

/// One customer-match file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerMatchFile {
    /// Segment id.
    pub segment: u32,
    /// Suggested file name ([`file_name`]), e.g. `customer-match-google-segment-3-tech-ceos.csv` for the
    /// segment of index 2 (number 3).
    pub file_name: String,
    /// The CSV text (UTF-8, `\n` line ends, header row first).
    pub csv: String,
    /// Rows written and skipped.
    pub report: CustomerMatchReport,
}

/// SHA-256 of `text` as lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// An output column: where its values come from.
struct Field {
    identifier: Identifier,
    /// Input column, or `None` for the default-country column.
    column: Option<usize>,
    report: FieldReport,
}

/// One row's values, normalised, per field.
fn normalise_row(
    table: &Table,
    row: usize,
    fields: &[Field],
    country_column: Option<usize>,
    default_country: Option<&'static Country>,
    options: &CustomerMatchOptions,
) -> Vec<Normalised> {
    let text = |column: usize| {
        let col = &table.columns()[column];
        if col.is_missing(row) {
            ""
        } else {
            col.text(row)
        }
    };
    // The row's country: its own cell if valid, the default when that cell is empty (or there is no
    // country column), none when the cell is invalid.
    let row_country: Option<&'static Country> =
        match country_column.map(|c| normalise::country(text(c))) {
            Some(Normalised::Valid(code)) => normalise::country_by_code(&code),
            Some(Normalised::Invalid) => None,
            Some(Normalised::Empty) | None => default_country,
        };
    let platform = options.platform;
    fields
        .iter()
        .map(|field| {
            let raw = field.column.map_or("", text);
            match field.identifier {
                Identifier::Email => normalise::email(raw, options.gmail_remove_dots),
                Identifier::Phone => match normalise::phone_digits(raw, row_country) {
                    Normalised::Valid(digits) if platform == Platform::Google => {
                        Normalised::Valid(format!("+{digits}"))
                    }
                    other => other,
                },
                Identifier::FirstName => normalise::name(raw, NamePart::First, platform),
                Identifier::LastName => normalise::name(raw, NamePart::Last, platform),
                Identifier::Zip => normalise::zip(raw, row_country.map(|c| c.code), platform),
                Identifier::Country => {
                    let value = match field.column {
                        Some(_) => normalise::country(raw),
                        None => Normalised::Empty,
                    };
                    match (value, default_country) {
                        (Normalised::Empty, Some(default)) => {
                            Normalised::Valid(default.code.to_owned())
                        }
                        (other, _) => other,
                    }
                    .map_valid(|code| match platform {
                        Platform::Google => code,
                        Platform::Meta => code.to_ascii_lowercase(),
                    })
                }
            }
        })
        .collect()
}

impl Normalised {
    fn map_valid(self, f: impl FnOnce(String) -> String) -> Normalised {
        match self {
            Normalised::Valid(text) => Normalised::Valid(f(text)),
            other => other,
        }
    }

    fn is_valid(&self) -> bool {
        matches!(self, Normalised::Valid(_))
    }
}

/// Writes one customer-match CSV per segment in `segments` (in that order; repeats are ignored) from the
/// rows of `table` whose label in `labels` is that segment.
///
/// Output columns follow the order of `columns` grouped by identifier (e-mail, phone, first name, last
/// name, ZIP, country); several columns of one identifier give several output columns with the same
/// header, as both platforms allow. With a default country and no country column, a country column with
/// the default is added.
///
/// # Errors
/// [`ExportError::LabelCount`] when `labels` is not one per row; [`ExportError::NoSegmentsChosen`];
/// [`ExportError::EmptySegment`] for a chosen segment with no rows; [`ExportError::NoIdentifierColumns`];
/// [`ExportError::ColumnOutOfRange`]; [`ExportError::UnknownCountry`] for a default country that is not
/// an ISO 3166-1 alpha-2 code; [`ExportError::Csv`] if writing fails.
pub fn customer_match_files(
    table: &Table,
    labels: &[u32],
    segments: &[u32],
    columns: &[IdentifierColumn],
    options: &CustomerMatchOptions,
) -> Result<Vec<CustomerMatchFile>, ExportError> {
    if labels.len() != table.n_rows() {
        return Err(ExportError::LabelCount {
            labels: labels.len(),
            rows: table.n_rows(),
        });
    }
    if segments.is_empty() {
        return Err(ExportError::NoSegmentsChosen);
    }
    if columns.is_empty() {
        return Err(ExportError::NoIdentifierColumns);
    }
    if let Some(bad) = columns.iter().find(|c| c.column >= table.columns().len()) {
        return Err(ExportError::ColumnOutOfRange {
            column: bad.column,
            columns: table.columns().len(),
        });
    }
    let default_country = match options.default_country.as_deref() {
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
    let mut chosen: Vec<u32> = Vec::with_capacity(segments.len());
    for &segment in segments {
        if !chosen.contains(&segment) {
            chosen.push(segment);
        }
    }
    for &segment in &chosen {
        if !labels.contains(&segment) {
            let mut present: Vec<u32> = labels.to_vec();
            present.sort_unstable();
            present.dedup();
            return Err(ExportError::EmptySegment {
                segment,
                present: present.len(),
                highest: present.last().copied().unwrap_or(0),
            });
        }
    }
    let mut ordered: Vec<IdentifierColumn> = columns.to_vec();
    ordered.sort_by_key(|c| c.identifier); // stable: keeps the caller's order within an identifier
    let country_column = ordered
        .iter()
        .find(|c| c.identifier == Identifier::Country)
        .map(|c| c.column);
    let mut fields: Vec<Field> = ordered
        .iter()
        .map(|c| Field {
            identifier: c.identifier,
            column: Some(c.column),
            report: FieldReport {
                identifier: c.identifier,
                header: options.platform.header(c.identifier).to_owned(),
                source: table.columns()[c.column].name.clone(),
                valid: 0,
                empty: 0,
                invalid: 0,
            },
        })
        .collect();
    if country_column.is_none() && default_country.is_some() {
        fields.push(Field {
            identifier: Identifier::Country,
            column: None,
            report: FieldReport {
                identifier: Identifier::Country,
                header: options.platform.header(Identifier::Country).to_owned(),
                source: "(default country)".to_owned(),
                valid: 0,
                empty: 0,
                invalid: 0,
            },
        });
    }

    chosen
        .iter()
        .map(|&segment| {
            write_segment(
                table,
                labels,
                segment,
                &mut fields,
                country_column,
                default_country,
                options,
            )
        })
        .collect()
}

/// Writes the file of one segment.
fn write_segment(
    table: &Table,
    labels: &[u32],
    segment: u32,
    fields: &mut [Field],
    country_column: Option<usize>,
    default_country: Option<&'static Country>,
    options: &CustomerMatchOptions,
) -> Result<CustomerMatchFile, ExportError> {
    for field in fields.iter_mut() {
        (field.report.valid, field.report.empty, field.report.invalid) = (0, 0, 0);
    }
    let mut file = SegmentUpload::new(segment, fields.iter().map(|f| f.report.header.as_str()))?;
    let platform = options.platform;
    let mut record: Vec<String> = Vec::with_capacity(fields.len());
    for row in (0..table.n_rows()).filter(|&row| labels[row] == segment) {
        let values = normalise_row(table, row, fields, country_column, default_country, options);
        file.count(fields.iter_mut().map(|f| &mut f.report), &values);
        let has = |identifier: Identifier| {
            fields
                .iter()
                .zip(&values)
                .any(|(f, v)| f.identifier == identifier && v.is_valid())
        };
        let matchable = has(Identifier::Email)
            || has(Identifier::Phone)
            || (has(Identifier::FirstName)
                && has(Identifier::LastName)
                && has(Identifier::Zip)
                && has(Identifier::Country));
        if !matchable {
            // A default country alone is not an identifier of the row.
            let had_value = fields
                .iter()
                .zip(&values)
                .any(|(f, v)| f.column.is_some() && *v != Normalised::Empty);
            file.skip(row, had_value);
            continue;
        }
        record.clear();
        for (field, value) in fields.iter().zip(values) {
            record.push(match value {
                Normalised::Valid(text) if platform.hashes(field.identifier) => sha256_hex(&text),
                // Plain values (ZIP, country, unhashed names) are never a spreadsheet formula.
                Normalised::Valid(text) => escape_formula(&text).into_owned(),
                Normalised::Empty | Normalised::Invalid => String::new(),
            });
        }
        file.write(&record)?;
    }
    let reports = fields.iter().map(|f| f.report.clone()).collect();
    let (file_name, csv, report) = file.finish(platform.slug(), reports, options)?;
    Ok(CustomerMatchFile {
        segment,
        file_name,
        csv,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestOptions};

    // Expected hashes computed independently with Python:
    //   python3 -c "import hashlib; print(hashlib.sha256('VALUE'.encode('utf-8')).hexdigest())"
    const JANE_EMAIL: &str = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"; // jane.doe@example.com
    const GMAIL_KEPT: &str = "0b671c773b792479005c3f9d82e34fca61b4c4611f87d7c34001b4717f51b8cc"; // jo.hn+ads@gmail.com
    const GMAIL_NO_DOTS: &str = "4b4bba7005fbd41003908e1084a7aca95041678616fbf3674bf850be8f744695"; // john+ads@gmail.com
    const US_PHONE_PLUS: &str = "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0"; // +14155550100
    const US_PHONE_DIGITS: &str =
        "5e7ec4c79ccac6e420876e65ad0e6b4b2ccf73ec3dccb50297bf2890a1ec73b9"; // 14155550100
    const GB_PHONE_PLUS: &str = "f0bf0228144d9fe2bdf1da2d8ca698f17bf1410ee688b075c27062e47b6f0b6d"; // +442079460958
    const GB_PHONE_DIGITS: &str =
        "35e206e5dec4c89b9e8b71b8c32724a5bb518483ac5a20c6617d738375b3b823"; // 442079460958
    const MARYANN: &str = "16b3f07f0ec2f9dd127b71dc2e6c791b7d93116a1c3bc99d057eaa7a8a077e73"; // maryann
    const OBRIEN: &str = "b4cb6cb33fe4b865868de825023a1e2790dc12ac01ecc8d7c5afe8254071c8ba"; // obrien
    const ZOE: &str = "2752b88686847fa5c86f47b94ce652b7b3f22a91c37617d451a4db9afa431450"; // zoë (NFC)
    const PEREZ: &str = "6654977d57dddd3c0329ca741b109ef6cd6430bedd00008aad213df25683d77f"; // pérez (NFC)
    const ZIP_94016: &str = "ea49a862bf6e195fe92e0886ed8a89c6565137f3e90c0742d2a00952b307dd55"; // 94016
    const COUNTRY_US: &str = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"; // us
    const SW1A1: &str = "949af780a19e6f6d4b99d7044743348dbbb7ab2245fe146863573b23d02c5890"; // sw1a1

    fn table(csv: &str) -> Table {
        read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table
    }

    fn lines(file: &CustomerMatchFile) -> Vec<&str> {
        file.csv.lines().collect()
    }

    fn columns(table: &Table) -> Vec<IdentifierColumn> {
        detect_identifier_columns(table)
            .iter()
            .map(IdentifierColumn::from)
            .collect()
    }

    const PEOPLE: &str = "Email,Phone,First Name,Last Name,Zip,Country,segment\n\
        \" Jane.Doe@Example.COM \",(415) 555-0100,Mary Ann,O'Brien,94016-1234,us,0\n\
        Jo.Hn+ads@Gmail.com,020 7946 0958,Zo\u{eb},P\u{e9}rez,SW1A 1AA,United Kingdom,0\n\
        ,,,,,,0\n\
        not-an-email,555-CALL,Ann,,,US,0\n\
        ,,Ann,Lee,94016,US,1\n";

    #[test]
    fn file_names_carry_the_segment_number_people_see_and_the_persona_name() {
        let t = table(PEOPLE);
        let options = CustomerMatchOptions {
            segment_names: vec!["=Früh Bücher".into(), "Café Owners · Referral".into()],
            ..CustomerMatchOptions::default()
        };
        let files =
            customer_match_files(&t, &[0, 0, 0, 0, 1], &[1, 0], &columns(&t), &options).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "customer-match-google-segment-2-cafe-owners-referral.csv",
                "customer-match-google-segment-1-fruh-bucher.csv",
            ]
        );
    }

    #[test]
    fn long_or_symbol_only_names_make_short_safe_file_names() {
        assert_eq!(
            file_name(
                Platform::Meta,
                12,
                Some("Technology Decision Makers Aged 25–34 From Referral Partners")
            ),
            "customer-match-meta-segment-12-technology-decision-makers-aged-25-34.csv"
        );
        assert_eq!(
            file_name(Platform::Google, 4, Some("+-=/ ·")),
            "customer-match-google-segment-4.csv"
        );
        assert_eq!(
            file_name(Platform::Google, 4, Some("../../etc/passwd")),
            "customer-match-google-segment-4-etc-passwd.csv"
        );
    }

    #[test]
    fn hashes_are_lower_case_hex_sha256() {
        assert_eq!(sha256_hex("jane.doe@example.com"), JANE_EMAIL);
        assert_eq!(sha256_hex("us"), COUNTRY_US);
    }

    #[test]
    fn a_google_file_hashes_normalised_identifiers_and_keeps_zip_and_country_plain() {
        let t = table(PEOPLE);
        let labels = [0, 0, 0, 0, 1];
        let files = customer_match_files(
            &t,
            &labels,
            &[0],
            &columns(&t),
            &CustomerMatchOptions::default(),
        )
        .unwrap();
        let file = &files[0];
        assert_eq!(file.file_name, "customer-match-google-segment-1.csv");
        assert_eq!(
            lines(file),
            [
                "Email,Phone,First Name,Last Name,Zip,Country".to_owned(),
                format!("{JANE_EMAIL},{US_PHONE_PLUS},{MARYANN},{OBRIEN},94016,US"),
                format!("{GMAIL_KEPT},{GB_PHONE_PLUS},{ZOE},{PEREZ},SW1A 1AA,GB"),
            ]
        );
        let report = &file.report;
        assert_eq!(
            (
                report.rows_in_segment,
                report.rows_written,
                report.rows_skipped
            ),
            (4, 2, 2)
        );
        assert_eq!((report.skipped_empty, report.skipped_unusable), (1, 1));
        assert_eq!(report.skipped_examples, [2, 3]);
        let email = &report.fields[0];
        assert_eq!((email.valid, email.empty, email.invalid), (2, 1, 1));
        let phone = &report.fields[1];
        assert_eq!((phone.valid, phone.empty, phone.invalid), (2, 1, 1));
    }

    #[test]
    fn a_meta_file_hashes_everything_in_metas_formats() {
        let t = table(PEOPLE);
        let labels = [0, 0, 0, 0, 1];
        let options = CustomerMatchOptions {
            platform: Platform::Meta,
            ..CustomerMatchOptions::default()
        };
        let files = customer_match_files(&t, &labels, &[0], &columns(&t), &options).unwrap();
        let file = &files[0];
        assert_eq!(file.file_name, "customer-match-meta-segment-1.csv");
        // Meta: names as letters only (Mary Ann → maryann, O'Brien → obrien), ZIP 5 digits, UK postcode
        // to its sector, country lower case; everything hashed.
        let gb = sha256_hex("gb");
        assert_eq!(
            lines(file),
            [
                "email,phone,fn,ln,zip,country".to_owned(),
                format!(
                    "{JANE_EMAIL},{US_PHONE_DIGITS},{MARYANN},{OBRIEN},{ZIP_94016},{COUNTRY_US}"
                ),
                format!("{GMAIL_KEPT},{GB_PHONE_DIGITS},{ZOE},{PEREZ},{SW1A1},{gb}"),
            ]
        );
    }

    #[test]
    fn gmail_dots_are_removed_only_when_asked() {
        let t = table("email\nJo.Hn+ads@Gmail.com\n");
        let cols = columns(&t);
        let options = CustomerMatchOptions {
            gmail_remove_dots: true,
            ..CustomerMatchOptions::default()
        };
        let with = customer_match_files(&t, &[0], &[0], &cols, &options).unwrap();
        assert_eq!(lines(&with[0])[1], GMAIL_NO_DOTS);
        let without =
            customer_match_files(&t, &[0], &[0], &cols, &CustomerMatchOptions::default()).unwrap();
        assert_eq!(lines(&without[0])[1], GMAIL_KEPT);
    }

    #[test]
    fn a_default_country_completes_phones_and_addresses() {
        let t = table("phone,first_name,last_name,zip\n(415) 555-0100,,,\n,Ann,Lee,2134\n");
        let cols = columns(&t);
        // Without a country, a national phone is unusable and the address incomplete: nothing is written.
        let none = customer_match_files(&t, &[0, 0], &[0], &cols, &CustomerMatchOptions::default())
            .unwrap();
        assert_eq!(
            (none[0].report.rows_written, none[0].report.skipped_unusable),
            (0, 2)
        );
        assert_eq!(lines(&none[0]), ["Phone,First Name,Last Name,Zip"]);
        let options = CustomerMatchOptions {
            default_country: Some("usa".into()),
            ..CustomerMatchOptions::default()
        };
        let us = customer_match_files(&t, &[0, 0], &[0], &cols, &options).unwrap();
        assert_eq!(
            lines(&us[0]),
            [
                "Phone,First Name,Last Name,Zip,Country".to_owned(),
                format!("{US_PHONE_PLUS},,,,US"),
                format!(",{},{},02134,US", sha256_hex("ann"), sha256_hex("lee")),
            ]
        );
        assert_eq!(us[0].report.fields[4].source, "(default country)");
    }

    #[test]
    fn one_file_per_chosen_segment_in_the_order_chosen() {
        let t = table(PEOPLE);
        let labels = [0, 0, 0, 0, 1];
        let options = CustomerMatchOptions::default();
        let files = customer_match_files(&t, &labels, &[1, 0, 1], &columns(&t), &options).unwrap();
        let ids: Vec<u32> = files.iter().map(|f| f.segment).collect();
        assert_eq!(ids, [1, 0]);
        assert_eq!(files[0].report.rows_written, 1);
        // Counts add up in every file.
        for file in &files {
            let r = &file.report;
            assert_eq!(r.rows_written + r.rows_skipped, r.rows_in_segment);
            assert_eq!(r.skipped_empty + r.skipped_unusable, r.rows_skipped);
            assert_eq!(file.csv.lines().count(), r.rows_written + 1);
        }
    }

    #[test]
    fn bad_requests_are_typed_errors_naming_the_numbers() {
        let t = table(PEOPLE);
        let cols = columns(&t);
        let options = CustomerMatchOptions::default();
        let err = customer_match_files(&t, &[0, 1], &[0], &cols, &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 segment labels for 5 rows; give one label per row"
        );
        let err = customer_match_files(&t, &[0, 0, 0, 0, 1], &[7], &cols, &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "segment 8 has no rows: the file's 2 segments are numbered up to 2; choose one of those"
        );
        let err = customer_match_files(&t, &[0; 5], &[], &cols, &options).unwrap_err();
        assert!(matches!(err, ExportError::NoSegmentsChosen));
        let err = customer_match_files(&t, &[0; 5], &[0], &[], &options).unwrap_err();
        assert!(matches!(err, ExportError::NoIdentifierColumns));
        let far = [IdentifierColumn {
            identifier: Identifier::Email,
            column: 9,
        }];
        let err = customer_match_files(&t, &[0; 5], &[0], &far, &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "identifier column 9 does not exist: the table has 7 columns"
        );
        let narnia = CustomerMatchOptions {
            default_country: Some("Narnia".into()),
            ..options
        };
        let err = customer_match_files(&t, &[0; 5], &[0], &cols, &narnia).unwrap_err();
        assert!(err.to_string().contains("\"Narnia\""), "{err}");
    }

    #[test]
    fn detection_ignores_look_alike_columns() {
        let t = table(
            "email_opt_in,phone_verified,contact,notes\nyes,true,a@example.com,call me\nno,false,b@example.org,x\n",
        );
        let found = detect_identifier_columns(&t);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].column_name.as_str(), found[0].by),
            ("contact", DetectedBy::Content)
        );
    }
}
