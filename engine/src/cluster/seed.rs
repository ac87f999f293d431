//! k-medians++ seeding: the first center is a uniformly random row, each next one a row drawn with
//! probability proportional to its distance to the nearest center chosen so far (distance, not squared
//! distance, as suits L1).

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::encode::distance::RowShapes;
use crate::encode::{EncodedMatrix, RowEncoder};

/// Added to the seed for the row order, so it is not any other random stream of the run.
const ROW_ORDER_SALT: u64 = 0x0D0E_5EED_0000_0007;

/// `0..n` shuffled by `seed` (Fisher–Yates on a ChaCha8 stream).
fn shuffled_positions(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ROW_ORDER_SALT);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = uniform(&mut rng, i + 1);
        order.swap(i, j);
    }
    order
}

/// The order the rows of `matrix` are fitted (and an assignment replayed) in, decided by each row's
/// content and never by its position: rows sorted by a hash of their encoded values salted with `seed`,
/// then by the values themselves. Rows that are identical in every dimension come out next to each other,
/// in an order shuffled by `seed`: they are interchangeable, and which of them fills the last places of a
/// segment is the seed's choice, not the file's order (a file sorted by date does not give segments that
/// differ by date). The same rows in any order give the same sequence of row contents.
pub fn row_order(matrix: &EncodedMatrix, seed: u64) -> Vec<usize> {
    row_order_by(matrix, seed, |rows, out| {
        content_hashes(rows, matrix.n_dims, seed, out)
    })
}

/// [`row_order`] with the rows' hashes given: `hash_rows(rows, out)` appends the hash of each row of
/// `rows` (`n_dims` values each) to `out` (a test collides them).
fn row_order_by(
    matrix: &EncodedMatrix,
    seed: u64,
    hash_rows: impl Fn(&[f32], &mut Vec<u64>),
) -> Vec<usize> {
    let mut hashes = Vec::with_capacity(matrix.n_rows);
    hash_rows(&matrix.data, &mut hashes);
    let mut keyed = sorted_keys(matrix.n_rows, seed, |row| hashes[row]);
    drop(hashes);
    // Sorted by hash and rank, which is the order by hash, contents, rank except where rows of different
    // contents share a hash: there the run (in rank order) is sorted by contents, stably.
    let contents = |key: &RowKey| matrix.row(key.2 as usize);
    for run in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() > 1
            && !run
                .iter()
                .all(|key| same_contents(contents(key), contents(&run[0])))
        {
            run.sort_by(|a, b| compare_contents(contents(a), contents(b)));
        }
    }
    keyed.into_iter().map(|(_, _, row)| row as usize).collect()
}

/// A row's place in the [`row_order`]: its hash, its rank in the seed's shuffle, and the row.
type RowKey = (u64, u32, u32);

/// Every row's key, sorted as plain integers by hash, then rank (one key per row, no lookups while
/// sorting). `hash_of(row)` is called once per row, in file order.
fn sorted_keys(n: usize, seed: u64, mut hash_of: impl FnMut(usize) -> u64) -> Vec<RowKey> {
    let mut rank = vec![0u32; n];
    for (position, row) in shuffled_positions(n, seed).into_iter().enumerate() {
        rank[row] = position as u32;
    }
    let mut keyed: Vec<RowKey> = (0..n)
        .map(|row| (hash_of(row), rank[row], row as u32))
        .collect();
    drop(rank);
    keyed.sort_unstable();
    keyed
}

/// The rows of `encoder`'s table encoded straight into their [`row_order`] under `seed`, and that order:
/// the same matrix as [`encode`](crate::encode::encode) with its rows then put in that order, without
/// the matrix in file order first. Each row is encoded twice, in file order a batch at a time: once for
/// its hash, then again to be copied to its place in the order.
pub(crate) fn encoded_in_row_order(encoder: RowEncoder, seed: u64) -> (EncodedMatrix, Vec<usize>) {
    let n_dims = encoder.n_dims();
    encoded_in_row_order_by(encoder, seed, |rows, out| {
        content_hashes(rows, n_dims, seed, out)
    })
}

