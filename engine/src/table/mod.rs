//! The in-memory table every later step reads: columns of dictionary-encoded cell text plus a typed
//! interpretation of each distinct cell.
//!
//! A column keeps the exact text of every cell (so exports can write each input row back unchanged)
//! without storing a `String` per cell: `code(row)` indexes a [`Dictionary`] of the distinct texts, and each
//! dictionary entry is interpreted once under the column's [`ColumnType`] as a [`Cell`]. Changing a
//! column's type (the user overriding inference) only re-interprets the dictionary. The codes take one,
//! two or four bytes a row, as the dictionary's size needs ([`Codes`]), and the dictionary keeps its
//! texts in one buffer.

mod storage;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use storage::CellStore;
pub(crate) use storage::CodeStore;
pub use storage::{CellIter, Cells, CodeIter, Codes, Dictionary};

/// How a column's values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Real numbers (`42`, `-3.5`, `1,234.5`, `$50,000`, `12%`).
    Numeric,
    /// Two values such as TRUE/FALSE, yes/no, 1/0, Y/N. Level 0 is the negative value, level 1 the positive.
    Binary,
    /// Ordered ranges or bands ("18-24", "55+", "<30k", "$50,000 to $74,999", "10+ years"); levels are
    /// sorted by [`Level::position`].
    Ordinal,
    /// Unordered labels.
    Categorical,
    /// Near-unique values such as customer ids or e-mail addresses; excluded from clustering by default.
    Identifier,
    /// Calendar dates; read as days since 1970-01-01.
    Date,
    /// Every cell is missing.
    Empty,
}

impl ColumnType {
    /// Whether cells of this type carry a number ([`Cell::Number`]).
    pub fn is_numeric_like(self) -> bool {
        matches!(self, ColumnType::Numeric | ColumnType::Date)
    }

    /// Whether cells of this type are levels ([`Cell::Level`]).
    pub fn has_levels(self) -> bool {
        matches!(
            self,
            ColumnType::Binary | ColumnType::Ordinal | ColumnType::Categorical
        )
    }
}

/// The interpretation of one distinct cell text under its column's type.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Cell {
    /// A missing-value marker ("", NA, N/A, null, ?, unknown, …) or text the type cannot read.
    Missing,
    /// A number (numeric columns) or days since 1970-01-01 (date columns).
    Number(f64),
    /// An index into the column's [`Column::levels`].
    Level(u32),
    /// Present free text with no further interpretation (identifier columns).
    Text,
}

/// One value of a binary, ordinal or categorical column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Display label, e.g. `"yes"`, `"25-34"` or `"Retail"`.
    pub label: String,
    /// Position on the ordinal scale (for ranges, the midpoint; open ranges extend by the neighbouring
    /// width). For binary levels 0.0 and 1.0. `None` for categorical levels.
    pub position: Option<f64>,
}

/// One column: exact cell texts plus their typed reading.
///
/// Serialized as its name, type, codes (a list of numbers), dictionary (a list of texts), cells and
/// levels; deserializing checks them as [`Column::new`] does.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Header text (or `column_N` when the file has no header row).
    pub name: String,
    column_type: ColumnType,
    codes: CodeStore,
    dictionary: Dictionary,
    cells: CellStore,
    levels: Vec<Level>,
}

/// Why a [`Column`] could not be assembled from its parts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// A row's code points past the end of the dictionary.
    #[error("column {column:?}: row {row} refers to dictionary entry {code}, but the dictionary has {len} entries")]
    CodeOutOfRange {
        /// Column name.
        column: String,
        /// Row index (0-based, data rows only).
        row: usize,
        /// The offending code.
        code: u32,
        /// Dictionary length.
        len: usize,
    },
    /// `cells` does not have one entry per dictionary entry.
    #[error("column {column:?}: {cells} interpretations for {dictionary} dictionary entries")]
    CellCountMismatch {
        /// Column name.
        column: String,
        /// Number of interpretations given.
        cells: usize,
        /// Number of dictionary entries.
        dictionary: usize,
    },
    /// A cell refers to a level that does not exist.
    #[error("column {column:?}: a cell refers to level {level}, but the column has {len} levels")]
    LevelOutOfRange {
        /// Column name.
        column: String,
        /// The offending level index.
        level: u32,
        /// Number of levels.
        len: usize,
    },
}

