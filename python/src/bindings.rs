//! The PyO3 module `audience_builder._native`: argument conversion and typed exceptions only. Arrays
//! cross as little-endian bytes (`numpy.frombuffer` on the Python side), settings as JSON.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use audience_engine::cluster::ShareBounds;
use audience_engine::encode::EncodedDim;
use audience_engine::model::read_model_json;

use crate::error::{Failure, FailureKind};
use crate::globals::Globals;
use crate::personas;
use crate::segment::{self as run, SegmentOptions, SegmentRun};
use crate::spark::{self as steps, Geometry};

create_exception!(
    _native,
    AudienceError,
    PyException,
    "Every Audience Builder error."
);
create_exception!(
    _native,
    IngestError,
    AudienceError,
    "The data could not be read."
);
create_exception!(
    _native,
    ColumnsError,
    AudienceError,
    "A named column is missing or cannot be used."
);
create_exception!(
    _native,
    EncodeError,
    AudienceError,
    "The chosen columns cannot be encoded."
);
create_exception!(
    _native,
    BoundsError,
    AudienceError,
    "The size bounds or k cannot hold, or the fit failed."
);
create_exception!(
    _native,
    ProfileError,
    AudienceError,
    "The segments could not be profiled."
);
create_exception!(
    _native,
    ModelError,
    AudienceError,
    "A model is damaged or does not fit the data."
);
create_exception!(
    _native,
    ExportError,
    AudienceError,
    "An export could not be written."
);
create_exception!(
    _native,
    OptionsError,
    AudienceError,
    "A setting is malformed."
);

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> PyErr {
        let message = failure.message;
        match failure.kind {
            FailureKind::Ingest => IngestError::new_err(message),
            FailureKind::Columns => ColumnsError::new_err(message),
            FailureKind::Encode => EncodeError::new_err(message),
            FailureKind::Cluster => BoundsError::new_err(message),
            FailureKind::Profile => ProfileError::new_err(message),
            FailureKind::Model => ModelError::new_err(message),
            FailureKind::Export => ExportError::new_err(message),
            _ => OptionsError::new_err(message),
        }
    }
}

fn options(json: &str) -> Result<SegmentOptions, Failure> {
    serde_json::from_str(json).map_err(|e| Failure::new(FailureKind::Options, e.to_string()))
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn u64s(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

fn bytes_of<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    to_le: impl Fn(T) -> [u8; N],
) -> Bound<'py, PyBytes> {
    let mut out = Vec::with_capacity(values.len() * N);
    for &v in values {
        out.extend_from_slice(&to_le(v));
    }
    PyBytes::new(py, &out)
}

fn dims(json: &str) -> Result<Vec<EncodedDim>, Failure> {
    serde_json::from_str(json).map_err(|e| Failure::new(FailureKind::Model, e.to_string()))
}

fn geometry(dims_json: &str, centers: &[u8], prices: Vec<f64>) -> Result<Geometry, Failure> {
    Ok(Geometry {
        dims: dims(dims_json)?,
        centers: f32s(centers),
        prices,
    })
}

/// A finished segmentation (the Python `Result` wraps it).
#[pyclass(module = "audience_builder._native", frozen)]
struct Run(SegmentRun);

#[pymethods]
impl Run {
    /// Segment of each row, `0..k`, as little-endian `u32` bytes.
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        bytes_of(py, &self.0.segmentation.labels, u32::to_le_bytes)
    }

    /// The run's figures as JSON.
    fn summary_json(&self) -> String {
        self.0.summary_json()
    }

    /// The clustered CSV, as `audience segment --out` writes it.
    fn clustered_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.clustered_csv()?))
    }

    /// The personas JSON, as `audience segment --personas` writes it.
    fn personas_json(&self) -> PyResult<String> {
        Ok(self.0.personas_json()?)
    }

    /// The model JSON, as `audience segment --save-model` writes it.
    fn model_json(&self) -> PyResult<String> {
        Ok(self.0.model_json()?)
    }
}

/// Segments CSV bytes (settings as JSON, the CLI's defaults for what is left out); `globals_json` (the
/// whole table's numeric ranges and text levels, when the bytes are a sample of it) replaces the sample's.
#[pyfunction]
#[pyo3(signature = (data, options_json, globals_json=None))]
fn segment(
    py: Python<'_>,
    data: &[u8],
    options_json: &str,
    globals_json: Option<&str>,
) -> PyResult<Run> {
    let options = options(options_json)?;
    let globals: Option<Globals> = globals_json
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| Failure::new(FailureKind::Options, e.to_string()))?;
    let data = data.to_vec();
    let run = py.detach(move || match globals {
        Some(globals) => run::segment_with_globals(&data, options, &globals),
        None => run::segment(&data, options),
    })?;
    Ok(Run(run))
}

