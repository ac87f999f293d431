use proptest::prelude::*;

use super::*;

/// Minimum total cost over all k^n labellings within the limits (None when none is feasible).
fn brute_force(costs: &CostMatrix, limits: SizeLimits) -> Option<i64> {
    let (n, k) = (costs.n(), costs.k());
    let mut best: Option<i64> = None;
    let mut labels = vec![0usize; n];
    loop {
        let mut sizes = vec![0usize; k];
        labels.iter().for_each(|&l| sizes[l] += 1);
        if sizes
            .iter()
            .all(|&s| s >= limits.lower && s <= limits.upper)
        {
            let total: i64 = labels
                .iter()
                .enumerate()
                .map(|(i, &l)| costs.cost(i, l) as i64)
                .sum();
            best = Some(best.map_or(total, |b| b.min(total)));
        }
        let mut position = 0;
        loop {
            if position == n {
                return best;
            }
            labels[position] += 1;
            if labels[position] < k {
                break;
            }
            labels[position] = 0;
            position += 1;
        }
    }
}

#[test]
fn unconstrained_rows_go_to_their_cheapest_segment() {
    let costs = CostMatrix::from_quantized(3, 2, vec![1, 5, 7, 2, 3, 3]).unwrap();
    let result = solve(&costs, SizeLimits { lower: 0, upper: 3 }).unwrap();
    assert_eq!(result.labels, vec![0, 1, 0]);
    assert_eq!(result.total, 6);
}

#[test]
fn a_full_segment_gives_up_the_row_that_costs_least_to_move() {
    // Everybody prefers segment 0; only 2 may stay. Moving row 2 costs 1, rows 0 and 1 cost 5 and 4.
    let costs = CostMatrix::from_quantized(3, 2, vec![0, 5, 0, 4, 0, 1]).unwrap();
    let result = solve(&costs, SizeLimits { lower: 1, upper: 2 }).unwrap();
    assert_eq!(result.labels, vec![0, 0, 1]);
    assert_eq!(result.total, 1);
    assert!(certify(
        &costs,
        SizeLimits { lower: 1, upper: 2 },
        &result.labels,
        &result.prices
    ));
}

#[test]
fn a_chain_of_moves_beats_a_direct_move() {
    // Segment 0 is over-full; moving a row straight to 2 costs 10, but row 1 can go to 1 (cost 1) while row 2
    // moves from 1 to 2 (cost 1).
    let costs = CostMatrix::from_quantized(
        4,
        3,
        vec![
            0, 9, 10, //
            0, 1, 10, //
            9, 0, 1, //
            9, 9, 0,
        ],
    )
    .unwrap();
    let limits = SizeLimits { lower: 1, upper: 1 };
    assert!(
        solve(&costs, limits).is_none(),
        "4 rows cannot fill 3 segments of exactly 1"
    );
    let limits = SizeLimits { lower: 1, upper: 2 };
    let result = solve(&costs, limits).unwrap();
    assert_eq!(result.total, brute_force(&costs, limits).unwrap());
    assert!(certify(&costs, limits, &result.labels, &result.prices));
}

#[test]
fn limits_that_admit_no_sizes_are_refused() {
    let costs = CostMatrix::from_quantized(5, 2, vec![0; 10]).unwrap();
    assert!(solve(&costs, SizeLimits { lower: 3, upper: 4 }).is_none());
    assert!(solve(&costs, SizeLimits { lower: 0, upper: 2 }).is_none());
    assert!(solve(&costs, SizeLimits { lower: 2, upper: 3 }).is_some());
}

#[test]
fn certify_rejects_a_feasible_but_suboptimal_labelling() {
    let costs = CostMatrix::from_quantized(2, 2, vec![0, 5, 5, 0]).unwrap();
    let limits = SizeLimits { lower: 1, upper: 1 };
    assert!(certify(&costs, limits, &[0, 1], &[0, 0]));
    assert!(!certify(&costs, limits, &[1, 0], &[0, 0]));
    assert!(!certify(&costs, limits, &[0, 0], &[0, 0]));
}

#[test]
fn quantization_maps_the_largest_distance_to_the_top_of_the_range() {
    let costs = CostMatrix::from_distances(1, 3, &[0.0, 0.5, 2.0]).unwrap();
    assert_eq!(costs.cost(0, 2), MAX_QUANTIZED_COST);
    assert_eq!(
        costs.cost(0, 1),
        (MAX_QUANTIZED_COST as f64 / 4.0).round() as u32
    );
    assert!(CostMatrix::from_distances(1, 2, &[0.0, f32::NAN]).is_none());
}

#[test]
fn large_instances_are_certified_optimal() {
    // 3000 rows, 7 segments, costs with a strong preference for segment 0 so most rows must move.
    let (n, k) = (3000, 7);
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    let costs: Vec<u32> = (0..n * k)
        .map(|x| {
            if x % k == 0 {
                next() % 50
            } else {
                next() % 1000
            }
        })
        .collect();
    let costs = CostMatrix::from_quantized(n, k, costs).unwrap();
    let limits = SizeLimits {
        lower: 400,
        upper: 450,
    };
    let result = solve(&costs, limits).unwrap();
    assert!(
        result.sizes.iter().all(|&s| (400..=450).contains(&s)),
        "{:?}",
        result.sizes
    );
    assert!(certify(&costs, limits, &result.labels, &result.prices));
    assert!(result.stats.moves > 1000);
}

