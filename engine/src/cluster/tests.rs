use std::ops::ControlFlow;

use proptest::prelude::*;

use super::*;
use crate::encode::EncodedMatrix;

/// `groups` blobs of `per_group` rows in `dims` dimensions, deterministic.
fn blobs(groups: usize, per_group: usize, dims: usize) -> EncodedMatrix {
    let mut data = Vec::new();
    let mut state = 99u64;
    for i in 0..groups * per_group {
        let g = i % groups;
        for d in 0..dims {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let noise = ((state >> 40) as f32 / (1u64 << 24) as f32) * 0.1;
            data.push(if d == g % dims { 1.0 } else { 0.0 } + (g / dims) as f32 + noise);
        }
    }
    EncodedMatrix::from_dense(data, groups * per_group, dims).unwrap()
}

fn fixed(k: usize, min: f64, max: f64) -> KMediansParams {
    KMediansParams::new()
        .with_k(KChoice::Fixed(k))
        .with_bounds(Some(ShareBounds { min, max }))
}

#[test]
fn two_obvious_groups_are_found_with_the_known_cost() {
    let matrix = EncodedMatrix::from_dense(vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0], 6, 1).unwrap();
    let result = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(None)
        .fit(&matrix)
        .unwrap();
    assert_eq!(result.labels[0], result.labels[1]);
    assert_eq!(result.labels[1], result.labels[2]);
    assert_ne!(result.labels[0], result.labels[3]);
    assert_eq!(result.cost, 4.0); // |0−1| + |2−1| + |10−11| + |12−11|
    assert!(result.converged && result.certified);
}

#[test]
fn share_bounds_hold_exactly_even_when_the_data_wants_unequal_segments() {
    // Groups of 100, 100 and 20 rows; with 3 segments of 30–40 % (66..=88 rows) the big groups must give
    // rows away.
    let mut data = vec![0.0f32; 100];
    data.extend(vec![5.0f32; 100]);
    data.extend((0..20).map(|i| 10.0 + i as f32 * 0.01));
    let matrix = EncodedMatrix::from_dense(data, 220, 1).unwrap();
    let result = fixed(3, 0.30, 0.40).fit(&matrix).unwrap();
    assert_eq!(
        result.limits,
        SizeLimits {
            lower: 66,
            upper: 88
        }
    );
    assert!(
        result.sizes.iter().all(|&s| (66..=88).contains(&s)),
        "{:?}",
        result.sizes
    );
    assert!(result.certified);
}

#[test]
fn the_same_seed_gives_the_same_labels_and_another_seed_may_not() {
    let matrix = blobs(6, 50, 4);
    let params = fixed(5, 0.15, 0.25).with_seed(42);
    let first = params.fit(&matrix).unwrap();
    let second = params.fit(&matrix).unwrap();
    assert_eq!(first, second);
}

#[test]
fn automatic_k_tries_every_feasible_k_and_reports_its_score() {
    let matrix = blobs(4, 60, 4);
    let result = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.18,
            max: 0.30,
        }))
        .with_seed(1)
        .fit(&matrix)
        .unwrap();
    let tried: Vec<usize> = result.k_scores.iter().map(|s| s.0).collect();
    assert_eq!(tried, vec![4, 5]); // ⌈1/0.30⌉ = 4, ⌊1/0.18⌋ = 5
    assert_eq!(result.k, 4, "four planted groups: {:?}", result.k_scores);
    assert!(result.k_scores[0].1 > result.k_scores[1].1);
}

#[test]
fn kmeans_mode_also_respects_the_bounds() {
    let matrix = blobs(3, 40, 3);
    let result = fixed(4, 0.2, 0.3)
        .with_algorithm(Algorithm::KMeans)
        .fit(&matrix)
        .unwrap();
    assert_eq!(result.algorithm, Algorithm::KMeans);
    assert!(result.sizes.iter().all(|&s| (24..=36).contains(&s)));
}

