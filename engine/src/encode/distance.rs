//! The one dissimilarity used everywhere: a missing-aware, weight-rescaled L1 distance.
//!
//! For two encoded rows (or a row and a segment center) `a` and `b` with per-dimension rescale weights `ω`
//! (see [`EncodedDim::rescale_weight`](super::EncodedDim::rescale_weight)):
//!
//! ```text
//! S = { j : a[j] and b[j] are both present (not NaN) }
//! W = Σ_j ω[j]                 (all dimensions)
//! P = Σ_{j ∈ S} ω[j]           (dimensions both rows have)
//! d(a, b) = (W / P) · Σ_{j ∈ S} |a[j] − b[j]|     when P > 0
//! d(a, b) = 0                                       when P = 0 (nothing in common to compare)
//! ```
//!
//! With no missing value `P = W` and `d` is the plain L1 distance. When a row misses some variables, the
//! distance over the variables it has is scaled up as if the missing ones had differed by the row's average
//! amount, so rows with gaps are neither favoured nor penalised (Gower's treatment of missing values).
//! Nothing is imputed.
//!
//! Sums run in eight fixed lanes (dimension `j` goes to lane `j % 8`, lanes are combined in a fixed pairwise
//! order), so the result is the same bit for bit on every platform, natively and in wasm32, while the loop
//! still vectorises.
//!
//! **One-hot groups.** The `L` dimensions that one-hot encode a categorical variable are summed as one term
//! ([`DistanceLayout`]): when one side holds at most one non-zero value in the group, at position `h` (a
//! row always does), `Σ_j |a[j] − b[j]| = (Σ_j |b[j]| − |b[h]|) + |a[h] − b[h]|`, so with `Σ_j |b[j]|`
//! computed once per center a row's distance to a center costs one term per variable instead of one per
//! level. The other dimensions are summed in the eight lanes, by their position among them; the group
//! terms are then added in dimension order. A matrix without one-hot groups gets exactly the lane sum
//! above, bit for bit.

const LANES: usize = 8;

#[inline(always)]
fn lanes<const SQUARED: bool>(a: &[f32], b: &[f32], weights: &[f32]) -> (f32, f32) {
    debug_assert_eq!(a.len(), b.len());
    debug_assert_eq!(a.len(), weights.len());
    let mut sum = [0f32; LANES];
    let mut present = [0f32; LANES];
    let full = a.len() / LANES * LANES;
    let (a_body, a_tail) = a.split_at(full);
    let (b_body, b_tail) = b.split_at(full);
    let (w_body, w_tail) = weights.split_at(full);
    for ((a, b), w) in a_body
        .chunks_exact(LANES)
        .zip(b_body.chunks_exact(LANES))
        .zip(w_body.chunks_exact(LANES))
    {
        let a: &[f32; LANES] = a.try_into().expect("chunk of LANES");
        let b: &[f32; LANES] = b.try_into().expect("chunk of LANES");
        let w: &[f32; LANES] = w.try_into().expect("chunk of LANES");
        for lane in 0..LANES {
            let (term, weight) = masked::<SQUARED>(a[lane], b[lane], w[lane]);
            sum[lane] += term;
            present[lane] += weight;
        }
    }
    for (lane, ((a, b), w)) in a_tail.iter().zip(b_tail).zip(w_tail).enumerate() {
        let (term, weight) = masked::<SQUARED>(*a, *b, *w);
        sum[lane] += term;
        present[lane] += weight;
    }
    (combine(sum), combine(present))
}

/// `(|a − b|` or its square`, w)` when both are present, `(+0.0, +0.0)` otherwise. Branch-free (a bit
/// mask instead of a jump) so the lane loop vectorises; adding `+0.0` leaves a sum unchanged bit for bit.
#[inline(always)]
fn masked<const SQUARED: bool>(a: f32, b: f32, w: f32) -> (f32, f32) {
    let diff = (a - b).abs();
    let term = if SQUARED { diff * diff } else { diff };
    #[allow(clippy::eq_op)] // NaN is the only value not equal to itself
    let mask = 0u32.wrapping_sub((diff == diff) as u32);
    (
        f32::from_bits(term.to_bits() & mask),
        f32::from_bits(w.to_bits() & mask),
    )
}

#[inline(always)]
fn combine(l: [f32; LANES]) -> f32 {
    ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

#[inline(always)]
fn rescale(sum: f32, present: f32, total_weight: f32) -> f32 {
    if present == total_weight {
        sum
    } else if present > 0.0 {
        sum * (total_weight / present)
    } else {
        0.0
    }
}

/// The sum of the rescale weights, accumulated exactly as [`l1_distance`] accumulates present weight, so that
/// a pair of rows with no missing value gets `P == W` bit for bit.
pub fn total_weight(weights: &[f32]) -> f32 {
    let zeros = vec![0f32; weights.len()];
    lanes::<false>(&zeros, &zeros, weights).1
}

/// The missing-aware L1 distance `d(a, b)` defined in the [module docs](self).
///
/// `weights` are the per-dimension rescale weights and `total_weight` must be [`total_weight`]`(weights)`.
///
/// ```
/// use audience_engine::encode::distance::{l1_distance, total_weight};
/// let weights = [1.0, 1.0];
/// let w = total_weight(&weights);
/// assert_eq!(l1_distance(&[0.0, 0.5], &[1.0, 0.0], &weights, w), 1.5);
/// // The second row misses dimension 1: the remaining difference counts double (W / P = 2).
/// assert_eq!(l1_distance(&[0.0, 0.5], &[0.25, f32::NAN], &weights, w), 0.5);
/// ```
#[inline(always)]
pub fn l1_distance(a: &[f32], b: &[f32], weights: &[f32], total_weight: f32) -> f32 {
    let (sum, present) = lanes::<false>(a, b, weights);
    rescale(sum, present, total_weight)
}

/// [`l1_distance`] for two rows without any missing value, bit for bit: the same eight lanes summed in
/// the same order, without the missing-value masks (with nothing missing, `P = W` and no rescaling
/// happens). The caller guarantees that neither row holds a NaN.
#[inline(always)]
pub fn l1_distance_complete(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut sum = [0f32; LANES];
    let full = a.len() / LANES * LANES;
    let (a_body, a_tail) = a.split_at(full);
    let (b_body, b_tail) = b.split_at(full);
    for (a, b) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        let a: &[f32; LANES] = a.try_into().expect("chunk of LANES");
        let b: &[f32; LANES] = b.try_into().expect("chunk of LANES");
        for lane in 0..LANES {
            sum[lane] += (a[lane] - b[lane]).abs();
        }
    }
    for (lane, (a, b)) in a_tail.iter().zip(b_tail).enumerate() {
        sum[lane] += (a - b).abs();
    }
    combine(sum)
}

