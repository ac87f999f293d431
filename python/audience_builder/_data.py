"""Turning what a caller hands us (a CSV path, CSV bytes, a pandas DataFrame, an Arrow table) into the
CSV bytes the engine reads, so every input goes through the engine's own reader and typing."""

import io
import os

from .errors import OptionsError


def csv_bytes(data):
    """CSV bytes of ``data``: a path (str or os.PathLike), bytes, a pandas DataFrame or a pyarrow Table."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as handle:
            return handle.read()
    module = type(data).__module__
    if module.startswith("pandas"):
        return data.to_csv(index=False).encode("utf-8")
    if module.startswith("pyarrow"):
        import pyarrow as pa
        import pyarrow.csv as pacsv

        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        sink = io.BytesIO()
        pacsv.write_csv(data, sink)
        return sink.getvalue()
    raise OptionsError(
        f"cannot read a {type(data).__name__}: pass a CSV path, CSV bytes, a pandas DataFrame or a "
        "pyarrow Table (for a Spark DataFrame use audience_builder.spark.segment_spark)"
    )
