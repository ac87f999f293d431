//! Lookalike scoring: how much a prospect resembles the members of one saved segment.
//!
//! For a prospect row at distance `d` from the chosen segment's center:
//!
//! * if another segment's center is nearer, the prospect is **not a match** (score 0); the explanation
//!   names the segment it resembles more;
//! * otherwise the **score** is the share of the segment's own training members that are farther from
//!   the center than the prospect (0–100, read from the member distance deciles saved in the model,
//!   interpolated linearly): 80 means "closer to the center than 80 % of its members".
//!
//! Bands: **strong** (score ≥ 50: as close as the closer half of the members), **good** (≥ 10),
//! **weak** (nearest to this segment but farther out than 90 % of its members), **not a match**.

use serde::{Deserialize, Serialize};

use super::SegmentationModel;
use crate::encode::EncodedMatrix;

/// A named band of lookalike scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Score ≥ 50.
    Strong,
    /// Score ≥ 10.
    Good,
    /// Nearest to the segment, but farther out than 90 % of its members.
    Weak,
    /// Nearer to another segment.
    NotAMatch,
}

impl Band {
    /// The band's name as written in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            Band::Strong => "strong",
            Band::Good => "good",
            Band::Weak => "weak",
            Band::NotAMatch => "not a match",
        }
    }

    /// Reads a band name (`strong`, `good`, `weak`, `none`/`not a match`).
    pub fn parse(text: &str) -> Option<Band> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], " ")
            .as_str()
        {
            "strong" => Some(Band::Strong),
            "good" => Some(Band::Good),
            "weak" => Some(Band::Weak),
            "none" | "not a match" => Some(Band::NotAMatch),
            _ => None,
        }
    }
}

/// The score of one prospect row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lookalike {
    /// 0–100: share of the segment's members farther from its center (0 when not a match).
    pub score: f64,
    /// The band of the score.
    pub band: Band,
    /// Distance to the chosen segment's center.
    pub distance: f32,
    /// The nearest other segment (0-based index) and its distance.
    pub nearest_other: Option<(usize, f32)>,
}

/// Why prospects cannot be scored.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LookalikeError {
    /// The chosen segment number is not in the model.
    #[error("there is no segment {number}: the saved segmentation has segments 1 to {k}")]
    NoSuchSegment {
        /// The number asked for.
        number: u32,
        /// Segments in the model.
        k: usize,
    },
    /// The segment had no member in training, so "close" means nothing.
    #[error("segment {number} had no customers when it was saved, so nobody can resemble it")]
    EmptySegment {
        /// The number asked for.
        number: u32,
    },
}

/// Scores every row of `matrix` (encoded under `model`, see [`super::apply::encode_for_model`]) against
/// segment `number` (`1..=k`).
pub fn score_rows(
    model: &SegmentationModel,
    matrix: &EncodedMatrix,
    number: u32,
) -> Result<Vec<Lookalike>, LookalikeError> {
    let target = (number as usize)
        .checked_sub(1)
        .filter(|&t| t < model.k)
        .ok_or(LookalikeError::NoSuchSegment { number, k: model.k })?;
    let deciles = &model.segments[target].member_distances;
    if deciles.len() != 11 {
        return Err(LookalikeError::EmptySegment { number });
    }
    Ok((0..matrix.n_rows)
        .map(|row| {
            let values = matrix.row(row);
            let distance = matrix.distance(values, &model.segments[target].center);
            let nearest_other = model
                .segments
                .iter()
                .enumerate()
                .filter(|(c, _)| *c != target)
                .map(|(c, s)| (c, matrix.distance(values, &s.center)))
                .fold(None, |best: Option<(usize, f32)>, (c, d)| match best {
                    Some((_, bd)) if bd <= d => best,
                    _ => Some((c, d)),
                });
            let beaten = nearest_other.is_some_and(|(_, d)| d < distance);
            let score = if beaten {
                0.0
            } else {
                100.0 * (1.0 - cumulative_share(deciles, distance))
            };
            let band = if beaten {
                Band::NotAMatch
            } else if score >= 50.0 {
                Band::Strong
            } else if score >= 10.0 {
                Band::Good
            } else {
                Band::Weak
            };
            Lookalike {
                score,
                band,
                distance,
                nearest_other,
            }
        })
        .collect())
}

/// Share of the members at most `d` from the center, from the 11 deciles (linear between them).
fn cumulative_share(deciles: &[f32], d: f32) -> f64 {
    if d < deciles[0] {
        return 0.0;
    }
    if d >= deciles[10] {
        return 1.0;
    }
    let i = deciles.iter().rposition(|&q| q <= d).unwrap_or(0).min(9);
    let (low, high) = (deciles[i], deciles[i + 1]);
    let within = if high > low {
        f64::from((d - low) / (high - low))
    } else {
        1.0
    };
    (i as f64 + within) / 10.0
}

/// The score in plain words, naming the segments (`model` gives their names).
pub fn explain(model: &SegmentationModel, number: u32, lookalike: &Lookalike) -> String {
    let target = model.segment_phrase(number as usize - 1);
    match (lookalike.band, lookalike.nearest_other) {
        (Band::NotAMatch, Some((other, _))) => format!(
            "resembles {} more than {target}",
            model.segment_phrase(other)
        ),
        (Band::Weak, _) => format!(
            "nearest to {target}, but farther from its typical customer than 90% of its own members"
        ),
        _ => format!(
            "closer to the typical customer of {target} than {:.0}% of its own members",
            lookalike.score
        ),
    }
}

/// Row indices ordered best first: by score, then by distance to the segment, then by row.
pub fn ranking(scores: &[Lookalike]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&scores[a], &scores[b]);
        y.score
            .total_cmp(&x.score)
            .then(x.band.cmp(&y.band))
            .then(x.distance.total_cmp(&y.distance))
            .then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_share_interpolates_between_deciles() {
        let deciles: Vec<f32> = (0..=10).map(|i| i as f32).collect();
        assert_eq!(cumulative_share(&deciles, 2.5), 0.25);
        assert_eq!(cumulative_share(&deciles, -1.0), 0.0);
        assert_eq!(cumulative_share(&deciles, 10.0), 1.0);
    }

    #[test]
    fn band_names_read_back() {
        for band in [Band::Strong, Band::Good, Band::Weak, Band::NotAMatch] {
            assert_eq!(Band::parse(band.name()), Some(band));
        }
        assert_eq!(Band::parse("best"), None);
    }
}
