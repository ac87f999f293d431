use super::*;
use crate::cluster::ShareBounds;

/// `n` rows around four well-separated corners in 2 dimensions.
fn planted(n: usize) -> EncodedMatrix {
    let mut data = Vec::new();
    for i in 0..n {
        let corner = (i % 4) as f32;
        let jitter = ((i * 37 % 101) as f32) * 0.001;
        data.extend_from_slice(&[
            (corner % 2.0) * 10.0 + jitter,
            (corner / 2.0).floor() * 10.0 - jitter,
        ]);
    }
    EncodedMatrix::from_dense(data, n, 2).unwrap()
}

/// `n` rows of seeded uniform noise in 6 dimensions.
fn noise(n: usize) -> EncodedMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let data = (0..n * 6).map(|_| rng.random::<f32>()).collect();
    EncodedMatrix::from_dense(data, n, 6).unwrap()
}

fn params() -> KMediansParams {
    KMediansParams::new()
        .with_k(KChoice::Fixed(4))
        .with_bounds(Some(ShareBounds {
            min: 0.15,
            max: 0.35,
        }))
        .with_seed(1)
}

#[test]
fn planted_clusters_are_stable_under_seeds_and_bootstrap() {
    let matrix = planted(200);
    let base = params().fit(&matrix).unwrap();
    for resample in [Resample::Seeds, Resample::Bootstrap] {
        let report = stability(&matrix, &params(), &base.labels, 4, 4, resample).unwrap();
        assert!(report.kept > 0.99, "{resample:?}: {report:?}");
        assert!(report.adjusted_rand > 0.98, "{resample:?}: {report:?}");
        assert!(report.unstable().is_empty());
        assert_eq!(report.refits.len(), 4);
    }
}

#[test]
fn uniform_noise_is_clearly_less_stable_and_flags_segments() {
    let matrix = noise(400);
    let base = params().fit(&matrix).unwrap();
    let report = stability(&matrix, &params(), &base.labels, 4, 4, Resample::Bootstrap).unwrap();
    assert!(report.adjusted_rand < 0.8, "{report:?}");
    assert!(report.kept < 0.9, "{report:?}");
    assert!(!report.unstable().is_empty(), "{report:?}");
}

#[test]
fn adjusted_rand_is_one_for_identical_partitions_and_zero_for_independent_ones() {
    assert_eq!(adjusted_rand(&[vec![3, 0], vec![0, 5]]), 1.0);
    // Each row of one partition spread evenly over the other: index 4, expected 144/28, maximum 12.
    let even = adjusted_rand(&[vec![2, 2], vec![2, 2]]);
    assert!((even - (-1.0 / 6.0)).abs() < 1e-12, "{even}");
    let independent = adjusted_rand(&[vec![5, 5], vec![5, 5]]);
    assert!(independent < 0.0 && independent > -0.1, "{independent}");
}

#[test]
fn segments_are_matched_by_overlap_whatever_their_numbers() {
    // Refit numbers the segments the other way round: matching recovers it.
    let table = vec![vec![0, 0, 7], vec![0, 6, 1], vec![5, 0, 0]];
    assert_eq!(match_by_overlap(&table, 3), [2, 1, 0]);
}
