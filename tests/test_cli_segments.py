"""``sklearn-ser predict --segments``: emotion over time from the command line."""

import csv
import io
import json
import sys

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.cli import main
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.persistence import save_model
from sklearn_ser.recipes import make_recipe

CLASSES = ["angry", "happy", "neutral", "sad"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A saved svm on 1 s clips, a 12 s recording and a damaged copy of it."""
    root = tmp_path_factory.mktemp("segments_cli")
    data = make_emotional_speech(
        n_speakers=2,
        n_clips_per_emotion=3,
        emotions=CLASSES,
        duration=1.0,
        random_state=0,
        output_dir=root / "corpus",
    )
    model = make_recipe("svm", offset=0.0, duration=1.0, random_state=0)
    model.fit(data.paths, data.target)
    save_model(model, root / "m.sser", recipe="svm")
    recording = root / "long.flac"
    sf.write(recording, np.tile(data.data[:6].ravel(), 2), data.sr)
    damaged = root / "damaged.flac"
    content = bytearray(recording.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 3000] = bytes(3000)
    damaged.write_bytes(bytes(content))
    return {"model": str(root / "m.sser"), "long": str(recording), "bad": str(damaged)}


def _error_line(capsys, argv, match):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert match in captured.err, captured.err
    return captured


def test_csv_rows_with_times_labels_and_probabilities(capsys, files):
    argv = ["predict", "--model", files["model"], "--segments", files["long"]]
    assert main([*argv, "--format", "csv", "--hop", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["file", "start", "end", "speech", "label", *CLASSES]
    assert [float(r["start"]) for r in rows] == [float(i) for i in range(12)]
    for row in rows:
        assert row["file"] == files["long"]
        if row["label"]:
            p = np.array([float(row[c]) for c in CLASSES])
            assert p.sum() == pytest.approx(1.0, abs=1e-3)
            assert row["label"] == CLASSES[int(p.argmax())]
    assert any(row["label"] for row in rows)


def test_json_and_table_and_plot(capsys, files, tmp_path):
    argv = ["predict", "--model", files["model"], "--segments", files["long"]]
    assert main([*argv, "--format", "json", "--vad", "none"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 23 and all(row["label"] in CLASSES for row in rows)
    assert rows[0]["speech"] is None
    plot = tmp_path / "timeline.png"
    assert main([*argv, "--window", "2", "--plot", str(plot)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split()[:5] == [
        "file",
        "start",
        "end",
        "speech",
        "label",
    ]
    assert plot.stat().st_size > 1000 and str(plot) in err


def test_corrupt_file_keeps_the_rows_before_it(capsys, files):
    argv = ["predict", "--model", files["model"], "--segments", files["bad"]]
    captured = _error_line(capsys, [*argv, "--format", "csv"], files["bad"])
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert rows, "rows computed before the damage were not written"
    time = float(captured.err.split(" at ")[-1].split(" s")[0])
    assert 2.0 <= time <= 8.0
    assert float(rows[-1]["end"]) <= time
    assert f"the {len(rows)} rows before it were written" in captured.err


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--window", "0"], "--window must be a number of seconds > 0; got 0.0"),
        (["--hop", "2"], "--hop 2.0 s is longer than --window 1.0 s"),
        (["--plot", "out.gif"], "unknown image format '.gif'"),
        (["--plot", "/no/such/folder/t.png"], "folder /no/such/folder does not exist"),
    ],
)
def test_bad_options_are_one_line(capsys, files, extra, match):
    argv = ["predict", "--model", files["model"], "--segments", files["long"]]
    _error_line(capsys, [*argv, *extra], match)


def test_missing_file_and_missing_vad_extra(capsys, files, monkeypatch, tmp_path):
    argv = ["predict", "--model", files["model"], "--segments"]
    _error_line(capsys, [*argv, str(tmp_path / "gone.wav")], "gone.wav: file not found")
    monkeypatch.setitem(sys.modules, "silero_vad", None)
    _error_line(
        capsys,
        [*argv, files["long"], "--vad", "silero"],
        "--vad silero needs the optional dependency 'silero-vad': "
        "pip install sklearn-ser[vad]",
    )
