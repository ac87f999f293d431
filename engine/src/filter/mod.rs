//! Filters before segmenting: rules on any column, combined with `and` / `or`, with a count of the rows
//! each rule keeps and of the rows the whole filter keeps, before anything runs.
//!
//! 1. [`parse_rules`] reads one or more rules written in the grammar below into a typed [`Rule`] tree;
//!    several rules are joined with `and` (the CLI's repeated `--where`). A rule that cannot be read is a
//!    [`FilterError::Parse`] naming the word (1-based) where reading stopped, what was found there and
//!    what was expected.
//! 2. [`Rule::resolve`] checks the rule against a [`Table`]: every column exists (names compare
//!    case-insensitively) and comparisons with `<`, `<=`, `>`, `>=` are on number columns.
//! 3. [`Filter::keep`] says which rows pass; [`Filter::counts`] counts the rows each condition keeps on
//!    its own and the rows the whole filter keeps ([`FilterCounts`]).
//! 4. [`select_rows`] makes the table of the kept rows (columns, types and values unchanged), which is
//!    what gets segmented: the share bounds then apply to the filtered rows.
//!
//! # Grammar
//! ```text
//! rule      := either ("or" either)*            -- "or" binds looser than "and"
//! either    := term ("and" term)*
//! term      := "not" term | "(" rule ")" | condition
//! condition := "has" COLUMN                      -- the cell holds a value
//!            | "has no" COLUMN | "missing" COLUMN -- the cell is empty (or a missing marker)
//!            | COLUMN ("=" | "is") VALUE
//!            | COLUMN ("!=" | "<>" | "is not") VALUE
//!            | COLUMN ("<" | "<=" | ">" | ">=") NUMBER   -- also ≤ ≥ ≠
//!            | COLUMN "in" VALUE ("," VALUE)*
//!            | COLUMN "not in" VALUE ("," VALUE)*
//! ```
//! A COLUMN or VALUE is one or more plain words (`Lead Source`, `New York`) or text in double or single
//! quotes (needed when it holds a keyword, a comma, a bracket or an operator: `"Research and
//! Development"`). The first word of a value is always a value, so `State = OR` and `State in WA, OR`
//! mean Oregon. Keywords (`and or not in is has no missing`) are case-insensitive.
//!
//! # Meaning
//! - Values compare as text, trimmed and case-insensitively (`state = ca` keeps `CA`); on a number
//!   column, a value that reads as a number compares as a number (`age = 30` keeps `30.0`).
//! - `<`, `<=`, `>`, `>=` need a number and a column of numbers (a number column, or a column whose
//!   present values all read as numbers even if they look like IDs, such as all-different ages).
//! - An empty cell (or a missing marker such as `NA`) passes only `!=`, `is not`, `not in`, `has no` and
//!   `missing`: "lead source is not Partner" keeps the rows without a lead source.
//!
//! # Example
//! ```
//! use audience_engine::filter::parse_rules;
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let csv = "state,age,email\nCA,34,a@x.com\nNY,25,\nTX,41,c@x.com\nCA,29,d@x.com\n";
//! let table = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap().table;
//! let rule = parse_rules(&["state in CA, NY", "age >= 30 or has email"]).unwrap();
//! assert_eq!(rule.to_string(), "state in CA, NY and (age >= 30 or has email)");
//! let filter = rule.resolve(&table).unwrap();
//! assert_eq!(filter.keep(&table), [true, false, false, true]);
//! let counts = filter.counts(&table);
//! assert_eq!((counts.kept, counts.rows), (2, 4));
//! assert_eq!(counts.conditions[0].rows, 3); // state in CA, NY on its own
//! ```

mod parse;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::table::{Cell, Column, ColumnType, Table};

/// Why a rule cannot be read or used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The rule is empty.
    #[error("the rule is empty; write one such as `state in CA, NY` or `age >= 30`")]
    Empty,
    /// Reading stopped at a word.
    #[error("cannot read the rule at word {word} ({found}): expected {expected}")]
    Parse {
        /// 1-based number of the word (or symbol) where reading stopped.
        word: usize,
        /// What was found there.
        found: String,
        /// What the grammar expected there.
        expected: String,
    },
    /// A rule names a column the table does not have.
    #[error("the rule names the column {column:?}, which the file does not have; the columns are: {columns}")]
    UnknownColumn {
        /// The name in the rule.
        column: String,
        /// The table's column names, comma-separated.
        columns: String,
    },
    /// `<`, `<=`, `>`, `>=` on a column without numbers.
    #[error("`{column} {op} …` needs a number column, but {column:?} holds {kind}; compare it with = or in instead")]
    NotNumeric {
        /// The column.
        column: String,
        /// The operator.
        op: &'static str,
        /// What the column holds (`text`, `categories`, …).
        kind: &'static str,
    },
}

