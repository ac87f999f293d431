"""The Python package against the `audience` CLI built in the same run: same file, settings and seed →
the same bytes out (clustered CSV, personas, model); typed errors with the engine's messages."""

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import audience_builder as ab
from conftest import customers, run_cli


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    customers(3000, seed=5).to_csv(path, index=False)
    return path


def test_segmenting_a_csv_gives_the_clis_clustered_file_personas_and_model(cli, csv_file, tmp_path):
    out, personas, model = tmp_path / "out.csv", tmp_path / "personas.json", tmp_path / "model.json"
    run_cli(cli, "segment", csv_file, "--seed", 11, "--out", out, "--personas", personas, "--save-model", model)
    result = ab.segment(csv_file, seed=11)
    assert result.clustered_csv() == out.read_bytes()
    assert result.personas() == json.loads(personas.read_text())
    assert result.model() == json.loads(model.read_text())
    # The defaults leave out the ID and the conversion column, as the CLI does.
    assert result.columns == ["age", "monthly_spend", "tenure_years", "plan", "newsletter"]


def test_fixed_k_and_chosen_columns_match_the_cli_too(cli, csv_file, tmp_path):
    out = tmp_path / "out.csv"
    done = run_cli(
        cli, "segment", csv_file, "--seed", 3, "--k", 12, "--min", 0.06, "--max", 0.1,
        "--columns", "age,plan,monthly_spend", "--out", out, "--json",
    )
    summary = json.loads(done.stdout)
    result = ab.segment(csv_file, columns=["age", "plan", "monthly_spend"], min_share=0.06, max_share=0.1, k=12, seed=3)
    assert result.sizes == summary["sizes"]
    assert result.cost == summary["cost"]
    clustered = pd.read_csv(out)
    assert (clustered["segment"].to_numpy() == result.segments).all()
    assert all(180 <= s <= 300 for s in result.sizes)  # ⌈0.06·3000⌉..=⌊0.10·3000⌋


def test_the_order_the_columns_are_listed_in_does_not_change_the_segments(csv_file):
    listed = ab.segment(csv_file, columns=["age", "plan", "monthly_spend"], seed=4)
    shuffled = ab.segment(csv_file, columns=["monthly_spend", "age", "plan"], seed=4)
    assert (shuffled.segments == listed.segments).all()
    assert (shuffled.sizes, shuffled.cost) == (listed.sizes, listed.cost)
    assert shuffled.columns == listed.columns == ["age", "monthly_spend", "plan"]  # the file's order


def test_a_dataframe_and_an_arrow_table_get_the_segments_of_their_csv(csv_file):
    from_file = ab.segment(csv_file, seed=2)
    frame = pd.read_csv(csv_file)
    from_frame = ab.segment(frame, seed=2)
    from_arrow = ab.segment(pa.Table.from_pandas(frame, preserve_index=False), seed=2)
    assert (from_frame.segments == from_file.segments).all()
    assert (from_arrow.segments == from_file.segments).all()
    assigned = from_frame.assign_to(frame)
    assert assigned["segment"].tolist() == from_file.segments.tolist()


def test_the_cost_of_a_labelling_is_the_fits_own_cost(csv_file):
    result = ab.segment(csv_file, seed=4)
    assert math.isclose(ab.l1_cost(csv_file, result.segments), result.cost, rel_tol=1e-6)
    # Any other labelling with the same sizes costs more.
    shuffled = np.random.default_rng(0).permutation(result.segments)
    assert ab.l1_cost(csv_file, shuffled) > 1.5 * result.cost


def test_profiling_a_segment_column_gives_the_clis_personas(cli, csv_file, tmp_path):
    result = ab.segment(csv_file, seed=4, k=10)
    clustered = tmp_path / "clustered.csv"
    result.to_csv(clustered)
    personas = ab.profile(clustered, segments="segment", target="converted")
    done = run_cli(cli, "profile", clustered, "--segments", "segment", "--target", "converted", "--json")
    assert personas == json.loads(done.stdout)
    assert sorted(p["size"] for p in personas["personas"]) == sorted(result.sizes)
    assert len(personas["personas"]) == 10


def test_impossible_bounds_raise_a_bounds_error_naming_the_numbers(csv_file):
    with pytest.raises(ab.BoundsError) as error:
        ab.segment(csv_file, min_share=0.26, max_share=0.30)
    assert "26–30%" in str(error.value)
    assert isinstance(error.value, ab.AudienceError)


def test_an_unknown_column_raises_a_columns_error_listing_the_columns(csv_file):
    with pytest.raises(ab.ColumnsError, match='no column named "income"; the columns are: customer_id, age'):
        ab.segment(csv_file, columns=["income"])


def test_unreadable_data_raises_typed_errors():
    with pytest.raises(ab.IngestError):
        ab.segment(b"")
    with pytest.raises(ab.OptionsError, match="pass a CSV path"):
        ab.segment(42)