/// The squared-L2 counterpart of [`l1_distance`] (same missing-value rule), used only by plain K-Means,
/// the comparison algorithm.
#[inline(always)]
pub fn squared_l2_distance(a: &[f32], b: &[f32], weights: &[f32], total_weight: f32) -> f32 {
    let (sum, present) = lanes::<true>(a, b, weights);
    rescale(sum, present, total_weight)
}

/// The dimensions that one-hot encode one categorical variable: `start..start + len`, with the sum of
/// their rescale weights (added one by one, in order).
#[derive(Clone, Copy, Debug, PartialEq)]
struct OneHotGroup {
    start: usize,
    len: usize,
    weight: f32,
}

impl OneHotGroup {
    fn range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.len
    }
}

/// How [`DistanceLayout::l1`] sums a matrix's dimensions: the one-hot groups of categorical variables as one
/// term each, every other dimension in the eight lanes (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DistanceLayout {
    n_dims: usize,
    weights: Vec<f32>,
    /// The dimensions outside one-hot groups, ascending.
    singles: Vec<usize>,
    /// Their rescale weights.
    single_weights: Vec<f32>,
    groups: Vec<OneHotGroup>,
    /// The present weight of the single dimensions when none is missing.
    singles_weight: f32,
    total_weight: f32,
}

/// Scratch space for [`DistanceLayout::distances_to_all`].
#[derive(Clone, Debug, Default)]
pub struct AllCentersScratch {
    /// The eight lanes' sums, lane after lane, each `k` centers long (contiguous over centers, so that
    /// adding a term to every center vectorises).
    lanes: Vec<f32>,
    present: Vec<f32>,
    /// The row's hot positions, for [`DistanceLayout::distances_to_centers`].
    hot: Vec<u16>,
}

impl DistanceLayout {
    /// The layout for dimensions with these rescale weights, where `one_hot_column[j]` names the
    /// categorical variable dimension `j` one-hot encodes (`None` for any other dimension). Runs of two or
    /// more adjacent dimensions of the same variable form a group (a run longer than 65,535 dimensions,
    /// which no encoding makes, several groups: the same distance up to rounding).
    pub fn new(weights: &[f32], one_hot_column: &[Option<usize>]) -> Self {
        debug_assert_eq!(weights.len(), one_hot_column.len());
        let n_dims = weights.len();
        let mut singles = Vec::new();
        let mut groups = Vec::new();
        let mut j = 0;
        while j < n_dims {
            let mut end = j + 1;
            if let Some(column) = one_hot_column[j] {
                while end < n_dims
                    && one_hot_column[end] == Some(column)
                    && end - j < MAX_GROUP_DIMS
                {
                    end += 1;
                }
            }
            if end - j >= 2 {
                let weight = weights[j..end].iter().fold(0f32, |sum, &w| sum + w);
                groups.push(OneHotGroup {
                    start: j,
                    len: end - j,
                    weight,
                });
            } else {
                singles.push(j);
            }
            j = end;
        }
        let single_weights: Vec<f32> = singles.iter().map(|&j| weights[j]).collect();
        let mut layout = DistanceLayout {
            n_dims,
            weights: weights.to_vec(),
            singles,
            single_weights,
            groups,
            singles_weight: 0.0,
            total_weight: 0.0,
        };
        let zeros = vec![0f32; n_dims];
        layout.singles_weight = layout.single_lanes(&zeros, &zeros).1;
        let (_, present) = layout.sum(&zeros, &zeros);
        layout.total_weight = present;
        layout
    }

    /// `W`: the present weight of two points that miss nothing.
    pub fn total_weight(&self) -> f32 {
        self.total_weight
    }

