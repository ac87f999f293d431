"""Runs k-means-constrained on the benchmark's encoded matrix and writes its labels.

Usage: python bench_kmc.py MATRIX.f32 N_ROWS N_DIMS K SIZE_MIN SIZE_MAX SEED LABELS_OUT.i32
Prints one JSON line: {"seconds": ..., "cpu_seconds": ..., "peak_rss_mb": ...}.
"""
import json
import resource
import sys
import time

import numpy as np
from k_means_constrained import KMeansConstrained


def main() -> None:
    path, n, d, k, size_min, size_max, seed, out = sys.argv[1:9]
    n, d, k, size_min, size_max, seed = map(int, (n, d, k, size_min, size_max, seed))
    x = np.fromfile(path, dtype="<f4").reshape(n, d).astype(np.float64)
    model = KMeansConstrained(
        n_clusters=k, size_min=size_min, size_max=size_max, n_init=1, random_state=seed
    )
    start = time.perf_counter()
    cpu_start = time.process_time()
    labels = model.fit_predict(x)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    np.asarray(labels, dtype="<i4").tofile(out)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_mb": peak_kb / 1024.0}))


if __name__ == "__main__":
    main()
