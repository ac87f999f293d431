"""Benchmark: rows per second per core, native CLI against Spark local mode, with the cost of each phase.

    .venv/bin/python python/bench/bench.py --rows 1000000 10000000 [--modes native spark1 spark2 cluster2] [--narrow]

For each row count it writes a seeded customer CSV (the tests' generator: age, spend, tenure, plan,
newsletter; four planted groups) to a temporary folder, deleted afterwards, then times:

* ``native``: ``target/release/audience segment FILE --json`` (one core; build it with
  ``cargo build --release -p audience-cli``) with ``--personas`` as Spark profiles every row too, and its
  own phase timings (read, encode, segment, write: the clustered CSV and the personas) and its peak
  resident memory;
* ``spark1`` / ``spark2``: ``segment_spark`` in ``local[1]`` / ``local[2]`` (worker threads in one JVM) on
  the CSV read by Spark, then writing the segmented rows to Spark's ``noop`` sink;
* ``cluster2``: the same on ``local-cluster[2,1,1024]``: two executor processes of one core and 1 GB each
  (a real driver/executor split, with serialization between them);

Spark phases: whole-table figures (row count, numeric ranges, text levels), sample, screening (the
driver's fit), encoding, iterations, personas, labelling + write, and the rest (reading, planning).

Every run uses shares 5–10 %, automatic k and seed 7. Figures are printed, never asserted. ``--narrow``
writes only the five clustered columns (the native CLI then peaks at about 166 MB per million rows instead
of 244 MB: the 50M run).
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))
from conftest import customers  # noqa: E402

COLUMNS = ["age", "monthly_spend", "tenure_years", "plan", "newsletter"]
SCHEMA = (
    "customer_id STRING, age INT, monthly_spend DOUBLE, tenure_years DOUBLE, plan STRING, newsletter STRING, "
    "converted STRING"
)
NARROW_SCHEMA = "age INT, monthly_spend DOUBLE, tenure_years DOUBLE, plan STRING, newsletter STRING"


def write_csv(path, rows, narrow=False, chunk=1_000_000):
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, rows, chunk):
            part = customers(min(chunk, rows - start), seed=100 + start // chunk)
            part["customer_id"] = [f"C{start + i:09d}" for i in range(len(part))]
            (part[COLUMNS] if narrow else part).to_csv(handle, index=False, header=start == 0)


def native(path, rows):
    binary = ROOT / "target/release/audience"
    if not binary.is_file():
        sys.exit("no target/release/audience: run `cargo build --release -p audience-cli` first")
    out = path.with_name("clustered.csv")
    personas = path.with_name("personas.json")
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [str(binary), "segment", str(path), "--columns", ",".join(COLUMNS), "--seed", "7", "--out", str(out),
             "--personas", str(personas), "--json"],
            stdout=stdout,
            stderr=stderr,
        )
        # wait4 gives this child's own peak resident memory (ru_maxrss, KiB on Linux).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        total = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(), stderr.read().decode()
    out.unlink(missing_ok=True)
    personas.unlink(missing_ok=True)
    if child.returncode != 0:
        sys.exit(errors)
    summary = json.loads(output)
    phases = {name: round(value, 2) for name, value in summary["seconds"].items() if name != "total"}
    phases["peak RSS (MB)"] = round(usage.ru_maxrss / 1024)
    return {"cores": 1, "seconds": total, "k": summary["k"], "cost": summary["cost"], "phases": phases}


def spark_run(path, rows, mode, narrow=False):
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from audience_builder.spark import segment_spark

    if mode.startswith("cluster"):
        cores = int(mode.removeprefix("cluster"))
        master = f"local-cluster[{cores},1,1024]"
    else:
        cores = int(mode.removeprefix("spark"))
        master = f"local[{cores}]"
    spark = (
        SparkSession.builder.master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000")
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        started = time.perf_counter()
        df = spark.read.csv(str(path), header=True, schema=NARROW_SCHEMA if narrow else SCHEMA)
        result = segment_spark(df, COLUMNS, 0.05, 0.10, seed=7)
        clock = time.perf_counter()
        result.df.write.format("noop").mode("overwrite").save()
        phases = {name: round(value, 2) for name, value in result.phases.items()}
        phases["labelling + write"] = round(time.perf_counter() - clock, 2)
        total = time.perf_counter() - started
        phases["read, plan and driver"] = round(total - sum(phases.values()), 2)
        return {
            "cores": cores,
            "seconds": total,
            "k": result.k,
            "cost": result.cost,
            "iterations": result.iterations,
            "boundary": result.history[-1]["boundary_rows"],
            "phases": phases,
        }
    finally:
        spark.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--modes", nargs="+", default=["native", "spark1", "spark2", "cluster2"])
    parser.add_argument(
        "--narrow",
        action="store_true",
        help="write only the five clustered columns (no customer_id, no converted): about 2/3 of the memory",
    )
    args = parser.parse_args()
    print(f"{'rows':>10} {'mode':>7} {'cores':>5} {'seconds':>8} {'rows/s/core':>12} {'k':>3} {'cost':>12}  phases (s)")
    for rows in args.rows:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="audience-bench-"))
        try:
            path = folder / "customers.csv"
            write_csv(path, rows, args.narrow)
            for mode in args.modes:
                if mode == "native":
                    figures = native(path, rows)
                else:
                    figures = spark_run(path, rows, mode, args.narrow)
                per_core = rows / figures["seconds"] / figures["cores"]
                print(
                    f"{rows:>10} {mode:>7} {figures['cores']:>5} {figures['seconds']:>8.1f} {per_core:>12,.0f} "
                    f"{figures['k']:>3} {figures['cost']:>12.1f}  {figures['phases']}"
                    + (f" iterations {figures['iterations']}, boundary rows {figures['boundary']}" if "iterations" in figures else ""),
                    flush=True,
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
