import json

import numpy as np
import pytest

from sklearn_ser.cli import main
from sklearn_ser.datasets import load_ravdess, make_emotional_speech


def _one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert match in err, err


def test_help_without_command(capsys):
    assert main([]) == 0
    assert "benchmark" in capsys.readouterr().out


def test_recipes_lists_every_recipe(capsys):
    assert main(["recipes"]) == 0
    out = capsys.readouterr().out
    for name in (
        "cnn_lstm",
        "stacked_lstm",
        "spectrogram_cnn",
        "conv1d_lstm",
        "cnn_transformer",
        "svm",
        "random_forest",
    ):
        assert name in out


@pytest.mark.parametrize(
    "argv, match",
    [
        (
            ["benchmark", "--recipes", "svm,nope"],
            "unknown recipe(s) 'nope'; valid recipes: cnn_lstm, stacked_lstm",
        ),
        (
            ["benchmark", "--dataset", "iemocap", "--root", "."],
            "unknown dataset 'iemocap'; valid datasets: synthetic, ravdess, tess, "
            "savee, emodb, cremad, folder",
        ),
        (["benchmark", "--dataset", "ravdess"], "--dataset ravdess needs --root DIR"),
        (
            ["benchmark", "--protocol", "leaky"],
            "unknown protocol 'leaky'; valid protocols: paper, speaker",
        ),
        (["benchmark", "--epochs", "0"], "--epochs must be >= 1; got 0"),
        (["benchmark", "--torch-threads", "0"], "--torch-threads must be >= 1; got 0"),
        (
            ["benchmark", "--root", "somewhere"],
            "--root is not used with --dataset synthetic",
        ),
        (["train", "--recipe", "nope", "--out", "m.sser"], "unknown recipe(s) 'nope'"),
        (
            ["benchmark", "--tune", "--recipes", "svm,spectrogram_cnn"],
            "Recipe 'spectrogram_cnn' has no tuning grid",
        ),
    ],
)
def test_user_mistakes_end_in_one_line(capsys, argv, match):
    _one_line_error(capsys, argv, match)


def test_root_without_recognisable_files(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("no audio here")
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "ravdess", "--root", str(tmp_path)],
        str(tmp_path),
    )


def test_missing_root(capsys, tmp_path):
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "tess", "--root", str(tmp_path / "nope")],
        str(tmp_path / "nope"),
    )


def test_impossible_protocol(capsys, corpus_dir):
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--dataset",
            "ravdess",
            "--root",
            str(corpus_dir),
            "--folds",
            "6",
        ],
        "--folds 6 is more than the 4 speakers of the ravdess corpus; protocol "
        "'speaker' keeps each speaker in one fold: use --folds <= 4",
    )


def test_folder_corpus_without_speakers_under_speaker_protocol(capsys, tmp_path):
    for label in ("happy", "sad"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.wav").write_bytes(b"")
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "folder", "--root", str(tmp_path)],
        "has no speaker ids: pass --speaker-pattern",
    )


def test_predict_with_a_file_that_is_not_a_model(capsys, tmp_path):
    fake = tmp_path / "model.sser"
    fake.write_text("not a model")
    _one_line_error(
        capsys,
        ["predict", "--model", str(fake), "x.wav"],
        "is not a sklearn_ser model file",
    )


@pytest.mark.slow
def test_train_save_predict_round_trip(capsys, corpus_dir, tmp_path):
    model = tmp_path / "svm.sser"
    argv = [
        "train",
        "--recipe",
        "svm",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--out",
        str(model),
    ]
    assert main(argv) == 0
    assert model.is_file()
    data = load_ravdess(corpus_dir)
    files = [str(p) for p in data.paths[:5]]
    capsys.readouterr()

    assert main(["predict", "--model", str(model), "--format", "json", *files]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["file"] for row in rows] == files
    classes = sorted(set(data.target))
    for row in rows:
        assert row["label"] in classes
        probabilities = np.array([row[c] for c in classes])
        assert probabilities.sum() == pytest.approx(1.0)
        assert row["label"] == classes[int(probabilities.argmax())]

    assert main(["predict", "--model", str(model), "--format", "csv", *files]) == 0
    csv_lines = capsys.readouterr().out.strip().splitlines()
    assert csv_lines[0] == "file,label," + ",".join(classes)
    assert len(csv_lines) == 6

    _one_line_error(
        capsys,
        ["predict", "--model", str(model), str(tmp_path / "missing.wav")],
        "missing.wav",
    )


