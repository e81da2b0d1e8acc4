"""The prepared GPU run, benchmarks/gpu_check.py, in its CPU dry run."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_dry_run_covers_every_step_and_writes_the_report(gpu_check, tmp_path):
    assert gpu_check.main(["--out", str(tmp_path), "--dry-run"]) == 0
    report = json.loads((tmp_path / "gpu_report.json").read_text())
    assert report["dry_run"] is True
    assert (
        report["tests"]["exit_status"] == 5 or "skipped" in report["tests"]["summary"]
    )
    recipes = list(gpu_check.RECIPES)
    assert [row["recipe"] for row in report["epochs"]] == recipes
    assert [row["recipe"] for row in report["training"]] == recipes
    assert all(row["cpu_epoch_s"] > 0 for row in report["epochs"])
    assert all(0 <= row["test_uar"] <= 1 for row in report["training"])
    fine_tuning = report["fine_tuning"]
    assert fine_tuning["settings"]["precision"] == "auto"
    assert fine_tuning["epochs"] == 1 and fine_tuning["epoch_s"] > 0
    assert 0 <= fine_tuning["test_uar"] <= 1
    assert 0 <= fine_tuning["frozen_head"]["test_uar"] <= 1
    table = (tmp_path / "gpu_report.md").read_text()
    assert "dry run on the CPU" in table and "| attentive_crnn |" in table
    assert "| fine-tuned |" in table and "| frozen head (" in table


def test_arguments_are_checked(gpu_check):
    with pytest.raises(SystemExit):
        gpu_check.main(["--out", "x", "--time-limit", "0"])
    with pytest.raises(SystemExit):
        gpu_check.main(["--out", "x", "--time-limit", "60", "--fine-tuning-time", "60"])
