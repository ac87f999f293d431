"""Size-constrained segmentation of a Spark DataFrame, with the engine running inside each partition.

``segment_spark(df, columns, min_share, max_share, k=None, seed=0)`` returns a :class:`SparkSegmentation`:
``.df`` is ``df`` with a ``segment`` column (1..k) whose global sizes are all within
``⌈min_share·n⌉..⌊max_share·n⌋`` exactly; ``.model`` the centers and encoding; ``.personas`` the personas.

What runs where:

1. **Screening, on the driver** (a seeded sample of ``sample_rows`` rows): the engine's own fit (k choice by
   silhouette, restarts, exact bounded assignment) gives k, the encoding and the first centers, as
   ``audience_builder.segment`` would on that sample, except that the robust ranges of numeric Spark columns
   are the whole DataFrame's (``percentile_approx``, rank error ≤ 0.01 % of the rows). Levels (categories)
   and the types of text columns come from the sample.
2. **Encoding, per partition** (``mapInArrow``): every row encoded under that one model, so all partitions
   share the same ranges and levels (a level the sample never saw counts as missing, as in
   ``audience apply``; their count is reported). The encoded rows are persisted.
3. **Iterations** (each one three passes over the encoded rows, then driver work on small aggregates):

   * prices: the exact bounded assignment of the encoded sample to the current centers gives ``k`` dual
     prices (distance units); each row's cheapest segment is ``argmin_j d(row, c_j) − p_j``;
   * pass 1: per partition, a histogram of each row's *margin* (gap to its second cheapest segment) per
     cheapest segment; the driver picks the smallest margin cut that leaves a feasible problem with at
     least ``boundary_rows`` boundary rows (all ties included);
   * pass 2: the boundary rows (row id and ``k`` distances) are collected to the driver, which puts them in
     segments by successive shortest paths so that every **global** size is within bounds exactly (it ends
     after as many paths as rows were out of bounds: see ``finish`` in ``python/src/spark.rs``);
   * pass 3: per partition, every row's final segment, the assignment cost, and per segment and dimension a
     histogram of member values on 1025 points of the dimension's range; the driver sums them and takes
     each new center coordinate as the histogram median, within ``value_weight / 2048`` of the exact median.

   Iterations stop when the cost falls by at most ``tolerance`` (relative) or after ``max_iterations``.
4. **Labelling, per partition**: the last iteration's assignment replayed (same centers, prices, cut and
   boundary decisions), so ``.df`` holds exactly the sizes reported.

Only aggregates reach the driver (histograms, counts, costs), plus the seeded sample and the boundary
rows' distances to the centers (no column value). Deterministic for a seed, given the same partitioning of
``df`` (a table or files; persist ``df`` first if it comes from a nondeterministic source).
"""

import io
import json
import time

import numpy as np

from . import _native
from .errors import ColumnsError, OptionsError

ROW = "_ab_row"
ENC = "_ab_enc"


def _csv(batch_or_table):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = batch_or_table
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    sink = io.BytesIO()
    pacsv.write_csv(table, sink)
    return sink.getvalue()


