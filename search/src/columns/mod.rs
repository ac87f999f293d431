//! The user's own columns in the same search: a request selects columns of an uploaded file, and
//! each column is linked to its closest catalog variables.
//!
//! A column whose header is an opaque code (`MOSTYPE`, `MRELSA`, `PBRAND`) and that has no
//! description gets no made-up relevance: [`ColumnDescription::meaning_unknown`] says so, and
//! [`search_columns`] leaves it out until a [`ColumnDictionary`] (a CSV codebook) or a typed
//! description says what it holds. [`column_evidence`] adds the plain, explainable matches.

mod dictionary;
mod evidence;

pub use dictionary::{ColumnDictionary, DictionaryError};
pub use evidence::{column_evidence, query_terms};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::embed::StaticEmbedder;
use super::hybrid::SearchHit;
use super::index::{SearchIndex, SearchOptions};
use super::record::{Catalog, DataKind, DataType, Variable};
use super::synonyms::Lexicon;
use super::CatalogError;

/// What the page and the CLI say about a column of [unknown meaning](ColumnDescription::meaning_unknown).
pub const MEANING_UNKNOWN: &str = "meaning unknown: describe this column or load a data dictionary (CSV: column, description) to search it";

/// How many sample values of a column are used as search text.
pub const SAMPLE_VALUES_USED: usize = 5;

/// A column of the user's file, as the search sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDescription {
    /// Header text.
    pub name: String,
    /// A few distinct values (the first [`SAMPLE_VALUES_USED`] with a letter in them are used).
    pub sample_values: Vec<String>,
    /// What the column means, from a data dictionary or typed by the user.
    #[serde(default)]
    pub description: Option<String>,
}

impl ColumnDescription {
    /// A column with its header and sample values, without description.
    pub fn new(name: impl Into<String>, sample_values: Vec<String>) -> Self {
        Self {
            name: name.into(),
            sample_values,
            description: None,
        }
    }

    /// Whether nothing says what the column holds: no description, and no word of its header is
    /// a word (a whole token of `embedder`'s vocabulary with at least two letters): `MOSTYPE`,
    /// `MRELSA`, `PBRAND`. `age`, `contact`, `hh_income` are understood.
    pub fn meaning_unknown(&self, embedder: &StaticEmbedder) -> bool {
        if self
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty())
        {
            return false;
        }
        !humanize(&self.name)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .any(|w| is_word(&w.to_lowercase(), embedder))
    }

    /// The text searched for this column: the header split into words (`hh_income`,
    /// `AgeGroup` → `hh income`, `Age Group`), its description if any, plus its worded sample
    /// values.
    pub fn search_text(&self) -> String {
        let mut text = humanize(&self.name);
        if let Some(d) = self.description.as_deref().filter(|d| !d.trim().is_empty()) {
            text.push_str(". ");
            text.push_str(d.trim());
        }
        for value in self
            .sample_values
            .iter()
            .filter(|v| v.chars().any(char::is_alphabetic))
            .take(SAMPLE_VALUES_USED)
        {
            text.push(' ');
            text.push_str(value);
        }
        text
    }
}

/// A column with its closest catalog variables.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnLink {
    /// The column's header.
    pub column: String,
    /// The closest variables, best first.
    pub candidates: Vec<SearchHit>,
}

/// Whether `word` (lower case) is a word of `embedder`'s vocabulary as a whole token, itself or
/// in another inflection ("recycles" → "recycling", "commute" → "commuting").
fn is_word(word: &str, embedder: &StaticEmbedder) -> bool {
    let whole = |w: &str| w.len() >= 2 && embedder.tokens(w) == [w];
    let mut bases = vec![word.to_string()];
    for suffix in ["s", "es", "ed", "d", "ing", "er", "ers"] {
        if let Some(b) = word.strip_suffix(suffix).filter(|b| b.len() >= 3) {
            bases.push(b.to_string());
        }
    }
    bases.iter().any(|b| {
        let stem = b.strip_suffix('e').unwrap_or(b);
        whole(b)
            || [
                format!("{b}s"),
                format!("{b}e"),
                format!("{stem}ing"),
                format!("{stem}ed"),
            ]
            .iter()
            .any(|w| whole(w))
    })
}

