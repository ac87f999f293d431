//! Enrichment: appending the columns of a second table (for example a ZIP-level census extract) to a
//! customer table by matching a key column.
//!
//! The join is a left join with at most one enrichment row per key:
//!
//! - **Key normalisation** ([`normalize_key`]): surrounding whitespace is trimmed, letters are compared
//!   case-insensitively, and a key made only of ASCII digits loses its leading zeros, so a ZIP code written
//!   `02139` in one file and `2139` in the other (a spreadsheet dropped the zero) match. Nothing else is
//!   changed: `02139-1234` (ZIP+4) does not match `02139`.
//! - **Missing keys**: a customer row whose key is empty or a missing marker matches nothing and is counted
//!   in [`JoinReport::missing_key`] (and in `unmatched`); an enrichment row without a key is skipped and
//!   counted in [`JoinReport::enrichment_rows_without_key`].
//! - **Duplicate keys**: when several enrichment rows share a (normalised) key, the first is used; the keys
//!   and the number of rows set aside are reported.
//! - **New columns** hold the matched enrichment texts (missing for unmatched rows) and are typed by
//!   [`ingest`](crate::ingest)'s inference, exactly as if they had been read from a file. A name already
//!   taken in the customer table gets the suffix ` (enrichment)`.
//!
//! # Example
//! ```
//! use audience_engine::enrich::{join, JoinKeys};
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::table::ColumnType;
//!
//! let options = IngestOptions::default();
//! let customers = read_table(b"id,zip\n1,02139\n2,10001\n3,99999\n", &options).unwrap().table;
//! let census = read_table(b"zip,B19013_001E\n2139,85000\n10001,92000\n", &options).unwrap().table;
//! let enriched = join(&customers, &census, &JoinKeys::new("zip", "zip"), &options).unwrap();
//! assert_eq!((enriched.report.matched, enriched.report.unmatched), (2, 1));
//! let income = enriched.table.column("B19013_001E").unwrap();
//! assert_eq!(income.column_type(), ColumnType::Numeric);
//! assert_eq!((income.number(0), income.number(2)), (Some(85000.0), None));
//! ```

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ingest::{self, IngestError, IngestOptions, DEFAULT_MISSING_MARKERS};
use crate::table::{Cell, Column, ColumnError, ColumnType, Table, TableError};

/// At most this many duplicate keys are listed in a [`JoinReport`] (the count is always complete).
pub const MAX_LISTED_DUPLICATES: usize = 10;

/// Suffix given to an enrichment column whose name the customer table already uses.
pub const RENAME_SUFFIX: &str = " (enrichment)";

/// The key columns to match on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinKeys {
    /// Key column in the customer table.
    pub customer: String,
    /// Key column in the enrichment table.
    pub enrichment: String,
}

impl JoinKeys {
    /// Keys named `customer` (customer table) and `enrichment` (enrichment table).
    pub fn new(customer: impl Into<String>, enrichment: impl Into<String>) -> Self {
        JoinKeys {
            customer: customer.into(),
            enrichment: enrichment.into(),
        }
    }
}

