"""Size-constrained segmentation of a Spark DataFrame, with the engine running inside each partition.

``segment_spark(df, columns, min_share, max_share, k=None, seed=0)`` returns a :class:`SparkSegmentation`:
``.df`` is ``df`` with a ``segment`` column (1..k) whose global sizes are all within
``⌈min_share·n⌉..⌊max_share·n⌋`` exactly; ``.model`` the centers and encoding; ``.personas`` the personas.

What runs where:

1. **Whole-table figures, distributed**: the robust range of each numeric column (1st and 99th
   percentiles at the engine's exact ranks: ``percentile_approx`` brackets them, one more pass counts
   inside the brackets), and every distinct value of each text column with its row count, from which the
   engine types the column and orders its levels as reading every row would. The model's encoding is
   therefore the single-machine one (``audience segment`` on the same rows).
2. **Screening, on the driver**: a seeded sample of about ``sample_rows`` rows, a function of the rows
   and the seed only (rows equal on ``columns`` are counted together and ``⌊copies·p + u⌋`` of them kept,
   ``u`` read from a seeded hash of their values), ordered by that hash. The engine's own fit on it (k by
   silhouette, restarts, exact bounded assignment), under the whole-table encoding, gives k and the first
   centers.
3. **Encoding, per partition** (``mapInArrow``): every row encoded under that one model. The encoded
   rows are persisted with a seeded hash of all their columns (the order in which the driver places
   boundary rows).
4. **Iterations** (each one three passes over the encoded rows, then driver work on small aggregates):

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
5. **Labelling, per partition**: the cheapest iteration's assignment replayed (same centers, prices, cut
   and boundary decisions), so ``.df`` holds exactly the sizes reported. (With approximate prices and
   medians an iteration can cost a little more than the one before; the loop then stops.)
6. **Personas, from counts** (``personas=True``), on the labelled rows persisted for three passes: the
   distinct values per column; every column's values by segment (and the rows' profiles on ``columns``);
   the pairs the report reads together (acquisition source by conversion); the driver's engine types each column from its counts and profiles the segments as
   reading every row would: the personas are those ``audience segment`` gives for the same rows and
   labels. A column with more than ``MAX_PROFILE_VALUES`` distinct values is counted rounded to
   ``PROFILE_DIGITS`` significant digits if numeric, and otherwise left out with a note; columns of
   arrays, maps, structs or binary data are not profiled.

Only aggregates reach the driver (counts, histograms, costs, distinct values of the text columns with
their counts, each column's values counted by segment for the personas), plus the seeded sample and the
boundary rows' distances to the centers (no column value).
Deterministic for a seed, whatever the partitioning of ``df`` or the number of workers: every sum is
of integers (costs in units of ``2^-24``) and every choice is made in the order of seeded hashes of the
rows' values. ``df`` is read up to three times (up to the encoding, for the personas, and when ``.df`` is
written): persist it first if it comes from a nondeterministic source.
"""

import io
import json
import math
import time

import numpy as np

from . import _native
from .errors import ColumnsError, OptionsError

ROW = "_ab_row"
KEY = "_ab_key"
ENC = "_ab_enc"
#: Units per distance of the per-partition costs (integers, so their sum does not depend on the partitioning).
COST_UNITS = float(1 << 24)
#: Rank error of ``percentile_approx`` at this accuracy: at most 1/ACCURACY of the rows.
ACCURACY = 10_000
#: Distinct values of all text columns together that the driver takes (each with its row count), as
#: counted by ``approx_count_distinct`` first.
MAX_TEXT_VALUES = 200_000
#: Distinct values of one column that the driver takes by segment for the personas: a numeric column with
#: more is counted rounded to ``PROFILE_DIGITS`` significant digits, any other column is left out (with a
#: note in the personas).
MAX_PROFILE_VALUES = 100_000
PROFILE_DIGITS = 4
#: Distinct profiles on the segmentation columns that the driver takes by segment to look for segments
#: identical on every one of them.
MAX_PROFILES = 500_000