/// Personas JSON of the segments held by the column `segments`.
#[pyfunction]
#[pyo3(signature = (data, segments, target=None, positive=None))]
fn profile(
    data: &[u8],
    segments: &str,
    target: Option<String>,
    positive: Option<String>,
) -> PyResult<String> {
    Ok(run::profile(data, segments, target, positive)?)
}

/// The pairs of columns whose values the personas need counted together (JSON), given the column counts.
#[pyfunction]
fn counted_pairs_needed(counts_json: &str, options_json: &str) -> PyResult<String> {
    Ok(personas::counted_pairs_needed(counts_json, options_json)?)
}

/// The personas JSON of segments counted by a distributed engine (see `audience_engine::profile::counted`).
#[pyfunction]
fn counted_personas(counts_json: &str, options_json: &str) -> PyResult<String> {
    Ok(personas::counted_personas(counts_json, options_json)?)
}

/// The personas JSON of CSV rows with a column of segment numbers (1..=k), profiled as `segment` does.
#[pyfunction]
fn labelled_personas(data: &[u8], segments: &str, options_json: &str) -> PyResult<String> {
    Ok(personas::labelled_personas(data, segments, options_json)?)
}

/// The engine's L1 cost of `labels` (u32 bytes, `0..k`) on the data encoded as `segment` encodes it.
#[pyfunction]
fn l1_cost(data: &[u8], options_json: &str, labels: &[u8], k: usize) -> PyResult<f64> {
    Ok(run::l1_cost(
        data,
        &options(options_json)?,
        &u32s(labels),
        k,
    )?)
}

/// Segment size limits `(lower, upper)` for shares `[min_share, max_share]` of `n` rows.
#[pyfunction]
fn size_limits(min_share: f64, max_share: f64, n: usize) -> PyResult<(usize, usize)> {
    let bounds = ShareBounds::new(min_share, max_share)
        .map_err(|e| Failure::new(FailureKind::Cluster, e.to_string()))?;
    let limits = bounds.limits(n);
    Ok((limits.lower, limits.upper))
}

/// A batch's CSV bytes encoded under a model: `(f32 bytes, rows, cells unseen or unreadable)`.
#[pyfunction]
fn encode_batch<'py>(
    py: Python<'py>,
    model_json: &str,
    csv: &[u8],
) -> PyResult<(Bound<'py, PyBytes>, usize, usize)> {
    let model =
        read_model_json(model_json).map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
    let (data, rows, unseen) = steps::encode_batch(&model, csv)?;
    Ok((bytes_of(py, &data, f32::to_le_bytes), rows, unseen))
}

/// The model's encoded dimensions as JSON, from CSV bytes of at least one row of its columns.
#[pyfunction]
fn model_dims(model_json: &str, csv: &[u8]) -> PyResult<String> {
    let model =
        read_model_json(model_json).map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
    let dims = steps::model_dims(&model, csv)?;
    Ok(
        serde_json::to_string(&dims)
            .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?,
    )
}

/// Per cheapest segment, the rows in each margin bin (u64 bytes, `k × 64`).
#[pyfunction]
fn margin_histogram<'py>(
    py: Python<'py>,
    dims_json: &str,
    centers: &[u8],
    prices: Vec<f64>,
    data: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let histogram = steps::margin_histogram(&geometry(dims_json, centers, prices)?, f32s(data))?;
    Ok(bytes_of(py, &histogram, u64::to_le_bytes))
}

/// Boundary rows under `cut`: `(positions u32 bytes, distances f32 bytes, fixed rows per segment)`.
#[pyfunction]
fn boundary_rows<'py>(
    py: Python<'py>,
    dims_json: &str,
    centers: &[u8],
    prices: Vec<f64>,
    data: &[u8],
    cut: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Vec<u64>)> {
    let boundary = steps::boundary_rows(&geometry(dims_json, centers, prices)?, f32s(data), cut)?;
    Ok((
        bytes_of(py, &boundary.positions, u32::to_le_bytes),
        bytes_of(py, &boundary.distances, f32::to_le_bytes),
        boundary.fixed,
    ))
}

/// Cheapest segments (u32 bytes) and boundary flags (u8 bytes) under the prices and `cut`.
#[pyfunction]
fn labels<'py>(
    py: Python<'py>,
    dims_json: &str,
    centers: &[u8],
    prices: Vec<f64>,
    data: &[u8],
    cut: usize,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let (labels, boundary) =
        steps::labels(&geometry(dims_json, centers, prices)?, f32s(data), cut)?;
    let flags: Vec<u8> = boundary.iter().map(|&b| u8::from(b)).collect();
    Ok((
        bytes_of(py, &labels, u32::to_le_bytes),
        PyBytes::new(py, &flags),
    ))
}