/// Why a join could not be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EnrichError {
    /// The customer table has no such key column.
    #[error("the customer file has no column {column:?} to join on ({available} columns)")]
    NoCustomerKey {
        /// The requested column.
        column: String,
        /// How many columns the customer table has.
        available: usize,
    },
    /// The enrichment table has no such key column.
    #[error("the enrichment file has no column {column:?} to join on ({available} columns)")]
    NoEnrichmentKey {
        /// The requested column.
        column: String,
        /// How many columns the enrichment table has.
        available: usize,
    },
    /// The enrichment table has nothing but its key column.
    #[error("the enrichment file has only its key column {column:?}: there is nothing to add")]
    NothingToAdd {
        /// The key column.
        column: String,
    },
    /// Typing a new column failed.
    #[error("enrichment column {column:?} could not be typed: {source}")]
    Typing {
        /// The column.
        column: String,
        /// What ingest said.
        source: IngestError,
    },
    /// Assembling a column failed.
    #[error(transparent)]
    Column(#[from] ColumnError),
    /// Assembling the table failed.
    #[error(transparent)]
    Table(#[from] TableError),
}

/// How the join went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinReport {
    /// Customer rows.
    pub customer_rows: usize,
    /// Customer rows that found an enrichment row.
    pub matched: usize,
    /// Customer rows that did not (including those without a key).
    pub unmatched: usize,
    /// Customer rows whose key is missing.
    pub missing_key: usize,
    /// Enrichment rows.
    pub enrichment_rows: usize,
    /// Enrichment rows skipped because their key is missing.
    pub enrichment_rows_without_key: usize,
    /// Number of distinct keys that occur more than once in the enrichment table.
    pub duplicate_keys: usize,
    /// Enrichment rows set aside because an earlier row had the same key.
    pub duplicate_rows: usize,
    /// Up to [`MAX_LISTED_DUPLICATES`] duplicate keys, as first written, in file order.
    pub duplicate_examples: Vec<String>,
    /// The columns added, in order, with their final names.
    pub added_columns: Vec<String>,
    /// Added columns renamed to avoid a clash: (name in the enrichment file, new name).
    pub renamed: Vec<(String, String)>,
}

/// The customer table with the enrichment columns appended, and the join report.
#[derive(Clone, Debug, PartialEq)]
pub struct Enriched {
    /// Every customer row and column, in order, followed by the enrichment columns.
    pub table: Table,
    /// How the join went.
    pub report: JoinReport,
}

/// The form two keys are compared in: trimmed, upper-cased, and without leading zeros when all digits.
/// Returns `None` for a missing key (empty after trimming).
///
/// ```
/// use audience_engine::enrich::normalize_key;
/// assert_eq!(normalize_key(" 02139 "), Some("2139".to_owned()));
/// assert_eq!(normalize_key("000"), Some("0".to_owned()));
/// assert_eq!(normalize_key("sw1a 1aa"), Some("SW1A 1AA".to_owned()));
/// assert_eq!(normalize_key("  "), None);
/// ```
pub fn normalize_key(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let stripped = text.trim_start_matches('0');
        return Some(if stripped.is_empty() { "0" } else { stripped }.to_owned());
    }
    Some(text.to_uppercase())
}