/// [`encoded_in_row_order`] with the rows' hashes given, as to [`row_order_by`] (a test collides them).
fn encoded_in_row_order_by(
    encoder: RowEncoder,
    seed: u64,
    hash_rows: impl Fn(&[f32], &mut Vec<u64>),
) -> (EncodedMatrix, Vec<usize>) {
    let d = encoder.n_dims().max(1);
    // The matrix is allocated first: the passes' smaller buffers come after it and are freed, rather than
    // left as holes below it that a later large allocation cannot use (in wasm32, where memory only grows).
    let mut data = vec![0f32; encoder.n_rows() * d];
    let mut hashes = Vec::with_capacity(encoder.n_rows());
    encoder.in_batches(|_, values| {
        hash_rows(values, &mut hashes);
    });
    let mut keyed = sorted_keys(encoder.n_rows(), seed, |row| hashes[row]);
    drop(hashes);
    // Each row copied to its place: the table's codes are read in file order, and each row's values are
    // written in one piece (gathering the rows in the order instead reads every column's codes from all
    // over the table, which took half as long again).
    let mut place = vec![0u32; keyed.len()];
    for (position, key) in keyed.iter().enumerate() {
        place[key.2 as usize] = position as u32;
    }
    let nothing_known = encoder.in_batches(|first, values| {
        for (&to, row_values) in place[first..].iter().zip(values.chunks_exact(d)) {
            let at = to as usize * d;
            data[at..at + d].copy_from_slice(row_values);
        }
    });
    drop(place);
    // Where rows of different contents share a hash, the run (in rank order, next to each other in the
    // matrix) is sorted by contents, stably, keys and rows alike.
    let mut start = 0;
    for run in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        let run_values = &mut data[start * d..(start + run.len()) * d];
        start += run.len();
        if run.len() == 1
            || run_values
                .chunks_exact(d)
                .all(|row| same_contents(row, &run_values[..d]))
        {
            continue;
        }
        let mut within: Vec<usize> = (0..run.len()).collect();
        within.sort_by(|&a, &b| {
            compare_contents(&run_values[a * d..][..d], &run_values[b * d..][..d])
        });
        let (keys, held) = (run.to_vec(), run_values.to_vec());
        for (at, &from) in within.iter().enumerate() {
            run[at] = keys[from];
            run_values[at * d..(at + 1) * d].copy_from_slice(&held[from * d..(from + 1) * d]);
        }
    }
    let order = keyed.into_iter().map(|(_, _, row)| row as usize).collect();
    (encoder.into_matrix(data, nothing_known), order)
}

/// Whether two rows hold the same encoded values (missing equals missing, `-0` equals `0`).
pub fn same_contents(a: &[f32], b: &[f32]) -> bool {
    compare_contents(a, b).is_eq()
}

/// A total order on row contents, by their canonical bits.
fn compare_contents(a: &[f32], b: &[f32]) -> std::cmp::Ordering {
    a.iter()
        .map(|&v| canonical_bits(v))
        .cmp(b.iter().map(|&v| canonical_bits(v)))
}

/// The bits of a value with every NaN (missing) one pattern and `-0` as `0`, so equal contents hash alike.
///
/// Without branches: whether a value is zero or missing varies from row to row (one-hot dimensions are
/// zero on all but one level), and branching on it cost more than half of the hashes' time (natively, 1M
/// rows × 39 dimensions: 134 ms with the branches, 59 ms without).
#[inline]
fn canonical_bits(value: f32) -> u32 {
    let kept = u32::from(value != 0.0).wrapping_neg();
    let missing = u32::from(value.is_nan()).wrapping_neg();
    (value.to_bits() & kept & !missing) | (f32::NAN.to_bits() & missing)
}

/// A stable 64-bit hash of a row's contents (the same natively and in wasm32), salted with `seed`.
fn content_hash(values: &[f32], seed: u64) -> u64 {
    let mut hash = seed ^ ROW_ORDER_SALT;
    for &value in values {
        hash = mix(hash ^ u64::from(canonical_bits(value)));
    }
    mix(hash ^ values.len() as u64)
}

/// [`content_hash`] of each row of `rows` (`n_dims` values each), appended to `out`. Four rows are hashed
/// side by side: each hash is a chain of dependent multiplications, and four chains keep the processor's
/// multipliers busy where one leaves them waiting.
fn content_hashes(rows: &[f32], n_dims: usize, seed: u64, out: &mut Vec<u64>) {
    if n_dims == 0 {
        return;
    }
    let mut quads = rows.chunks_exact(4 * n_dims);
    for quad in &mut quads {
        let (a, rest) = quad.split_at(n_dims);
        let (b, rest) = rest.split_at(n_dims);
        let (c, d) = rest.split_at(n_dims);
        let mut hashes = [seed ^ ROW_ORDER_SALT; 4];
        for j in 0..n_dims {
            hashes[0] = mix(hashes[0] ^ u64::from(canonical_bits(a[j])));
            hashes[1] = mix(hashes[1] ^ u64::from(canonical_bits(b[j])));
            hashes[2] = mix(hashes[2] ^ u64::from(canonical_bits(c[j])));
            hashes[3] = mix(hashes[3] ^ u64::from(canonical_bits(d[j])));
        }
        out.extend(hashes.map(|hash| mix(hash ^ n_dims as u64)));
    }
    out.extend(
        quads
            .remainder()
            .chunks_exact(n_dims)
            .map(|row| content_hash(row, seed)),
    );
}