def _profiled_types():
    from pyspark.sql import types as T

    return (T.NumericType, T.StringType, T.BooleanType, T.DateType, T.TimestampType)


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
        #: The personas document of every row (see step 6 of the module docs), or ``None`` when skipped.
        self.personas = personas
        #: Global rows per segment (segment 1 first).
        self.sizes = sizes
        #: Total L1 distance of the rows to the centers of their last assignment.
        self.cost = cost
        #: Per iteration: cost, boundary rows, margin cut, seconds.
        self.history = history
        #: Seconds per phase (``whole-table figures`` with the row count, ``sample``, ``screening``,
        #: ``encoding``, ``iterations``, ``personas``).
        self.phases = phases
        #: Cells that did not read under the model's encoding (text under a numeric column's type).
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
    personas=True,
    target=None,
    positive=None,
):
    """Segments a Spark DataFrame on ``columns`` with every global segment size within the share bounds
    exactly (see the module docs for the method). Returns a :class:`SparkSegmentation`.

    ``personas``: profile the segments on every row, from counts made in the cluster (``False`` skips it);
    ``target`` names the conversion column they are ranked by (detected by name when ``None``, as
    ``audience segment`` does) and ``positive`` its value that means converted."""
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
    # The DataFrame's order, however they were listed: the encoding follows it, so the same columns give the
    # same segments in any order (as in `audience segment` and the page).
    columns = [c for c in df.columns if c in set(columns)]
    if "segment" in df.columns:
        raise ColumnsError(
            "the DataFrame already has a column named 'segment' (an earlier segmentation?), and the result "
            "adds one: drop it or rename it first, e.g. df.withColumnRenamed('segment', 'previous_segment')"
        )
    spark = df.sparkSession
    phases = {}
    clock = time.perf_counter()

    # The rows' ids, content keys and segmentation columns, read once (a CSV source is parsed once here
    # and once more for the labelling) for every pass up to the encoding.
    with_ids = df.withColumn(ROW, F.monotonically_increasing_id())
    base = with_ids.select(ROW, _row_key(df.columns, seed).alias(KEY), *[_col(c) for c in columns]).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    # 1. The whole table's figures (rows, numeric ranges, text levels), distributed.
    n, ranges, texts = _whole_table_figures(base, columns)
    lower, upper = _native.size_limits(float(min_share), float(max_share), n)
    globals_json = json.dumps({"ranges": ranges, "texts": texts})
    phases["whole-table figures"] = time.perf_counter() - clock

    # 2. Screening on a seeded sample, on the driver.
    clock = time.perf_counter()
    sample = _seeded_sample(base, columns, n, int(sample_rows), int(seed))
    phases["sample"] = time.perf_counter() - clock
    clock = time.perf_counter()
    sample_csv = sample.to_csv(index=False).encode("utf-8")
    options = {
        "columns": columns,
        "min_share": float(min_share),
        "max_share": float(max_share),
        "k": None if k is None else int(k),
        "seed": int(seed),
        "restarts": int(restarts),
    }
    run = _native.segment(sample_csv, json.dumps(options), globals_json)
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

    # 3. Encoding, per partition, under that model.
    clock = time.perf_counter()
    unseen = spark.sparkContext.accumulator(0)

    def encode(batches):
        import pyarrow as pa

        for batch in batches:
            if batch.num_rows == 0:
                continue
            data, rows, unseen_cells = _native.encode_batch(
                model_json, _csv(pa.Table.from_batches([batch]).drop([ROW, KEY]))
            )
            unseen.add(unseen_cells)
            yield pa.RecordBatch.from_arrays(
                [batch.column(ROW), batch.column(KEY), _binary_column(data, rows, width)], names=[ROW, KEY, ENC]
            )

    encoded = (
        base.mapInArrow(
            encode,
            T.StructType(
                [
                    T.StructField(ROW, T.LongType()),
                    T.StructField(KEY, T.LongType()),
                    T.StructField(ENC, T.BinaryType()),
                ]
            ),
        )
        # One partition per core at most: each partition sends the driver k × n_dims × 1025 counts per
        # iteration, so their number is what the driver's share of an iteration grows with.
        .coalesce(max(1, spark.sparkContext.defaultParallelism))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    encoded.count()
    base.unpersist()
    phases["encoding"] = time.perf_counter() - clock

    # 4. Iterations.
    clock = time.perf_counter()
    history = []
    previous_cost = None
    state = None
    best = None  # (cost, sizes, state) of the cheapest assignment so far
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
                keys = batch.column(KEY).to_numpy()[positions]
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array(ids, pa.int64()),
                        pa.array(keys, pa.int64()),
                        _binary_column(distances, positions.size, 4 * k),
                    ],
                    names=[ROW, KEY, "d"],
                )

        collected = encoded.mapInArrow(
            boundary,
            T.StructType(
                [
                    T.StructField(ROW, T.LongType()),
                    T.StructField(KEY, T.LongType()),
                    T.StructField("d", T.BinaryType()),
                ]
            ),
        ).collect()
        ids = np.array([r[ROW] for r in collected], dtype=np.int64)
        keys = np.array([r[KEY] for r in collected], dtype=np.int64)
        distances = [bytes(r["d"]) for r in collected]
        # The driver places the boundary rows in the order of their content keys (row ids, which depend
        # on the partitioning, only order rows equal in every column), so every customer gets the same
        # segment however the DataFrame is partitioned.
        order = np.lexsort((ids, keys))
        placed = np.frombuffer(
            _native.finish(
                b"".join(distances[i] for i in order), prices, [int(f) for f in fixed], lower, upper
            ),
            dtype="<u4",
        )
        by_id = np.argsort(ids[order], kind="stable")
        ids = ids[order][by_id]
        b_labels = placed[by_id]
        state = (centers, prices, cut, ids, b_labels)
        b_ids = spark.sparkContext.broadcast((ids, b_labels))

        def stats(batches, centers=centers, prices=prices, cut=cut):
            import pyarrow as pa

            ids, b_labels = b_ids.value
            total, cost, sizes = None, 0, np.zeros(k, dtype=np.int64)
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
                        pa.array([cost], pa.int64()),
                        pa.array([sizes.astype("<i8").tobytes()], pa.binary()),
                    ],
                    names=["h", "cost", "sizes"],
                )

        parts = encoded.mapInArrow(
            stats,
            T.StructType(
                [
                    T.StructField("h", T.BinaryType()),
                    T.StructField("cost", T.LongType()),
                    T.StructField("sizes", T.BinaryType()),
                ]
            ),
        ).collect()
        b_ids.unpersist()
        histogram = sum(np.frombuffer(p.h, dtype="<u8") for p in parts)
        cost = sum(int(p.cost) for p in parts) / COST_UNITS
        sizes = sum(np.frombuffer(p.sizes, dtype="<i8") for p in parts)
        medians = _native.medians(np.asarray(histogram, dtype="<u8").tobytes(), dims_json, k)
        if best is None or cost < best[0]:
            best = (cost, [int(s) for s in sizes], state)
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
        centers = medians
        if converged:
            break
    encoded.unpersist()
    phases["iterations"] = time.perf_counter() - clock

    # 5. Labelling, per partition: the cheapest assignment met, replayed. (With approximate prices and
    # medians an iteration can cost a little more than the one before it; the loop then stops.)
    best_cost, sizes, (a_centers, a_prices, a_cut, a_ids, a_labels) = best
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

    # The model: the whole-table encoding with the global centers, shares and prices.
    n_dims = width // 4
    # As the engine's model: the centers the labels were assigned to, so applying the model replays them.
    final_array = np.frombuffer(a_centers, dtype="<f4").reshape(k, n_dims)
    for c, seg in enumerate(model["segments"]):
        seg["center"] = [None if np.isnan(v) else float(v) for v in final_array[c]]
        seg["share"] = sizes[c] / n
        seg["assignment_price"] = float(a_prices[c])
    model["training_rows"] = n

    clock = time.perf_counter()
    report = None
    if personas:
        options = {"columns": columns, "target": target, "positive": positive}
        # Columns of values a CSV cell can hold; arrays, maps, structs and binary data are not profiled.
        profiled = [f.name for f in df.schema.fields if isinstance(f.dataType, _profiled_types())]
        report = _counted_personas(out, profiled, columns, k, options)
    phases["personas"] = time.perf_counter() - clock
    return SparkSegmentation(
        out, model, report, sizes, best_cost, history, phases, unseen.value, n
    )


