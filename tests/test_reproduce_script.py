"""Smoke test of benchmarks/reproduce.py on a tiny synthetic RAVDESS-named corpus."""

import importlib.util
import sys
from pathlib import Path

import pytest

from sklearn_ser.datasets import make_emotional_speech

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "reproduce.py"


@pytest.fixture(scope="module")
def reproduce():
    spec = importlib.util.spec_from_file_location("reproduce", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reproduce"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["reproduce"]


@pytest.fixture(scope="module")
def runs(reproduce):
    """The experiments module, which reproduce.py imports."""
    return sys.modules["_reproduce_runs"]


@pytest.fixture(scope="module")
def page(reproduce):
    """The page-rendering module, which reproduce.py imports."""
    return sys.modules["_reproduce_page"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--recipes", "svm,nope"], "unknown recipe 'nope'"),
        (["--recipes", "svm:gpu"], "unknown budget 'gpu' in 'svm:gpu'"),
        (["--recipes", ","], "--recipes names no recipe"),
        (["--jobs", "0"], "--jobs must be >= 1; got 0"),
        (["--folds-random", "1"], "--folds-random must be >= 2; got 1"),
        (["--tune", "nope"], "unknown recipe 'nope' in --tune"),
        (["--paper-protocols", "nope"], "unknown recipe 'nope' in --paper-protocols"),
        (
            ["--tune", "spectrogram_cnn"],
            "--tune: recipe 'spectrogram_cnn' has no grid to tune",
        ),
    ],
)
def test_bad_arguments_are_refused(reproduce, capsys, argv, message):
    with pytest.raises(SystemExit):
        reproduce._parse(argv)
    assert message in capsys.readouterr().err


def test_rows_carry_their_budget(reproduce, runs):
    args = reproduce._parse(["--quick", "--recipes", "svm,stacked_lstm:paper"])
    assert [(r.recipe, r.budget) for r in args.rows] == [
        ("svm", "cpu"),
        ("stacked_lstm", "paper"),
    ]
    # tuned variants only at the run's budget, where a grid exists
    assert [(r.label) for r in runs.all_rows(args)] == [
        "svm (cpu)",
        "stacked_lstm (paper)",
        "svm (cpu, tuned)",
    ]


def test_quick_tunes_only_the_recipes_whose_tuning_fits_a_cpu(reproduce, runs):
    args = reproduce._parse(["--quick"])
    assert [row.recipe for row in args.rows] == list(reproduce.RECIPES)
    tuned = [row.recipe for row in runs.all_rows(args) if row.tuned]
    assert tuned == ["stacked_lstm", "conv1d_lstm", "svm", "random_forest"]


@pytest.mark.parametrize(
    "argv, tuned",
    [
        (["--tune"], ["cnn_lstm", "svm"]),  # every requested recipe with a grid
        (["--tune", "svm"], ["svm"]),
        (["--tune", "svm,conv1d_lstm"], ["svm"]),  # conv1d_lstm not requested
        (["--quick", "--no-tune"], []),
        ([], []),  # the paper budget tunes nothing unless asked
    ],
)
def test_tune_names_the_tuned_recipes(reproduce, runs, argv, tuned):
    args = reproduce._parse([*argv, "--recipes", "cnn_lstm,spectrogram_cnn,svm"])
    assert [row.recipe for row in runs.all_rows(args) if row.tuned] == tuned


@pytest.mark.parametrize("train_uar, flagged", [(0.24, True), (0.26, False)])
def test_rows_near_chance_on_their_training_clips_are_flagged(page, train_uar, flagged):
    class Result:  # the two things the check reads of a RecipeResult
        labels = [f"emotion{i}" for i in range(8)]  # chance: 0.125

        def mean_std(self, metric):
            assert metric == "train_uar"
            return train_uar, 0.0

    assert page.not_fitted(Result()) is flagged


