"""Audience Builder's engine from Python: size-constrained segments and personas, as the ``audience`` CLI
makes them (same reader, encoding, fit and seed, so the same segments).

>>> import audience_builder as ab
>>> result = ab.segment("customers.csv", min_share=0.05, max_share=0.10, seed=7)   # doctest: +SKIP
>>> result.k, result.sizes                                                          # doctest: +SKIP
>>> result.to_csv("clustered.csv"); result.save_personas("personas.json")           # doctest: +SKIP

For a Spark DataFrame, see :func:`audience_builder.spark.segment_spark`.
"""

import json

import numpy as np

from . import _native
from ._data import csv_bytes
from .errors import (
    AudienceError,
    BoundsError,
    ColumnsError,
    EncodeError,
    ExportError,
    IngestError,
    ModelError,
    OptionsError,
    ProfileError,
)

__all__ = [
    "segment",
    "profile",
    "l1_cost",
    "Segmentation",
    "AudienceError",
    "BoundsError",
    "ColumnsError",
    "EncodeError",
    "ExportError",
    "IngestError",
    "ModelError",
    "OptionsError",
    "ProfileError",
]


def _options(columns, min_share, max_share, k, seed, **extra):
    if isinstance(columns, str):
        columns = [columns]
    options = {
        "columns": list(columns) if columns is not None else None,
        "min_share": float(min_share),
        "max_share": float(max_share),
        "k": None if k is None else int(k),
        "seed": int(seed),
    }
    for name, value in extra.items():
        if value is not None:
            options[name] = list(value) if name == "force_columns" else value
    return json.dumps(options)


class Segmentation:
    """A finished segmentation: segment numbers ``1..k`` per row, in input order, and its exports."""

    def __init__(self, run):
        self._run = run
        self.summary = json.loads(run.summary_json())
        #: Segment of each row, ``1..k`` (the CLI's ``segment`` column).
        self.segments = np.frombuffer(run.labels(), dtype="<u4").astype(np.int64) + 1

    @property
    def k(self):
        """Number of segments."""
        return self.summary["k"]

    @property
    def sizes(self):
        """Rows per segment (segment 1 first)."""
        return self.summary["sizes"]

    @property
    def shares(self):
        """Share of the rows per segment."""
        return self.summary["shares"]

    @property
    def cost(self):
        """Total L1 distance of the rows to their segment's center."""
        return self.summary["cost"]

    @property
    def columns(self):
        """The columns clustered on."""
        return self.summary["columns"]

    def personas(self):
        """The personas document (as ``audience segment --personas`` writes it), as a dict."""
        return json.loads(self._run.personas_json())

    def model(self):
        """The saved model (encoding, centers, bounds; no data row), as a dict."""
        return json.loads(self._run.model_json())

    def clustered_csv(self):
        """The input CSV with a ``segment`` column, as bytes (the CLI's ``--out`` file)."""
        return self._run.clustered_csv()

    def to_csv(self, path):
        """Writes :meth:`clustered_csv` to ``path``."""
        with open(path, "wb") as handle:
            handle.write(self.clustered_csv())

    def save_personas(self, path):
        """Writes the personas JSON to ``path``."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self._run.personas_json())

    def save_model(self, path):
        """Writes the model JSON to ``path`` (for ``audience apply``)."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self._run.model_json())

    def assign_to(self, frame, column="segment"):
        """A copy of the pandas DataFrame segmented, with the segment numbers in ``column``."""
        return frame.assign(**{column: self.segments})

    def __repr__(self):
        return f"Segmentation(k={self.k}, sizes={self.sizes}, cost={self.cost:.3f})"


def segment(
    data,
    columns=None,
    min_share=0.05,
    max_share=0.10,
    k=None,
    seed=0,
    *,
    restarts=3,
    screening_sample=5000,
    target=None,
    positive=None,
    force_columns=None,
    header="auto",
    skip_bad_rows=False,
):
    """Splits ``data`` into size-constrained segments, every one holding ``min_share``..``max_share`` of
    the rows exactly, as ``audience segment`` does with the same settings.

    ``data``: a CSV path, CSV bytes, a pandas DataFrame or a pyarrow Table. ``columns``: the columns to
    cluster on (default: every usable column but the conversion column). ``k``: a number of segments, or
    ``None`` to choose it by silhouette. Raises an :class:`AudienceError` subclass with the engine's message.
    """
    options = _options(
        columns,
        min_share,
        max_share,
        k,
        seed,
        restarts=int(restarts),
        screening_sample=int(screening_sample),
        target=target,
        positive=positive,
        force_columns=force_columns,
        header=header,
        skip_bad_rows=bool(skip_bad_rows),
    )
    return Segmentation(_native.segment(csv_bytes(data), options))


def profile(data, segments="segment", target=None, positive=None):
    """Personas (a dict, the personas JSON document) of the segments held in the column ``segments``."""
    return json.loads(_native.profile(csv_bytes(data), segments, target, positive))


def l1_cost(data, labels, columns=None, target=None):
    """The engine's L1 cost of a labelling of ``data`` (segment numbers ``1..k`` per row), encoded as
    :func:`segment` encodes it: each segment's center is its exact median. Compares two segmentations of the
    same rows (for example a Spark run against the single-machine fit)."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0 or labels.min() < 1:
        raise OptionsError("labels must be segment numbers 1..k, one per row")
    k = int(labels.max())
    zero_based = (labels - 1).astype("<u4").tobytes()
    options = _options(columns, 0.0, 1.0, None, 0, target=target)
    return _native.l1_cost(csv_bytes(data), options, zero_based, k)