def _text(name):
    """A column's values as the text a CSV of it would hold (a missing value as the empty text)."""
    from pyspark.sql import functions as F

    return F.coalesce(_col(name).cast("string"), F.lit(""))


def _rounded_text(name):
    """A numeric column's values rounded to ``PROFILE_DIGITS`` significant digits, as text."""
    from pyspark.sql import functions as F

    x = _col(name).cast("double")
    return F.when(x.isNull() | F.isnan(x), F.lit("")).otherwise(F.format_string(f"%.{PROFILE_DIGITS}g", x))


def _counted_personas(out, profiled, columns, k, options):
    """The personas of every row of ``out`` (``segment`` 1..k), from counts made in the cluster: each
    column's values by segment, the pairs of columns the report reads together (acquisition source by
    conversion), and the rows' profiles on ``columns`` (identical segments). The engine types each column
    from its counts as reading every row would (``audience_engine::profile::counted``), so the personas are
    those ``audience segment`` gives for the same rows and labels. A column with more than
    ``MAX_PROFILE_VALUES`` distinct values is counted rounded to ``PROFILE_DIGITS`` significant digits when
    numeric and left out (with a note) otherwise; identical segments are looked for when the rows hold at
    most ``MAX_PROFILES`` distinct profiles."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    profile = F.xxhash64(*[_text(c) for c in columns])
    labelled = out.select(
        (F.col("segment") - 1).alias("segment"), *[_col(c) for c in profiled], profile.alias(KEY)
    ).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        # Pass 1: distinct values per column (approximate: only compared with the limits).
        row = labelled.agg(
            *[F.approx_count_distinct(_col(c)).alias(f"d{i}") for i, c in enumerate(profiled)],
            F.approx_count_distinct(KEY).alias("profiles"),
        ).first()
        texts, entries = {}, []
        counted = [None] * len(profiled)
        for i, c in enumerate(profiled):
            distinct = row[f"d{i}"]
            counted[i] = {"name": c, "values": []}
            if distinct <= MAX_PROFILE_VALUES:
                texts[c] = _text(c)
            elif isinstance(labelled.schema[c].dataType, T.NumericType):
                texts[c] = _rounded_text(c)
                counted[i]["rounded_digits"] = PROFILE_DIGITS
            else:
                counted[i]["not_counted"] = int(distinct)
                continue
            entries.append(F.struct(F.lit(i).alias("c"), texts[c].alias("v")))
        with_profiles = row["profiles"] <= MAX_PROFILES
        if with_profiles:
            entries.append(F.struct(F.lit(-1).alias("c"), F.col(KEY).cast("string").alias("v")))
        # Pass 2: every counted column's values (and the profiles) by segment, in one pass.
        frame = (
            labelled.select("segment", F.explode(F.array(*entries)).alias("e"))
            .groupBy("segment", "e.c", "e.v")
            .count()
            .toPandas()
        )
        for c_index, group in frame.groupby("c", sort=True):
            if c_index < 0:
                continue
            table = group.pivot_table(index="v", columns="segment", values="count", aggfunc="sum", fill_value=0)
            table = table.reindex(columns=range(k), fill_value=0).sort_index()
            counted[c_index]["values"] = [
                [str(v), [int(x) for x in counts]] for v, counts in zip(table.index, table.to_numpy())
            ]
        if with_profiles:
            ids = frame[frame["c"] < 0]
            keys = {v: i for i, v in enumerate(sorted(set(ids["v"])))}
            profiles = {
                "distinct": len(keys),
                "counts": sorted(
                    [int(s), keys[v], int(x)] for s, v, x in zip(ids["segment"], ids["v"], ids["count"])
                ),
            }
        else:
            profiles = {"distinct": labelled.select(KEY).distinct().count()}
        counts = {"segments": k, "columns": counted, "pairs": [], "profiles": profiles}
        options_json = json.dumps(options)
        # Pass 3: the pairs of columns the report reads together, each by segment.
        for a, b in json.loads(_native.counted_pairs_needed(json.dumps(counts), options_json)):
            pairs = labelled.groupBy("segment", texts[a].alias("a"), texts[b].alias("b")).count().toPandas()
            counts["pairs"].append(
                {
                    "columns": [a, b],
                    "counts": sorted(
                        [int(s), str(x), str(y), int(m)]
                        for s, x, y, m in zip(pairs["segment"], pairs["a"], pairs["b"], pairs["count"])
                    ),
                }
            )
        return json.loads(_native.counted_personas(json.dumps(counts), options_json))
    finally:
        labelled.unpersist()


def _col(name):
    """A column by its name, whatever characters it holds."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _row_key(columns, seed):
    """A seeded 64-bit hash of a row's values in ``columns``: the same for the same values and seed,
    whichever partition or worker holds the row."""
    from pyspark.sql import functions as F

    return F.xxhash64(F.lit(int(seed)), *[_col(c) for c in columns])


