//! The user's own columns in the same search: a request selects columns of an uploaded file, and
//! each column is linked to its closest catalog variables.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::embed::StaticEmbedder;
use super::hybrid::SearchHit;
use super::index::{SearchIndex, SearchOptions};
use super::record::{Catalog, DataKind, DataType, Variable};
use super::synonyms::Lexicon;
use super::CatalogError;

/// How many sample values of a column are used as search text.
pub const SAMPLE_VALUES_USED: usize = 5;

/// A column of the user's file, as the search sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDescription {
    /// Header text.
    pub name: String,
    /// A few distinct values (the first [`SAMPLE_VALUES_USED`] with a letter in them are used).
    pub sample_values: Vec<String>,
}

impl ColumnDescription {
    /// The text searched for this column: the header split into words (`hh_income`,
    /// `AgeGroup` → `hh income`, `Age Group`) plus its worded sample values.
    pub fn search_text(&self) -> String {
        let mut text = humanize(&self.name);
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
/// `index` is the column's position and `code` is `"{position}:{header}"`.
pub fn search_columns(
    query: &str,
    columns: &[ColumnDescription],
    embedder: Arc<StaticEmbedder>,
    options: &SearchOptions,
) -> Result<Vec<SearchHit>, CatalogError> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let index = column_index(columns, embedder)?;
    let options = SearchOptions {
        max_per_table: 0,
        ..*options
    };
    Ok(index.search(query, &options))
}

impl SearchIndex {
    /// Links each column to its `top` closest catalog variables (header plus sample values as the
    /// query).
    pub fn link_columns(&self, columns: &[ColumnDescription], top: usize) -> Vec<ColumnLink> {
        let options = SearchOptions {
            top,
            ..SearchOptions::default()
        };
        columns
            .iter()
            .map(|c| ColumnLink {
                column: c.name.clone(),
                candidates: self.search(&c.search_text(), &options),
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
        let c = ColumnDescription {
            name: "area_type".into(),
            sample_values: vec!["1".into(), "Urban".into(), "3.5".into(), "Rural".into()],
        };
        assert_eq!(c.search_text(), "area type Urban Rural");
    }
}