@pytest.mark.slow
def test_quick_report_on_a_tiny_corpus(reproduce, page, tmp_path, monkeypatch, capsys):
    make_emotional_speech(
        n_speakers=12,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        duration=1.0,
        random_state=0,
        output_dir=tmp_path / "data" / "ravdess-speech",
    )
    monkeypatch.setattr(reproduce, "CURVE_RECIPES", ("svm",))
    report = tmp_path / "docs" / "reproduction.md"
    argv = ["--quick", "--recipes", "svm", "--folds-random", "2"]
    argv += ["--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    assert reproduce.main([*argv, "--report", str(report)]) == 0
    text = report.read_text()
    assert "| svm (cpu) |" in text and "| svm (cpu, tuned) |" in text
    assert "- svm (cpu, tuned), speaker: (C=" in text
    assert "TESS: folder" in text and "not found; corpus skipped" in text
    normalised = text.split("**transductive**")[1].split("## ")[0]
    assert "| svm (cpu) | 0." in normalised
    assert "| svm (cpu) | 0." in text.split("Learning curve")[1]
    assert (report.parent / page.CURVE_FIGURE).stat().st_size > 0
    assert any((tmp_path / "out" / "ravdess").rglob("results.json"))
    # a second call reads every run back from the cache and writes the same page
    n_runs = len(list((tmp_path / "out" / "run-cache").glob("*.joblib")))
    capsys.readouterr()
    assert reproduce.main([*argv, "--report", str(report)]) == 0
    cached = f"{n_runs} benchmark runs, {n_runs} from the cache"
    assert cached in capsys.readouterr().err
    again = report.read_text()
    assert again.split("## RAVDESS")[1] == text.split("## RAVDESS")[1]


def test_speaker_independent_only_plans_no_paper_protocol_run(reproduce, runs):
    args = reproduce._parse(
        ["--quick", "--recipes", "svm,attentive_crnn", "--no-paper-protocols"]
    )
    assert args.paper_protocols == ()
    datasets = {"ravdess": (None, _Data(), None), "tess": (None, _Data(2), None)}
    tasks = runs.plan_tasks(args, datasets)
    assert {task.protocol for task in tasks} == {"speaker"}
    normalised = {(t.corpus, t.row.recipe) for t in tasks if t.row.speaker_norm}
    assert normalised == {
        (corpus, name) for corpus in datasets for name in ("svm", "attentive_crnn")
    }
    both = runs.plan_tasks(reproduce._parse(["--quick", "--recipes", "svm"]), datasets)
    assert {task.protocol for task in both} == {"speaker", "random-kfold"}
    # speaker normalisation is transductive: never under a random split
    assert all(t.protocol == "speaker" for t in both if t.row.speaker_norm)
    some = reproduce._parse(
        ["--quick", "--recipes", "svm,attentive_crnn", "--paper-protocols", "svm"]
    )
    paper = {
        t.row.recipe for t in runs.plan_tasks(some, datasets) if t.protocol != "speaker"
    }
    assert paper == {"svm"}
    off = reproduce._parse(["--quick", "--recipes", "svm", "--no-speaker-norm"])
    assert not any(t.row.speaker_norm for t in runs.plan_tasks(off, datasets))


def test_curve_covers_the_requested_curve_recipes_longer_training_the_cheap_ones(
    reproduce, runs
):
    datasets = {"ravdess": (None, _Data(), None)}
    argv = ["--quick", "--no-tune", "--no-paper-protocols", "--no-speaker-norm"]
    args = reproduce._parse([*argv, "--recipes", "svm,conv1d_lstm,attentive_crnn"])
    assert args.curve_recipes == ("svm", "conv1d_lstm", "attentive_crnn")
    tasks = runs.plan_tasks(args, datasets)
    curve = {(t.row.recipe, t.train_speakers) for t in tasks if t.train_speakers}
    assert curve == {
        (name, k) for name in args.curve_recipes for k in runs.curve_sizes()
    }
    longer = {t.row.recipe for t in tasks if t.row.epochs_factor > 1}
    assert longer == {"conv1d_lstm"}  # attentive_crnn's 4x run costs too much
    # a recipe not requested gets no curve
    assert reproduce._parse([*argv, "--recipes", "svm"]).curve_recipes == ("svm",)
    assert (
        reproduce._parse([*argv, "--recipes", "svm", "--no-curve"]).curve_recipes == ()
    )


class _Data:
    def __init__(self, n_speakers=12):
        self.groups = [str(i) for i in range(n_speakers)]


class _Result:
    """What the page reads of a BenchmarkResult: one recipe's means."""

    def __init__(self, uar, train_uar, n_classes=8):
        labels = [f"e{i}" for i in range(n_classes)]
        means = {"uar": uar, "train_uar": train_uar, "fit_time": 1.0}
        recipe = type("R", (), {"labels": labels})()
        recipe.mean_std = lambda metric: (means[metric], 0.0)
        recipe.folds = [type("F", (), {"uar": uar})()]
        self.recipes = [recipe]


def test_before_and_after_table(reproduce, runs, page):
    args = reproduce._parse(
        ["--quick", "--recipes", "cnn_lstm,attentive_crnn,svm", "--no-tune"]
    )
    corpus = runs.CORPORA[0]
    found = {
        runs.Task("ravdess", runs.Row("cnn_lstm", "cpu"), "speaker"): _Result(0.4, 0.6),
        runs.Task("ravdess", runs.Row("attentive_crnn", "cpu"), "speaker"): _Result(
            0.5, 0.2
        ),
        runs.Task("ravdess", runs.Row("svm", "cpu"), "speaker"): _Result(0.5, 0.9),
    }
    text = "\n".join(page._before_after(found, args, {"ravdess": (corpus, None, None)}))
    lines = {line.split(" | ")[0]: line for line in text.splitlines()}
    # before: the 2026-11-22 page (train UAR 0.229, flagged; UAR 0.204)
    assert "| cnn_lstm (cpu)" in lines
    cnn = lines["| cnn_lstm (cpu)"]
    before, now = "0.229 ± 0.016 † | 0.204 ± 0.033", "0.600 ± 0.000 | 0.400 ± 0.000"
    assert f"{before} | {now} | +0.196" in cnn
    new = lines["| attentive_crnn (cpu)"]
    assert "new recipe" in new and "0.200 ± 0.000 †" in new  # below 2x chance
    assert "| svm" not in text  # classical rows have no before/after
    assert page._before_after(found, args, {}) == []


@pytest.fixture
def lstm_task(runs):
    return runs.Task("ravdess", runs.Row("stacked_lstm", "cpu"), "speaker")


@pytest.fixture
def tiny_data():
    from sklearn.utils import Bunch

    return Bunch(paths=["a.wav", "b.wav"], target=["x", "y"], groups=["1", "2"])


def test_run_modules_are_what_the_row_executes(runs):
    modules = runs.run_modules(runs.Row("stacked_lstm", "cpu"))
    assert "sklearn_ser.classifiers._stacked_lstm" in modules
    assert "sklearn_ser.nn._stacked_lstm" in modules
    assert "sklearn_ser.features._acoustic_stats" in modules
    assert "sklearn_ser.benchmark._cv" in modules
    for unrelated in (
        "sklearn_ser.cli",
        "sklearn_ser.persistence",
        "sklearn_ser.classifiers._cnn_lstm",
        "sklearn_ser.nn._cnn_lstm",
    ):
        assert unrelated not in modules
    svm = runs.run_modules(runs.Row("svm", "cpu"))
    assert not any(".classifiers." in m or ".nn." in m for m in svm)


def test_cache_key_follows_the_row_modules_only(
    runs, lstm_task, tiny_data, monkeypatch
):
    key = runs.cache_key(lstm_task, tiny_data)
    real = runs._source

    def edited(changed):
        return lambda module: real(module) + (b"# edit" if module == changed else b"")

    monkeypatch.setattr(runs, "_source", edited("sklearn_ser.persistence"))
    assert runs.cache_key(lstm_task, tiny_data) == key
    monkeypatch.setattr(runs, "_source", edited("sklearn_ser.cli"))
    assert runs.cache_key(lstm_task, tiny_data) == key
    monkeypatch.setattr(
        runs, "_source", edited("sklearn_ser.classifiers._stacked_lstm")
    )
    assert runs.cache_key(lstm_task, tiny_data) != key
    monkeypatch.setattr(runs, "_source", real)
    monkeypatch.setattr(runs.sklearn_ser, "__version__", "9.9")
    assert runs.cache_key(lstm_task, tiny_data) != key
    monkeypatch.undo()
    tiny_data.target = ["y", "x"]
    assert runs.cache_key(lstm_task, tiny_data) != key


def test_ablation_switches_one_option_off_per_row(reproduce, runs, page):
    rows = runs.ablation_rows("cpu")
    assert [row.without for row in rows] == [None, *runs.ABLATIONS]
    full = rows[0].build().named_steps["classifier"]
    assert full.time_mask > 0 and full.mixup_alpha > 0
    assert full.lr_schedule == "cosine" and full.label_smoothing > 0
    for row in rows[1:]:
        built = row.build().get_params()
        for key, value in runs.ABLATIONS[row.without].items():
            assert (
                built[key] == value and full.get_params()[key.split("__")[1]] != value
            )
    # a row without an option is its own run, cached apart from the full recipe
    data = _Data()
    data.paths, data.target = ["a.wav"], ["x"]
    keys = {runs.cache_key(runs.Task("ravdess", row, "speaker"), data) for row in rows}
    assert len(keys) == len(rows)

    args = reproduce._parse(["--quick", "--recipes", "svm", "--ablation"])
    datasets = {"ravdess": (None, _Data(), None)}
    planned = {t.row for t in runs.plan_tasks(args, datasets)}
    assert planned >= set(rows)
    assert {row.recipe for row in planned if row.without} == {"attentive_crnn"}
    found = {
        runs.Task("ravdess", row, "speaker"): _Result(0.5 - 0.01 * i, 0.8)
        for i, row in enumerate(rows)
    }
    text = "\n".join(page._ablation(found, args))
    assert (
        "| attentive_crnn (cpu, without masks) | 0.490 ± 0.000 | -0.010 | 0 / 1 |"
        in text
    )
    assert "| attentive_crnn (cpu) | 0.500 ± 0.000 | – |" in text
    del found[runs.Task("ravdess", rows[-1], "speaker")]
    assert page._ablation(found, args) == []


def test_clip_normalised_rows_are_planned_keyed_and_tabled_apart(reproduce, runs, page):
    args = reproduce._parse(["--quick", "--recipes", "svm,attentive_crnn"])
    datasets = {"ravdess": (None, _Data(), None), "tess": (None, _Data(2), None)}
    clipped = [t for t in runs.plan_tasks(args, datasets) if t.row.clip_norm]
    assert {(t.corpus, t.row.recipe, t.protocol) for t in clipped} == {
        (corpus, "attentive_crnn", "speaker") for corpus in datasets
    }
    off = reproduce._parse(["--quick", "--recipes", "attentive_crnn", "--no-clip-norm"])
    assert not any(t.row.clip_norm for t in runs.plan_tasks(off, datasets))

    row = clipped[0].row
    steps = [name for name, _ in row.build().steps]
    assert steps == ["load", "features", "clip_norm", "classifier"]
    plain = runs.Row(row.recipe, row.budget)
    assert repr(row) == repr(plain)  # the plain row's cache key is unchanged
    data = _Data()
    data.paths, data.target = ["a.wav"], ["x"]
    keys = {
        runs.cache_key(runs.Task("ravdess", r, "speaker"), data) for r in (row, plain)
    }
    assert len(keys) == 2

    found = {
        runs.Task("ravdess", plain, "speaker"): _Result(0.45, 0.7),
        runs.Task("ravdess", row, "speaker"): _Result(0.5, 0.8),
    }
    text = "\n".join(page._normalisation("ravdess", args, found))
    assert "Per-clip normalisation" in text and "transductive**" not in text
    assert (
        "| attentive_crnn (cpu) | 0.450 ± 0.000 | **0.500 ± 0.000** | +0.050 |" in text
    )


def test_best_rows_come_from_the_main_table_only(reproduce, runs, page):
    args = reproduce._parse(
        ["--quick", "--no-tune", "--recipes", "svm,attentive_crnn", "--ablation"]
    )
    plain = runs.Row("attentive_crnn", "cpu")
    ablated = runs.Row("attentive_crnn", "cpu", without="masks")
    found = {
        runs.Task("ravdess", runs.Row("svm", "cpu"), "speaker"): _Result(0.49, 0.9),
        runs.Task("ravdess", plain, "speaker"): _Result(0.46, 0.7),
        runs.Task("ravdess", ablated, "speaker"): _Result(0.48, 0.8),
    }
    assert page._best(found, "ravdess", runs.all_rows(args), deep=True) == (
        "attentive_crnn (cpu)",
        0.46,
    )
    assert page._best(found, "ravdess", runs.all_rows(args), deep=False)[1] == 0.49


def test_encoder_rows_are_keyed_by_the_encoder_weights_not_its_path(
    reproduce, runs, tmp_path
):
    pytest.importorskip("transformers")
    import shutil

    from _tiny_encoders import save_tiny_encoder

    first = save_tiny_encoder("wav2vec2", tmp_path / "a")
    copy = shutil.copytree(first, tmp_path / "copy")
    other = save_tiny_encoder("wav2vec2", tmp_path / "b", seed=1)
    args = reproduce._parse(
        ["--quick", "--recipes", "svm,encoder_svm", "--encoder", str(first)]
    )
    assert [row.encoder for row in args.rows] == [None, str(first)]
    assert "encoder=" not in repr(args.rows[1])  # keys of older rows unchanged
    built = args.rows[1].build().named_steps["features"]
    assert built.model == str(first) and built.layers == "all"
    data = _Data()
    data.paths, data.target = ["a.wav"], ["x"]

    def key(encoder):
        row = runs.Row("encoder_svm", "cpu", encoder=str(encoder))
        return runs.cache_key(runs.Task("ravdess", row, "speaker"), data)

    assert key(first) == key(copy) != key(other)


def test_a_section_goes_into_the_page_once_and_keeps_the_rest(page):
    original = "# Reproduction report\n\nmain part\n"
    once = page.with_section(original, "Encoders", "## Encoders\n\nfirst\n")
    assert once.startswith(original.rstrip())
    assert "first" in once and once.count("begin section: Encoders") == 1
    twice = page.with_section(once, "Encoders", "## Encoders\n\nsecond\n")
    assert "second" in twice and "first" not in twice
    assert twice.count("begin section: Encoders") == 1
    assert twice.startswith(original.rstrip())
    both = page.with_section(twice, "Other", "## Other\n\nthird\n")
    assert "second" in both and "third" in both


@pytest.mark.slow
def test_encoder_section_on_a_tiny_corpus(reproduce, tmp_path, capsys):
    pytest.importorskip("transformers")
    from _tiny_encoders import save_tiny_encoder

    make_emotional_speech(
        n_speakers=12,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        duration=1.0,
        random_state=0,
        output_dir=tmp_path / "data" / "ravdess-speech",
    )
    encoder = save_tiny_encoder("whisper", tmp_path / "encoder")
    report = tmp_path / "reproduction.md"
    report.write_text("# Reproduction report\n\nthe main page\n")
    argv = ["--quick", "--recipes", "encoder_svm,encoder_head", "--no-tune"]
    argv += ["--no-paper-protocols", "--no-curve", "--no-speaker-norm"]
    argv += ["--no-clip-norm", "--encoder", str(encoder), "--section", "Encoders"]
    argv += ["--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    argv += ["--report", str(report)]
    assert reproduce.main(argv) == 0
    text = report.read_text()
    assert text.startswith("# Reproduction report\n\nthe main page\n")
    section = text.split("begin section: Encoders")[1]
    assert "\n## Encoders\n" in section and "\n### How it was generated\n" in section
    assert "| encoder_svm (cpu) |" in section and "| encoder_head (cpu) |" in section
    assert "- Pretrained encoder: `encoder` (weights SHA-256" in section
    assert "Why the numbers differ" not in section
    assert reproduce.main(argv) == 0
    assert report.read_text().count("begin section: Encoders") == 1