def _seeded_sample(df, columns, n, sample_rows, seed):
    """The screening sample: a pandas DataFrame of ``columns``, a function of the rows and the seed only.

    Rows equal on ``columns`` are counted together (``c`` copies, one key: :func:`_row_key`); with
    ``p = sample_rows / n`` and ``u`` in [0, 1) read from the key, ``⌊c·p + u⌋`` copies are taken (on
    average ``c·p``, so every row has the same chance), in the order of their keys, at most ``sample_rows``
    rows. No step depends on how ``df`` is partitioned."""
    from pyspark.sql import functions as F

    fraction = min(1.0, sample_rows / max(n, 1))
    keyed = df.select(*[_col(c) for c in columns]).withColumn(KEY, _row_key(columns, seed))
    unit = F.col(KEY).bitwiseAND(F.lit((1 << 53) - 1)).cast("double") / float(1 << 53)
    picked = (
        keyed.groupBy(KEY)
        .count()
        .withColumn("_ab_copies", F.floor(F.col("count") * F.lit(fraction) + unit))
        .where(F.col("_ab_copies") > 0)
        .select(KEY, "_ab_copies")
        .toPandas()
    )
    if picked.empty:
        return df.select(*[_col(c) for c in columns]).limit(0).toPandas()
    chosen = df.sparkSession.createDataFrame(picked[[KEY]])
    rows = (
        keyed.join(F.broadcast(chosen), KEY)
        .groupBy(KEY)
        .agg(F.min(F.struct(*[_col(c) for c in columns])).alias("_ab_values"))
        .select(KEY, "_ab_values.*")
        .toPandas()
    )
    sample = picked.merge(rows, on=KEY).sort_values(KEY, kind="stable")
    sample = sample.loc[sample.index.repeat(sample["_ab_copies"].astype(int))]
    return sample[columns].head(sample_rows).reset_index(drop=True)