def _fixed_width_bytes(array):
    """The values of a binary Arrow array whose values are laid end to end, as one bytes object."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = pa.concat_arrays(array.chunks)
    n = len(array)
    if n == 0:
        return b""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + n + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    return array.buffers()[2].slice(start, end - start).to_pybytes()


def _binary_column(data, n, width):
    import pyarrow as pa

    offsets = (np.arange(n + 1, dtype=np.int32) * width).tobytes()
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


class SparkSegmentation:
    """The result of :func:`segment_spark`."""

    def __init__(self, df, model, personas, sizes, cost, history, phases, unseen_cells, n_rows):
        #: ``df`` with a ``segment`` column (1..k).
        self.df = df
        #: The model (encoding, final centers, global shares, prices), as a dict (model JSON).
        self.model = model
        #: The personas document of the driver's seeded sample (at most ``personas_sample`` rows), each row
        #: in its cheapest segment under the final centers and prices.
        self.personas = personas
        #: Global rows per segment (segment 1 first).
        self.sizes = sizes
        #: Total L1 distance of the rows to the centers of their last assignment.
        self.cost = cost
        #: Per iteration: cost, boundary rows, margin cut, seconds.
        self.history = history
        #: Seconds per phase (``screening``, ``encoding``, ``iterations``, ``personas``).
        self.phases = phases
        #: Cells whose level the sample never saw (or that did not read under the sample's type).
        self.unseen_cells = unseen_cells
        #: Rows of ``df``.
        self.n_rows = n_rows

    @property
    def k(self):
        """Number of segments."""
        return len(self.sizes)

    @property
    def iterations(self):
        """Iterations run."""
        return len(self.history)


def segment_spark(
    df,
    columns,
    min_share=0.05,
    max_share=0.10,
    k=None,
    seed=0,
    *,
    restarts=3,
    sample_rows=50_000,
    max_iterations=20,
    tolerance=1e-4,
    boundary_rows=20_000,
    personas_sample=50_000,
):
    """Segments a Spark DataFrame on ``columns`` with every global segment size within the share bounds
    exactly (see the module docs for the method). Returns a :class:`SparkSegmentation`."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    from pyspark import StorageLevel

    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns or [])
    if not columns:
        raise OptionsError("name the columns to segment on, e.g. columns=['age', 'plan', 'spend']")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ColumnsError(
            f"no column named {', '.join(repr(c) for c in missing)}; the columns are: {', '.join(df.columns)}"
        )
    spark = df.sparkSession
    phases = {}
    clock = time.perf_counter()

    n = df.count()
    lower, upper = _native.size_limits(float(min_share), float(max_share), n)

    # 1. Screening on a seeded sample, on the driver.
    fraction = min(1.0, 1.2 * sample_rows / max(n, 1))
    sample = df.select(*columns).sample(False, fraction, seed).limit(sample_rows).toPandas()
    sample_csv = sample.to_csv(index=False).encode("utf-8")
    options = {
        "columns": columns,
        "min_share": float(min_share),
        "max_share": float(max_share),
        "k": None if k is None else int(k),
        "seed": int(seed),
        "restarts": int(restarts),
    }
    run = _native.segment(sample_csv, json.dumps(options), _global_ranges(df, columns))
    model_json = run.model_json()
    model = json.loads(model_json)
    k = model["k"]
    dims_json = _native.model_dims(model_json, sample_csv)
    width = 4 * len(json.loads(dims_json))
    sample_enc, sample_n, _ = _native.encode_batch(model_json, sample_csv)
    sample_lower, sample_upper = _native.size_limits(float(min_share), float(max_share), sample_n)
    centers = np.array(
        [np.nan if v is None else v for s in model["segments"] for v in s["center"]], dtype="<f4"
    ).tobytes()
    phases["screening"] = time.perf_counter() - clock

    # 2. Encoding, per partition, under the sample's model.
    clock = time.perf_counter()
    with_ids = df.withColumn(ROW, F.monotonically_increasing_id())
    unseen = spark.sparkContext.accumulator(0)

    def encode(batches):
        import pyarrow as pa

        for batch in batches:
            if batch.num_rows == 0:
                continue
            data, rows, unseen_cells = _native.encode_batch(model_json, _csv(pa.Table.from_batches([batch]).drop([ROW])))
            unseen.add(unseen_cells)
            yield pa.RecordBatch.from_arrays(
                [batch.column(ROW), _binary_column(data, rows, width)], names=[ROW, ENC]
            )

    encoded = (
        with_ids.select(ROW, *columns)
        .mapInArrow(encode, T.StructType([T.StructField(ROW, T.LongType()), T.StructField(ENC, T.BinaryType())]))
        # One partition per core at most: each partition sends the driver k × n_dims × 1025 counts per
        # iteration, so their number is what the driver's share of an iteration grows with.
        .coalesce(max(1, spark.sparkContext.defaultParallelism))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    encoded.count()
    phases["encoding"] = time.perf_counter() - clock

    # 3. Iterations.
    clock = time.perf_counter()
    history = []
    previous_cost = None
    state = None
    final_centers = centers
    hist_schema = T.StructType([T.StructField("h", T.BinaryType())])
    for _ in range(max_iterations):
        started = time.perf_counter()
        prices = _native.sample_prices(dims_json, sample_enc, centers, sample_lower, sample_upper)

        def margins(batches, centers=centers, prices=prices):
            import pyarrow as pa

            total = None
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                h = np.frombuffer(
                    _native.margin_histogram(dims_json, centers, prices, _fixed_width_bytes(batch.column(ENC))),
                    dtype="<u8",
                )
                total = h.copy() if total is None else total + h
            if total is not None:
                yield pa.RecordBatch.from_arrays([pa.array([total.tobytes()], pa.binary())], names=["h"])

        histogram = sum(
            np.frombuffer(row.h, dtype="<u8") for row in encoded.mapInArrow(margins, hist_schema).collect()
        )
        cut, fixed, boundary_count = _native.choose_cut(
            np.asarray(histogram, dtype="<u8").tobytes(), k, lower, upper, int(boundary_rows)
        )

        def boundary(batches, centers=centers, prices=prices, cut=cut):
            import pyarrow as pa

            for batch in batches:
                if batch.num_rows == 0:
                    continue
                positions, distances, _ = _native.boundary_rows(
                    dims_json, centers, prices, _fixed_width_bytes(batch.column(ENC)), cut
                )
                positions = np.frombuffer(positions, dtype="<u4")
                if positions.size == 0:
                    continue
                ids = batch.column(ROW).to_numpy()[positions]
                yield pa.RecordBatch.from_arrays(
                    [pa.array(ids, pa.int64()), _binary_column(distances, positions.size, 4 * k)],
                    names=[ROW, "d"],
                )

        collected = encoded.mapInArrow(
            boundary, T.StructType([T.StructField(ROW, T.LongType()), T.StructField("d", T.BinaryType())])
        ).collect()
        ids = np.array([r[ROW] for r in collected], dtype=np.int64)
        distances = [bytes(r["d"]) for r in collected]
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        distances = b"".join(distances[i] for i in order)
        b_labels = np.frombuffer(
            _native.finish(distances, prices, [int(f) for f in fixed], lower, upper), dtype="<u4"
        )
        state = (centers, prices, cut, ids, b_labels)
        b_ids = spark.sparkContext.broadcast((ids, b_labels))

        def stats(batches, centers=centers, prices=prices, cut=cut):
            import pyarrow as pa

            ids, b_labels = b_ids.value
            total, cost, sizes = None, 0.0, np.zeros(k, dtype=np.int64)
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                data = _fixed_width_bytes(batch.column(ENC))
                labels = _labels(dims_json, centers, prices, data, cut, batch.column(ROW).to_numpy(), ids, b_labels)
                h, c = _native.center_histograms(dims_json, centers, k, data, labels.astype("<u4").tobytes())
                h = np.frombuffer(h, dtype="<u4").astype(np.uint64)
                total = h if total is None else total + h
                cost += c
                sizes += np.bincount(labels, minlength=k)
            if total is not None:
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array([total.astype("<u8").tobytes()], pa.binary()),
                        pa.array([cost], pa.float64()),
                        pa.array([sizes.astype("<i8").tobytes()], pa.binary()),
                    ],
                    names=["h", "cost", "sizes"],
                )

        parts = encoded.mapInArrow(
            stats,
            T.StructType(
                [
                    T.StructField("h", T.BinaryType()),
                    T.StructField("cost", T.DoubleType()),
                    T.StructField("sizes", T.BinaryType()),
                ]
            ),
        ).collect()
        b_ids.unpersist()
        histogram = sum(np.frombuffer(p.h, dtype="<u8") for p in parts)
        cost = float(sum(p.cost for p in parts))
        sizes = sum(np.frombuffer(p.sizes, dtype="<i8") for p in parts)
        final_centers = _native.medians(np.asarray(histogram, dtype="<u8").tobytes(), dims_json, k)
        history.append(
            {
                "cost": cost,
                "boundary_rows": int(boundary_count),
                "cut": int(cut),
                "sizes": [int(s) for s in sizes],
                "seconds": time.perf_counter() - started,
            }
        )
        converged = previous_cost is not None and previous_cost - cost <= tolerance * previous_cost
        previous_cost = cost
        centers = final_centers
        if converged:
            break
    encoded.unpersist()
    phases["iterations"] = time.perf_counter() - clock

    # 4. Labelling, per partition: the last assignment replayed.
    a_centers, a_prices, a_cut, a_ids, a_labels = state
    final = spark.sparkContext.broadcast((a_ids, a_labels))

    def label(batches):
        import pyarrow as pa

        ids, b_labels = final.value
        for batch in batches:
            if batch.num_rows == 0:
                continue
            data, _, _ = _native.encode_batch(model_json, _csv(pa.Table.from_batches([batch]).select(columns)))
            labels = _labels(dims_json, a_centers, a_prices, data, a_cut, batch.column(ROW).to_numpy(), ids, b_labels)
            segment_column = pa.array(labels.astype(np.int32) + 1, pa.int32())
            yield pa.RecordBatch.from_arrays(
                batch.columns + [segment_column], names=batch.schema.names + ["segment"]
            )

    out_schema = T.StructType(with_ids.schema.fields + [T.StructField("segment", T.IntegerType())])
    out = with_ids.mapInArrow(label, out_schema).drop(ROW)

    # The model: the sample's encoding with the global centers, shares and prices.
    n_dims = width // 4
    final_array = np.frombuffer(final_centers, dtype="<f4").reshape(k, n_dims)
    sizes = history[-1]["sizes"]
    for c, seg in enumerate(model["segments"]):
        seg["center"] = [None if np.isnan(v) else float(v) for v in final_array[c]]
        seg["share"] = sizes[c] / n
        seg["assignment_price"] = float(a_prices[c])
    model["training_rows"] = n

    clock = time.perf_counter()
    personas = None
    if personas_sample:
        # The driver's sample, each row in its cheapest segment under the final centers and prices.
        rows = sample.head(int(personas_sample)).copy()
        encoded_rows, _, _ = _native.encode_batch(model_json, rows.to_csv(index=False).encode("utf-8"))
        labels, _ = _native.labels(dims_json, a_centers, a_prices, encoded_rows, 0)
        rows["segment"] = np.frombuffer(labels, dtype="<u4").astype(np.int64) + 1
        personas = json.loads(_native.profile(rows.to_csv(index=False).encode("utf-8"), "segment"))
    phases["personas"] = time.perf_counter() - clock
    return SparkSegmentation(
        out, model, personas, sizes, history[-1]["cost"], history, phases, unseen.value, n
    )


