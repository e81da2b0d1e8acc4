"""The command lines of the README and the user guide run as written.

Each ``sklearn-ser`` command in a ``bash`` block of README.md and the docs'
pages runs against small corpora generated here, laid out as the real ones
are distributed and with their known quirks: TESS's ``OA_bite_neutral.wav``
and folder spellings, RAVDESS's song, stereo and audio-visual files, a SAVEE
speaker recorded far quieter than the others, a folder corpus with
capitalised labels. Only the recipes are swapped for ``svm`` (``--recipes
svm`` appended, which the command line lets win), so that each command runs
in seconds; commands that need a Dask cluster or worker processes are left to
their own tests.
"""

import shlex
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PAGES += sorted((REPO / "docs" / "user_guide").glob("*.md"))
# Generated, or history: their commands are not instructions.
PAGES = [p for p in PAGES if p.name not in ("reproduction.md", "changelog.md")]
# Commands left to their own tests (a cluster, worker processes, a pretrained
# checkpoint: tests/test_cli_encoder.py).
SKIPPED_OPTIONS = ("--dask", "--scheduler", "--fit-jobs", "--jobs", "--encoder")


def documented_commands() -> list[tuple[str, list[str]]]:
    """``(page:line, argv)`` of every sklearn-ser command in a bash block."""
    commands = []
    for page in PAGES:
        lines = page.read_text().splitlines()
        fence = None
        number = 0
        while number < len(lines):
            line = lines[number].strip()
            number += 1
            if line.startswith("```"):
                fence = None if fence else line[3:].strip() or "text"
                continue
            if fence not in ("bash", "console", "sh") or not line.startswith(
                "sklearn-ser "
            ):
                continue
            where = f"{page.relative_to(REPO)}:{number}"
            while line.endswith("\\"):
                line = line[:-1] + " " + lines[number].strip()
                number += 1
            argv = shlex.split(line, comments=True)[1:]
            if ">" in argv:  # the shell's redirection of stdout, not an option
                argv = argv[: argv.index(">")]
            if not any(option in argv for option in SKIPPED_OPTIONS):
                commands.append((where, argv))
    return commands


COMMANDS = documented_commands()


def _clip(path: Path, freq: float, *, sr=16000, amplitude=0.2, stereo=False):
    t = np.arange(sr) / sr  # 1 s: longer than the recipes' 0.5 s offset
    rng = np.random.default_rng(abs(hash(path.name)) % 2**32)
    y = amplitude * np.sin(2 * np.pi * freq * t) + 0.01 * rng.normal(size=t.size)
    if stereo:
        y = np.stack([y, 0.9 * y], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sr)


def _tone(index: int) -> float:
    return 180.0 + 90.0 * index


def _ravdess(root: Path) -> None:
    for actor in range(1, 7):
        folder = root / f"Actor_{actor:02d}"
        for emotion in range(1, 9):
            name = f"03-01-{emotion:02d}-01-01-01-{actor:02d}.wav"
            _clip(folder / name, _tone(emotion), stereo=actor == 3)
        for emotion in (1, 2, 3, 4, 5, 6):  # song: no disgust, no surprised
            name = f"03-02-{emotion:02d}-01-01-01-{actor:02d}.wav"
            _clip(folder / name, _tone(emotion))
        (folder / f"01-01-01-01-01-01-{actor:02d}.mp4").touch()  # audio-visual


def _tess(root: Path) -> None:
    root = root / "TESS Toronto emotional speech set data"
    folders = {
        "angry": "angry",
        "disgust": "disgust",
        "fear": "Fear",
        "happy": "happy",
        "neutral": "neutral",
        "ps": "pleasant_surprised",
        "sad": "Sad",
    }
    for speaker in ("OAF", "YAF"):
        for k, (emotion, folder) in enumerate(folders.items()):
            for word in ("back", "bar", "base", "bath", "bean", "beg"):
                name = f"{speaker}_{word}_{emotion}.wav"
                _clip(root / f"{speaker}_{folder}" / name, _tone(k), sr=24414)
    # The one misnamed clip of TESS as distributed.
    _clip(root / "OAF_neutral" / "OA_bite_neutral.wav", _tone(4), sr=24414)


def _savee(root: Path) -> None:
    codes = ("a", "d", "f", "h", "n", "sa", "su")
    for speaker in ("DC", "JE", "JK", "KL"):
        # JK recorded about 20 dB quieter, as one SAVEE speaker is.
        amplitude = 0.02 if speaker == "JK" else 0.2
        for k, code in enumerate(codes):
            for number in (1, 2):
                path = root / "AudioData" / speaker / f"{code}{number:02d}.wav"
                _clip(path, _tone(k), amplitude=amplitude)