/// The SplitMix64 finalizer.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `k` initial centers (`k × n_dims`, row-major), copied from rows of `matrix`.
pub(super) fn kmedians_plus_plus(
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let n = matrix.n_rows;
    let d = matrix.n_dims;
    let mut centers = Vec::with_capacity(k * d);
    let mut chosen = vec![false; n];
    let first = uniform(rng, n);
    chosen[first] = true;
    centers.extend_from_slice(matrix.row(first));
    let layout = matrix.layout();
    let first_center = layout.prepare_centers(matrix.row(first));
    // A row that repeats the one before has its distances: they are copied, not computed.
    let mut nearest: Vec<f32> = Vec::with_capacity(n);
    for i in 0..n {
        let distance = match nearest.last() {
            Some(&previous) if shapes.repeats_previous(i) => previous,
            _ => layout.distance_to_center(matrix.row(i), shapes.row(i), &first_center, 0),
        };
        nearest.push(distance);
    }
    for _ in 1..k {
        let total: f64 = nearest.iter().map(|&x| x as f64).sum();
        let pick = if total > 0.0 {
            let target = rng.random::<f64>() * total;
            let mut running = 0.0;
            let mut pick = None;
            for (i, &w) in nearest.iter().enumerate() {
                if w > 0.0 {
                    running += w as f64;
                    pick = Some(i);
                    if running > target {
                        break;
                    }
                }
            }
            pick.expect("a positive total has a positive entry")
        } else {
            // Every row coincides with a center: take any row not yet chosen (k ≤ n guarantees one).
            let unchosen = chosen.iter().filter(|c| !**c).count();
            let skip = uniform(rng, unchosen);
            (0..n).filter(|&i| !chosen[i]).nth(skip).expect("k ≤ n")
        };
        chosen[pick] = true;
        let start = centers.len();
        centers.extend_from_slice(matrix.row(pick));
        let center = layout.prepare_centers(&centers[start..start + d]);
        let mut distance = f32::NAN;
        for (i, slot) in nearest.iter_mut().enumerate() {
            if !shapes.repeats_previous(i) {
                distance = layout.distance_to_center(matrix.row(i), shapes.row(i), &center, 0);
            }
            if distance < *slot {
                *slot = distance;
            }
        }
    }
    centers
}

/// A uniform index below `n` drawn from a `u64`, so the draw is the same on 32- and 64-bit targets.
pub(super) fn uniform(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.random_range(0..n as u64) as usize
}

