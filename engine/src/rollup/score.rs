//! R, F and M scores by quintile, and the named RFM groups.
//!
//! # Scores
//! Each measure is scored 1–5 over all customers of the table: a customer's score is
//! `1 + ⌊5·w / n⌋`, where `n` is the number of customers and `w` the number of customers *strictly worse*
//! on that measure (for recency, more days since the last purchase; for frequency, fewer orders; for
//! monetary value, a smaller total spend). Ties share a score, and it is the lower one: ten customers with
//! distinct values score 1, 1, 2, 2, 3, 3, 4, 4, 5, 5; if most customers bought once, they all have F = 1.
//!
//! # Groups
//! The group is read from R and `FM = ⌈(F + M) / 2⌉` (frequency and value together) on this grid:
//!
//! | R \ FM | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | New | Potential loyalist | Potential loyalist | Champions | Champions |
//! | 4 | Promising | Potential loyalist | Potential loyalist | Loyal | Loyal |
//! | 3 | About to sleep | About to sleep | Need attention | Loyal | Loyal |
//! | 2 | Hibernating | Hibernating | At risk | At risk | Cannot lose them |
//! | 1 | Lost | Hibernating | At risk | At risk | Cannot lose them |

use serde::{Deserialize, Serialize};

/// A named RFM group (the grid in the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmGroup {
    /// Bought recently, often, and spent the most.
    Champions,
    /// Buy often and spend well; not the most recent.
    Loyal,
    /// Recent customers with average frequency and value.
    PotentialLoyalist,
    /// Bought very recently, for the first time or little so far.
    New,
    /// Recent, with low frequency and value.
    Promising,
    /// Middle of the road on every measure.
    NeedAttention,
    /// Below average recency and frequency.
    AboutToSleep,
    /// Used to buy often and spend well; not for a while.
    AtRisk,
    /// Were among the best, and have not come back for a long time.
    CannotLoseThem,
    /// Last bought long ago, little and seldom.
    Hibernating,
    /// The lowest recency, frequency and value.
    Lost,
}

impl RfmGroup {
    /// Every group, best first.
    pub const ALL: [RfmGroup; 11] = [
        RfmGroup::Champions,
        RfmGroup::Loyal,
        RfmGroup::PotentialLoyalist,
        RfmGroup::New,
        RfmGroup::Promising,
        RfmGroup::NeedAttention,
        RfmGroup::AboutToSleep,
        RfmGroup::AtRisk,
        RfmGroup::CannotLoseThem,
        RfmGroup::Hibernating,
        RfmGroup::Lost,
    ];

    /// The group of scores `r`, `f`, `m` (each 1–5; values outside are clamped).
    pub fn of(r: u8, f: u8, m: u8) -> RfmGroup {
        let r = r.clamp(1, 5);
        let (f, m) = (f.clamp(1, 5), m.clamp(1, 5));
        let fm = (f + m).div_ceil(2);
        use RfmGroup::*;
        match (r, fm) {
            (5, 4 | 5) => Champions,
            (5, 2 | 3) | (4, 2 | 3) => PotentialLoyalist,
            (5, _) => New,
            (4, 4 | 5) | (3, 4 | 5) => Loyal,
            (4, _) => Promising,
            (3, 3) => NeedAttention,
            (3, _) => AboutToSleep,
            (_, 5) => CannotLoseThem,
            (_, 3 | 4) => AtRisk,
            (1, 1) => Lost,
            _ => Hibernating,
        }
    }

    /// The group's name as shown to a marketer ("Cannot lose them").
    pub fn label(self) -> &'static str {
        match self {
            RfmGroup::Champions => "Champions",
            RfmGroup::Loyal => "Loyal",
            RfmGroup::PotentialLoyalist => "Potential loyalist",
            RfmGroup::New => "New",
            RfmGroup::Promising => "Promising",
            RfmGroup::NeedAttention => "Need attention",
            RfmGroup::AboutToSleep => "About to sleep",
            RfmGroup::AtRisk => "At risk",
            RfmGroup::CannotLoseThem => "Cannot lose them",
            RfmGroup::Hibernating => "Hibernating",
            RfmGroup::Lost => "Lost",
        }
    }
}

/// Scores 1–5 of `values` by the rule in the module docs, where a larger value is better when
/// `higher_is_better` (and a smaller one otherwise).
pub fn quintile_scores(values: &[f64], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|&v| {
            let worse = if higher_is_better {
                sorted.partition_point(|&x| x < v)
            } else {
                n - sorted.partition_point(|&x| x <= v)
            };
            (1 + 5 * worse / n) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use RfmGroup::*;

    #[test]
    fn ten_distinct_values_score_two_per_quintile() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(
            quintile_scores(&values, true),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(
            quintile_scores(&values, false),
            [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
        );
    }

    #[test]
    fn ties_share_the_lower_score() {
        // Six of ten customers bought once: all have F = 1; the next value has 6 worse → 1 + 3 = 4.
        let orders = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 7.0];
        assert_eq!(
            quintile_scores(&orders, true),
            [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
        );
        // Positions 4 and 5 of 10 tie across the 2|3 edge: both get 2 (position 5 alone would get 3).
        let values = [1.0, 2.0, 3.0, 4.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(
            quintile_scores(&values, true),
            [1, 1, 2, 2, 2, 3, 4, 4, 5, 5]
        );
        // Everyone equal: everyone scores 1.
        assert_eq!(quintile_scores(&[4.0; 3], true), [1, 1, 1]);
        assert_eq!(quintile_scores(&[4.0; 3], false), [1, 1, 1]);
    }

    #[test]
    fn groups_follow_the_documented_grid_at_its_edges() {
        for (r, f, m, group) in [
            (5, 5, 5, Champions),
            (5, 4, 3, Champions), // FM = ⌈7/2⌉ = 4
            (5, 3, 3, PotentialLoyalist),
            (5, 1, 2, PotentialLoyalist), // FM = 2
            (5, 1, 1, New),
            (4, 1, 1, Promising),
            (4, 2, 1, PotentialLoyalist), // FM = ⌈3/2⌉ = 2
            (4, 4, 4, Loyal),
            (3, 5, 3, Loyal),
            (3, 3, 3, NeedAttention),
            (3, 2, 3, NeedAttention), // FM = ⌈5/2⌉ = 3
            (3, 2, 2, AboutToSleep),
            (2, 5, 5, CannotLoseThem),
            (1, 5, 4, CannotLoseThem), // FM = ⌈9/2⌉ = 5
            (1, 4, 4, AtRisk),
            (2, 3, 2, AtRisk),
            (2, 2, 2, Hibernating),
            (2, 1, 1, Hibernating),
            (1, 2, 1, Hibernating),
            (1, 1, 1, Lost),
        ] {
            assert_eq!(RfmGroup::of(r, f, m), group, "R{r} F{f} M{m}");
        }
    }

    #[test]
    fn every_cell_of_the_grid_has_a_group_and_every_group_a_cell() {
        let mut seen = std::collections::HashSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(RfmGroup::of(r, f, m));
                }
            }
        }
        assert_eq!(seen.len(), RfmGroup::ALL.len());
    }
}