#[test]
fn infeasible_settings_are_typed_errors_naming_the_numbers() {
    let bounds = |min, max| KMediansParams::new().with_bounds(Some(ShareBounds { min, max }));
    assert_eq!(
        bounds(0.26, 0.30).validate(1000).unwrap_err(),
        ClusterError::NoFeasibleK {
            min: 0.26,
            max: 0.30,
            k_low: 4,
            k_high: 3
        }
    );
    assert_eq!(
        bounds(0.4, 0.3).validate(10).unwrap_err(),
        ClusterError::MinAboveMax { min: 0.4, max: 0.3 }
    );
    assert_eq!(
        bounds(0.0, 0.3).validate(10).unwrap_err(),
        ClusterError::BoundsOutOfRange { min: 0.0, max: 0.3 }
    );
    assert_eq!(
        fixed(3, 0.3, 0.32).validate(10).unwrap_err(),
        ClusterError::NoIntegerSizes {
            n_rows: 10,
            k: 3,
            lower: 3,
            upper: 3,
            min: 0.3,
            max: 0.32
        }
    );
    assert_eq!(
        bounds(0.05, 0.10).validate(5).unwrap_err(),
        ClusterError::TooFewRowsForBounds {
            n_rows: 5,
            k_low: 10,
            k_high: 20,
            min: 0.05,
            max: 0.10,
            lower: 1,
            upper: 0,
            nearest_below: None,
            nearest_above: Some(10),
            works_from: Some(30),
        }
    );
    let unbounded = |k| {
        KMediansParams::new()
            .with_k(KChoice::Fixed(k))
            .with_bounds(None)
    };
    assert_eq!(unbounded(0).validate(5).unwrap_err(), ClusterError::KZero);
    assert_eq!(
        unbounded(6).validate(5).unwrap_err(),
        ClusterError::TooFewRows { n_rows: 5, k: 6 }
    );
    assert_eq!(
        KMediansParams::new()
            .with_bounds(None)
            .validate(5)
            .unwrap_err(),
        ClusterError::AutoKNeedsBounds
    );
    assert!(matches!(
        unbounded(2).with_restarts(0).validate(5),
        Err(ClusterError::InvalidParameter {
            name: "n_restarts",
            ..
        })
    ));
    assert_eq!(unbounded(1).validate(0).unwrap_err(), ClusterError::NoRows);
}

#[test]
fn shares_round_inward_without_decimal_noise() {
    // 0.05 × 100 is 5.000000000000001 in binary floating point; it must still give 5.
    assert_eq!(
        ShareBounds {
            min: 0.05,
            max: 0.10
        }
        .limits(100),
        SizeLimits {
            lower: 5,
            upper: 10
        }
    );
    assert_eq!(
        ShareBounds {
            min: 0.05,
            max: 0.10
        }
        .limits(99),
        SizeLimits { lower: 5, upper: 9 }
    );
    assert_eq!(
        ShareBounds {
            min: 0.05,
            max: 0.10
        }
        .k_range(),
        (10, 20)
    );
}

#[test]
fn bad_matrices_are_typed_errors() {
    let params = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(None);
    let constant =
        EncodedMatrix::from_dense(vec![1.0, f32::NAN, 1.0, 2.0, 1.0, 2.0], 3, 2).unwrap();
    // Dimension 0 is constant, dimension 1 is 2 wherever present: nothing varies.
    assert_eq!(
        params.fit(&constant).unwrap_err(),
        ClusterError::AllConstant {
            n_rows: 3,
            n_dims: 2
        }
    );
    let infinite = EncodedMatrix::from_dense(vec![0.0, 1.0, f32::INFINITY, 2.0], 2, 2).unwrap();
    assert_eq!(
        params.fit(&infinite).unwrap_err(),
        ClusterError::InfiniteValue { row: 1, dim: 0 }
    );
    let empty = EncodedMatrix::from_dense(vec![], 3, 0).unwrap();
    assert_eq!(
        params.fit(&empty).unwrap_err(),
        ClusterError::NoDimensions { n_rows: 3 }
    );
    let valid = params.validate(4).unwrap();
    assert_eq!(
        valid.fit(&constant).unwrap_err(),
        ClusterError::RowCountMismatch {
            validated: 4,
            found: 3
        }
    );
}

