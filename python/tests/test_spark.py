"""Spark in local mode (2 worker threads): global bounds exact, deterministic for a seed, cost close to
the single-machine fit of the same rows."""

import math
import os
import sys

import numpy as np
import pytest

import audience_builder as ab
from audience_builder.spark import segment_spark
from conftest import customers

ROWS = 200_000
COLUMNS = ["age", "monthly_spend", "tenure_years", "plan", "newsletter"]


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("audience-builder-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50000")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def table():
    return customers(ROWS, seed=21)


@pytest.fixture(scope="module")
def fitted(spark, table):
    df = spark.createDataFrame(table).repartition(4).persist()
    result = segment_spark(df, COLUMNS, 0.05, 0.10, seed=7, sample_rows=20_000)
    labelled = result.df.select("customer_id", "segment").toPandas().sort_values("customer_id")
    return df, result, labelled


def test_every_global_segment_size_is_within_the_bounds_exactly(fitted):
    _, result, labelled = fitted
    lower, upper = math.ceil(0.05 * ROWS), math.floor(0.10 * ROWS)
    counts = labelled["segment"].value_counts().sort_index()
    assert len(labelled) == ROWS
    assert counts.index.tolist() == list(range(1, result.k + 1))
    assert all(lower <= c <= upper for c in counts), counts.tolist()
    # The sizes reported are the sizes written.
    assert counts.tolist() == result.sizes


def test_the_same_seed_gives_the_same_segments(fitted):
    df, result, labelled = fitted
    again = segment_spark(df, COLUMNS, 0.05, 0.10, seed=7, sample_rows=20_000, personas_sample=0)
    relabelled = again.df.select("customer_id", "segment").toPandas().sort_values("customer_id")
    assert (relabelled["segment"].to_numpy() == labelled["segment"].to_numpy()).all()
    assert again.cost == result.cost


def test_the_cost_is_within_two_percent_of_the_single_machine_fit(fitted, table):
    _, result, labelled = fitted
    single = ab.segment(table, columns=COLUMNS, k=result.k, seed=7)
    order = table["customer_id"].argsort().to_numpy()
    spark_labels = np.empty(ROWS, dtype=np.int64)
    spark_labels[order] = labelled["segment"].to_numpy()
    spark_cost = ab.l1_cost(table, spark_labels, columns=COLUMNS)
    print(f"\nk={result.k} single-machine cost {single.cost:.1f}, spark cost {spark_cost:.1f} "
          f"({spark_cost / single.cost - 1:+.3%}), iterations {result.iterations}, phases {result.phases}")
    assert spark_cost <= 1.02 * single.cost


def test_the_model_and_personas_describe_the_global_segments(fitted):
    _, result, _ = fitted
    model = result.model
    assert model["k"] == result.k and model["training_rows"] == ROWS
    assert [round(s["share"] * ROWS) for s in model["segments"]] == result.sizes
    assert [v["name"] for v in model["variables"]] == COLUMNS
    assert len(result.personas["personas"]) == result.k
    assert result.unseen_cells == 0


def test_numeric_ranges_are_the_whole_dataframes_percentiles(fitted, table):
    _, result, _ = fitted
    encodings = {v["name"]: v["encoding"] for v in result.model["variables"]}
    for column in ["age", "monthly_spend", "tenure_years"]:
        values = np.sort(table[column].dropna().to_numpy(dtype=float))
        m = len(values)
        low, high = values[int(np.floor(0.01 * (m - 1)))], values[int(np.ceil(0.99 * (m - 1)))]
        # percentile_approx at accuracy 10,000: within 0.01 % of the rows of the exact ranks.
        assert values[max(0, int(0.0099 * m) - 1)] <= encodings[column]["low"] <= values[int(0.0101 * m) + 1]
        assert values[int(0.9899 * m) - 1] <= encodings[column]["high"] <= values[min(m - 1, int(0.9901 * m) + 1)]
        assert abs(encodings[column]["low"] - low) <= 0.01 * (high - low)


def test_a_missing_column_is_refused_with_the_columns(spark):
    df = spark.createDataFrame(customers(100, seed=1))
    with pytest.raises(ab.ColumnsError, match="no column named 'income'"):
        segment_spark(df, ["age", "income"])
