//! Segment-code mix: for a column the user marks as a lifestyle or segment code (PRIZM, Mosaic, …), each
//! segment's code distribution, its dominant codes and a normalised Shannon diversity score.
//!
//! Diversity is `H / ln(C)`, where `H = −Σ pᵢ ln pᵢ` over the segment's code shares and `C` is the number of
//! distinct codes in the whole file: 0 when every record has one code, 1 when the segment spreads evenly
//! over all of the file's codes. It is undefined (and `None`, with a note) when the file has fewer than two
//! codes. Codes are the column's distinct present values whatever its type, so numeric codes work too.

use serde::{Deserialize, Serialize};

use super::notes::{Note, NoteKind};
use super::records::{count_keys, Group, Records};
use super::stats::{Counts, ValueKeys};
use super::variables::{value_shares, ValueShare};

/// How many dominant codes are listed.
pub const DOMINANT_CODES: usize = 3;

/// The code mix of one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCodeMix {
    /// The segment number people see (1..=k, as [`Persona::number`](super::Persona::number); `None` for
    /// the whole file).
    pub segment: Option<u32>,
    /// Records with a code.
    pub present: usize,
    /// The most common codes (at most [`DOMINANT_CODES`]), largest first.
    pub dominant: Vec<ValueShare>,
    /// Every code present in the group, largest first.
    pub distribution: Vec<ValueShare>,
    /// Normalised Shannon diversity in 0..=1.
    pub diversity: Option<f64>,
}

/// The code mix of one code column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeMix {
    /// The code column.
    pub column: String,
    /// Distinct codes in the whole file.
    pub n_codes: usize,
    /// The whole file.
    pub overall: GroupCodeMix,
    /// Each segment, in segment-id order.
    pub segments: Vec<GroupCodeMix>,
}

/// Normalised Shannon diversity of `counts` over `n_codes` possible codes; `None` when `n_codes` < 2 or
/// there are no counts.
///
/// ```
/// use audience_engine::profile::codemix::diversity;
/// assert_eq!(diversity(&[5, 5], 2), Some(1.0));
/// assert_eq!(diversity(&[10, 0], 2), Some(0.0));
/// ```
pub fn diversity(counts: &[usize], n_codes: usize) -> Option<f64> {
    let total: usize = counts.iter().sum();
    if n_codes < 2 || total == 0 {
        return None;
    }
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            p * (1.0 / p).ln() // not −p·ln p, which gives −0.0 for p = 1
        })
        .sum();
    Some((entropy / (n_codes as f64).ln()).clamp(0.0, 1.0))
}

fn group_mix(
    segment: Option<u32>,
    keys: &ValueKeys,
    group: &Counts,
    file: &Counts,
    n_codes: usize,
) -> GroupCodeMix {
    let distribution = value_shares(keys, group, file, usize::MAX);
    GroupCodeMix {
        segment,
        present: group.present(),
        dominant: distribution.iter().take(DOMINANT_CODES).cloned().collect(),
        distribution,
        diversity: diversity(&group.counts, n_codes),
    }
}

/// The code mix of column `index` over every segment.
pub(crate) fn code_mix(records: &impl Records, index: usize, notes: &mut Vec<Note>) -> CodeMix {
    let column = &records.table().columns()[index];
    let keys = ValueKeys::of(column);
    let file = count_keys(records, &keys, index, Group::File);
    let n_codes = file.counts.iter().filter(|&&c| c > 0).count();
    if n_codes < 2 {
        notes.push(Note::column(
            NoteKind::CodeColumn,
            &column.name,
            format!(
                "code column {:?} has {n_codes} distinct code{} in the file; diversity needs at least two",
                column.name,
                if n_codes == 1 { "" } else { "s" }
            ),
        ));
    }
    let segments = records
        .segment_ids()
        .iter()
        .enumerate()
        .map(|(slot, &id)| {
            group_mix(
                Some(id + 1),
                &keys,
                &count_keys(records, &keys, index, Group::Segment(slot)),
                &file,
                n_codes,
            )
        })
        .collect();
    CodeMix {
        column: column.name.clone(),
        n_codes,
        overall: group_mix(None, &keys, &file, &file, n_codes),
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diversity_is_entropy_over_log_of_code_count() {
        // Counts 2, 1, 1 over 4 file codes: H = −(.5 ln .5 + 2 · .25 ln .25) = 1.039721; ln 4 = 1.386294.
        let d = diversity(&[2, 1, 1, 0], 4).unwrap();
        assert!((d - 0.75).abs() < 1e-12, "{d}");
        assert_eq!(diversity(&[3], 1), None);
        assert_eq!(diversity(&[0, 0], 2), None);
    }
}