@pytest.mark.slow
def test_benchmark_writes_results(capsys, corpus_dir, tmp_path):
    out = tmp_path / "results"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "svm,stacked_lstm",
        "--folds",
        "2",
        "--epochs",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "| svm |" in printed and "| stacked_lstm |" in printed
    results = json.loads((out / "results.json").read_text())
    assert [r["recipe"] for r in results["recipes"]] == ["svm", "stacked_lstm"]
    assert results["protocol"]["name"] == "speaker"
    for name in ("comparison.png", "confusion_svm.png", "confusion_stacked_lstm.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.slow
def test_benchmark_paper_protocol_groups_recipes_by_protocol(
    capsys, corpus_dir, tmp_path
):
    out = tmp_path / "paper"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "svm,stacked_lstm",
        "--protocol",
        "paper",
        "--folds",
        "2",
        "--epochs",
        "1",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    assert (out / "random-kfold" / "results.md").is_file()
    assert (out / "random-75-25" / "results.md").is_file()
    table = (out / "random-75-25" / "results.md").read_text()
    assert "speaker-dependent" in table


def test_tuning_needs_speaker_ids(capsys, tmp_path):
    for label in ("happy", "sad"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.wav").write_bytes(b"")
    root = str(tmp_path)
    for command in (
        ["benchmark", "--protocol", "random-kfold", "--tune"],
        ["train", "--recipe", "svm", "--tune", "--out", str(tmp_path / "m.sser")],
    ):
        _one_line_error(
            capsys,
            [*command, "--dataset", "folder", "--root", root],
            "--tune needs speaker ids for its inner folds",
        )


def test_tuning_needs_enough_training_speakers(capsys, corpus_dir):
    # 4 speakers in 2 folds leave 2 training speakers for 3 inner folds
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--dataset",
            "ravdess",
            "--root",
            str(corpus_dir),
            "--recipes",
            "svm",
            "--folds",
            "2",
            "--tune",
        ],
        "tuned with 3 speaker-grouped inner folds, but a training fold has only 2",
    )


@pytest.mark.slow
def test_tuned_benchmark_and_train_with_a_feature_cache(capsys, corpus_dir, tmp_path):
    out, cache = tmp_path / "tuned", tmp_path / "cache"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "random_forest",
        "--protocol",
        "random-kfold",
        "--folds",
        "2",
        "--tune",
        "--cache-dir",
        str(cache),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    assert "tuned by speaker-grouped inner CV" in results["corpus"]
    for fold in results["recipes"][0]["folds"]:
        assert set(fold["best_params"]) == {
            "classifier__max_features",
            "classifier__min_samples_leaf",
        }
    assert any(cache.rglob("*.npy")) and not any(cache.rglob("*.pkl"))
    model = tmp_path / "rf.sser"
    train = ["train", "--recipe", "random_forest", "--tune", "--out", str(model)]
    assert main([*train, "--dataset", "ravdess", "--root", str(corpus_dir)]) == 0
    assert model.is_file()