#[test]
fn large_instances_are_warm_started_from_a_sample_and_stay_certified() {
    // 20 000 rows, 6 segments, everybody prefers segment 0: the sample (every 8th row) is solved first and
    // its prices leave the full problem far less to route.
    let (n, k) = (20_000, 6);
    let mut state = 7u64;
    let costs: Vec<u32> = (0..n * k)
        .map(|x| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let base = (state % 100_000) as u32;
            if x % k == 0 {
                base / 10
            } else {
                base
            }
        })
        .collect();
    let costs = CostMatrix::from_quantized(n, k, costs).unwrap();
    let limits = SizeLimits {
        lower: 3_000,
        upper: 3_500,
    };
    let result = solve(&costs, limits).unwrap();
    assert!(result.stats.sample_shortest_paths > 0);
    assert!(result.sizes.iter().all(|&s| (3_000..=3_500).contains(&s)));
    assert!(certify(&costs, limits, &result.labels, &result.prices));
}

#[test]
fn identical_rows_move_along_one_shortest_path_reused() {
    // 200 rows costing [0, 10, 30] and 100 costing [0, 5, 40], 100 per segment: segment 2 takes 100 of
    // the first kind (+30 each), segment 1 the 100 of the second (+5 each), total 3,500. Every row starts
    // in segment 0, so 200 rows move; the tied rows reuse their path instead of a shortest-path run each.
    let mut raw = Vec::new();
    for _ in 0..200 {
        raw.extend_from_slice(&[0, 10, 30]);
    }
    for _ in 0..100 {
        raw.extend_from_slice(&[0, 5, 40]);
    }
    let costs = CostMatrix::from_quantized(300, 3, raw).unwrap();
    let limits = SizeLimits {
        lower: 100,
        upper: 100,
    };
    let result = solve(&costs, limits).unwrap();
    assert_eq!(result.total, 3_500);
    assert_eq!(result.sizes, vec![100, 100, 100]);
    assert!(result.labels[200..].iter().all(|&l| l == 1));
    assert!(certify(&costs, limits, &result.labels, &result.prices));
    assert_eq!(result.stats.moves, 200);
    assert!(
        result.stats.shortest_paths <= 10,
        "{} shortest-path runs for 200 moves of 2 kinds of rows",
        result.stats.shortest_paths
    );
    assert_eq!(
        result.stats.shortest_paths + result.stats.repeated_paths,
        200,
        "one path per row moved"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_warm_start_prices_give_the_brute_force_optimum(
        n in 1usize..=7,
        k in 1usize..=3,
        lower in 0usize..=3,
        extra in 0usize..=4,
        raw in proptest::collection::vec(0u32..20, 21),
        warm in proptest::collection::vec(-30i64..30, 3),
    ) {
        let costs = CostMatrix::from_quantized(n, k, raw[..n * k].to_vec()).unwrap();
        let limits = SizeLimits { lower, upper: lower + extra };
        let expected = brute_force(&costs, limits);
        let mut prices = warm[..k].to_vec();
        let mut labels = vec![0u32; n];
        match solve_into(&costs, limits, &mut prices, &mut labels) {
            None => prop_assert_eq!(expected, None),
            Some(_) => {
                prop_assert_eq!(Some(costs.total(&labels)), expected);
                prop_assert!(certify(&costs, limits, &labels, &prices));
            }
        }
    }

    #[test]
    fn small_instances_match_brute_force(
        n in 1usize..=8,
        k in 1usize..=3,
        lower in 0usize..=4,
        extra in 0usize..=4,
        raw in proptest::collection::vec(0u32..20, 24),
    ) {
        let costs = CostMatrix::from_quantized(n, k, raw[..n * k].to_vec()).unwrap();
        let limits = SizeLimits { lower, upper: lower + extra };
        let expected = brute_force(&costs, limits);
        match solve(&costs, limits) {
            None => prop_assert_eq!(expected, None),
            Some(result) => {
                prop_assert_eq!(Some(result.total), expected);
                prop_assert!(certify(&costs, limits, &result.labels, &result.prices));
            }
        }
    }

    #[test]
    fn bounds_always_hold_exactly_or_no_solution_is_claimed(
        n in 1usize..300,
        k in 1usize..12,
        lower_share in 0.0f64..0.2,
        width in 0.0f64..0.3,
        seed in any::<u64>(),
    ) {
        let lower = (lower_share * n as f64) as usize;
        let upper = lower + (width * n as f64) as usize;
        let limits = SizeLimits { lower, upper };
        let mut state = seed | 1;
        let costs: Vec<u32> = (0..n * k)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 1_000_000) as u32
            })
            .collect();
        let costs = CostMatrix::from_quantized(n, k, costs).unwrap();
        match solve(&costs, limits) {
            None => prop_assert!(k * lower > n || k * upper < n),
            Some(result) => {
                prop_assert!(result.sizes.iter().all(|&s| s >= lower && s <= upper));
                prop_assert!(certify(&costs, limits, &result.labels, &result.prices));
            }
        }
    }
}