    /// The per-dimension rescale weights.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Whether some categorical variable is summed as a one-hot group.
    pub fn has_groups(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The one-hot groups' dimension ranges, in order (the `g` of [`RowShapes::hot`]).
    pub fn one_hot_groups(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.groups.iter().map(OneHotGroup::range)
    }

    /// The missing-aware L1 distance of the [module docs](self) between two points of `n_dims` values.
    #[inline]
    pub fn l1(&self, a: &[f32], b: &[f32]) -> f32 {
        let (sum, present) = self.sum(a, b);
        rescale(sum, present, self.total_weight)
    }

    /// `(Σ |a − b|, P)` before rescaling.
    #[inline]
    fn sum(&self, a: &[f32], b: &[f32]) -> (f32, f32) {
        let (mut sum, mut present) = self.single_lanes(a, b);
        for group in &self.groups {
            let (term, weight) = self.group_term_of(group, a, b);
            sum += term;
            present += weight;
        }
        (sum, present)
    }

    #[inline(always)]
    fn single_lanes(&self, a: &[f32], b: &[f32]) -> (f32, f32) {
        if self.groups.is_empty() {
            return lanes::<false>(a, b, &self.weights);
        }
        let mut sum = [0f32; LANES];
        let mut present = [0f32; LANES];
        for (position, (&j, &w)) in self.singles.iter().zip(&self.single_weights).enumerate() {
            let (term, weight) = masked::<false>(a[j], b[j], w);
            sum[position % LANES] += term;
            present[position % LANES] += weight;
        }
        (combine(sum), combine(present))
    }

    /// The lane sum over the single dimensions of two points that miss nothing there.
    #[inline(always)]
    fn single_lanes_complete(&self, a: &[f32], b: &[f32]) -> f32 {
        if self.groups.is_empty() {
            return l1_distance_complete(a, b);
        }
        let mut sum = [0f32; LANES];
        for (position, &j) in self.singles.iter().enumerate() {
            sum[position % LANES] += (a[j] - b[j]).abs();
        }
        combine(sum)
    }

    /// `k` centers (`k × n_dims`, row-major) made ready for [`distance_to_center`](Self::distance_to_center).
    pub fn prepare_centers<'c>(&self, centers: &'c [f32]) -> PreparedCenters<'c> {
        let d = self.n_dims.max(1);
        let group_sums: Vec<f32> = centers
            .chunks_exact(d)
            .flat_map(|center| {
                self.groups
                    .iter()
                    .map(move |group| absolute_sum(&center[group.range()]).unwrap_or(f32::NAN))
            })
            .collect();
        let k = centers.len() / d;
        let mut by_dim = vec![0f32; k * d];
        for (c, center) in centers.chunks_exact(d).enumerate() {
            for (j, &v) in center.iter().enumerate() {
                by_dim[j * k + c] = v;
            }
        }
        let n_groups = self.groups.len();
        let mut sums_by_group = vec![0f32; k * n_groups];
        for c in 0..k {
            for g in 0..n_groups {
                sums_by_group[g * k + c] = group_sums[c * n_groups + g];
            }
        }
        PreparedCenters {
            centers,
            n_dims: d,
            n_groups,
            k,
            group_sums,
            by_dim,
            sums_by_group,
            complete: !centers.iter().any(|v| v.is_nan()),
        }
    }

    /// Every row's [`RowShape`] (`data`: rows of `n_dims` values), and which rows repeat the row before.
    pub fn row_shapes(&self, data: &[f32]) -> RowShapes {
        let d = self.n_dims.max(1);
        let n_rows = data.len() / d;
        let mut shapes = RowShapes {
            n_groups: self.groups.len(),
            hot: vec![0; n_rows * self.groups.len()],
            complete: vec![false; n_rows],
            repeats: vec![false; n_rows],
            group_values: Vec::new(),
        };
        let mut hot_values: Vec<Vec<HotValue>> = self
            .groups
            .iter()
            .map(|group| vec![HotValue::Unseen; group.len])
            .collect();
        let mut zero_rows = vec![false; self.groups.len()];
        let mut partly_missing = vec![false; self.groups.len()];
        let mut previous: Option<&[f32]> = None;
        for (i, row) in data.chunks_exact(d).enumerate() {
            let hot = &mut shapes.hot[i * shapes.n_groups..(i + 1) * shapes.n_groups];
            shapes.complete[i] = self.shape_into(row, hot);
            shapes.repeats[i] = previous.is_some_and(|p| same_distances(p, row));
            previous = Some(row);
            for (g, (group, &h)) in self.groups.iter().zip(hot.iter()).enumerate() {
                if h == NOT_ONE_HOT {
                    partly_missing[g] |= row[group.range()].iter().any(|v| !v.is_nan());
                    continue;
                }
                let value = row[group.start + usize::from(h)];
                if value == 0.0 {
                    zero_rows[g] = true;
                    continue;
                }
                let seen = &mut hot_values[g][usize::from(h)];
                *seen = match *seen {
                    HotValue::Unseen => HotValue::Uniform(value.to_bits()),
                    HotValue::Uniform(bits) if bits == value.to_bits() => HotValue::Uniform(bits),
                    _ => HotValue::Varies,
                };
            }
        }
        shapes.group_values = hot_values
            .into_iter()
            .zip(zero_rows)
            .zip(partly_missing)
            .map(|((values, zero_rows), partly_missing)| GroupValues {
                countable: values
                    .iter()
                    .map(|value| match value {
                        HotValue::Unseen => Some(0.0),
                        HotValue::Uniform(bits) => Some(f32::from_bits(*bits)),
                        HotValue::Varies => None,
                    })
                    .collect::<Option<Vec<f32>>>()
                    .filter(|_| !partly_missing),
                zero_rows,
            })
            .collect();
        shapes
    }

    /// Writes the row's hot positions (one per group, from the group's start) into `hot`; returns
    /// whether the row misses nothing.
    fn shape_into(&self, row: &[f32], hot: &mut [u16]) -> bool {
        for (slot, group) in hot.iter_mut().zip(&self.groups) {
            *slot = match hot_position(&row[group.range()]) {
                // A group has at most `MAX_GROUP_DIMS` dimensions: the offset is below `NOT_ONE_HOT`.
                Some(h) => h as u16,
                None => NOT_ONE_HOT,
            };
        }
        !row.iter().any(|v| v.is_nan())
    }

    /// [`l1`](Self::l1)`(row, center c)` bit for bit, each one-hot group in one term: `shape` is the row's
    /// [`RowShape`].
    #[inline]
    pub fn distance_to_center(
        &self,
        row: &[f32],
        shape: RowShape<'_>,
        centers: &PreparedCenters<'_>,
        c: usize,
    ) -> f32 {
        let d = centers.n_dims;
        let center = &centers.centers[c * d..(c + 1) * d];
        let complete = shape.complete && centers.complete;
        if self.groups.is_empty() {
            return if complete {
                l1_distance_complete(row, center)
            } else {
                self.l1(row, center)
            };
        }
        let sums = &centers.group_sums[c * centers.n_groups..(c + 1) * centers.n_groups];
        let (mut sum, mut present) = if self.singles.is_empty() {
            (0.0, 0.0)
        } else if complete {
            (self.single_lanes_complete(row, center), 0.0)
        } else {
            self.single_lanes(row, center)
        };
        for ((group, &h), &group_sum) in self.groups.iter().zip(shape.hot).zip(sums) {
            let (term, weight) = if h != NOT_ONE_HOT && !group_sum.is_nan() {
                let h = group.start + usize::from(h);
                (hot_term(row[h], center[h], group_sum), group.weight)
            } else {
                self.group_term_of(group, row, center)
            };
            sum += term;
            present += weight;
        }
        if complete {
            sum
        } else {
            rescale(sum, present, self.total_weight)
        }
    }

    /// `out[c]` = [`distance_to_center`](Self::distance_to_center)`(row, shape, centers, c)` for every
    /// prepared center, bit for bit. When no center misses a value, each term is added for all centers at
    /// once from the transposed centers (contiguous, so the loop over centers vectorises), in the same order
    /// as for one center. A value the row misses then adds `+0.0` to every center's sum and nothing to its
    /// present weight, so it is skipped, and the present weight is the same for every center. `scratch` is
    /// reused.
    ///
    /// In wasm32 this is compiled with the SIMD128 instructions (as the search's dot product is), so that
    /// the loops over centers run four at a time; each center's sum is still added term by term in the
    /// same order, so the distances are the same bit for bit.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub fn distances_to_all(
        &self,
        row: &[f32],
        shape: RowShape<'_>,
        centers: &PreparedCenters<'_>,
        scratch: &mut AllCentersScratch,
        out: &mut [f32],
    ) {
        let k = centers.k;
        debug_assert_eq!(out.len(), k);
        if !centers.complete || self.groups.is_empty() {
            for (c, slot) in out.iter_mut().enumerate() {
                *slot = self.distance_to_center(row, shape, centers, c);
            }
            return;
        }
        // The singles' present weight, accumulated as `distance_to_center` does (a center's value is never
        // missing here, so a term is missing exactly where the row's value is).
        let singles_present = if shape.complete || self.singles.is_empty() {
            self.singles_weight
        } else {
            let mut lanes = [0f32; LANES];
            for (position, (&j, &w)) in self.singles.iter().zip(&self.single_weights).enumerate() {
                if !row[j].is_nan() {
                    lanes[position % LANES] += w;
                }
            }
            combine(lanes)
        };
        if self.singles.is_empty() {
            out.fill(0.0);
        } else {
            let lanes = &mut scratch.lanes;
            lanes.clear();
            lanes.resize(LANES * k, 0.0);
            for (position, &j) in self.singles.iter().enumerate() {
                let x = row[j];
                if x.is_nan() {
                    continue;
                }
                let column = &centers.by_dim[j * k..(j + 1) * k];
                let lane = position % LANES;
                for (sum, &v) in lanes[lane * k..(lane + 1) * k].iter_mut().zip(column) {
                    *sum += (x - v).abs();
                }
            }
            // `combine` for every center, its lanes gathered from the lane-by-lane sums.
            let lane = |l: usize| &lanes[l * k..(l + 1) * k];
            let (l0, l1, l2, l3) = (lane(0), lane(1), lane(2), lane(3));
            let (l4, l5, l6, l7) = (lane(4), lane(5), lane(6), lane(7));
            for (c, slot) in out.iter_mut().enumerate() {
                *slot = combine([l0[c], l1[c], l2[c], l3[c], l4[c], l5[c], l6[c], l7[c]]);
            }
        }
        let present = &mut scratch.present;
        present.clear();
        present.resize(k, singles_present);
        for (g, (group, &h)) in self.groups.iter().zip(shape.hot).enumerate() {
            if h == NOT_ONE_HOT {
                if row[group.range()].iter().all(|v| v.is_nan()) {
                    // Missing the whole variable: `(+0.0, +0.0)` against every center.
                    continue;
                }
                for (c, (slot, weight)) in out.iter_mut().zip(present.iter_mut()).enumerate() {
                    let center = &centers.centers[c * centers.n_dims..(c + 1) * centers.n_dims];
                    let (term, group_present) = self.group_term_of(group, row, center);
                    *slot += term;
                    *weight += group_present;
                }
                continue;
            }
            let h = group.start + usize::from(h);
            let x = row[h];
            let column = &centers.by_dim[h * k..(h + 1) * k];
            let sums = &centers.sums_by_group[g * k..(g + 1) * k];
            for ((slot, &v), &sum) in out.iter_mut().zip(column).zip(sums) {
                *slot += hot_term(x, v, sum);
            }
            for weight in present.iter_mut() {
                *weight += group.weight;
            }
        }
        if !shape.complete {
            for (slot, &weight) in out.iter_mut().zip(present.iter()) {
                *slot = rescale(*slot, weight, self.total_weight);
            }
        }
    }

    /// `out[c]` = [`l1`](Self::l1)`(row, center c)` for every prepared center, bit for bit
    /// ([`distances_to_all`](Self::distances_to_all) after finding the row's shape).
    pub fn distances_to_centers(
        &self,
        row: &[f32],
        centers: &PreparedCenters<'_>,
        scratch: &mut AllCentersScratch,
        out: &mut [f32],
    ) {
        let mut hot = std::mem::take(&mut scratch.hot);
        hot.clear();
        hot.resize(self.groups.len(), 0);
        let complete = self.shape_into(row, &mut hot);
        self.distances_to_all(
            row,
            RowShape {
                hot: &hot,
                complete,
            },
            centers,
            scratch,
            out,
        );
        scratch.hot = hot;
    }

    /// One group's `(Σ |a − b|, present weight)` over `a` and `b`, full points ([`group_term`]).
    #[inline(always)]
    fn group_term_of(&self, group: &OneHotGroup, a: &[f32], b: &[f32]) -> (f32, f32) {
        let range = group.range();
        group_term(
            &a[range.clone()],
            &b[range.clone()],
            &self.weights[range],
            group.weight,
        )
    }
}