impl Column {
    /// Assembles a column, checking that every code and level index is in range.
    pub fn new(
        name: impl Into<String>,
        column_type: ColumnType,
        codes: Vec<u32>,
        dictionary: Vec<String>,
        cells: Vec<Cell>,
        levels: Vec<Level>,
    ) -> Result<Self, ColumnError> {
        Column::with_dictionary(
            name,
            column_type,
            codes,
            Dictionary::from(dictionary),
            cells,
            levels,
        )
    }

    /// [`Column::new`] with the distinct texts already in a [`Dictionary`]. The codes are stored in the
    /// narrowest width the dictionary needs.
    pub fn with_dictionary(
        name: impl Into<String>,
        column_type: ColumnType,
        codes: Vec<u32>,
        dictionary: Dictionary,
        cells: Vec<Cell>,
        levels: Vec<Level>,
    ) -> Result<Self, ColumnError> {
        let codes = CodeStore::new(codes, dictionary.len());
        Column::from_store(name, column_type, codes, dictionary, cells, levels)
    }

    /// [`Column::with_dictionary`] with the codes already stored (as a file is read).
    pub(crate) fn from_store(
        name: impl Into<String>,
        column_type: ColumnType,
        codes: CodeStore,
        dictionary: Dictionary,
        cells: Vec<Cell>,
        levels: Vec<Level>,
    ) -> Result<Self, ColumnError> {
        let name = name.into();
        if cells.len() != dictionary.len() {
            return Err(ColumnError::CellCountMismatch {
                column: name,
                cells: cells.len(),
                dictionary: dictionary.len(),
            });
        }
        if let Some((row, code)) = codes
            .view()
            .iter()
            .enumerate()
            .find(|&(_, code)| code as usize >= dictionary.len())
        {
            return Err(ColumnError::CodeOutOfRange {
                column: name,
                row,
                code,
                len: dictionary.len(),
            });
        }
        if let Some(level) = cells.iter().find_map(|cell| match *cell {
            Cell::Level(level) if level as usize >= levels.len() => Some(level),
            _ => None,
        }) {
            return Err(ColumnError::LevelOutOfRange {
                column: name,
                level,
                len: levels.len(),
            });
        }
        Ok(Column {
            name,
            column_type,
            codes,
            dictionary,
            cells: CellStore::new(cells),
            levels,
        })
    }

    /// The column's type.
    pub fn column_type(&self) -> ColumnType {
        self.column_type
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes().len()
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.codes().is_empty()
    }

    /// The exact text of the cell in `row`, as it was in the file (after decoding to UTF-8 and CSV unquoting).
    pub fn text(&self, row: usize) -> &str {
        &self.dictionary[self.code(row) as usize]
    }

    /// The dictionary code of the cell in `row` (`text(row) == &dictionary()[code(row)]`).
    #[inline]
    pub fn code(&self, row: usize) -> u32 {
        self.codes().get(row)
    }

    /// The typed reading of the cell in `row`.
    pub fn cell(&self, row: usize) -> Cell {
        self.cells.view().get(self.code(row) as usize)
    }

    /// Whether the cell in `row` is missing.
    pub fn is_missing(&self, row: usize) -> bool {
        matches!(self.cell(row), Cell::Missing)
    }

    /// The number in `row`: the value of numeric and date cells, the level position of binary and ordinal
    /// cells; `None` when missing or categorical.
    pub fn number(&self, row: usize) -> Option<f64> {
        match self.cell(row) {
            Cell::Number(value) => Some(value),
            Cell::Level(level) => self.levels[level as usize].position,
            Cell::Missing | Cell::Text => None,
        }
    }

    /// The level index in `row` for binary, ordinal and categorical columns; `None` when missing.
    pub fn level(&self, row: usize) -> Option<u32> {
        match self.cell(row) {
            Cell::Level(level) => Some(level),
            _ => None,
        }
    }

    /// The column's levels (empty unless [`ColumnType::has_levels`]).
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// Per-row dictionary codes (`text(row) == &dictionary()[codes().get(row)]`), in the width the
    /// column stores them.
    #[inline]
    pub fn codes(&self) -> Codes<'_> {
        self.codes.view()
    }

    /// The distinct cell texts, in code order.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dictionary
    }

    /// The typed reading of each dictionary entry.
    pub fn cells(&self) -> Cells<'_> {
        self.cells.view()
    }

    /// Number of missing cells.
    pub fn missing_count(&self) -> usize {
        self.codes()
            .counts(self.dictionary.len())
            .iter()
            .zip(self.cells.view().iter())
            .filter(|(_, cell)| matches!(cell, Cell::Missing))
            .map(|(count, _)| count)
            .sum()
    }
}