#[test]
fn progress_is_reported_and_break_cancels() {
    let matrix = blobs(3, 30, 3);
    let valid = fixed(3, 0.2, 0.5).validate(matrix.n_rows).unwrap();
    let mut stages = Vec::new();
    let result = valid.fit_with_progress(&matrix, &mut |p| {
        stages.push(p.stage);
        assert!((0.0..=1.0).contains(&p.fraction()));
        ControlFlow::Continue(())
    });
    assert!(result.is_ok());
    assert_eq!(stages.first(), Some(&Stage::Seeding));
    assert_eq!(stages.last(), Some(&Stage::Scoring));
    assert!(stages.contains(&Stage::Iterating));

    let mut calls = 0;
    let cancelled = valid.fit_with_progress(&matrix, &mut |_| {
        calls += 1;
        if calls == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(cancelled.unwrap_err(), ClusterError::Cancelled);
    assert_eq!(calls, 2);
}

#[test]
fn json_never_carries_nan_and_round_trips() {
    // Dimension 1 is missing for every row of one segment: its center is NaN, serialised as null.
    let matrix =
        EncodedMatrix::from_dense(vec![0.0, f32::NAN, 0.1, f32::NAN, 9.0, 1.0, 9.1, 2.0], 4, 2)
            .unwrap();
    let result = KMediansParams::new()
        .with_k(KChoice::Fixed(2))
        .with_bounds(None)
        .fit(&matrix)
        .unwrap();
    let json = serde_json::to_string(&result).unwrap();
    assert!(json.contains("null") && !json.contains("NaN"));
    let back: Segmentation = serde_json::from_str(&json).unwrap();
    assert_eq!(back.labels, result.labels);
    assert_eq!(back.centers.iter().filter(|c| c.is_nan()).count(), 1);
}

#[test]
fn l1_cost_of_the_result_matches_its_reported_cost() {
    let matrix = blobs(5, 40, 3);
    let result = fixed(5, 0.15, 0.25).fit(&matrix).unwrap();
    let cost = l1_cost(&matrix, &result.labels, result.k).unwrap();
    assert!(
        (cost - result.cost).abs() < 1e-6 * cost.max(1.0),
        "{cost} vs {}",
        result.cost
    );
}

#[test]
fn large_inputs_screen_every_k_on_a_sample_then_fit_all_rows_within_the_bounds() {
    let matrix = blobs(8, 100, 4); // 800 rows
    let params = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.10,
            max: 0.15,
        }))
        .with_screening_sample(300)
        .with_seed(3);
    let valid = params.validate(matrix.n_rows).unwrap();
    assert_eq!(
        valid.screening(),
        Some(Screening {
            sample_rows: 300,
            limits: SizeLimits {
                lower: 30,
                upper: 45
            }
        })
    );
    let result = valid.fit(&matrix).unwrap();
    assert_eq!(result.sample_rows, Some(300));
    let tried: Vec<usize> = result.k_scores.iter().map(|s| s.0).collect();
    assert_eq!(tried, vec![7, 8, 9, 10]); // ⌈1/0.15⌉ = 7, ⌊1/0.10⌋ = 10
                                          // One screening run per k, then the nine remaining restarts of the
                                          // winner (800 × 4 cells get SMALL_FILE_RESTARTS).
    assert_eq!(result.restart_costs.len(), 10);
    assert_eq!(result.restarts, 10);
    // The final run is on all 800 rows: 80..=120 each, exactly.
    assert_eq!(result.labels.len(), 800);
    assert_eq!(
        result.limits,
        SizeLimits {
            lower: 80,
            upper: 120
        }
    );
    assert!(
        result.sizes.iter().all(|&s| (80..=120).contains(&s)),
        "{:?}",
        result.sizes
    );
    assert_eq!(result.sizes.iter().sum::<usize>(), 800);
    assert!(result.certified);
    let cost = l1_cost(&matrix, &result.labels, result.k).unwrap();
    assert!(
        (cost - result.cost).abs() < 1e-6 * cost.max(1.0),
        "{cost} vs {}",
        result.cost
    );
    assert_eq!(result.k, 8, "eight planted groups: {:?}", result.k_scores);
    assert_eq!(
        valid.fit(&matrix).unwrap(),
        result,
        "same seed, same segments"
    );
}

#[test]
fn screening_is_skipped_for_small_inputs_and_when_turned_off() {
    let matrix = blobs(4, 60, 4); // 240 rows
    let params = fixed(4, 0.2, 0.3).with_screening_sample(240);
    assert_eq!(params.validate(240).unwrap().screening(), None);
    assert_eq!(params.fit(&matrix).unwrap().sample_rows, None);
    let off = fixed(4, 0.2, 0.3).with_screening_sample(usize::MAX);
    assert_eq!(off.validate(1_000_000_000).unwrap().screening(), None);
    // A sample too small for the bounds' k is not screened on: every run uses all rows.
    let tight = fixed(40, 0.02, 0.03).with_screening_sample(100);
    assert_eq!(
        tight
            .validate(10_000)
            .unwrap()
            .screening()
            .map(|s| s.sample_rows),
        Some(100)
    );
    let too_many = fixed(101, 0.001, 0.5).with_screening_sample(100);
    assert_eq!(too_many.validate(10_000).unwrap().screening(), None);
    assert!(matches!(
        fixed(4, 0.2, 0.3).with_screening_sample(99).validate(240),
        Err(ClusterError::InvalidParameter {
            name: "screening_sample",
            ..
        })
    ));
}

#[test]
fn progress_with_screening_moves_forward_and_ends_with_the_run_on_all_rows() {
    let matrix = blobs(8, 100, 4);
    let valid = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.10,
            max: 0.15,
        }))
        .with_screening_sample(300)
        .validate(matrix.n_rows)
        .unwrap();
    let mut reports = Vec::new();
    valid
        .fit_with_progress(&matrix, &mut |p| {
            reports.push(p);
            ControlFlow::Continue(())
        })
        .unwrap();
    let fractions: Vec<f64> = reports.iter().map(Progress::fraction).collect();
    assert!(
        fractions.windows(2).all(|w| w[0] <= w[1] + 1e-12),
        "{fractions:?}"
    );
    assert!(reports
        .iter()
        .any(|p| p.phase == Phase::Screening { sample_rows: 300 }));
    assert_eq!(reports.last().unwrap().phase, Phase::Final);
    assert!(*fractions.last().unwrap() <= 1.0);
}