def _empty_files(root, *names):
    """Zero-byte files: names a loader accepts, audio no recipe can read."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    return root


def _train(root, out, *options):
    return [
        "train",
        "--recipe",
        "svm",
        "--root",
        str(root),
        "--out",
        str(out / "model.sser"),
        *options,
    ]


@pytest.mark.parametrize(
    ("dataset", "names", "options"),
    [
        ("savee", ["AudioData/DC/a01.wav", "AudioData/JE/sa02.wav"], []),
        ("savee", ["DC_a01.wav", "JE_sa02.wav"], []),
        ("emodb", ["wav/03a01Fa.wav", "wav/08b10La.wav"], []),
        (
            "cremad",
            ["AudioWAV/1001_DFA_ANG_XX.wav", "AudioWAV/1002_IEO_SAD_HI.wav"],
            [],
        ),
        (
            "ravdess",
            ["Actor_01/03-02-03-01-01-01-01.wav", "Actor_02/03-02-04-01-01-01-02.wav"],
            ["--vocal-channel", "song"],
        ),
        (
            "folder",
            ["DC_a01.wav", "JE_sa02.wav"],
            ["--label-pattern", "(?P<speaker>[A-Z]{2})_(?P<label>[a-z]+)"],
        ),
    ],
)
def test_every_corpus_is_found_from_the_command_line(
    capsys, tmp_path, dataset, names, options
):
    # The clips are found and parsed; their (empty) audio then fails in one line.
    root = _empty_files(tmp_path / "corpus", *names)
    out = tmp_path / "out"
    _one_line_error(
        capsys,
        _train(root, out, "--dataset", dataset, *options),
        "error: 2 audio file(s) could not be loaded: ",
    )
    listed = (out / "bad_audio.txt").read_text().splitlines()
    assert [line.split(": ")[0] for line in listed] == [str(root / n) for n in names]


def test_a_misnamed_file_stops_the_run_unless_lenient(capsys, tmp_path):
    names = [
        "OAF_neutral/OAF_back_neutral.wav",
        "OAF_neutral/OX_bite_neutral.wav",
        "YAF_sad/YAF_back_sad.wav",
    ]
    root = _empty_files(tmp_path / "tess", *names)
    out = tmp_path / "out"
    _one_line_error(
        capsys,
        _train(root, out, "--dataset", "tess"),
        f"error: 1 file(s) under {root} do not follow the TESS convention "
        "(<speaker>_<word>_<emotion>, speaker OAF or YAF): "
        f"{root / names[1]}: speaker 'OX' is not OAF or YAF; rename or remove "
        f"them, or pass --lenient to skip them (all 1 listed in {out}/bad_files.txt)",
    )
    assert main(_train(root, out, "--dataset", "tess", "--lenient")) == 2
    warning, error = capsys.readouterr().err.splitlines()
    assert warning == (
        f"sklearn-ser train: warning: 1 file(s) under {root} do not follow the TESS "
        "convention (<speaker>_<word>_<emotion>, speaker OAF or YAF); skipped them: "
        f"{root / names[1]}: speaker 'OX' is not OAF or YAF (all 1 listed in "
        f"{out}/skipped_files.txt)"
    )
    assert error.startswith("sklearn-ser train: error: 2 audio file(s) could not")
    assert "OX_bite" not in error


def test_long_file_lists_go_to_a_file_the_message_names(capsys, tmp_path):
    names = [f"OAF_sad/OAF_w{n:02d}_sad.wav" for n in range(25)]
    root = _empty_files(tmp_path / "tess", *names, "YAF_angry/YAF_a_angry.wav")
    out = tmp_path / "out"
    assert main(_train(root, out, "--dataset", "tess")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"; ...; repair or remove them (all 26 listed in {out}/bad_audio.txt)" in err
    assert len((out / "bad_audio.txt").read_text().splitlines()) == 26


def test_a_corpus_with_one_label(capsys, tmp_path):
    root = _empty_files(tmp_path / "emodb", "03a01Fa.wav", "08a02Fa.wav")
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "emodb", "--root", str(root)],
        f"the emodb corpus under {root} has one label ('happy', 2 clips); a "
        "classifier needs at least two: point --root at a corpus with several "
        "emotions",
    )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            ["--folds", "30"],
            "--folds 30 is more than the 4 speakers of the ravdess corpus; protocol "
            "'speaker' keeps each speaker in one fold: use --folds <= 4",
        ),
        (["--folds", "1"], "--folds must be >= 2 (folds of protocol 'speaker'); got 1"),
        (
            ["--protocol", "random-kfold", "--folds", "100"],
            "--folds 100 is more than the 8 clips of the smallest label 'angry'; "
            "protocol 'random-kfold' puts every label in every fold: use --folds <= 8",
        ),
        (
            ["--test-dataset", "tess", "--folds", "3"],
            "--folds is not used with --test-dataset: a cross-corpus benchmark",
        ),
        (["--test-root", "x"], "--test-root is used only with --test-dataset"),
        (["--vocal-channel", "song", "--dataset", "tess"], "--vocal-channel is used"),
        (["--label-pattern", "(x)"], "--label-pattern is used only with --dataset fo"),
        (
            ["--test-dataset", "nope", "--test-root", "."],
            "unknown test dataset 'nope'; valid datasets: synthetic",
        ),
        (["--test-dataset", "tess"], "--test-dataset tess needs --test-root DIR"),
    ],
)
def test_protocol_and_option_mistakes_name_the_flag(capsys, corpus_dir, options, match):
    argv = ["benchmark", "--dataset", "ravdess", "--root", str(corpus_dir), *options]
    _one_line_error(capsys, argv, match)


def test_cross_corpus_needs_two_shared_labels(capsys, corpus_dir, tmp_path):
    root = _empty_files(tmp_path / "emodb", "03a01Fa.wav", "08a02La.wav")
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--dataset",
            "ravdess",
            "--root",
            str(corpus_dir),
            "--test-dataset",
            "emodb",
            "--test-root",
            str(root),
        ],
        "ravdess and emodb share 1 label(s) (happy); a cross-corpus benchmark "
        "needs at least 2. Labels of ravdess: neutral, happy, sad, angry; of "
        "emodb: happy, boredom.",
    )


@pytest.mark.slow
def test_cross_corpus_benchmark(capsys, corpus_dir, tmp_path):
    # Training corpus: RAVDESS names; test corpus: the same clips renamed in
    # EmoDB's convention, with one label (neutral) EmoDB-side only.
    emodb = tmp_path / "emodb"
    emodb.mkdir()
    letters = {"happy": "F", "sad": "T", "angry": "W", "neutral": "N"}
    data = load_ravdess(corpus_dir)
    for index, (path, label) in enumerate(zip(data.paths, data.target, strict=True)):
        speaker = ("03", "08", "09", "10")[index % 4]
        text = ("a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03")[index // 4 % 8]
        version = "abcdefghijklmnopqrstuvwxyz"[index // 32]
        (emodb / f"{speaker}{text}{letters[label]}{version}.wav").symlink_to(path)
    (emodb / "11a01La.wav").symlink_to(data.paths[0])  # boredom: emodb only
    out = tmp_path / "out"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--test-dataset",
        "emodb",
        "--test-root",
        str(emodb),
        "--recipes",
        "svm",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    table = (out / "results.md").read_text()
    assert "Protocol: cross-corpus ravdess → emodb: train on all of ravdess" in table
    assert "dropped: boredom (emodb only, 1 clips); one split" in table
    result = json.loads((out / "results.json").read_text())
    assert result["protocol"]["shared_labels"] == ["neutral", "happy", "sad", "angry"]
    assert result["protocol"]["dropped_labels"] == [["emodb", "boredom", 1]]
    assert result["corpus"].startswith(f"ravdess ({corpus_dir}) → emodb ({emodb})")
    (fold,) = result["recipes"][0]["folds"]
    assert fold["n_test"] == len(data.paths)
    assert (out / "comparison.png").is_file()


def _corpus_with_a_silent_clip(root):
    import soundfile as sf

    make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=2,
        emotions=("neutral", "happy", "sad", "angry"),
        duration=1.5,
        random_state=0,
        output_dir=root,
    )
    silent = root / "Actor_05/03-01-03-01-01-01-05.wav"
    silent.parent.mkdir()
    sf.write(silent, np.zeros(48000), 24000)  # 2 s of silence
    return silent


@pytest.mark.slow
def test_a_silent_clip_is_named_before_any_fit(capsys, tmp_path):
    silent = _corpus_with_a_silent_clip(tmp_path / "corpus")
    out = tmp_path / "out"
    argv = ["benchmark", "--dataset", "ravdess", "--root", str(tmp_path / "corpus")]
    argv += ["--folds", "2", "--recipes", "svm,cnn_lstm", "--epochs", "1"]
    _one_line_error(
        capsys,
        [*argv, "--out", str(out), "--quiet"],
        "error: Recipe 'cnn_lstm' adds noise relative to each training clip's "
        "level (AWGNAugmenter), but 1 clip(s) are silent once loaded (all samples "
        f"0): {silent}. Remove them from the corpus, or choose a recipe without "
        f"augmentation (all 1 listed in {out}/bad_audio.txt)",
    )
    # Every recipe's features are checked before the first fit: nothing ran.
    assert not (out / "results.json").exists()


def test_train_names_a_silent_clip_of_an_augmenting_recipe(capsys, tmp_path):
    silent = _corpus_with_a_silent_clip(tmp_path / "corpus")
    argv = ["train", "--recipe", "cnn_lstm", "--epochs", "1", "--dataset", "ravdess"]
    argv += ["--root", str(tmp_path / "corpus"), "--out", str(tmp_path / "m.sser")]
    _one_line_error(
        capsys,
        argv,
        f"error: {silent} is silent once loaded (all samples 0), and recipe "
        "'cnn_lstm' adds noise relative to each clip's level (AWGNAugmenter)",
    )


@pytest.mark.slow
def test_finished_recipes_are_saved_when_a_later_one_fails(
    monkeypatch, corpus_dir, tmp_path
):
    from sklearn_ser.classifiers import StackedLSTMClassifier

    def fail(self, X, y, groups=None):
        raise RuntimeError("the deep fit broke")

    monkeypatch.setattr(StackedLSTMClassifier, "fit", fail)
    out = tmp_path / "out"
    argv = ["benchmark", "--dataset", "ravdess", "--root", str(corpus_dir)]
    argv += ["--folds", "2", "--recipes", "svm,stacked_lstm", "--out", str(out)]
    with pytest.raises(RuntimeError, match="the deep fit broke"):
        main([*argv, "--quiet"])
    saved = json.loads((out / "results.json").read_text())
    assert [recipe["recipe"] for recipe in saved["recipes"]] == ["svm"]


def test_benchmark_speaker_norm_labels_every_number_transductive(
    capsys, corpus_dir, tmp_path
):
    out = tmp_path / "norm"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "svm",
        "--folds",
        "2",
        "--speaker-norm",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "| svm (transductive) |" in printed and "TRANSDUCTIVE" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["transductive"] is True
    assert "TRANSDUCTIVE" in results["protocol"]["description"]
    assert "| svm (transductive) |" in (out / "results.md").read_text()


def test_speaker_norm_needs_speaker_ids(capsys, tmp_path):
    for label in ("happy", "sad"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.wav").write_bytes(b"")
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--protocol",
            "random-kfold",
            "--speaker-norm",
            "--dataset",
            "folder",
            "--root",
            str(tmp_path),
        ],
        "--speaker-norm needs speaker ids, and the folder corpus has none",
    )


def test_speaker_norm_refuses_a_tuned_recipe_that_augments_waveforms(capsys):
    _one_line_error(
        capsys,
        ["benchmark", "--recipes", "cnn_lstm", "--tune", "--speaker-norm"],
        "Recipe 'cnn_lstm' is tuned and computes its features inside the search",
    )