def _emodb(root: Path) -> None:
    for speaker in ("03", "08", "09", "10", "11"):
        for k, letter in enumerate("WLEAFTN"):
            _clip(root / "wav" / f"{speaker}a01{letter}a.wav", _tone(k))


def _cremad(root: Path) -> None:
    for actor in (1001, 1002, 1003, 1004):
        for k, emotion in enumerate(("ANG", "DIS", "FEA", "HAP", "NEU", "SAD")):
            path = root / "AudioWAV" / f"{actor}_DFA_{emotion}_XX.wav"
            _clip(path, _tone(k))


def _folder(root: Path) -> None:
    # Label folders spelt as users spell them.
    for k, label in enumerate(("Angry", "happiness", "Sad")):
        for speaker in range(1, 5):
            for n in (1, 2):
                _clip(root / label / f"spk{speaker}_{n:02d}.wav", _tone(k))


def _flat(root: Path) -> None:
    for k, label in enumerate(("angry", "happy", "sad")):
        for speaker in ("DC", "JE", "JK", "KL"):
            for n in (1, 2):
                _clip(root / f"{speaker}_{label}{n:02d}.wav", _tone(k))


def _urdu(root: Path) -> None:
    for k, label in enumerate(("Angry", "Happy", "Neutral", "Sad")):
        for speaker in ("SM1", "SF2", "SM3", "SF4"):
            for n in (1, 2):
                name = f"{speaker}_F{n}_{label[0]}{n:02d}.wav"
                _clip(root / label / name, _tone(k))


CORPORA = {
    "path/to/RAVDESS": _ravdess,
    "path/to/ravdess": _ravdess,
    "path/to/TESS": _tess,
    "path/to/SAVEE": _savee,
    "path/to/emodb": _emodb,
    "path/to/CREMA-D": _cremad,
    "path/to/corpus": _folder,
    "path/to/flat": _flat,
    "path/to/urdu": _urdu,
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """The corpora at the documented paths, and files the commands name."""
    root = tmp_path_factory.mktemp("documented")
    for path, make in CORPORA.items():
        make(root / path)
    (root / "labels.json").write_text('{"Angry": "angry", "Happy": "happy"}')
    _clip(root / "clip1.wav", _tone(0))
    _clip(root / "clip2.flac", _tone(2))
    _clip(root / "clip2.wav", _tone(2))
    # A long recording: tones with pauses between them.
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    parts = [0.2 * np.sin(2 * np.pi * _tone(k % 3) * t) for k in range(6)]
    pauses = [0.001 * rng.normal(size=8000) for _ in parts]
    pairs = zip(parts, pauses, strict=True)
    session = np.concatenate([x for pair in pairs for x in pair])
    sf.write(root / "session.flac", session, 16000)
    sf.write(root / "long.wav", session, 16000)
    return root


def test_the_pages_document_the_corpora_commands():
    pages_and_datasets = {
        (where.split(":")[0], argv[argv.index("--dataset") + 1])
        for where, argv in COMMANDS
        if "--dataset" in argv
    }
    datasets = {dataset for _, dataset in pages_and_datasets}
    assert datasets == {"ravdess", "tess", "savee", "emodb", "cremad", "folder"}
    assert ("README.md", "tess") in pages_and_datasets
    assert ("docs/user_guide/corpora.md", "tess") in pages_and_datasets
    assert any("--test-dataset" in argv for _, argv in COMMANDS)


@pytest.mark.parametrize(
    ("where", "argv"), COMMANDS, ids=[where for where, _ in COMMANDS]
)
def test_documented_command_runs_as_written(where, argv, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    command = argv[0]
    if command == "benchmark":
        argv = [*argv, "--recipes", "svm", "--quiet"]
        if "--out" not in argv:
            argv += ["--out", f"results-{where.replace('/', '_')}"]
    if command == "train" and "--recipe" in argv:
        argv[argv.index("--recipe") + 1] = "svm"
    if command == "predict":
        model = Path(argv[argv.index("--model") + 1])
        if not model.exists():  # trained by the documented train command
            assert main(["train", "--recipe", "svm", "--out", str(model)]) == 0
            capsys.readouterr()
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 0, f"{where}: sklearn-ser {shlex.join(argv)}\n{captured.err}"
    if command == "benchmark":
        assert "| svm " in captured.out  # "svm (transductive)" with --speaker-norm
    # Warnings, if any, are single lines of the command, never raw ones.
    assert "Traceback" not in captured.err
    assert "Warning:" not in captured.err, captured.err