def _global_ranges(df, columns):
    """The engine's robust range (1st and 99th percentiles; the full range when they coincide) of each
    numeric Spark column on all rows, by ``percentile_approx`` at accuracy 10,000 (rank error at most 0.01 %
    of the rows)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    numeric = [c for c in columns if isinstance(df.schema[c].dataType, T.NumericType)]
    if not numeric:
        return []
    aggregates = []
    for i, c in enumerate(numeric):
        x = F.col(c).cast("double")
        x = F.when(~F.isnan(x), x)  # NaN counts as missing, as the engine reads it
        aggregates += [
            F.percentile_approx(x, [0.01, 0.99], 10_000).alias(f"p{i}"),
            F.min(x).alias(f"lo{i}"),
            F.max(x).alias(f"hi{i}"),
        ]
    row = df.agg(*aggregates).first()
    ranges = []
    for i, c in enumerate(numeric):
        percentiles = row[f"p{i}"]
        if not percentiles or percentiles[0] is None:
            continue
        low, high = float(percentiles[0]), float(percentiles[1])
        if low == high:
            low, high = float(row[f"lo{i}"]), float(row[f"hi{i}"])
        ranges.append((c, low, high))
    return ranges


def _labels(dims_json, centers, prices, data, cut, row_ids, boundary_ids, boundary_labels):
    """A batch's segments (0-based): the cheapest under the prices, boundary rows as the driver put them."""
    labels, flags = _native.labels(dims_json, centers, prices, data, cut)
    labels = np.frombuffer(labels, dtype="<u4").astype(np.int64)
    flags = np.frombuffer(flags, dtype=np.uint8).astype(bool)
    if flags.any():
        wanted = row_ids[flags]
        positions = np.searchsorted(boundary_ids, wanted)
        if (positions >= len(boundary_ids)).any() or (boundary_ids[np.minimum(positions, len(boundary_ids) - 1)] != wanted).any():
            raise RuntimeError(
                "a boundary row was not collected: the DataFrame's partitioning changed between passes; "
                "persist it (df.persist()) before segmenting"
            )
        labels[flags] = boundary_labels[positions]
    return labels


#: The issue's name for :func:`segment_spark` (``audience_builder.spark.segment(df, columns, …)``).
segment = segment_spark
