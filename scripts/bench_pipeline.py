"""The pandas + k-means-constrained pipeline that `audience segment` replaces, end to end.

Usage: python bench_pipeline.py IN.csv K SIZE_MIN_SHARE SIZE_MAX_SHARE SEED OUT.csv [N_INIT]

What a data scientist writes without Audience Builder: read the CSV with pandas, scale every numeric column
to [0, 1] (min-max) and one-hot encode every text column at 0.5 per level (so that a category mismatch
costs as much as the whole range of a number, as in `audience segment`'s encoding), fit
KMeansConstrained (the same k and size bounds as whole rows: ceil(min·n) .. floor(max·n); N_INIT
restarts, default 1; the library's own default, which a script that does not set it gets, is 10), and
write the file back with a `segment` column (1..k). `scripts/bench-segment.sh` times the whole process,
interpreter start and imports included, as it times the CLI's.

Prints one JSON line: {"seconds": ..., "fit_seconds": ..., "peak_rss_mb": ..., "min_size": ..., "max_size": ...}.
"""
import json
import math
import resource
import sys
import time

START = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from k_means_constrained import KMeansConstrained  # noqa: E402


def main() -> None:
    path, k, min_share, max_share, seed, out = sys.argv[1:7]
    k, seed = int(k), int(seed)
    n_init = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    frame = pd.read_csv(path)
    n = len(frame)
    numeric = frame.select_dtypes("number")
    spread = (numeric.max() - numeric.min()).replace(0, 1)
    scaled = (numeric - numeric.min()) / spread
    texts = frame.select_dtypes(exclude="number")
    one_hot = pd.get_dummies(texts, dtype="float64") * 0.5
    matrix = pd.concat([scaled, one_hot], axis=1).fillna(0.0).to_numpy(dtype=np.float64)
    size_min = math.ceil(float(min_share) * n - 1e-9)
    size_max = math.floor(float(max_share) * n + 1e-9)
    model = KMeansConstrained(
        n_clusters=k, size_min=size_min, size_max=size_max, n_init=n_init, random_state=seed
    )
    fit_start = time.perf_counter()
    labels = model.fit_predict(matrix)
    fit_seconds = time.perf_counter() - fit_start
    frame["segment"] = labels + 1
    frame.to_csv(out, index=False)
    sizes = np.bincount(labels, minlength=k)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - START,
                "fit_seconds": fit_seconds,
                "peak_rss_mb": peak_kb / 1024.0,
                "min_size": int(sizes.min()),
                "max_size": int(sizes.max()),
            }
        )
    )


if __name__ == "__main__":
    main()