/// A fresh generator for restart `index` of a run seeded with `seed`.
pub(super) fn restart_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut master = ChaCha8Rng::seed_from_u64(seed);
    master.set_stream(index as u64 + 1);
    ChaCha8Rng::seed_from_u64(master.next_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of `n_dims` values hashed one by one with `hash`.
    fn each_row(n_dims: usize, hash: impl Fn(&[f32]) -> u64) -> impl Fn(&[f32], &mut Vec<u64>) {
        move |rows, out| out.extend(rows.chunks_exact(n_dims).map(&hash))
    }

    /// The order by its definition: a comparison of hash, then contents, then rank.
    fn order_by_definition(
        matrix: &EncodedMatrix,
        seed: u64,
        hash: impl Fn(&[f32]) -> u64,
    ) -> Vec<usize> {
        let n = matrix.n_rows;
        let mut rank = vec![0usize; n];
        for (position, row) in shuffled_positions(n, seed).into_iter().enumerate() {
            rank[row] = position;
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            hash(matrix.row(a))
                .cmp(&hash(matrix.row(b)))
                .then_with(|| compare_contents(matrix.row(a), matrix.row(b)))
                .then_with(|| rank[a].cmp(&rank[b]))
        });
        order
    }

    #[test]
    fn the_order_is_by_hash_then_contents_then_the_seeds_shuffle_even_when_hashes_collide() {
        // 600 rows of 3 values among 24 distinct rows (many repeated), with missing values and -0.
        let values = [0.0f32, -0.0, 1.5, f32::NAN, 2.0];
        let data: Vec<f32> = (0..600 * 3)
            .map(|i| values[(i * 7 + i / 3 * 11) % 23 % values.len()])
            .collect();
        let matrix = EncodedMatrix::from_dense(data, 600, 3).unwrap();
        for seed in [0, 1, 77] {
            let real = |values: &[f32]| content_hash(values, seed);
            assert_eq!(
                row_order(&matrix, seed),
                order_by_definition(&matrix, seed, real)
            );
            // Every row on one hash, or on one of two: the contents decide within.
            let one = |_: &[f32]| 42u64;
            let two = |values: &[f32]| u64::from(canonical_bits(values[0]) & 1);
            assert_eq!(
                row_order_by(&matrix, seed, each_row(3, one)),
                order_by_definition(&matrix, seed, one)
            );
            assert_eq!(
                row_order_by(&matrix, seed, each_row(3, two)),
                order_by_definition(&matrix, seed, two)
            );
        }
        assert_ne!(row_order(&matrix, 0), row_order(&matrix, 1));
    }

    #[test]
    fn rows_hashed_four_at_a_time_hash_as_each_row_alone() {
        let values = [0.0f32, -0.0, 1.5, f32::NAN, 2.0, 0.25, -3.0];
        for n_dims in [1, 3, 39] {
            for n_rows in 0..10 {
                let rows: Vec<f32> = (0..n_rows * n_dims)
                    .map(|i| values[(i * 5 + i / 7) % values.len()])
                    .collect();
                let mut hashes = vec![7];
                content_hashes(&rows, n_dims, 11, &mut hashes);
                let alone: Vec<u64> = std::iter::once(7)
                    .chain(rows.chunks_exact(n_dims).map(|row| content_hash(row, 11)))
                    .collect();
                assert_eq!(hashes, alone, "{n_rows} rows of {n_dims}");
            }
        }
    }

    /// A file of 9,000 rows (more than two of the encoder's batches of 4,096) over 30 distinct customers
    /// (most repeated), with missing cells, numbers, a binary and a categorical column.
    fn repeated_customers() -> crate::table::Table {
        let mut csv = String::from("age,plan,region,member\n");
        for row in 0..9_000 {
            let customer = (row * 7 + row / 13) % 30;
            let age = ["", "31", "45", "45.0", "62"][customer % 5];
            let plan = ["basic", "pro", "", "team"][customer % 4];
            let region = ["north", "south", "east"][customer % 3];
            let member = ["yes", "no"][customer / 15];
            csv.push_str(&format!("{age},{plan},{region},{member}\n"));
        }
        crate::ingest::read_table(csv.as_bytes(), &Default::default())
            .unwrap()
            .table
    }

    #[test]
    fn rows_encoded_in_the_fits_order_are_the_file_orders_rows_moved_there() {
        let table = repeated_customers();
        let selection = crate::encode::Selection::columns(&[0, 1, 2, 3]);
        let in_file_order = crate::encode::encode(&table, &selection).unwrap();
        let same_bits = |a: &[f32], b: &[f32]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        let d = in_file_order.n_dims;
        let check = |seed: u64, hash: &dyn Fn(&[f32]) -> u64| {
            let expected_order = row_order_by(&in_file_order, seed, each_row(d, hash));
            let encoder = RowEncoder::new(&table, &selection).unwrap();
            let (matrix, order) = encoded_in_row_order_by(encoder, seed, each_row(d, hash));
            assert_eq!(order, expected_order, "seed {seed}");
            let expected = in_file_order.select_rows(&expected_order);
            assert!(same_bits(&matrix.data, &expected.data), "seed {seed}");
            assert_eq!(
                (matrix.n_rows, matrix.n_dims),
                (9_000, in_file_order.n_dims)
            );
            assert_eq!(matrix.notes, in_file_order.notes);
        };
        for seed in [0, 5, 77] {
            check(seed, &|values: &[f32]| content_hash(values, seed));
            // Every row on one hash, or on one of two: the contents decide within a run.
            check(seed, &|_: &[f32]| 42);
            check(seed, &|values: &[f32]| {
                u64::from(canonical_bits(values[1]) & 1)
            });
        }
    }
}
