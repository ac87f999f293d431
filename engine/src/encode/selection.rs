//! Which columns take part in clustering, with which weight.

use serde::{Deserialize, Serialize};

use crate::table::{Column, ColumnType, Table};

/// One selected column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectedVariable {
    /// Column index in the [`Table`].
    pub column: usize,
    /// Weight (finite, > 0): the most this variable can add to the distance between two rows.
    pub weight: f64,
    /// Include the column even if it is an identifier or entirely missing.
    pub force: bool,
}

/// The variables to encode. Their dimensions appear in the matrix in table order, whatever the order of
/// [`variables`](Self::variables): the same columns and weights give the same matrix, and so the same
/// segments for a seed, however they are listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Selected columns.
    pub variables: Vec<SelectedVariable>,
}

impl Selection {
    /// The given column indices, weight 1 each, not forced.
    pub fn columns(indices: &[usize]) -> Self {
        Selection {
            variables: indices
                .iter()
                .map(|&column| SelectedVariable {
                    column,
                    weight: 1.0,
                    force: false,
                })
                .collect(),
        }
    }

    /// The same variables listed in table order, the order of their dimensions in the matrix: what a
    /// summary or a saved model lists, however the user listed them.
    pub fn in_table_order(mut self) -> Self {
        self.variables.sort_by_key(|variable| variable.column);
        self
    }
}

/// The columns clustering uses when the user has not chosen: every numeric, binary, ordinal and
/// categorical column that has at least one present value, weight 1, in table order. Identifier, empty and
/// date columns are left out, and so is `target` (the conversion column never takes part in clustering).
/// Contact columns ([`is_contact_column`]: e-mails, phones, people's names, street addresses) are left out
/// too, even when their values repeat: they identify people and describe nobody.
pub fn default_selection(table: &Table, target: Option<&str>) -> Selection {
    let indices: Vec<usize> = table
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| {
            matches!(
                column.column_type(),
                ColumnType::Numeric
                    | ColumnType::Binary
                    | ColumnType::Ordinal
                    | ColumnType::Categorical
            ) && Some(column.name.as_str()) != target
                && column.missing_count() < column.len()
                && !is_contact_column(column)
        })
        .map(|(index, _)| index)
        .collect();
    Selection::columns(&indices)
}

/// Column names of contact details, lowercased without separators ("E-mail Address" → "emailaddress").
/// Whole names only: "email_opt_in" or "phone_calls" describe customers and stay.
const CONTACT_NAMES: &[&str] = &[
    "email",
    "emailaddress",
    "mail",
    "phone",
    "phonenumber",
    "telephone",
    "tel",
    "mobile",
    "mobilephone",
    "mobilenumber",
    "cell",
    "cellphone",
    "firstname",
    "lastname",
    "fullname",
    "givenname",
    "familyname",
    "surname",
    "street",
    "streetaddress",
    "address",
    "address1",
    "address2",
    "addressline1",
    "addressline2",
];

/// Whether a column holds contact details: its whole name is one of a contact column's ("email",
/// "Phone Number", "first_name", "street_address", …), or at least half of its distinct values (of the
/// first 1,000) look like e-mail addresses.
pub fn is_contact_column(column: &Column) -> bool {
    let name: String = column
        .name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if CONTACT_NAMES.contains(&name.as_str()) {
        return true;
    }
    // The distinct values: a categorical column's levels, otherwise its distinct cell texts.
    let distinct: Vec<&str> = if column.levels().is_empty() {
        column.dictionary().iter().collect()
    } else {
        column
            .levels()
            .iter()
            .map(|level| level.label.as_str())
            .collect()
    };
    let sample: Vec<&str> = distinct
        .into_iter()
        .filter(|text| !text.trim().is_empty())
        .take(1000)
        .collect();
    let emails = sample.iter().filter(|text| looks_like_email(text)).count();
    !sample.is_empty() && emails * 2 >= sample.len()
}

/// `local@domain.tld` with no spaces.
fn looks_like_email(text: &str) -> bool {
    let text = text.trim();
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !text.contains(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}