/// A comparison with a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    AtMost,
    /// `>`
    Greater,
    /// `>=`
    AtLeast,
}

impl CompareOp {
    /// The operator as written in a rule.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Less => "<",
            CompareOp::AtMost => "<=",
            CompareOp::Greater => ">",
            CompareOp::AtLeast => ">=",
        }
    }

    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            CompareOp::Less => value < bound,
            CompareOp::AtMost => value <= bound,
            CompareOp::Greater => value > bound,
            CompareOp::AtLeast => value >= bound,
        }
    }
}

/// What a condition tests on its column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "test", content = "value")]
pub enum Test {
    /// The cell holds a value.
    Has,
    /// The cell is empty or a missing marker.
    Missing,
    /// The cell equals the value.
    Equals(String),
    /// The cell does not equal the value (empty cells pass).
    NotEquals(String),
    /// The cell equals one of the values.
    In(Vec<String>),
    /// The cell equals none of the values (empty cells pass).
    NotIn(Vec<String>),
    /// The cell's number compares with the bound.
    Compare(CompareOp, f64),
}

/// One condition on one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The column name as written in the rule.
    pub column: String,
    /// The test.
    pub test: Test,
}

/// A rule tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "rules")]
pub enum Rule {
    /// Every sub-rule holds.
    And(Vec<Rule>),
    /// At least one sub-rule holds.
    Or(Vec<Rule>),
    /// The sub-rule does not hold.
    Not(Box<Rule>),
    /// A condition on one column.
    Condition(Condition),
}

/// Reads one rule (see the module docs for the grammar).
pub fn parse_rule(text: &str) -> Result<Rule, FilterError> {
    parse::parse(text)
}

/// Reads several rules and joins them with `and` (one rule stays as it is).
pub fn parse_rules<S: AsRef<str>>(texts: &[S]) -> Result<Rule, FilterError> {
    let mut rules = texts
        .iter()
        .map(|t| parse_rule(t.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    match rules.len() {
        0 => Err(FilterError::Empty),
        1 => Ok(rules.pop().expect("one rule")),
        _ => Ok(Rule::And(rules)),
    }
}

/// Quotes a column name or value when reading it back would need quotes.
fn shown(text: &str) -> String {
    let plain = !text.is_empty()
        && text == text.trim()
        && !text.contains("  ")
        && !text.chars().any(|c| "(),\"'=!<>≥≤≠".contains(c))
        && !text.split(' ').any(|w| {
            ["and", "or", "not", "in", "is", "has", "no", "missing"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
        });
    if plain {
        text.to_string()
    } else if text.contains('"') {
        format!("'{text}'")
    } else {
        format!("\"{text}\"")
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = shown(&self.column);
        let list = |values: &[String]| {
            values
                .iter()
                .map(|v| shown(v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.test {
            Test::Has => write!(f, "has {column}"),
            Test::Missing => write!(f, "has no {column}"),
            Test::Equals(v) => write!(f, "{column} = {}", shown(v)),
            Test::NotEquals(v) => write!(f, "{column} != {}", shown(v)),
            Test::In(values) => write!(f, "{column} in {}", list(values)),
            Test::NotIn(values) => write!(f, "{column} not in {}", list(values)),
            Test::Compare(op, bound) => write!(f, "{column} {} {bound}", op.symbol()),
        }
    }
}

impl fmt::Display for Rule {
    /// The rule in the grammar, with brackets only where they are needed; it reads back to the same tree.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, rules: &[Rule], word: &str, inner_or: bool| {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                // `and` binds tighter than `or`: an `or` inside an `and` needs brackets.
                if inner_or && matches!(rule, Rule::Or(_)) {
                    write!(f, "({rule})")?;
                } else {
                    write!(f, "{rule}")?;
                }
            }
            Ok(())
        };
        match self {
            Rule::And(rules) => join(f, rules, "and", true),
            Rule::Or(rules) => join(f, rules, "or", false),
            Rule::Not(rule) => match **rule {
                Rule::Condition(_) | Rule::Not(_) => write!(f, "not {rule}"),
                _ => write!(f, "not ({rule})"),
            },
            Rule::Condition(condition) => write!(f, "{condition}"),
        }
    }
}

impl Rule {
    /// The conditions of the rule, left to right.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        fn walk<'a>(rule: &'a Rule, out: &mut Vec<&'a Condition>) {
            match rule {
                Rule::And(rules) | Rule::Or(rules) => rules.iter().for_each(|r| walk(r, out)),
                Rule::Not(rule) => walk(rule, out),
                Rule::Condition(c) => out.push(c),
            }
        }
        walk(self, &mut out);
        out
    }

    /// Checks the rule against `table`: columns exist, comparisons are on number columns.
    ///
    /// # Errors
    /// [`FilterError::UnknownColumn`], [`FilterError::NotNumeric`].
    pub fn resolve(&self, table: &Table) -> Result<Filter, FilterError> {
        let resolved = resolve(self, table)?;
        Ok(Filter {
            rule: self.clone(),
            resolved,
        })
    }
}

/// A rule checked against a table, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    rule: Rule,
    resolved: Resolved,
}