/// Marks a group in which a row is not one-hot (a missing value, or two levels set).
const NOT_ONE_HOT: u16 = u16::MAX;

/// The most dimensions of one group, so that a row's hot offset in it fits in two bytes below
/// [`NOT_ONE_HOT`] (a million rows of five categorical variables: 10 MB instead of 20).
const MAX_GROUP_DIMS: usize = NOT_ONE_HOT as usize;

/// What [`DistanceLayout::distance_to_center`] needs to know of a row beyond its values.
#[derive(Clone, Copy, Debug)]
pub struct RowShape<'a> {
    /// Per one-hot group, the offset from the group's start of the row's non-zero value (0 when all are
    /// zero); `u16::MAX` when the row is not one-hot there.
    hot: &'a [u16],
    /// Whether the row misses no value.
    complete: bool,
}

impl RowShape<'_> {
    /// Whether the row misses no value.
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}

/// The [`RowShape`]s of a matrix's rows, found once ([`DistanceLayout::row_shapes`]) and used for every
/// distance to centers.
#[derive(Clone, Debug, Default)]
pub struct RowShapes {
    n_groups: usize,
    hot: Vec<u16>,
    complete: Vec<bool>,
    repeats: Vec<bool>,
    /// Per one-hot group, what holds for every row there ([`RowShapes::countable_values`]).
    group_values: Vec<GroupValues>,
}