/// Splits `snake_case`, `kebab-case` and `camelCase` headers into words.
pub fn humanize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            out.push(' ');
        } else {
            if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
                out.push(' ');
            }
            out.push(c);
        }
        prev = Some(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Indexes a file's columns for [`search_columns`]: each column becomes a pseudo-variable of type
/// `column` whose label is its header and whose description is its sample values.
pub fn column_index(
    columns: &[ColumnDescription],
    embedder: Arc<StaticEmbedder>,
) -> Result<SearchIndex, CatalogError> {
    let variables = columns
        .iter()
        .enumerate()
        .map(|(i, c)| Variable {
            // Headers can repeat in messy files; codes must be unique.
            code: format!("{i}:{}", c.name),
            label: humanize(&c.name),
            concept: String::new(),
            description: Some(c.search_text()),
            table: format!("column {i}"),
            kind: "column".into(),
            data_type: DataType::Categorical,
            values: Vec::new(),
            range: None,
            unit: None,
            source: "user file".into(),
            availability: vec![DataKind::FirstParty],
        })
        .collect();
    SearchIndex::new(
        Catalog::new(variables)?,
        embedder,
        Lexicon::default_lexicon(),
        None,
    )
}

/// Ranks the user's columns for a request, with the same hybrid search as the catalog. Each hit's
/// `index` is the column's position and `code` is `"{position}:{header}"`. Columns whose
/// [meaning is unknown](ColumnDescription::meaning_unknown) are left out: their header says
/// nothing a request could match.
pub fn search_columns(
    query: &str,
    columns: &[ColumnDescription],
    embedder: Arc<StaticEmbedder>,
    options: &SearchOptions,
) -> Result<Vec<SearchHit>, CatalogError> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let unknown: Vec<bool> = columns
        .iter()
        .map(|c| c.meaning_unknown(&embedder))
        .collect();
    let index = column_index(columns, embedder)?;
    let options = SearchOptions {
        max_per_table: 0,
        ..*options
    };
    let mut hits = index.search(query, &options);
    hits.retain(|h| !unknown[h.index]);
    Ok(hits)
}

impl SearchIndex {
    /// Links each column to its `top` closest catalog variables (header, description and sample
    /// values as the query); a column of [unknown meaning](ColumnDescription::meaning_unknown)
    /// gets none ("MRELSA like: Manicurists" was noise).
    pub fn link_columns(&self, columns: &[ColumnDescription], top: usize) -> Vec<ColumnLink> {
        let options = SearchOptions {
            top,
            ..SearchOptions::default()
        };
        columns
            .iter()
            .map(|c| ColumnLink {
                column: c.name.clone(),
                candidates: if c.meaning_unknown(self.embedder()) {
                    Vec::new()
                } else {
                    self.search(&c.search_text(), &options)
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_into_words() {
        assert_eq!(humanize("hh_income_band"), "hh income band");
        assert_eq!(humanize("AgeGroup"), "Age Group");
        assert_eq!(humanize("zip-code.5"), "zip code 5");
        assert_eq!(humanize("HTTPStatus"), "HTTPStatus");
        assert_eq!(humanize("__"), "");
    }

    #[test]
    fn search_text_uses_worded_samples_only() {
        let mut c = ColumnDescription::new(
            "area_type",
            vec!["1".into(), "Urban".into(), "3.5".into(), "Rural".into()],
        );
        assert_eq!(c.search_text(), "area type Urban Rural");
        c.description = Some("Where the customer lives".into());
        assert_eq!(
            c.search_text(),
            "area type. Where the customer lives Urban Rural"
        );
    }
}