/// The fields of a [`Column`] as serialized.
#[derive(Serialize)]
struct ColumnFields<'a> {
    name: &'a str,
    column_type: ColumnType,
    codes: &'a CodeStore,
    dictionary: &'a Dictionary,
    cells: &'a CellStore,
    levels: &'a [Level],
}

/// The fields of a [`Column`] as deserialized, before they are checked.
#[derive(Deserialize)]
struct OwnedColumnFields {
    name: String,
    column_type: ColumnType,
    codes: Vec<u32>,
    dictionary: Dictionary,
    cells: Vec<Cell>,
    levels: Vec<Level>,
}

impl Serialize for Column {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ColumnFields {
            name: &self.name,
            column_type: self.column_type,
            codes: &self.codes,
            dictionary: &self.dictionary,
            cells: &self.cells,
            levels: &self.levels,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Column, D::Error> {
        let fields = OwnedColumnFields::deserialize(deserializer)?;
        Column::with_dictionary(
            fields.name,
            fields.column_type,
            fields.codes,
            fields.dictionary,
            fields.cells,
            fields.levels,
        )
        .map_err(serde::de::Error::custom)
    }
}

/// A parsed file: equally long columns in file order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    columns: Vec<Column>,
    n_rows: usize,
}

/// Why a [`Table`] could not be assembled from its columns.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Columns of different lengths.
    #[error("column {column:?} has {found} rows, but the table has {expected}")]
    RaggedColumns {
        /// The column whose length differs from the first column's.
        column: String,
        /// The first column's length.
        expected: usize,
        /// This column's length.
        found: usize,
    },
}

impl Table {
    /// Assembles a table from equally long columns.
    pub fn new(columns: Vec<Column>) -> Result<Self, TableError> {
        let n_rows = columns.first().map_or(0, Column::len);
        if let Some(column) = columns.iter().find(|column| column.len() != n_rows) {
            return Err(TableError::RaggedColumns {
                column: column.name.clone(),
                expected: n_rows,
                found: column.len(),
            });
        }
        Ok(Table { columns, n_rows })
    }

    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name` (exact match), if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// Index of the column called `name` (exact match), if any.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column.name == name)
    }

    /// Replaces column `index` (same length required), e.g. after the user changed its type.
    pub fn replace_column(&mut self, index: usize, column: Column) -> Result<(), TableError> {
        if column.len() != self.n_rows {
            return Err(TableError::RaggedColumns {
                column: column.name.clone(),
                expected: self.n_rows,
                found: column.len(),
            });
        }
        self.columns[index] = column;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour_column() -> Column {
        Column::new(
            "colour",
            ColumnType::Categorical,
            vec![0, 1, 0, 2],
            vec!["red".into(), "blue".into(), "".into()],
            vec![Cell::Level(0), Cell::Level(1), Cell::Missing],
            vec![
                Level {
                    label: "red".into(),
                    position: None,
                },
                Level {
                    label: "blue".into(),
                    position: None,
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn column_reads_text_levels_and_missing_per_row() {
        let column = colour_column();
        assert_eq!(column.text(2), "red");
        assert_eq!(column.level(1), Some(1));
        assert_eq!(column.level(3), None);
        assert!(column.is_missing(3));
        assert_eq!(column.missing_count(), 1);
        assert_eq!(column.number(0), None);
    }

    #[test]
    fn column_rejects_codes_past_the_dictionary() {
        let error = Column::new(
            "x",
            ColumnType::Numeric,
            vec![0, 3],
            vec!["1".into()],
            vec![Cell::Number(1.0)],
            vec![],
        )
        .unwrap_err();
        assert!(matches!(
            error,
            ColumnError::CodeOutOfRange {
                row: 1,
                code: 3,
                ..
            }
        ));
    }

    #[test]
    fn table_rejects_columns_of_different_lengths() {
        let short = Column::new(
            "n",
            ColumnType::Numeric,
            vec![0],
            vec!["1".into()],
            vec![Cell::Number(1.0)],
            vec![],
        )
        .unwrap();
        let error = Table::new(vec![colour_column(), short]).unwrap_err();
        assert_eq!(
            error,
            TableError::RaggedColumns {
                column: "n".into(),
                expected: 4,
                found: 1
            }
        );
    }
}