/// What every row of a matrix has in one one-hot group.
#[derive(Clone, Debug, Default)]
struct GroupValues {
    /// Per dimension of the group, the non-zero value of every row that holds one there (0 where no row
    /// does); `None` when two rows hold different values in a dimension, or some row that is not one-hot
    /// there has a value present in the group.
    countable: Option<Vec<f32>>,
    /// Whether some row has all zeros in the group (its hot offset is 0, as for a row whose first dimension
    /// is set).
    zero_rows: bool,
}

/// A one-hot dimension's non-zero values over the rows, while [`RowShapes`] are found.
#[derive(Clone, Copy)]
enum HotValue {
    Unseen,
    Uniform(u32),
    Varies,
}

impl RowShapes {
    /// The offset from one-hot group `g`'s first dimension of row `i`'s non-zero value there (0 when all
    /// its values are zero), or `None` when the row is not one-hot there (a missing value, or two set).
    #[inline]
    pub fn hot(&self, i: usize, g: usize) -> Option<usize> {
        let h = self.hot[i * self.n_groups + g];
        (h != NOT_ONE_HOT).then_some(usize::from(h))
    }

    /// Whether row `i` equals row `i − 1` on every dimension (missing where it is missing, `-0` as `0`;
    /// row 0 never does), so that its distance to any center is the same, bit for bit. The fit sorts
    /// identical rows next to each other (`cluster::row_order`), so on files with few distinct customers
    /// most rows repeat and their distances are copied instead of computed.
    #[inline]
    pub fn repeats_previous(&self, i: usize) -> bool {
        self.repeats[i]
    }

    /// Row `i`'s shape.
    #[inline]
    pub fn row(&self, i: usize) -> RowShape<'_> {
        RowShape {
            hot: &self.hot[i * self.n_groups..(i + 1) * self.n_groups],
            complete: self.complete[i],
        }
    }

    /// Per dimension of one-hot group `g`, the non-zero value every row holding one there has (0 where no
    /// row does), when that is all a row's values in the group can be: every row that is not one-hot there
    /// misses the whole group, and in each dimension every non-zero value is the same. Then a row's values
    /// in the group follow from its [`hot`](Self::hot) offset alone, but for an offset of 0 where
    /// [`has_zero_rows`](Self::has_zero_rows). `None` otherwise.
    pub fn countable_values(&self, g: usize) -> Option<&[f32]> {
        self.group_values[g].countable.as_deref()
    }

    /// Whether some row has all zeros in one-hot group `g` (a hot offset of 0 then says either that, or
    /// that the group's first dimension is set).
    pub fn has_zero_rows(&self, g: usize) -> bool {
        self.group_values[g].zero_rows
    }
}