#[derive(Clone, Debug, PartialEq)]
enum Resolved {
    And(Vec<Resolved>),
    Or(Vec<Resolved>),
    Not(Box<Resolved>),
    Condition(usize, Test),
}

fn column_index(table: &Table, name: &str) -> Result<usize, FilterError> {
    let wanted = name.trim();
    table
        .column_index(wanted)
        .or_else(|| {
            table
                .columns()
                .iter()
                .position(|c| c.name.trim().eq_ignore_ascii_case(wanted))
        })
        .ok_or_else(|| FilterError::UnknownColumn {
            column: wanted.to_string(),
            columns: table
                .columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn resolve(rule: &Rule, table: &Table) -> Result<Resolved, FilterError> {
    Ok(match rule {
        Rule::And(rules) => Resolved::And(
            rules
                .iter()
                .map(|r| resolve(r, table))
                .collect::<Result<_, _>>()?,
        ),
        Rule::Or(rules) => Resolved::Or(
            rules
                .iter()
                .map(|r| resolve(r, table))
                .collect::<Result<_, _>>()?,
        ),
        Rule::Not(rule) => Resolved::Not(Box::new(resolve(rule, table)?)),
        Rule::Condition(condition) => {
            let index = column_index(table, &condition.column)?;
            if let Test::Compare(op, _) = condition.test {
                let column = &table.columns()[index];
                if !has_numbers(column) {
                    return Err(FilterError::NotNumeric {
                        column: column.name.clone(),
                        op: op.symbol(),
                        kind: match column.column_type() {
                            ColumnType::Categorical | ColumnType::Binary => "categories",
                            ColumnType::Ordinal => "ranges",
                            ColumnType::Empty => "no values",
                            ColumnType::Date => "dates",
                            _ => "text",
                        },
                    });
                }
            }
            Resolved::Condition(index, condition.test.clone())
        }
    })
}

/// Whether a column holds numbers: a number column, or one read as IDs or categories whose present
/// values all read as numbers (unique ages or a customer number look like IDs to the reader).
fn has_numbers(column: &Column) -> bool {
    match column.column_type() {
        ColumnType::Numeric => true,
        ColumnType::Identifier | ColumnType::Categorical => {
            let mut present = column
                .dictionary()
                .iter()
                .zip(column.cells())
                .filter(|(_, cell)| !matches!(cell, Cell::Missing))
                .peekable();
            present.peek().is_some() && present.all(|(text, _)| parse::parse_number(text).is_some())
        }
        _ => false,
    }
}

/// The number in a cell of a number column (see [`has_numbers`]).
fn row_number(column: &Column, row: usize) -> Option<f64> {
    if column.is_missing(row) {
        return None;
    }
    column
        .number(row)
        .or_else(|| parse::parse_number(column.text(row)))
}

/// Trimmed, lower-cased text for comparisons.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Whether the cell at `row` equals `value` (as a number on number columns when both read as numbers).
fn equals(column: &Column, row: usize, value: &str) -> bool {
    if has_numbers(column) {
        if let (Some(cell), Some(wanted)) = (row_number(column, row), parse::parse_number(value)) {
            return cell == wanted;
        }
    }
    fold(column.text(row)) == fold(value)
}

fn test_row(column: &Column, row: usize, test: &Test) -> bool {
    let missing = column.is_missing(row);
    match test {
        Test::Has => !missing,
        Test::Missing => missing,
        Test::Equals(v) => !missing && equals(column, row, v),
        Test::NotEquals(v) => missing || !equals(column, row, v),
        Test::In(values) => !missing && values.iter().any(|v| equals(column, row, v)),
        Test::NotIn(values) => missing || !values.iter().any(|v| equals(column, row, v)),
        Test::Compare(op, bound) => row_number(column, row).is_some_and(|n| op.holds(n, *bound)),
    }
}

fn eval(resolved: &Resolved, table: &Table, row: usize) -> bool {
    match resolved {
        Resolved::And(rules) => rules.iter().all(|r| eval(r, table, row)),
        Resolved::Or(rules) => rules.iter().any(|r| eval(r, table, row)),
        Resolved::Not(rule) => !eval(rule, table, row),
        Resolved::Condition(column, test) => test_row(&table.columns()[*column], row, test),
    }
}

fn resolved_conditions(resolved: &Resolved, out: &mut Vec<(usize, Test)>) {
    match resolved {
        Resolved::And(rules) | Resolved::Or(rules) => {
            rules.iter().for_each(|r| resolved_conditions(r, out))
        }
        Resolved::Not(rule) => resolved_conditions(rule, out),
        Resolved::Condition(column, test) => out.push((*column, test.clone())),
    }
}

/// How many rows one condition keeps on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConditionCount {
    /// The condition as text.
    pub condition: String,
    /// Rows it keeps on its own.
    pub rows: usize,
}

/// The counts of a filter on a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterCounts {
    /// The whole rule as text.
    pub rule: String,
    /// Rows in the table.
    pub rows: usize,
    /// Rows the whole rule keeps.
    pub kept: usize,
    /// Rows left out (`rows - kept`).
    pub left_out: usize,
    /// Each condition, left to right, with the rows it keeps on its own.
    pub conditions: Vec<ConditionCount>,
}

impl Filter {
    /// The rule.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// One flag per row of `table` (the table the filter was resolved on): whether the row passes.
    pub fn keep(&self, table: &Table) -> Vec<bool> {
        (0..table.n_rows())
            .map(|row| eval(&self.resolved, table, row))
            .collect()
    }

    /// The indices of the rows that pass, in order.
    pub fn kept_rows(&self, table: &Table) -> Vec<usize> {
        (0..table.n_rows())
            .filter(|&row| eval(&self.resolved, table, row))
            .collect()
    }

    /// Counts per condition and in total.
    pub fn counts(&self, table: &Table) -> FilterCounts {
        let mut tests = Vec::new();
        resolved_conditions(&self.resolved, &mut tests);
        let conditions = self
            .rule
            .conditions()
            .into_iter()
            .zip(tests)
            .map(|(condition, (column, test))| ConditionCount {
                condition: condition.to_string(),
                rows: (0..table.n_rows())
                    .filter(|&row| test_row(&table.columns()[column], row, &test))
                    .count(),
            })
            .collect();
        let kept = self.kept_rows(table).len();
        FilterCounts {
            rule: self.rule.to_string(),
            rows: table.n_rows(),
            kept,
            left_out: table.n_rows() - kept,
            conditions,
        }
    }
}

/// The table of `rows` (indices into `table`, in the order given): every column keeps its name, type,
/// levels and cell texts.
///
/// # Panics
/// Never for indices below `table.n_rows()`; an index past the end is a caller bug and panics.
pub fn select_rows(table: &Table, rows: &[usize]) -> Table {
    let columns = table
        .columns()
        .iter()
        .map(|column| {
            let codes = rows.iter().map(|&row| column.code(row)).collect();
            Column::with_dictionary(
                column.name.clone(),
                column.column_type(),
                codes,
                column.dictionary().clone(),
                column.cells().to_vec(),
                column.levels().to_vec(),
            )
            .expect("the parts come from a valid column")
        })
        .collect();
    Table::new(columns).expect("every column has one code per selected row")
}

#[cfg(test)]
mod tests;
