//! A data dictionary for the user's columns: column name → description, from a CSV codebook
//! (survey and insurance extracts often ship one) or typed by the user.

use rustc_hash::FxHashMap;

use super::ColumnDescription;

/// Why a data dictionary could not be read. Every message names the line and says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DictionaryError {
    /// The file has no line with a column and a description.
    #[error("the data dictionary is empty: give one line per column, the column name then its description, e.g. MOSTYPE,Customer subtype")]
    Empty,
    /// A line could not be read as CSV.
    #[error("data dictionary line {line}: {message}; check the quotes on that line")]
    Csv {
        /// 1-based line number.
        line: usize,
        /// What the CSV reader said.
        message: String,
    },
    /// A line has a column name but no description.
    #[error("data dictionary line {line}: {column:?} has no description; write it after a comma, e.g. {column},what the column means")]
    NoDescription {
        /// 1-based line number.
        line: usize,
        /// The column name on that line.
        column: String,
    },
    /// A line has a description but no column name.
    #[error("data dictionary line {line}: the column name is empty; put the column's name first")]
    NoColumn {
        /// 1-based line number.
        line: usize,
    },
    /// A column is described twice.
    #[error("data dictionary lines {first} and {line} both describe {column:?}; keep one of them")]
    Duplicate {
        /// The column name.
        column: String,
        /// 1-based line of the first description.
        first: usize,
        /// 1-based line of the second.
        line: usize,
    },
}

/// Column name → description. Names match the file's headers ignoring case and surrounding
/// spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnDictionary {
    entries: Vec<(String, String)>,
    by_key: FxHashMap<String, usize>,
}

/// Header cells that mark a first line as a header rather than an entry.
const NAME_HEADERS: &[&str] = &[
    "column",
    "column name",
    "name",
    "variable",
    "field",
    "code",
    "attribute",
];
const DESCRIPTION_HEADERS: &[&str] = &["description", "meaning", "label", "definition", "desc"];

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl ColumnDictionary {
    /// Reads a two-column CSV (column, description), with or without a header line, comma-,
    /// semicolon- or tab-separated (the separator of the first line), fields optionally quoted.
    /// Blank lines are skipped; a third column and beyond are ignored. A line without a
    /// description is an error, never silently dropped.
    pub fn from_csv(text: &str) -> Result<Self, DictionaryError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = [b'\t', b';', b',']
            .into_iter()
            .max_by_key(|&d| first.bytes().filter(|&b| b == d).count())
            .filter(|&d| first.as_bytes().contains(&d))
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut out = Self::default();
        let mut lines: FxHashMap<String, usize> = FxHashMap::default();
        let mut seen_first = false;
        for record in reader.records() {
            let record = record.map_err(|e| DictionaryError::Csv {
                line: e.position().map_or(0, |p| p.line() as usize),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let name = record.get(0).unwrap_or("").trim();
            let description = record.get(1).unwrap_or("").trim();
            if name.is_empty()
                && description.is_empty()
                && record.iter().all(|f| f.trim().is_empty())
            {
                continue;
            }
            if !seen_first {
                seen_first = true;
                if NAME_HEADERS.contains(&key(name).as_str())
                    && DESCRIPTION_HEADERS.contains(&key(description).as_str())
                {
                    continue;
                }
            }
            if name.is_empty() {
                return Err(DictionaryError::NoColumn { line });
            }
            if description.is_empty() {
                return Err(DictionaryError::NoDescription {
                    line,
                    column: name.to_string(),
                });
            }
            if let Some(&first) = lines.get(&key(name)) {
                return Err(DictionaryError::Duplicate {
                    column: name.to_string(),
                    first,
                    line,
                });
            }
            lines.insert(key(name), line);
            out.insert(name, description);
        }
        if out.is_empty() {
            return Err(DictionaryError::Empty);
        }
        Ok(out)
    }

    /// Adds or replaces one column's description (a description the user typed).
    pub fn insert(&mut self, column: &str, description: &str) {
        let k = key(column);
        match self.by_key.get(&k) {
            Some(&i) => self.entries[i].1 = description.trim().to_string(),
            None => {
                self.by_key.insert(k, self.entries.len());
                self.entries
                    .push((column.trim().to_string(), description.trim().to_string()));
            }
        }
    }

    /// The description of `column`, if any.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.by_key
            .get(&key(column))
            .map(|&i| self.entries[i].1.as_str())
    }

    /// The described column names, as written, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// Number of described columns.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no column is described.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets the description of every column the dictionary knows; returns the dictionary's column
    /// names that are not in `columns` (for the page to say "not in your file").
    pub fn describe(&self, columns: &mut [ColumnDescription]) -> Vec<String> {
        for c in columns.iter_mut() {
            if let Some(d) = self.get(&c.name) {
                c.description = Some(d.to_string());
            }
        }
        self.entries
            .iter()
            .filter(|(name, _)| !columns.iter().any(|c| key(&c.name) == key(name)))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_codebook_with_a_header_quotes_and_commas_in_descriptions() {
        let d = ColumnDictionary::from_csv(
            "Column,Description\nMOSTYPE,\"Customer subtype, e.g. career and childcare\"\n\n mrelsa , Married (share of the postcode)\n",
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d.get("mostype"),
            Some("Customer subtype, e.g. career and childcare")
        );
        assert_eq!(d.get("MRELSA"), Some("Married (share of the postcode)"));
    }

    #[test]
    fn a_codebook_without_header_separated_by_semicolons_or_tabs() {
        let d = ColumnDictionary::from_csv("PBRAND;Contribution fire policies;extra\nAGE;Age\n")
            .unwrap();
        assert_eq!(d.get("PBRAND"), Some("Contribution fire policies"));
        assert_eq!(d.get("age"), Some("Age"));
        let d = ColumnDictionary::from_csv("PBRAND\tFire policies\n").unwrap();
        assert_eq!(d.get("pbrand"), Some("Fire policies"));
    }

    #[test]
    fn unusable_lines_are_errors_that_name_the_line() {
        assert_eq!(
            ColumnDictionary::from_csv("MOSTYPE,Customer subtype\nMRELSA\n"),
            Err(DictionaryError::NoDescription {
                line: 2,
                column: "MRELSA".into()
            })
        );
        assert_eq!(
            ColumnDictionary::from_csv("A,x\nB,y\na,z\n"),
            Err(DictionaryError::Duplicate {
                column: "a".into(),
                first: 1,
                line: 3
            })
        );
        assert_eq!(
            ColumnDictionary::from_csv("\n \n"),
            Err(DictionaryError::Empty)
        );
        assert_eq!(
            ColumnDictionary::from_csv(",orphan description\n"),
            Err(DictionaryError::NoColumn { line: 1 })
        );
        let message = ColumnDictionary::from_csv("MOSTYPE\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("line 1") && message.contains("MOSTYPE,"),
            "{message}"
        );
    }

    #[test]
    fn describe_fills_matching_columns_and_reports_the_others() {
        let d =
            ColumnDictionary::from_csv("mostype,Customer subtype\nZZZ,Not in the file\n").unwrap();
        let mut columns = vec![
            ColumnDescription::new("MOSTYPE", vec![]),
            ColumnDescription::new("AGE", vec![]),
        ];
        assert_eq!(d.describe(&mut columns), vec!["ZZZ".to_string()]);
        assert_eq!(columns[0].description.as_deref(), Some("Customer subtype"));
        assert_eq!(columns[1].description, None);
    }
}