/// Centers made ready by [`DistanceLayout::prepare_centers`]: each one-hot group's `Σ |c[j]|` per center.
#[derive(Clone, Debug)]
pub struct PreparedCenters<'c> {
    centers: &'c [f32],
    n_dims: usize,
    n_groups: usize,
    k: usize,
    /// The centers transposed (`n_dims × k`), for [`DistanceLayout::distances_to_all`].
    by_dim: Vec<f32>,
    /// `group_sums` transposed (`groups × k`).
    sums_by_group: Vec<f32>,
    /// `k × groups`, NaN where the center misses a value of the group.
    group_sums: Vec<f32>,
    complete: bool,
}

/// Whether two rows have the same L1 distance to every center: equal values (`-0 == 0`) where present,
/// missing in the same places.
fn same_distances(a: &[f32], b: &[f32]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// The position of the only non-zero value of a one-hot group (0 when all are zero), or `None` when a value
/// is missing or two are non-zero.
#[inline(always)]
pub(crate) fn hot_position(values: &[f32]) -> Option<usize> {
    // Without a branch per value: which value is set varies from row to row, and a branch on it was
    // mispredicted about once a group. A group is short (at most `MAX_GROUP_DIMS`), so it is read whole.
    let (mut set, mut missing, mut hot) = (0usize, false, 0usize);
    for (j, &v) in values.iter().enumerate() {
        let non_zero = v != 0.0;
        set += usize::from(non_zero);
        missing |= v.is_nan();
        hot = if non_zero { j } else { hot };
    }
    (set <= 1 && !missing).then_some(hot)
}

/// `Σ |v|` added in order, or `None` when a value is missing.
#[inline(always)]
fn absolute_sum(values: &[f32]) -> Option<f32> {
    let mut sum = 0f32;
    for &v in values {
        if v.is_nan() {
            return None;
        }
        sum += v.abs();
    }
    Some(sum)
}

/// `Σ_j |a[j] − b[j]|` for a one-hot side `a` whose only non-zero value is `a_hot` at position `h`:
/// `(Σ_j |b[j]| − |b[h]|) + |a[h] − b[h]|`. Never negative: a sum of non-negative terms in floating point is
/// at least each of its terms.
#[inline(always)]
fn hot_term(a_hot: f32, b_hot: f32, b_absolute_sum: f32) -> f32 {
    (b_absolute_sum - b_hot.abs()) + (a_hot - b_hot).abs()
}

/// One one-hot group's `(Σ |a − b|, present weight)`: in one term when either side is one-hot and the other
/// misses nothing (the first side when both are), else dimension by dimension in order, skipping missing
/// values.
#[inline(always)]
fn group_term(a: &[f32], b: &[f32], weights: &[f32], group_weight: f32) -> (f32, f32) {
    if let (Some(h), Some(sum)) = (hot_position(a), absolute_sum(b)) {
        return (hot_term(a[h], b[h], sum), group_weight);
    }
    if let (Some(h), Some(sum)) = (hot_position(b), absolute_sum(a)) {
        return (hot_term(b[h], a[h], sum), group_weight);
    }
    let (mut sum, mut present) = (0f32, 0f32);
    for ((&a, &b), &w) in a.iter().zip(b).zip(weights) {
        let (term, weight) = masked::<false>(a, b, w);
        sum += term;
        present += weight;
    }
    (sum, present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hot_position_is_the_only_non_zero_value_and_none_for_a_missing_value_or_two_set() {
        // The first non-zero value decides, searching value by value (the former form).
        fn searched(values: &[f32]) -> Option<usize> {
            let mut hot = None;
            for (j, &v) in values.iter().enumerate() {
                if v != 0.0 {
                    if v.is_nan() || hot.is_some() {
                        return None;
                    }
                    hot = Some(j);
                }
            }
            Some(hot.unwrap_or(0))
        }
        let groups: [&[f32]; 13] = [
            &[],
            &[0.0, 0.0],
            &[0.0, 1.0, 0.0],
            &[2.0, 0.0],
            &[0.0, 0.0, 0.5],
            &[-0.0, 0.0, 3.0],
            &[1.0, 1.0],
            &[0.0, 1.0, 0.0, 1.0],
            &[f32::NAN, 0.0],
            &[0.0, f32::NAN],
            &[1.0, f32::NAN],
            &[f32::NAN, f32::NAN],
            &[0.0, f32::INFINITY, 0.0],
        ];
        let expected = [
            Some(0),
            Some(0),
            Some(1),
            Some(0),
            Some(2),
            Some(2),
            None,
            None,
            None,
            None,
            None,
            None,
            Some(1),
        ];
        for (group, expected) in groups.iter().zip(expected) {
            assert_eq!(hot_position(group), expected, "{group:?}");
            assert_eq!(hot_position(group), searched(group), "{group:?}");
        }
    }

    #[test]
    fn distance_without_missing_values_is_plain_l1() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.25).collect();
        let b: Vec<f32> = (0..19).map(|i| (i % 3) as f32).collect();
        let weights = vec![1.0; 19];
        let expected: f32 = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum();
        let got = l1_distance(&a, &b, &weights, total_weight(&weights));
        assert!((got - expected).abs() < 1e-4, "{got} vs {expected}");
    }

    #[test]
    fn missing_dimensions_are_skipped_and_the_rest_rescaled_by_total_over_present_weight() {
        // weights 2, 1, 1: W = 4. Row b misses dim 0 (weight 2): P = 2, factor 2.
        let weights = [2.0, 1.0, 1.0];
        let w = total_weight(&weights);
        assert_eq!(w, 4.0);
        let d = l1_distance(&[0.5, 0.0, 0.25], &[f32::NAN, 0.5, 0.0], &weights, w);
        assert_eq!(d, (0.5 + 0.25) * 2.0);
    }

    #[test]
    fn the_complete_row_kernel_equals_the_general_one_bit_for_bit() {
        let weights: Vec<f32> = (0..19).map(|i| 0.5 + (i % 4) as f32).collect();
        let w = total_weight(&weights);
        for len in [1, 7, 8, 16, 19] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 1.3).cos() * 3.0).collect();
            let general = l1_distance(&a, &b, &weights[..len], total_weight(&weights[..len]));
            assert_eq!(l1_distance_complete(&a, &b).to_bits(), general.to_bits());
        }
        assert!(w > 0.0);
    }

    #[test]
    fn rows_with_nothing_in_common_are_at_distance_zero() {
        let weights = [1.0, 1.0];
        let d = l1_distance(
            &[f32::NAN, 1.0],
            &[0.0, f32::NAN],
            &weights,
            total_weight(&weights),
        );
        assert_eq!(d, 0.0);
    }

    #[test]
    fn squared_distance_squares_each_difference() {
        let weights = [1.0, 1.0];
        let d = squared_l2_distance(&[0.0, 0.0], &[0.5, 2.0], &weights, total_weight(&weights));
        assert_eq!(d, 0.25 + 4.0);
    }

    /// Dimensions 0–1 numeric, 2–5 one variable's four levels (weight 1, 0.25 each), 6 numeric, 7–9 another
    /// variable's three levels (weight 2).
    fn mixed_layout() -> DistanceLayout {
        let weights = [
            1.0,
            0.5,
            0.25,
            0.25,
            0.25,
            0.25,
            1.0,
            2.0 / 3.0,
            2.0 / 3.0,
            2.0 / 3.0,
        ];
        let columns = [
            None,
            None,
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            None,
            Some(4),
            Some(4),
            Some(4),
        ];
        DistanceLayout::new(&weights, &columns)
    }

    /// A row of [`mixed_layout`]: one-hot values `0.5 · w` on the row's levels; `missing` blanks the first
    /// variable's group.
    fn mixed_row(seed: u32, missing: bool) -> Vec<f32> {
        let x = |i: u32| {
            ((seed.wrapping_mul(2654435761).wrapping_add(i * 40503)) >> 8) as f32 / 16_777_216.0
        };
        let mut row = vec![x(1), x(2), 0.0, 0.0, 0.0, 0.0, x(3), 0.0, 0.0, 0.0];
        row[2 + (seed % 4) as usize] = 0.5;
        row[7 + (seed % 3) as usize] = 1.0;
        if missing {
            row[2..6].fill(f32::NAN);
        }
        row
    }

    #[test]
    fn one_hot_groups_sum_to_the_plain_l1_distance() {
        let layout = mixed_layout();
        let weights = layout.weights().to_vec();
        let dense_total = total_weight(&weights);
        for seed in 0..50 {
            for other in 0..20 {
                let (a, b) = (
                    mixed_row(seed, seed % 7 == 0),
                    mixed_row(other, other % 5 == 0),
                );
                let dense = l1_distance(&a, &b, &weights, dense_total);
                let grouped = layout.l1(&a, &b);
                assert!(
                    (dense - grouped).abs() <= 1e-5 * dense.max(1.0),
                    "{dense} vs {grouped}"
                );
                assert_eq!(grouped.to_bits(), layout.l1(&b, &a).to_bits(), "symmetric");
            }
        }
        // Red vs blue on the second variable only: a mismatch costs the variable's weight.
        let mut a = mixed_row(0, false);
        let mut b = a.clone();
        b[7..10].copy_from_slice(&[0.0, 1.0, 0.0]);
        a[7..10].copy_from_slice(&[1.0, 0.0, 0.0]);
        assert_eq!(layout.l1(&a, &b), 2.0);
    }

    #[test]
    fn a_variable_of_more_than_65535_dimensions_is_several_groups_at_the_same_distance() {
        let n_dims = 70_000;
        let weights = vec![1.0 / n_dims as f32; n_dims];
        let layout = DistanceLayout::new(&weights, &vec![Some(0); n_dims]);
        let groups: Vec<_> = layout.one_hot_groups().collect();
        assert_eq!(groups, [0..65_535, 65_535..n_dims]);
        let mut data = vec![0f32; 3 * n_dims];
        data[10] = 0.5; // row 0: hot in the first group
        data[n_dims + 66_000] = 0.5; // row 1: hot in the second
        data[2 * n_dims + 65_534] = 0.5; // row 2: the last dimension of the first group
        let center: Vec<f32> = (0..n_dims).map(|j| (j % 7) as f32 / 70.0).collect();
        let prepared = layout.prepare_centers(&center);
        let shapes = layout.row_shapes(&data);
        let dense_total = total_weight(&weights);
        for (i, row) in data.chunks_exact(n_dims).enumerate() {
            let by_shape = layout.distance_to_center(row, shapes.row(i), &prepared, 0);
            assert_eq!(
                by_shape.to_bits(),
                layout.l1(row, &center).to_bits(),
                "row {i}"
            );
            let dense = l1_distance(row, &center, &weights, dense_total);
            assert!(
                (dense - by_shape).abs() <= 1e-3 * dense,
                "row {i}: {dense} vs {by_shape}"
            );
        }
        assert_eq!(shapes.hot(1, 1), Some(66_000 - 65_535));
        assert_eq!(
            shapes.hot(1, 0),
            Some(0),
            "all zeros there: the group's first"
        );
        assert_eq!(shapes.hot(2, 0), Some(65_534));
    }

    #[test]
    fn a_row_repeats_the_one_before_only_when_every_distance_must_be_the_same() {
        let layout = mixed_layout();
        let a = mixed_row(1, false);
        let mut a_negative_zero = a.clone();
        a_negative_zero[4] = -0.0;
        let missing = mixed_row(1, true);
        let mut other = a.clone();
        other[6] += 1e-6;
        let rows = [&a, &a, &a_negative_zero, &missing, &missing, &a, &other];
        let data: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let shapes = layout.row_shapes(&data);
        let repeats: Vec<bool> = (0..rows.len())
            .map(|i| shapes.repeats_previous(i))
            .collect();
        assert_eq!(repeats, [false, true, true, false, true, false, false]);
        // What a repeat promises: the same distance to any center, bit for bit.
        let centers: Vec<f32> = (0..4).flat_map(|c| mixed_row(c * 7 + 2, c == 3)).collect();
        let prepared = layout.prepare_centers(&centers);
        for i in (1..rows.len()).filter(|&i| repeats[i]) {
            for c in 0..4 {
                let this = layout.distance_to_center(rows[i], shapes.row(i), &prepared, c);
                let before =
                    layout.distance_to_center(rows[i - 1], shapes.row(i - 1), &prepared, c);
                assert_eq!(this.to_bits(), before.to_bits(), "row {i}, center {c}");
            }
        }
    }

    #[test]
    fn the_center_kernel_equals_the_distance_bit_for_bit() {
        let layout = mixed_layout();
        // Centers: medians, so one-hot values 0, 0.25 or 0.5 and several non-zero per group; one center
        // misses the first variable, one a numeric value.
        let mut centers = Vec::new();
        for c in 0..5u32 {
            let mut center = mixed_row(c * 11 + 3, c == 1);
            if c == 2 {
                center[3] = 0.25;
                center[4] = 0.25;
            }
            if c == 3 {
                center[0] = f32::NAN;
            }
            centers.extend(center);
        }
        for complete_centers in [false, true] {
            let centers: Vec<f32> = if complete_centers {
                centers
                    .iter()
                    .map(|v| if v.is_nan() { 0.0 } else { *v })
                    .collect()
            } else {
                centers.clone()
            };
            let prepared = layout.prepare_centers(&centers);
            let mut out = vec![0f32; 5];
            for seed in 0..60 {
                let mut row = mixed_row(seed, seed % 4 == 0);
                if seed % 9 == 0 {
                    row[6] = f32::NAN;
                }
                if seed % 5 == 0 {
                    row[0] = f32::NAN;
                }
                if seed % 13 == 0 {
                    row[8] = 0.5; // two levels set: not one-hot, summed level by level
                }
                layout.distances_to_centers(
                    &row,
                    &prepared,
                    &mut AllCentersScratch::default(),
                    &mut out,
                );
                let shapes = layout.row_shapes(&row);
                let mut all = vec![0f32; 5];
                layout.distances_to_all(
                    &row,
                    shapes.row(0),
                    &prepared,
                    &mut AllCentersScratch::default(),
                    &mut all,
                );
                for (c, center) in centers.chunks_exact(10).enumerate() {
                    let expected = layout.l1(&row, center).to_bits();
                    assert_eq!(out[c].to_bits(), expected, "row {seed} center {c}");
                    assert_eq!(
                        all[c].to_bits(),
                        expected,
                        "all centers: row {seed} center {c}"
                    );
                    assert!(out[c] >= 0.0);
                }
            }
        }
    }

    #[test]
    fn a_layout_without_groups_is_the_lane_sum_bit_for_bit() {
        let weights: Vec<f32> = (0..19).map(|i| 0.5 + (i % 4) as f32).collect();
        let layout = DistanceLayout::new(&weights, &[None; 19]);
        assert!(!layout.has_groups());
        assert_eq!(
            layout.total_weight().to_bits(),
            total_weight(&weights).to_bits()
        );
        let a: Vec<f32> = (0..19)
            .map(|i| {
                if i == 4 {
                    f32::NAN
                } else {
                    (i as f32 * 0.37).sin()
                }
            })
            .collect();
        let b: Vec<f32> = (0..19).map(|i| (i as f32 * 1.3).cos() * 3.0).collect();
        let expected = l1_distance(&a, &b, &weights, total_weight(&weights));
        assert_eq!(layout.l1(&a, &b).to_bits(), expected.to_bits());
        let prepared = layout.prepare_centers(&b);
        let mut out = [0f32];
        layout.distances_to_centers(&a, &prepared, &mut AllCentersScratch::default(), &mut out);
        assert_eq!(out[0].to_bits(), expected.to_bits());
    }

    #[test]
    fn a_missing_group_is_skipped_and_the_rest_rescaled() {
        let layout = mixed_layout();
        let a = mixed_row(1, true);
        let b = mixed_row(2, false);
        // Present: numeric 1 + 0.5 + 1 and the second variable's 2, of W = 5.5.
        let numeric = (a[0] - b[0]).abs() + (a[1] - b[1]).abs() + (a[6] - b[6]).abs();
        let second: f32 = (7..10).map(|j| (a[j] - b[j]).abs()).sum();
        let expected = (numeric + second) * (5.5 / 4.5);
        assert!((layout.l1(&a, &b) - expected).abs() < 1e-5);
    }
}
