//! The seeded benchmark data set, shared by the native benchmark (`engine/examples/bench_segment.rs`) and
//! the browser one (`app/tests/bench_segment_wasm.rs`) so both time the very same rows.
//!
//! Every value is drawn from `ChaCha8Rng::seed_from_u64(seed)` and IEEE arithmetic only, so a seed gives
//! the same table natively and in wasm32. The column constructors only fail on inconsistent lengths or
//! dictionaries, which this fixed recipe never produces.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{KChoice, KMediansParams, Segmentation, ShareBounds};
use crate::encode::{default_selection, encode, EncodedMatrix};
use crate::table::{Cell, Column, ColumnType, Level, Table};

/// Encoded dimensions of [`mixed_table`] under the default selection: 6 numeric + 3 ordinal + 1 binary
/// + 4 + 2 one-hot.
pub const ENCODED_DIMS: usize = 16;

/// A seeded mixed table of `n` rows: 12 planted groups of uneven size (from 2 % to 20 % of the rows) over
/// 6 numeric, 3 ordinal, 1 binary and 2 categorical columns, which encode to [`ENCODED_DIMS`] dimensions.
/// The same `n` and `seed` give the same table on every platform.
///
/// ```
/// use audience_engine::cluster::bench_data::{mixed_table, ENCODED_DIMS};
/// use audience_engine::encode::{default_selection, encode};
///
/// let table = mixed_table(500, 1);
/// let matrix = encode(&table, &default_selection(&table, None)).unwrap();
/// assert_eq!((matrix.n_rows, matrix.n_dims), (500, ENCODED_DIMS));
/// ```
pub fn mixed_table(n: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let group_weights = [
        20.0, 15.0, 12.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 2.0, 2.0,
    ];
    let total: f64 = group_weights.iter().sum();
    let mut groups = Vec::with_capacity(n);
    for _ in 0..n {
        let mut u = rng.random::<f64>() * total;
        let mut g = 0;
        while u >= group_weights[g] && g + 1 < group_weights.len() {
            u -= group_weights[g];
            g += 1;
        }
        groups.push(g);
    }
    let noise = |rng: &mut ChaCha8Rng, spread: f64| {
        (rng.random::<f64>() + rng.random::<f64>() - 1.0) * spread
    };
    let mut numeric = |name: &str, lo: i64, hi: i64, centre: &dyn Fn(usize) -> f64, spread: f64| {
        let codes: Vec<u32> = groups
            .iter()
            .map(|&g| {
                let v = (centre(g) + noise(&mut rng, spread)).round() as i64;
                (v.clamp(lo, hi) - lo) as u32
            })
            .collect();
        Column::new(
            name,
            ColumnType::Numeric,
            codes,
            (lo..=hi).map(|v| v.to_string()).collect(),
            (lo..=hi).map(|v| Cell::Number(v as f64)).collect(),
            vec![],
        )
        .expect("valid column")
    };
    let age = numeric("age", 18, 90, &|g| 22.0 + 5.0 * g as f64, 12.0);
    let income = numeric(
        "income_k",
        10,
        300,
        &|g| 30.0 + 17.0 * ((g * 7) % 12) as f64,
        40.0,
    );
    let tenure = numeric(
        "tenure_months",
        0,
        240,
        &|g| 10.0 + 18.0 * ((g * 5) % 12) as f64,
        30.0,
    );
    let spend = numeric(
        "monthly_spend",
        0,
        999,
        &|g| 50.0 + 80.0 * ((g * 11) % 12) as f64,
        150.0,
    );
    let visits = numeric("visits", 0, 60, &|g| 5.0 + 4.0 * ((g * 3) % 12) as f64, 8.0);
    let satisfaction = numeric("satisfaction", 0, 100, &|g| 30.0 + 5.0 * g as f64, 25.0);
    let mut levelled = |name: &str,
                        column_type: ColumnType,
                        labels: &[&str],
                        pick: &dyn Fn(usize, f64) -> usize| {
        let codes: Vec<u32> = groups
            .iter()
            .map(|&g| pick(g, rng.random::<f64>()).min(labels.len() - 1) as u32)
            .collect();
        let levels = labels
            .iter()
            .enumerate()
            .map(|(i, l)| Level {
                label: l.to_string(),
                position: (column_type != ColumnType::Categorical).then_some(i as f64),
            })
            .collect();
        Column::new(
            name,
            column_type,
            codes,
            labels.iter().map(|l| l.to_string()).collect(),
            (0..labels.len() as u32).map(Cell::Level).collect(),
            levels,
        )
        .expect("valid column")
    };
    let near = |centre: usize, u: f64| (centre as f64 + (u - 0.5) * 2.5).round().max(0.0) as usize;
    let age_band = levelled(
        "age_band",
        ColumnType::Ordinal,
        &["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
        &|g, u| near(g / 2, u),
    );
    let income_band = levelled(
        "income_band",
        ColumnType::Ordinal,
        &["<30k", "30-50k", "50-75k", "75-100k", "100k+"],
        &|g, u| near((g * 7 % 12) / 3, u),
    );
    let education = levelled(
        "education",
        ColumnType::Ordinal,
        &[
            "none",
            "high school",
            "some college",
            "bachelor",
            "graduate",
        ],
        &|g, u| near(g % 5, u),
    );
    let has_app = levelled("has_app", ColumnType::Binary, &["no", "yes"], &|g, u| {
        usize::from(u < if g % 2 == 0 { 0.8 } else { 0.2 })
    });
    let region = levelled(
        "region",
        ColumnType::Categorical,
        &["north", "south", "east", "west"],
        &|g, u| {
            if u < 0.7 {
                g % 4
            } else {
                (u * 40.0) as usize % 4
            }
        },
    );
    let channel = levelled(
        "channel",
        ColumnType::Categorical,
        &["web", "store"],
        &|g, u| usize::from((u < 0.75) == (g % 3 == 0)),
    );
    Table::new(vec![
        age,
        income,
        tenure,
        spend,
        visits,
        satisfaction,
        age_band,
        income_band,
        education,
        has_app,
        region,
        channel,
    ])
    .expect("equal lengths")
}

/// FNV-1a hash of the labels' little-endian bytes: benchmarks print it so that runs natively and in wasm
/// can be compared for bit-identical labels at a glance.
///
/// ```
/// use audience_engine::cluster::bench_data::labels_fingerprint;
/// assert_eq!(labels_fingerprint(&[]), 0xcbf2_9ce4_8422_2325);
/// assert_ne!(labels_fingerprint(&[0, 1]), labels_fingerprint(&[1, 0]));
/// ```
pub fn labels_fingerprint(labels: &[u32]) -> u64 {
    labels
        .iter()
        .flat_map(|l| l.to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// [`mixed_table`]`(rows, seed)` encoded with the default selection, every 37th row missing something by
/// turns: a number, a whole categorical variable, or both. Tests fit it natively and in wasm32, where the
/// distance kernels are compiled with vector instructions, and expect the same labels.
pub fn encoded_with_missing_values(rows: usize, seed: u64) -> EncodedMatrix {
    let table = mixed_table(rows, seed);
    let mut matrix = encode(&table, &default_selection(&table, None)).expect("the table encodes");
    let groups: Vec<std::ops::Range<usize>> = matrix.layout().one_hot_groups().collect();
    let d = matrix.n_dims;
    let numbers: Vec<usize> = (0..d)
        .filter(|j| !groups.iter().any(|group| group.contains(j)))
        .collect();
    for row in (0..matrix.n_rows).step_by(37) {
        let values = &mut matrix.data[row * d..(row + 1) * d];
        let number = numbers[row % numbers.len()];
        let group = groups[row % groups.len()].clone();
        match row / 37 % 3 {
            0 => values[number] = f32::NAN,
            1 => values[group].fill(f32::NAN),
            _ => {
                values[number] = f32::NAN;
                values[group].fill(f32::NAN);
            }
        }
    }
    matrix
}

/// The fit tests pin natively and in wasm32 alike: [`encoded_with_missing_values`]`(rows, seed)`, k = 6,
/// every segment within 5–40 % of the rows, two restarts, the same seed.
pub fn fit_with_missing_values(rows: usize, seed: u64) -> Segmentation {
    let matrix = encoded_with_missing_values(rows, seed);
    KMediansParams::new()
        .with_k(KChoice::Fixed(6))
        .with_bounds(Some(ShareBounds {
            min: 0.05,
            max: 0.40,
        }))
        .with_restarts(2)
        .with_seed(seed)
        .fit(&matrix)
        .expect("the bounds admit the rows")
}