/// Every segment of `result` is within `bounds` applied to all `n` rows, the sizes add up to `n`, and every
/// assignment step passed its certificate.
fn bounds_hold_exactly(
    result: &Segmentation,
    bounds: ShareBounds,
    n: usize,
) -> Result<(), TestCaseError> {
    let limits = bounds.limits(n);
    prop_assert_eq!(result.limits, limits);
    prop_assert!(result
        .sizes
        .iter()
        .all(|&s| s >= limits.lower && s <= limits.upper));
    prop_assert_eq!(result.sizes.iter().sum::<usize>(), n);
    prop_assert!(result.certified);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn screened_fits_keep_the_bounds_on_all_rows_exactly(
        n in 101usize..400,
        auto in any::<bool>(),
        k in 2usize..8,
        min in 0.05f64..0.3,
        width in 0.0f64..0.3,
        seed in any::<u64>(),
        values in proptest::collection::vec(prop_oneof![4 => 0.0f32..1.0, 1 => Just(f32::NAN)], 800),
    ) {
        let max = (min + width).min(1.0);
        let matrix = EncodedMatrix::from_dense(values[..n * 2].to_vec(), n, 2).unwrap();
        let choice = if auto { KChoice::Auto } else { KChoice::Fixed(k) };
        let params = KMediansParams::new()
            .with_k(choice)
            .with_bounds(Some(ShareBounds { min, max }))
            .with_screening_sample(100)
            .with_restarts(2)
            .with_seed(seed);
        match params.fit(&matrix) {
            Ok(result) => {
                bounds_hold_exactly(&result, ShareBounds { min, max }, n)?;
                let again = params.fit(&matrix).unwrap();
                prop_assert_eq!(again.labels, result.labels);
            }
            Err(ClusterError::NoIntegerSizes { .. })
            | Err(ClusterError::NoFeasibleK { .. })
            | Err(ClusterError::TooFewRowsForBounds { .. })
            | Err(ClusterError::AllConstant { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bounds_hold_exactly_or_a_typed_infeasibility_error_is_returned(
        n in 1usize..120,
        dims in 1usize..4,
        k in 1usize..8,
        min in 0.01f64..0.6,
        width in 0.0f64..0.5,
        seed in any::<u64>(),
        values in proptest::collection::vec(prop_oneof![4 => 0.0f32..1.0, 1 => Just(f32::NAN)], 480),
    ) {
        let max = (min + width).min(1.0);
        let matrix = EncodedMatrix::from_dense(values[..n * dims].to_vec(), n, dims).unwrap();
        let params = fixed(k, min, max).with_seed(seed).with_restarts(2);
        match params.fit(&matrix) {
            Ok(result) => {
                bounds_hold_exactly(&result, ShareBounds { min, max }, n)?;
                prop_assert!(result.cost.is_finite());
                let again = params.fit(&matrix).unwrap();
                prop_assert_eq!(again.labels, result.labels);
            }
            Err(ClusterError::NoIntegerSizes { .. })
            | Err(ClusterError::TooFewRows { .. })
            | Err(ClusterError::AllConstant { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

/// 200 rows with only two distinct profiles, in file order: rows 0..100 are all `0`, rows 100..200 all
/// `1` (a file sorted by date, say, whose chosen columns cannot tell the customers apart).
fn two_sorted_profiles() -> EncodedMatrix {
    let data: Vec<f32> = (0..200).map(|row| (row >= 100) as u32 as f32).collect();
    EncodedMatrix::from_dense(data, 200, 1).unwrap()
}

/// How many of `rows` sit in the most common segment among them.
fn most_common_segment(labels: &[u32], rows: std::ops::Range<usize>) -> usize {
    let mut counts = [0usize; 8];
    rows.for_each(|row| counts[labels[row] as usize] += 1);
    counts.into_iter().max().unwrap()
}

#[test]
fn identical_rows_are_split_between_segments_by_the_seed_not_by_row_order() {
    let matrix = two_sorted_profiles();
    // Four segments of exactly 50 rows: each profile's 100 rows must be split in two.
    let params = fixed(4, 0.25, 0.25);
    let result = params.clone().with_seed(3).fit(&matrix).unwrap();
    assert_eq!(result.sizes, [50, 50, 50, 50]);
    // Split by row order, the first 50 rows of a profile would all share one segment. Split by a seeded
    // shuffle, each half of the profile lands in both of its segments, about 25 and 25.
    for half in [0..50, 50..100, 100..150, 150..200] {
        let most = most_common_segment(&result.labels, half.clone());
        assert!(most < 40, "rows {half:?}: {most} of 50 in one segment");
    }
    // The same seed gives the same split; another seed another split of the same tied rows.
    assert_eq!(
        params.clone().with_seed(3).fit(&matrix).unwrap().labels,
        result.labels
    );
    let other = params.with_seed(4).fit(&matrix).unwrap();
    let same_pairs = (0..200)
        .flat_map(|a| (a + 1..200).map(move |b| (a, b)))
        .filter(|&(a, b)| {
            (result.labels[a] == result.labels[b]) != (other.labels[a] == other.labels[b])
        })
        .count();
    assert!(same_pairs > 0, "seeds 3 and 4 split the tied rows alike");
}

#[test]
fn the_tied_segments_of_a_degenerate_fit_are_found_after_the_run() {
    let matrix = two_sorted_profiles();
    let result = fixed(4, 0.25, 0.25).fit(&matrix).unwrap();
    let ids = degenerate::profile_ids(&matrix);
    let ties = degenerate::tied_segments(&ids, &result.labels);
    // Each profile fills two segments on its own: two pairs of identical segments.
    assert_eq!(ties.len(), 2);
    assert!(ties.iter().all(|pair| pair.len() == 2));
    let zero = result.labels[0];
    assert!(ties.iter().any(|pair| pair.contains(&zero)));
}

#[test]
fn too_few_rows_for_the_bounds_says_which_row_counts_work_in_plain_words() {
    // 5–10 %: 21 rows need segments of exactly 2 (⌈1.05⌉ = ⌊2.1⌋ = 2), and 21 is odd; 20 rows take 10 to
    // 20 segments of 1–2, 22 rows 11 segments of 2; 15 and 19 rows work with segments of exactly 1. From
    // 30 rows on, every count works (the odd counts 23, 25, 27, 29 fail like 21).
    let bounds = KMediansParams::new().with_bounds(Some(ShareBounds::default()));
    for works in [10, 15, 19, 20, 22, 24, 28, 30, 31, 57] {
        assert!(bounds.validate(works).is_ok(), "{works} rows");
    }
    for fails in [9, 21, 23, 25, 27, 29] {
        assert!(bounds.validate(fails).is_err(), "{fails} rows");
    }
    let error = bounds.validate(21).unwrap_err();
    assert_eq!(
        error.to_string(),
        "21 customers cannot be split into segments of 5–10% each: each segment would need exactly 2 \
         customers (5% of 21 rounded up, 10% rounded down), and no number of such segments from 10 to 20 \
         adds up to 21. 20 or 22 customers would work. Use at least 30 customers (every count from 30 up \
         works), or widen the bounds (--min/--max)."
    );
    // 5 rows: 5 % rounds up to 1 customer, 10 % down to 0.
    assert!(bounds.validate(5).unwrap_err().to_string().starts_with(
        "5 customers cannot be split into segments of 5–10% each: each segment would need at least 1 \
         customer but at most 0, which no segment can be"
    ));
    // Exactly 25 % each only ever splits multiples of 4: no "at least" to promise.
    let quarters = fixed(4, 0.25, 0.25).with_k(KChoice::Auto);
    let error = quarters.validate(10).unwrap_err();
    assert!(
        matches!(
            error,
            ClusterError::TooFewRowsForBounds {
                nearest_below: Some(8),
                nearest_above: Some(12),
                works_from: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().ends_with(
        "8 or 12 customers would work. Widen the bounds (--min/--max) or choose the number of segments (--k)."
    ));
}

#[test]
fn bounds_that_allow_too_many_segment_counts_are_refused_before_any_fit() {
    // 0.1–10 % on 300 rows: k from 10 to 300, 291 full fits. Refused at once, with what to do.
    let error = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.001,
            max: 0.10,
        }))
        .validate(300)
        .unwrap_err();
    assert_eq!(
        error,
        ClusterError::TooManySegmentCounts {
            n_rows: 300,
            min: 0.001,
            max: 0.10,
            k_low: 10,
            k_high: 300,
            count: 291,
            limit: MAX_AUTO_K_CANDIDATES,
        }
    );
    assert!(error.to_string().starts_with(
        "segments of 0.1–10% allow 291 different numbers of segments (10 to 300) for these 300 customers"
    ));
    assert!(error.to_string().contains("(--k)"));
    // 2–10 % (41 counts) still runs; a fixed k with the wide bounds too.
    let two_to_ten = KMediansParams::new().with_bounds(Some(ShareBounds {
        min: 0.02,
        max: 0.10,
    }));
    assert_eq!(two_to_ten.validate(300).unwrap().candidates().len(), 41);
    assert!(fixed(12, 0.001, 0.10).validate(300).is_ok());
}

#[test]
fn automatic_k_on_a_small_file_runs_each_k_once_then_restarts_only_the_winner() {
    // 800 rows, shares 10–15 %: k = 7, 8, 9 and 10 are tried (4 candidates), no screening, and 10
    // restarts (800 × 4 encoded cells is at most SMALL_FIT_CELLS: SMALL_FILE_RESTARTS, not the default 3).
    let matrix = blobs(8, 100, 4);
    let valid = KMediansParams::new()
        .with_bounds(Some(ShareBounds {
            min: 0.10,
            max: 0.15,
        }))
        .validate(matrix.n_rows)
        .unwrap();
    let mut seeded = 0;
    let result = valid
        .fit_with_progress(&matrix, &mut |p| {
            seeded += usize::from(p.stage == Stage::Seeding);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(result.k_scores.len(), 4);
    assert_eq!(result.sample_rows, None);
    // 4 first runs + 9 more restarts of the winner, not 4 × 10.
    assert_eq!(seeded, 4 + 9);
    assert_eq!(result.restarts, 10);
    assert_eq!(result.restart_costs.len(), 10);
    assert_eq!(result.k, 8, "the eight blobs win");
}

#[test]
fn refusals_are_in_a_marketers_words_with_the_numbers_and_what_to_do() {
    let message = |error: ClusterError| error.to_string();
    assert_eq!(
        message(fixed(3, 0.3, 0.32).validate(10).unwrap_err()),
        "10 customers cannot be split into 3 segments of 30–32% each: each segment would need exactly 3 \
         customers (30% of 10 rounded up, 32% rounded down), and 3 such segments cannot add up to 10. \
         Choose another number of segments, or widen the sizes (--min/--max)."
    );
    assert_eq!(
        message(ClusterError::MinAboveMax { min: 0.4, max: 0.3 }),
        "the smallest segment size (40% of the customers) is larger than the largest (30%): swap them, \
         or make the largest at least 40%"
    );
    assert_eq!(
        message(ClusterError::TooFewRows { n_rows: 5, k: 6 }),
        "6 segments need at least 6 customers, but the file has 5: ask for at most 5 segments"
    );
    for error in [
        ClusterError::BoundsOutOfRange { min: 0.0, max: 0.3 },
        ClusterError::AutoKNeedsBounds,
        ClusterError::KZero,
        ClusterError::NoRows,
        ClusterError::NoDimensions { n_rows: 3 },
        ClusterError::AllConstant {
            n_rows: 3,
            n_dims: 2,
        },
    ] {
        let text = message(error);
        for engine_speak in ["⌈", "⌊", "..=", "dimension", "rows", " k "] {
            assert!(!text.contains(engine_speak), "{engine_speak:?} in {text}");
        }
        assert!(
            ["choose", "give", "ask", "swap", "widen"]
                .iter()
                .any(|verb| text.contains(verb)),
            "says what to do: {text}"
        );
    }
}

#[test]
fn replaying_the_last_assignment_step_splits_identical_rows_exactly_as_the_fit_did() {
    let matrix = two_sorted_profiles();
    let result = fixed(4, 0.25, 0.25).with_seed(3).fit(&matrix).unwrap();
    assert_eq!(result.assign_centers.len(), result.centers.len());
    let replayed = replay_assignment(
        &matrix,
        &result.assign_centers,
        &result.assign_prices,
        result.limits,
        result.seed,
    )
    .unwrap();
    assert_eq!(replayed, result.labels);
    // Solved afresh in file order, the same centers give each profile's first 50 rows one segment: the
    // same sizes, other rows.
    let k = result.k;
    let distances: Vec<f32> = (0..matrix.n_rows)
        .flat_map(|row| {
            let matrix = &matrix;
            let centers = &result.assign_centers;
            (0..k).map(move |c| matrix.distance(matrix.row(row), &centers[c..c + 1]))
        })
        .collect();
    let costs = assign::CostMatrix::from_distances(matrix.n_rows, k, &distances).unwrap();
    let afresh = assign::solve(&costs, result.limits).unwrap();
    assert_eq!(afresh.sizes, [50, 50, 50, 50]);
    assert_ne!(afresh.labels, result.labels);
    // Bounds this file cannot hold give nothing rather than a wrong split.
    let impossible = SizeLimits {
        lower: 60,
        upper: 60,
    };
    assert_eq!(
        replay_assignment(
            &matrix,
            &result.assign_centers,
            &result.assign_prices,
            impossible,
            3
        ),
        None
    );
}

/// 16 distinct rows in two dimensions: four near `(0, 0)`, four near `(1, 1)`, and eight `(x, 1 − x)`
/// exactly as far (1) from both corners, so a split of 8 and 8 must share the tied rows 4 and 4.
fn tied_distinct_rows(reversed: bool) -> EncodedMatrix {
    let mut rows: Vec<[f32; 2]> = vec![
        [0.0, 0.0],
        [0.0, 0.125],
        [0.125, 0.0],
        [0.125, 0.125],
        [1.0, 1.0],
        [1.0, 0.875],
        [0.875, 1.0],
        [0.875, 0.875],
    ];
    rows.extend((0..8).map(|i| {
        let x = (2 * i + 1) as f32 / 16.0;
        [x, 1.0 - x]
    }));
    if reversed {
        rows.reverse();
    }
    EncodedMatrix::from_dense(rows.concat(), 16, 2).unwrap()
}

/// The label of each row content (as bits), to compare two orders of the same rows.
fn label_by_content(matrix: &EncodedMatrix, labels: &[u32]) -> Vec<([u32; 2], u32)> {
    let mut pairs: Vec<([u32; 2], u32)> = (0..matrix.n_rows)
        .map(|row| {
            let values = matrix.row(row);
            ([values[0].to_bits(), values[1].to_bits()], labels[row])
        })
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn replaying_an_assignment_on_reordered_rows_gives_every_tied_row_the_same_segment() {
    let (forward, backward) = (tied_distinct_rows(false), tied_distinct_rows(true));
    let centers = [0.0, 0.0, 1.0, 1.0];
    let limits = SizeLimits { lower: 8, upper: 8 };
    let replay =
        |m: &EncodedMatrix| replay_assignment(m, &centers, &[0.0, 0.0], limits, 5).unwrap();
    let (a, b) = (replay(&forward), replay(&backward));
    // The clear rows go to their corner, the tied ones 4 and 4, and each row keeps its segment in
    // either order: the tie is broken by the row's values, not its position.
    assert_eq!(&a[..4], [0, 0, 0, 0]);
    assert_eq!(&a[4..8], [1, 1, 1, 1]);
    assert_eq!(a[8..].iter().filter(|&&l| l == 0).count(), 4);
    assert_eq!(
        label_by_content(&forward, &a),
        label_by_content(&backward, &b)
    );
}

#[test]
fn fitting_the_same_rows_in_another_order_gives_every_row_the_same_segment() {
    let (forward, backward) = (tied_distinct_rows(false), tied_distinct_rows(true));
    let params = fixed(2, 0.5, 0.5).with_seed(9);
    let (a, b) = (
        params.fit(&forward).unwrap(),
        params.fit(&backward).unwrap(),
    );
    assert_eq!(a.sizes, [8, 8]);
    assert_eq!(
        label_by_content(&forward, &a.labels),
        label_by_content(&backward, &b.labels)
    );
    // The same file and seed give the same segments.
    assert_eq!(params.fit(&forward).unwrap().labels, a.labels);
}

#[test]
fn fitting_in_place_gives_the_same_segments_and_leaves_the_matrix_as_it_was() {
    // Auto k with screening and restarts, and a fixed k; the rows are put back even when cancelled.
    let mut matrix = blobs(5, 120, 3);
    let original = matrix.data.clone();
    for params in [
        KMediansParams::new().with_seed(3),
        fixed(4, 0.2, 0.3).with_seed(11),
    ] {
        let valid = params.validate(matrix.n_rows).unwrap();
        let expected = valid.fit(&matrix).unwrap();
        let order = valid.row_order(&matrix);
        let in_place = valid
            .fit_in_place_with_progress(&mut matrix, &order, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        assert_eq!(in_place, expected);
        assert!(matrix
            .data
            .iter()
            .zip(&original)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        let cancelled =
            valid.fit_in_place_with_progress(&mut matrix, &order, &mut |_| ControlFlow::Break(()));
        assert_eq!(cancelled, Err(ClusterError::Cancelled));
        assert!(matrix
            .data
            .iter()
            .zip(&original)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn fitting_rows_encoded_in_the_fits_order_gives_the_same_segments() {
    // A mixed table of numbers, ordinals, a binary and categoricals; auto k with screening, and a fixed k.
    let table = bench_data::mixed_table(600, 4);
    let selection = crate::encode::default_selection(&table, None);
    let in_file_order = crate::encode::encode(&table, &selection).unwrap();
    for params in [
        KMediansParams::new().with_seed(3),
        fixed(4, 0.2, 0.3).with_seed(11),
    ] {
        let valid = params.validate(in_file_order.n_rows).unwrap();
        let expected = valid.fit(&in_file_order).unwrap();
        let encoder = crate::encode::RowEncoder::new(&table, &selection).unwrap();
        let (matrix, order) = valid.encode_in_fit_order(encoder);
        assert_eq!(order, valid.row_order(&in_file_order));
        let fitted = valid
            .fit_ordered_with_progress(&matrix, &order, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        assert_eq!(fitted, expected);
        let cancelled =
            valid.fit_ordered_with_progress(&matrix, &order, &mut |_| ControlFlow::Break(()));
        assert_eq!(cancelled, Err(ClusterError::Cancelled));
        // An order of another row count is refused.
        let fewer = KMediansParams::new().validate(599).unwrap();
        assert!(matches!(
            fewer.fit_ordered_with_progress(&matrix, &order, &mut |_| ControlFlow::Continue(())),
            Err(ClusterError::RowCountMismatch { .. })
        ));
    }
}

#[test]
fn costs_filled_on_several_threads_are_the_costs_of_every_row_filled_on_one() {
    // Every row three times in a row, so that repeated rows straddle the blocks' boundaries (9,000 rows
    // over 7 threads: blocks of 1,286 rows, not a multiple of 3).
    let table = bench_data::mixed_table(3_000, 5);
    let matrix =
        crate::encode::encode(&table, &crate::encode::default_selection(&table, None)).unwrap();
    let tripled: Vec<usize> = (0..matrix.n_rows).flat_map(|row| [row; 3]).collect();
    let matrix = matrix.select_rows(&tripled);
    let shapes = matrix.layout().row_shapes(&matrix.data);
    let k = 6;
    let centers: Vec<f32> = (0..k).flat_map(|c| matrix.row(c * 997).to_vec()).collect();
    let mut one = assign::CostMatrix::empty();
    fit::fill_l1_costs(&mut one, &matrix, &shapes, &centers, k, 1);
    for threads in [2, 7] {
        let mut many = assign::CostMatrix::empty();
        fit::fill_l1_costs(&mut many, &matrix, &shapes, &centers, k, threads);
        assert_eq!(one, many, "{threads} threads");
    }
    let distances: Vec<f32> = (0..matrix.n_rows)
        .flat_map(|row| {
            let matrix = &matrix;
            centers
                .chunks_exact(matrix.n_dims)
                .map(move |center| matrix.distance(matrix.row(row), center))
        })
        .collect();
    let by_definition = assign::CostMatrix::from_distances(matrix.n_rows, k, &distances).unwrap();
    assert_eq!(one, by_definition);
}

#[test]
fn centers_found_on_several_threads_or_segment_by_segment_are_the_centers_found_on_one() {
    // Medians of numbers, ordinal positions and one-hot levels, with missing values, for both algorithms
    // and an empty segment (label 7 is never used).
    let table = bench_data::mixed_table(4_000, 9);
    let mut matrix =
        crate::encode::encode(&table, &crate::encode::default_selection(&table, None)).unwrap();
    for row in (0..matrix.n_rows).step_by(37) {
        let d = matrix.n_dims;
        matrix.data[row * d + row % d] = f32::NAN;
    }
    let shapes = matrix.layout().row_shapes(&matrix.data);
    let k = 8;
    let labels: Vec<u32> = (0..matrix.n_rows as u32)
        .map(|row| (row * 7 + row / 5) % 7)
        .collect();
    for algorithm in [Algorithm::KMedians, Algorithm::KMeans] {
        let found = |threads: usize, by_segment: bool| {
            let mut centers = Vec::new();
            let mut scratch = centers::CenterScratch::with_threads(threads);
            if by_segment {
                scratch = scratch.segment_by_segment();
            }
            centers::update_into(
                &matrix,
                &shapes,
                &labels,
                k,
                algorithm,
                &mut scratch,
                &mut centers,
            );
            centers
        };
        let one = found(1, false);
        assert!(one[7 * matrix.n_dims..].iter().all(|v| v.is_nan()));
        for (threads, by_segment) in [(1, true), (2, false), (2, true), (3, false), (8, true)] {
            let many = found(threads, by_segment);
            assert!(
                one.iter()
                    .zip(&many)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{algorithm:?}, {threads} threads, segment by segment: {by_segment}"
            );
        }
    }
}

#[test]
fn runs_side_by_side_on_threads_give_the_segments_one_thread_gives() {
    // Fixed k (restarts side by side), automatic k (candidates side by side), each on a small file and
    // screened on a sample of a larger one; every figure of the result must be the single thread's.
    let small = blobs(6, 120, 5);
    let large = blobs(6, 1_200, 5);
    let bounds = Some(ShareBounds {
        min: 0.05,
        max: 0.25,
    });
    let fixed_k = KMediansParams::new()
        .with_k(KChoice::Fixed(7))
        .with_bounds(bounds)
        .with_restarts(5)
        .with_seed(3);
    let automatic_k = KMediansParams::new()
        .with_bounds(bounds)
        .with_restarts(3)
        .with_seed(4);
    for params in [fixed_k, automatic_k] {
        for (matrix, screened) in [(&small, false), (&large, true)] {
            let params =
                params
                    .clone()
                    .with_screening_sample(if screened { 1_000 } else { usize::MAX });
            let mut valid = params.validate(matrix.n_rows).unwrap();
            assert_eq!(valid.screening().is_some(), screened);
            // The result and how many progress reports it took.
            let fit_on = |valid: &mut ValidParams, threads: usize| {
                valid.threads = threads;
                let mut reports = 0;
                let result = valid
                    .fit_with_progress(matrix, &mut |_| {
                        reports += 1;
                        ControlFlow::Continue(())
                    })
                    .unwrap();
                (result, reports)
            };
            let (on_one, one_thread_reports) = fit_on(&mut valid, 1);
            assert!(on_one.restarts > 1 || on_one.k_scores.len() > 1);
            for threads in [2, 3, 8] {
                let (on_many, reports) = fit_on(&mut valid, threads);
                assert_eq!(on_many, on_one, "{threads} threads, screened: {screened}");
                assert!(reports > 0 && reports <= one_thread_reports);
            }
            // A cancel is still obeyed when runs go side by side: at the first report.
            valid.threads = 2;
            let cancelled = valid.fit_with_progress(matrix, &mut |_| ControlFlow::Break(()));
            assert!(matches!(cancelled, Err(ClusterError::Cancelled)));
        }
    }
}

#[test]
fn a_fit_on_rows_missing_values_gives_its_known_labels() {
    // The same fit in wasm32 (`app/tests/engine_wasm.rs`) must give these labels too.
    let fit = bench_data::fit_with_missing_values(3_000, 5);
    assert_eq!(
        (bench_data::labels_fingerprint(&fit.labels), fit.cost),
        (0xb40d_7f83_94f4_9a30, 5546.309808760881)
    );
}