def _whole_table_figures(df, columns):
    """The rows of ``df``, and what the encoding needs from all of them, in two distributed passes:
    ``(n, ranges, texts)``.

    * ``ranges``: the engine's robust range of each numeric Spark column, exactly: the values at ranks
      ``⌊0.01·(m−1)⌋`` and ``⌈0.99·(m−1)⌉`` of its ``m`` present values (NaN counts as missing), or
      ``[min, max]`` when they coincide. Pass 1 brackets each rank between two values with
      ``percentile_approx`` (rank error at most ``m / ACCURACY``); pass 2 counts the values below each
      bracket and every distinct value inside it, from which the driver reads the value at the exact rank
      (a bracket that misses it, which the error bound rules out, is widened to the whole range and
      counted again).
    * ``texts``: every distinct value of each text (string or boolean) column with its row count (pass
      2), missing values as the empty text: ``[(column, [(text, rows), …]), …]``. The engine types the
      column and orders its levels from these, as reading every row would."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    numeric = [c for c in columns if isinstance(df.schema[c].dataType, T.NumericType)]
    text = [c for c in columns if isinstance(df.schema[c].dataType, (T.StringType, T.BooleanType))]

    def clean(c):
        x = _col(c).cast("double")
        return F.when(~F.isnan(x), x)

    width = 5.0 / ACCURACY
    aggregates = [F.count(F.lit(1)).alias("n")]
    for i, c in enumerate(numeric):
        x = clean(c)
        quantiles = [max(0.0, 0.01 - width), 0.01 + width, 0.99 - width, min(1.0, 0.99 + width)]
        aggregates += [
            F.count(x).alias(f"m{i}"),
            F.min(x).alias(f"lo{i}"),
            F.max(x).alias(f"hi{i}"),
            F.percentile_approx(x, quantiles, ACCURACY).alias(f"p{i}"),
        ]
    for i, c in enumerate(text):
        aggregates.append(F.approx_count_distinct(_col(c)).alias(f"d{i}"))
    row = df.agg(*aggregates).first()
    distinct = sum(row[f"d{i}"] for i in range(len(text)))
    if distinct > MAX_TEXT_VALUES:
        raise ColumnsError(
            f"the text columns {', '.join(repr(c) for c in text)} hold about {distinct:,} distinct values "
            f"together, more than the {MAX_TEXT_VALUES:,} the driver takes; segment on columns with fewer "
            "values (an ID or free text cannot form segments), or cast numbers stored as text to a numeric type"
        )
    # Per end of each numeric column: [column index, rank, bracket low, bracket high].
    wanted = []
    for i in range(len(numeric)):
        m = row[f"m{i}"]
        if not m:
            continue
        p = row[f"p{i}"]
        wanted.append([i, math.floor(0.01 * (m - 1)), p[0], p[1]])
        wanted.append([i, math.ceil(0.99 * (m - 1)), p[2], p[3]])

    def item(kind, w, v, t):
        return F.struct(
            F.lit(kind).alias("kind"),
            F.lit(w).alias("w"),
            v.cast("double").alias("v"),
            t.cast("string").alias("t"),
        )

    none = F.lit(None)
    values = [None] * len(wanted)
    levels = {i: [] for i in range(len(text))}
    for attempt in range(2):
        todo = [w for w, v in enumerate(values) if v is None]
        items = []
        for w in todo:
            i, _, a, b = wanted[w]
            x = clean(numeric[i])
            items.append(F.when(x < a, item(0, w, none, none)).when(x <= b, item(0, w, x, none)))
        if attempt == 0:
            items += [item(1, i, none, F.coalesce(_col(c).cast("string"), F.lit(""))) for i, c in enumerate(text)]
        if not items:
            break
        counted = (
            df.select(F.explode(F.array(*items)).alias("e"))
            .where(F.col("e").isNotNull())
            .groupBy("e.kind", "e.w", "e.v", "e.t")
            .count()
            .collect()
        )
        for r in counted:
            if r["kind"] == 1:
                levels[r["w"]].append((r["t"], int(r["count"])))
        for w in todo:
            i, rank, _, _ = wanted[w]
            mine = [r for r in counted if r["kind"] == 0 and r["w"] == w]
            below = sum(r["count"] for r in mine if r["v"] is None)
            seen = below
            for value, count in sorted((r["v"], r["count"]) for r in mine if r["v"] is not None):
                seen += count
                if rank < seen:
                    values[w] = value
                    break
            if values[w] is None or rank < below:
                values[w] = None
                wanted[w][2], wanted[w][3] = row[f"lo{i}"], row[f"hi{i}"]
    ranges = []
    for w in range(0, len(wanted), 2):
        i = wanted[w][0]
        low, high = values[w], values[w + 1]
        if low is None or high is None:
            continue
        if not low < high:
            low, high = row[f"lo{i}"], row[f"hi{i}"]
        ranges.append((numeric[i], float(low), float(high)))
    texts = [(text[i], sorted(found)) for i, found in levels.items()]
    return row["n"], ranges, texts


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
