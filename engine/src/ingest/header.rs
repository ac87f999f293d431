//! The header choice: forced by the user, or detected (rules in the `sniff` module docs), and why.

use serde::{Deserialize, Serialize};

/// Whether the first line of the table (after any preamble) holds the column names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderMode {
    /// Detect it; when detection is unsure the report says so ([`HeaderChoice::confident`]).
    #[default]
    Auto,
    /// The first line is the header.
    Present,
    /// There is no header: every line is data and the columns are named `column_1`, `column_2`, ….
    Absent,
}

/// Why the first line was or was not taken as the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderReason {
    /// The user chose ([`HeaderMode::Present`] or [`HeaderMode::Absent`]).
    #[default]
    Chosen,
    /// Text labels over at least one column of numbers or dates: a header.
    LabelsOverValues,
    /// The first line has a number, a date, an e-mail or web address over a column of them, or no
    /// text at all: data.
    FirstRowHasValues,
    /// A value of the first line appears again below in its column: data.
    FirstRowRepeatsBelow,
    /// The first line repeats a label and no column below holds only numbers or dates: data.
    RepeatedLabels,
    /// Every column is text and the first line's values appear nowhere below: taken as a header, but this
    /// is a guess (a headerless file of text columns looks the same).
    TextNotRepeated,
}

impl HeaderReason {
    /// Whether this reason makes the first line a header.
    pub fn has_header(self) -> bool {
        matches!(
            self,
            HeaderReason::LabelsOverValues | HeaderReason::TextNotRepeated
        )
    }

    /// Whether the decision is sure enough not to mention.
    pub fn confident(self) -> bool {
        self != HeaderReason::TextNotRepeated
    }
}

/// The header decision and its reason, in the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderChoice {
    /// What was asked for.
    pub mode: HeaderMode,
    /// Whether the first line was read as the header.
    pub has_header: bool,
    /// Why.
    pub reason: HeaderReason,
    /// `false` when the header was guessed and could be a customer (see [`HeaderReason::TextNotRepeated`]).
    pub confident: bool,
}

impl HeaderChoice {
    /// The choice under `mode`, with `detect` run only for [`HeaderMode::Auto`].
    pub(crate) fn decide(mode: HeaderMode, detect: impl FnOnce() -> HeaderReason) -> HeaderChoice {
        let reason = match mode {
            HeaderMode::Auto => detect(),
            HeaderMode::Present | HeaderMode::Absent => HeaderReason::Chosen,
        };
        let has_header = match mode {
            HeaderMode::Auto => reason.has_header(),
            HeaderMode::Present => true,
            HeaderMode::Absent => false,
        };
        HeaderChoice {
            mode,
            has_header,
            reason,
            confident: reason.confident(),
        }
    }

    /// A sentence for the user: what was decided and why (the remedy is the caller's: a flag, a button).
    pub fn explain(&self) -> String {
        match self.reason {
            HeaderReason::Chosen if self.has_header => {
                "the first line was read as column names, as chosen".into()
            }
            HeaderReason::Chosen => {
                "the file was read without a header row, as chosen: every line is a customer and the \
                 columns are named column_1, column_2, …"
                    .into()
            }
            HeaderReason::LabelsOverValues => {
                "the first line was read as column names (text over columns of numbers or dates)".into()
            }
            HeaderReason::FirstRowHasValues => {
                "the file has no header row: its first line holds values (numbers, dates, e-mails), so it \
                 was read as a customer and the columns are named column_1, column_2, …"
                    .into()
            }
            HeaderReason::FirstRowRepeatsBelow => {
                "the file has no header row: values of its first line appear again below, so it was read \
                 as a customer and the columns are named column_1, column_2, …"
                    .into()
            }
            HeaderReason::RepeatedLabels => {
                "the file has no header row: its first line repeats a value, so it was read as a customer \
                 and the columns are named column_1, column_2, …"
                    .into()
            }
            HeaderReason::TextNotRepeated => {
                "the first line was taken as column names, but this is a guess: every column is text and \
                 the first line's values appear nowhere else, so it could also be a customer"
                    .into()
            }
        }
    }
}
