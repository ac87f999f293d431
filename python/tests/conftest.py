"""Shared fixtures: generated customer tables (known structure, seeded) and the `audience` CLI binary."""

import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def customers(n, seed):
    """``n`` customers in four planted groups: age, spend, tenure (with a few missing), plan, newsletter,
    and a ``converted`` column (the conversion column, never clustered on)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, n)
    age = np.round(np.array([24, 38, 52, 67])[group] + rng.normal(0, 4, n)).astype(int)
    spend = np.round(np.array([15.0, 60.0, 120.0, 40.0])[group] * rng.lognormal(0, 0.3, n), 2)
    tenure = np.array([1, 4, 9, 15])[group] + rng.integers(0, 3, n)
    plan = np.array(["basic", "plus", "premium", "basic"])[group]
    newsletter = np.where(rng.random(n) < np.array([0.2, 0.5, 0.8, 0.6])[group], "yes", "no")
    converted = np.where(rng.random(n) < np.array([0.05, 0.2, 0.4, 0.1])[group], "yes", "no")
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(n)],
            "age": age,
            "monthly_spend": spend,
            "tenure_years": tenure.astype(float),
            "plan": plan,
            "newsletter": newsletter,
            "converted": converted,
        }
    )
    frame.loc[rng.random(n) < 0.02, "tenure_years"] = np.nan
    return frame


@pytest.fixture(scope="session")
def cli():
    """The `audience` binary built in this run (AUDIENCE_CLI, else target/release or target/debug)."""
    named = os.environ.get("AUDIENCE_CLI")
    candidates = [pathlib.Path(named)] if named else [ROOT / "target/release/audience", ROOT / "target/debug/audience"]
    for path in candidates:
        if path.is_file():
            return path
    pytest.fail(
        "no `audience` binary: build it with `cargo build -p audience-cli` (or set AUDIENCE_CLI)"
    )


def run_cli(cli, *args):
    done = subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done
