//! The engine in the browser gives the native answers. wasm32 compiles the all-centers distance kernel with
//! vector instructions (`DistanceLayout::distances_to_all`), so these check it against the one-center
//! kernel bit for bit, and a fit on rows with missing values against the labels and cost that a native
//! test pins too (`a_fit_on_rows_missing_values_gives_its_known_labels` in `engine/src/cluster/tests.rs`).
#![cfg(target_arch = "wasm32")]

use audience_engine::cluster::bench_data::{
    encoded_with_missing_values, fit_with_missing_values, labels_fingerprint,
};
use audience_engine::encode::distance::AllCentersScratch;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_all_centers_kernel_equals_one_distance_at_a_time_bit_for_bit() {
    let matrix = encoded_with_missing_values(600, 5);
    let layout = matrix.layout();
    let shapes = layout.row_shapes(&matrix.data);
    // Nine centers (two vectors of four and one more), from rows, with nothing missing.
    let k = 9;
    let centers: Vec<f32> = (0..k)
        .flat_map(|c| matrix.row(c * 61 + 2).to_vec())
        .map(|v| if v.is_nan() { 0.25 } else { v })
        .collect();
    let prepared = layout.prepare_centers(&centers);
    let mut scratch = AllCentersScratch::default();
    let mut all = vec![0f32; k];
    let mut incomplete = 0;
    for i in 0..matrix.n_rows {
        let (row, shape) = (matrix.row(i), shapes.row(i));
        incomplete += usize::from(row.iter().any(|v| v.is_nan()));
        layout.distances_to_all(row, shape, &prepared, &mut scratch, &mut all);
        for (c, distance) in all.iter().enumerate() {
            let one = layout.distance_to_center(row, shape, &prepared, c);
            assert_eq!(distance.to_bits(), one.to_bits(), "row {i}, center {c}");
        }
    }
    assert_eq!(
        incomplete,
        600usize.div_ceil(37),
        "every 37th row misses something"
    );
}

#[wasm_bindgen_test]
fn a_fit_on_rows_missing_values_gives_the_native_labels() {
    let fit = fit_with_missing_values(3_000, 5);
    assert_eq!(
        (labels_fingerprint(&fit.labels), fit.cost),
        (0xb40d_7f83_94f4_9a30, 5546.309808760881)
    );
}
