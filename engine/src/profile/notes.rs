//! Notes: data problems found while profiling, reported next to the results instead of failing the run.

use serde::{Deserialize, Serialize};

/// What a [`Note`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The chosen or detected target column does not hold exactly two values.
    TargetNotBinary,
    /// The target column has two values but neither reads as "converted".
    TargetAmbiguous,
    /// Some rows have no target value; they are left out of the conversion counts.
    TargetMissingValues,
    /// A column holds one value in every present row, so it cannot tell segments apart.
    SingleValueColumn,
    /// A column is missing in every row.
    AllMissingColumn,
    /// A near-unique identifier column is not profiled.
    IdentifierColumn,
    /// A segment has fewer records than the support rule needs for any defining trait.
    SmallSegment,
    /// A segment has no value that passes the support and lift rule.
    NoDefiningTraits,
    /// A lens column override does not fit the lens, or a lens column has no usable values.
    LensColumn,
    /// A code column has fewer than two distinct codes, so diversity is undefined.
    CodeColumn,
    /// Segment rows whose segment value was missing were grouped into their own segment.
    MissingSegmentValue,
    /// A column was counted with its values rounded (too many distinct values to count each one).
    RoundedValues,
    /// Too many distinct profiles were counted to look for segments identical on every segmentation column.
    IdenticalSegmentsUnchecked,
}

/// One data problem, with the column and segment it concerns and a plain-language message that names the
/// numbers involved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// What kind of problem.
    pub kind: NoteKind,
    /// The column concerned, if any.
    pub column: Option<String>,
    /// The number (1..=k, as [`Persona::number`](super::Persona::number)) of the segment concerned, if
    /// any.
    pub segment: Option<u32>,
    /// A readable explanation.
    pub message: String,
}

impl Note {
    /// A note about a column.
    pub fn column(kind: NoteKind, column: &str, message: String) -> Self {
        Note {
            kind,
            column: Some(column.to_string()),
            segment: None,
            message,
        }
    }

    /// A note about the segment of index `index` (it is stored as the segment's number, `index + 1`).
    pub fn segment(kind: NoteKind, index: u32, message: String) -> Self {
        Note {
            kind,
            column: None,
            segment: Some(index + 1),
            message,
        }
    }
}
