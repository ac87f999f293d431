//! The robust range of a numeric column (1st–99th percentile, nearest rank), computed over the distinct
//! values of its dictionary with their row counts: O(rows + distinct · log distinct).

/// `[low, high]` plus how it was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RobustRange {
    /// Lower end: the 1st percentile (or the minimum when the percentiles coincide).
    pub low: f64,
    /// Upper end: the 99th percentile (or the maximum).
    pub high: f64,
    /// The percentiles coincided; `[min, max]` was used.
    pub full_range_used: bool,
    /// Every present value is the same.
    pub single_value: bool,
}

impl RobustRange {
    /// `x` clipped to the range and mapped to `[0, 1]` (0 for a single-valued column).
    pub fn unit(&self, x: f64) -> f64 {
        if self.single_value {
            0.0
        } else {
            (x.clamp(self.low, self.high) - self.low) / (self.high - self.low)
        }
    }
}

/// `numbers[e]` is dictionary entry `e`'s value (`None` = missing); `counts[e]` how many rows use it.
/// At least one entry must be present with a positive count.
pub fn robust_range(numbers: &[Option<f64>], counts: &[usize]) -> RobustRange {
    let mut values: Vec<(f64, usize)> = numbers
        .iter()
        .zip(counts)
        .filter_map(|(number, &n)| number.filter(|_| n > 0).map(|x| (x, n)))
        .collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let m: usize = values.iter().map(|v| v.1).sum();
    let at_rank = |rank: usize| {
        let mut seen = 0;
        for &(x, n) in &values {
            seen += n;
            if rank < seen {
                return x;
            }
        }
        values[values.len() - 1].0
    };
    let last = (m - 1) as f64;
    let low = at_rank((0.01 * last).floor() as usize);
    let high = at_rank((0.99 * last).ceil() as usize);
    let (min, max) = (values[0].0, values[values.len() - 1].0);
    if low < high {
        RobustRange {
            low,
            high,
            full_range_used: false,
            single_value: false,
        }
    } else if min < max {
        RobustRange {
            low: min,
            high: max,
            full_range_used: true,
            single_value: false,
        }
    } else {
        RobustRange {
            low: min,
            high: max,
            full_range_used: false,
            single_value: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_row_counts() {
        // 0..=100 once each: m = 101, ranks 1 and 99.
        let numbers: Vec<Option<f64>> = (0..=100).map(|x| Some(x as f64)).collect();
        let counts = vec![1; 101];
        let range = robust_range(&numbers, &counts);
        assert_eq!((range.low, range.high), (1.0, 99.0));
        assert_eq!(range.unit(1000.0), 1.0);
        assert_eq!(range.unit(50.0), 49.0 / 98.0);
    }

    #[test]
    fn coinciding_percentiles_fall_back_to_the_full_range() {
        // 200 rows of 5 and one row of 9: both percentiles are 5.
        let range = robust_range(&[Some(5.0), Some(9.0), None], &[200, 1, 7]);
        assert!(range.full_range_used);
        assert_eq!((range.low, range.high), (5.0, 9.0));
    }

    #[test]
    fn a_single_value_encodes_to_zero() {
        let range = robust_range(&[Some(3.0)], &[10]);
        assert!(range.single_value);
        assert_eq!(range.unit(3.0), 0.0);
    }
}