/// Median histograms (u32 bytes, `k × n_dims × 1025`) and the cost to the current centers in units of
/// `2^-24` (an integer, so sums over partitions are exact).
#[pyfunction]
fn center_histograms<'py>(
    py: Python<'py>,
    dims_json: &str,
    centers: &[u8],
    k: usize,
    data: &[u8],
    labels: &[u8],
) -> PyResult<(Bound<'py, PyBytes>, u64)> {
    let geometry = geometry(dims_json, centers, vec![0.0; k])?;
    let (histogram, cost) = steps::center_histograms(&geometry, f32s(data), &u32s(labels))?;
    Ok((bytes_of(py, &histogram, u32::to_le_bytes), cost))
}

/// The margin cut for a summed histogram: `(cut, fixed rows per segment, boundary rows)`.
#[pyfunction]
fn choose_cut(
    histogram: &[u8],
    k: usize,
    lower: usize,
    upper: usize,
    target: u64,
) -> PyResult<(usize, Vec<u64>, u64)> {
    let limits = audience_engine::cluster::SizeLimits { lower, upper };
    let cut = steps::choose_cut(&u64s(histogram), k, limits, target).ok_or_else(|| {
        Failure::new(
            FailureKind::Cluster,
            format!("the rows cannot be split into {k} segments of {lower}..={upper} rows"),
        )
    })?;
    Ok((cut.cut, cut.fixed, cut.boundary))
}

/// Segments (u32 bytes) of the boundary rows so that every global size is within `[lower, upper]`.
#[pyfunction]
fn finish<'py>(
    py: Python<'py>,
    distances: &[u8],
    prices: Vec<f64>,
    fixed: Vec<u64>,
    lower: usize,
    upper: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let limits = audience_engine::cluster::SizeLimits { lower, upper };
    let labels = steps::finish(&f32s(distances), &prices, &fixed, limits)?;
    Ok(bytes_of(py, &labels, u32::to_le_bytes))
}

/// New centers (f32 bytes) from summed median histograms (u64 bytes).
#[pyfunction]
fn medians<'py>(
    py: Python<'py>,
    histogram: &[u8],
    dims_json: &str,
    k: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let centers = steps::medians(&u64s(histogram), &dims(dims_json)?, k)?;
    Ok(bytes_of(py, &centers, f32::to_le_bytes))
}

/// Prices (distance units) of the exact bounded assignment of an encoded sample to the centers.
#[pyfunction]
fn sample_prices(
    dims_json: &str,
    sample: &[u8],
    centers: &[u8],
    lower: usize,
    upper: usize,
) -> PyResult<Vec<f64>> {
    let limits = audience_engine::cluster::SizeLimits { lower, upper };
    Ok(steps::sample_prices(
        &dims(dims_json)?,
        f32s(sample),
        &f32s(centers),
        limits,
    )?)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AudienceError", py.get_type::<AudienceError>())?;
    m.add("IngestError", py.get_type::<IngestError>())?;
    m.add("ColumnsError", py.get_type::<ColumnsError>())?;
    m.add("EncodeError", py.get_type::<EncodeError>())?;
    m.add("BoundsError", py.get_type::<BoundsError>())?;
    m.add("ProfileError", py.get_type::<ProfileError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("ExportError", py.get_type::<ExportError>())?;
    m.add("OptionsError", py.get_type::<OptionsError>())?;
    m.add_class::<Run>()?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    m.add_function(wrap_pyfunction!(counted_pairs_needed, m)?)?;
    m.add_function(wrap_pyfunction!(counted_personas, m)?)?;
    m.add_function(wrap_pyfunction!(labelled_personas, m)?)?;
    m.add_function(wrap_pyfunction!(l1_cost, m)?)?;
    m.add_function(wrap_pyfunction!(size_limits, m)?)?;
    m.add_function(wrap_pyfunction!(encode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(model_dims, m)?)?;
    m.add_function(wrap_pyfunction!(margin_histogram, m)?)?;
    m.add_function(wrap_pyfunction!(boundary_rows, m)?)?;
    m.add_function(wrap_pyfunction!(labels, m)?)?;
    m.add_function(wrap_pyfunction!(center_histograms, m)?)?;
    m.add_function(wrap_pyfunction!(choose_cut, m)?)?;
    m.add_function(wrap_pyfunction!(finish, m)?)?;
    m.add_function(wrap_pyfunction!(medians, m)?)?;
    m.add_function(wrap_pyfunction!(sample_prices, m)?)?;
    Ok(())
}