/// Left-joins `enrichment` onto `customer` by `keys` (see the module docs for the rules). `options`
/// supplies the missing markers (a key equal to one is missing) and the typing of the new columns.
///
/// # Errors
/// [`EnrichError`] when a key column does not exist, the enrichment table has no other column, or a new
/// column cannot be assembled.
pub fn join(
    customer: &Table,
    enrichment: &Table,
    keys: &JoinKeys,
    options: &IngestOptions,
) -> Result<Enriched, EnrichError> {
    let customer_key =
        customer
            .column(&keys.customer)
            .ok_or_else(|| EnrichError::NoCustomerKey {
                column: keys.customer.clone(),
                available: customer.columns().len(),
            })?;
    let enrichment_key_index =
        enrichment
            .column_index(&keys.enrichment)
            .ok_or_else(|| EnrichError::NoEnrichmentKey {
                column: keys.enrichment.clone(),
                available: enrichment.columns().len(),
            })?;
    if enrichment.columns().len() < 2 {
        return Err(EnrichError::NothingToAdd {
            column: keys.enrichment.clone(),
        });
    }
    let markers: Vec<String> = if options.missing_markers.is_empty() {
        DEFAULT_MISSING_MARKERS
            .iter()
            .map(|m| m.to_string())
            .collect()
    } else {
        options.missing_markers.clone()
    };
    let key_of = |text: &str| {
        let trimmed = text.trim();
        if markers.iter().any(|marker| marker == trimmed) {
            None
        } else {
            normalize_key(trimmed)
        }
    };

    // One enrichment row per key: the first.
    let enrichment_key = &enrichment.columns()[enrichment_key_index];
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut seen_twice: HashSet<String> = HashSet::new();
    let mut report = JoinReport {
        customer_rows: customer.n_rows(),
        matched: 0,
        unmatched: 0,
        missing_key: 0,
        enrichment_rows: enrichment.n_rows(),
        enrichment_rows_without_key: 0,
        duplicate_keys: 0,
        duplicate_rows: 0,
        duplicate_examples: Vec::new(),
        added_columns: Vec::new(),
        renamed: Vec::new(),
    };
    for row in 0..enrichment.n_rows() {
        let text = enrichment_key.text(row);
        let Some(key) = key_of(text) else {
            report.enrichment_rows_without_key += 1;
            continue;
        };
        match first_row.entry(key) {
            Entry::Occupied(entry) => {
                report.duplicate_rows += 1;
                if seen_twice.insert(entry.key().clone()) {
                    report.duplicate_keys += 1;
                    if report.duplicate_examples.len() < MAX_LISTED_DUPLICATES {
                        report.duplicate_examples.push(text.trim().to_owned());
                    }
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(row);
            }
        }
    }

    // The enrichment row of each customer row.
    let matches: Vec<Option<usize>> = (0..customer.n_rows())
        .map(|row| match key_of(customer_key.text(row)) {
            None => {
                report.missing_key += 1;
                None
            }
            Some(key) => first_row.get(&key).copied(),
        })
        .collect();
    report.matched = matches.iter().filter(|m| m.is_some()).count();
    report.unmatched = customer.n_rows() - report.matched;

    let mut columns = customer.columns().to_vec();
    for (index, source) in enrichment.columns().iter().enumerate() {
        if index == enrichment_key_index {
            continue;
        }
        let mut name = source.name.clone();
        while columns.iter().any(|column| column.name == name) {
            name.push_str(RENAME_SUFFIX);
        }
        if name != source.name {
            report.renamed.push((source.name.clone(), name.clone()));
        }
        let texts = matches.iter().map(|m| m.map_or("", |row| source.text(row)));
        columns.push(typed_column(&name, texts, options)?);
        report.added_columns.push(name);
    }
    Ok(Enriched {
        table: Table::new(columns)?,
        report,
    })
}

/// A column of texts, typed by ingest's inference.
fn typed_column<'a>(
    name: &str,
    texts: impl Iterator<Item = &'a str>,
    options: &IngestOptions,
) -> Result<Column, EnrichError> {
    let mut dictionary: Vec<String> = Vec::new();
    let mut codes_of: HashMap<&'a str, u32> = HashMap::new();
    let mut codes = Vec::new();
    for text in texts {
        let code = *codes_of.entry(text).or_insert_with(|| {
            dictionary.push(text.to_owned());
            (dictionary.len() - 1) as u32
        });
        codes.push(code);
    }
    let cells = vec![Cell::Missing; dictionary.len()];
    let raw = Column::new(
        name,
        ColumnType::Empty,
        codes,
        dictionary,
        cells,
        Vec::new(),
    )?;
    let inferred = ingest::column_summary(&raw, options).inferred_type;
    if inferred == ColumnType::Empty {
        return Ok(raw);
    }
    ingest::retype(&raw, inferred, options).map_err(|source| EnrichError::Typing {
        column: name.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_table;

    fn table(csv: &str) -> Table {
        read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table
    }

    fn join_zip(customers: &str, census: &str) -> Enriched {
        join(
            &table(customers),
            &table(census),
            &JoinKeys::new("zip", "ZCTA"),
            &IngestOptions::default(),
        )
        .unwrap()
    }

    const CUSTOMERS: &str =
        "id,zip,spend\n1,02139,10\n2, 02139 ,20\n3,10001,30\n4,,40\n5,94105,50\n6,NA,60\n";
    const CENSUS: &str = "ZCTA,B19013_001E,B01003_001E\n2139,85000,36000\n10001,92000,21000\n";

    #[test]
    fn coverage_counts_matched_unmatched_and_missing_keys_by_hand() {
        let enriched = join_zip(CUSTOMERS, CENSUS);
        let report = &enriched.report;
        // Rows 1–3 match (2139 twice after trimming and dropping the leading zero, 10001 once); row 5
        // has a key with no census row; rows 4 and 6 have no key (empty, NA).
        assert_eq!(report.customer_rows, 6);
        assert_eq!((report.matched, report.unmatched), (3, 3));
        assert_eq!(report.missing_key, 2);
        assert_eq!(report.added_columns, ["B19013_001E", "B01003_001E"]);
        let income = enriched.table.column("B19013_001E").unwrap();
        assert_eq!(income.column_type(), ColumnType::Numeric);
        let values: Vec<Option<f64>> = (0..6).map(|row| income.number(row)).collect();
        assert_eq!(
            values,
            [
                Some(85000.0),
                Some(85000.0),
                Some(92000.0),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn customer_rows_and_columns_are_kept_in_order() {
        let customers = table(CUSTOMERS);
        let enriched = join_zip(CUSTOMERS, CENSUS);
        assert_eq!(enriched.table.n_rows(), customers.n_rows());
        assert_eq!(&enriched.table.columns()[..3], customers.columns());
        assert_eq!(enriched.table.columns().len(), 5);
    }

    #[test]
    fn a_duplicate_key_keeps_the_first_row_and_is_reported() {
        let census = "ZCTA,B19013_001E\n02139,1\n2139,2\n10001,3\n10001,4\n10001,5\n,6\n";
        let enriched = join_zip(CUSTOMERS, census);
        let report = &enriched.report;
        assert_eq!(report.duplicate_keys, 2);
        assert_eq!(report.duplicate_rows, 3);
        assert_eq!(report.duplicate_examples, ["2139", "10001"]);
        assert_eq!(report.enrichment_rows_without_key, 1);
        let income = enriched.table.column("B19013_001E").unwrap();
        assert_eq!(income.number(0), Some(1.0));
        assert_eq!(income.number(2), Some(3.0));
    }

    #[test]
    fn keys_match_case_insensitively_and_after_trimming() {
        let enriched = join(
            &table("id,code\n1, ab1 \n2,AB2\n"),
            &table("CODE,tier\nAB1,gold\nab2,silver\n"),
            &JoinKeys::new("code", "CODE"),
            &IngestOptions::default(),
        )
        .unwrap();
        assert_eq!(enriched.report.matched, 2);
        let tier = enriched.table.column("tier").unwrap();
        assert_eq!((tier.text(0), tier.text(1)), ("gold", "silver"));
    }

    #[test]
    fn a_clashing_name_gets_a_suffix() {
        let enriched = join_zip(CUSTOMERS, "ZCTA,spend\n2139,1\n");
        assert_eq!(enriched.report.added_columns, ["spend (enrichment)"]);
        assert_eq!(
            enriched.report.renamed,
            [("spend".to_owned(), "spend (enrichment)".to_owned())]
        );
    }

    #[test]
    fn categorical_enrichment_columns_are_typed_by_inference() {
        let enriched = join_zip(
            CUSTOMERS,
            "ZCTA,region\n2139,urban\n10001,urban\n94105,rural\n",
        );
        let region = enriched.table.column("region").unwrap();
        assert!(
            region.column_type().has_levels(),
            "{:?}",
            region.column_type()
        );
        assert!(region.is_missing(3));
    }

    #[test]
    fn an_unknown_key_column_is_a_typed_error() {
        let error = join(
            &table(CUSTOMERS),
            &table(CENSUS),
            &JoinKeys::new("postcode", "ZCTA"),
            &IngestOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the customer file has no column \"postcode\" to join on (3 columns)"
        );
        let error = join(
            &table(CUSTOMERS),
            &table(CENSUS),
            &JoinKeys::new("zip", "zip"),
            &IngestOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            EnrichError::NoEnrichmentKey { available: 3, .. }
        ));
    }

    #[test]
    fn a_key_only_enrichment_file_has_nothing_to_add() {
        let error = join(
            &table(CUSTOMERS),
            &table("ZCTA\n2139\n10001\n"),
            &JoinKeys::new("zip", "ZCTA"),
            &IngestOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, EnrichError::NothingToAdd { .. }));
    }

    #[test]
    fn leading_zeros_only_matter_for_all_digit_keys() {
        assert_eq!(normalize_key("007"), normalize_key("7"));
        assert_ne!(normalize_key("0A7"), normalize_key("A7"));
        assert_ne!(normalize_key("02139-1234"), normalize_key("02139"));
    }
}
