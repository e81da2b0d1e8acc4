import os
import pickle
import re
import subprocess
import sys
import threading
from math import ceil
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf
from _audio_files import tone, write_audio
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.audio import DEFAULT_SR, AudioLoader, AudioLoadError, load_audio


@pytest.fixture
def source(rng) -> np.ndarray:
    """One second at 16 kHz: a tone plus noise, within [-1, 1)."""
    return tone(440, 16000, 1.0) + 0.1 * rng.uniform(-1, 1, 16000)


# Tolerances are a little above half a quantisation step of each format.
@pytest.mark.parametrize(
    "name, format, subtype, atol",
    [
        ("u8.wav", "WAV", "PCM_U8", 2**-7),
        ("s16.wav", "WAV", "PCM_16", 2**-15),
        ("s24.wav", "WAV", "PCM_24", 2**-23),
        ("s32.wav", "WAV", "PCM_32", 1e-7),
        ("f32.wav", "WAV", "FLOAT", 1e-7),
        ("f64.wav", "WAV", "DOUBLE", 1e-7),
        ("s16.flac", "FLAC", "PCM_16", 2**-15),
        ("s24.flac", "FLAC", "PCM_24", 2**-23),
        ("s16.aiff", "AIFF", "PCM_16", 2**-15),
    ],
)
def test_lossless_formats_load_source_values(
    tmp_path, source, name, format, subtype, atol
):
    path = write_audio(tmp_path / name, source, 16000, format=format, subtype=subtype)

    waveforms = load_audio([path], sr=16000, duration=1.0)

    assert waveforms.shape == (1, 16000)
    assert waveforms.dtype == np.float32
    np.testing.assert_allclose(waveforms[0], source, rtol=0, atol=atol)


def dominant_frequency(signal: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size)))
    return float(np.fft.rfftfreq(signal.size, 1 / sr)[spectrum.argmax()])


def test_ogg_vorbis_is_close_to_source(tmp_path):
    source = tone(440, 16000, 1.0)
    path = write_audio(tmp_path / "clip.ogg", source, 16000, format="OGG")

    waveforms = load_audio([path], sr=16000, duration=1.0)

    assert waveforms.shape == (1, 16000)
    assert waveforms.dtype == np.float32
    assert dominant_frequency(waveforms[0], 16000) == 440.0
    assert np.corrcoef(waveforms[0], source)[0, 1] > 0.99


def test_stereo_is_averaged_to_mono(tmp_path, source):
    right = -0.5 * source
    path = write_audio(
        tmp_path / "stereo.wav",
        np.stack([source, right], axis=1),
        16000,
        subtype="FLOAT",
    )

    waveforms = load_audio([path], sr=16000, duration=1.0)

    np.testing.assert_allclose(waveforms[0], 0.25 * source, rtol=0, atol=1e-7)


@pytest.mark.parametrize("native_sr", [8000, 22050, 24414, 44100, 48000])
def test_resampling_preserves_a_tone(tmp_path, native_sr):
    path = write_audio(tmp_path / "tone.wav", tone(1000, native_sr, 2.0), native_sr)

    waveforms = load_audio([path], sr=16000, duration=1.0)

    assert waveforms.shape == (1, 16000)
    assert waveforms.dtype == np.float32
    assert dominant_frequency(waveforms[0], 16000) == 1000.0
    # The window's end is resampled with the file's continuation, so it
    # matches resampling the whole file and then cutting.
    full, _ = sf.read(path, dtype="float32")
    expected = librosa.resample(full, orig_sr=native_sr, target_sr=16000)[:16000]
    np.testing.assert_allclose(waveforms[0], expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "res_type",
    ["soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq", "polyphase", "fft"],
)
@pytest.mark.parametrize("native_sr", [22050, 48000])
def test_res_type_matches_librosa(tmp_path, res_type, native_sr):
    rng = np.random.default_rng(0)
    signal = tone(1000, native_sr, 1.0) + 0.1 * rng.standard_normal(native_sr)
    path = write_audio(tmp_path / "x.wav", signal, native_sr, subtype="FLOAT")

    waveforms = load_audio([path], duration=0.5, res_type=res_type)

    native = signal[: ceil((0.5 + 0.02) * native_sr)].astype(np.float32)
    expected = librosa.resample(
        native, orig_sr=native_sr, target_sr=16000, res_type=res_type, fix=False
    )[:8000]
    if res_type.startswith("soxr"):
        # soxr is called directly with librosa's quality string: same samples.
        np.testing.assert_array_equal(waveforms[0], expected)
    else:
        np.testing.assert_allclose(waveforms[0], expected, rtol=0, atol=1e-6)


def test_first_resampled_clip_does_not_import_librosa_core(tmp_path):
    """soxr is called directly: loading never pays for librosa's core imports."""
    path = write_audio(tmp_path / "x.wav", tone(440, 48000, 0.5), 48000)
    code = (
        "import sys; from sklearn_ser.audio import load_audio; "
        f"assert load_audio([{str(path)!r}], duration=0.5).shape == (1, 8000); "
        "print('librosa.core' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.fixture
def ramp_path(tmp_path) -> Path:
    """One second at 1 kHz whose sample i holds (i + 1) / 1000: positions show."""
    ramp = np.arange(1, 1001) / 1000
    return write_audio(tmp_path / "ramp.wav", ramp, 1000, subtype="FLOAT")


def test_offset_and_duration_crop_in_native_samples(ramp_path):
    waveforms = load_audio([ramp_path], sr=1000, offset=0.25, duration=0.5)

    np.testing.assert_array_equal(
        waveforms[0], np.arange(251, 751, dtype=np.float32) / 1000
    )


def test_clip_ending_early_is_zero_padded_at_the_end(ramp_path):
    waveforms = load_audio([ramp_path], sr=1000, offset=0.75, duration=0.5)

    expected = np.zeros(500, dtype=np.float32)
    expected[:250] = np.arange(751, 1001) / 1000
    np.testing.assert_array_equal(waveforms[0], expected)


def test_n_samples_is_duration_times_sr_rounded(ramp_path):
    assert load_audio([ramp_path], sr=1000, duration=0.1234).shape == (1, 123)
    assert load_audio([ramp_path], sr=1000, duration=0.1236).shape == (1, 124)


@pytest.mark.parametrize("format", ["AIFF", "FLAC", "OGG"])
def test_container_is_detected_from_content_not_extension(tmp_path, format):
    signal = tone(440, 16000, 0.5)
    real = write_audio(
        tmp_path / f"real.{format.lower()}", signal, 16000, format=format
    )
    disguised = write_audio(tmp_path / "disguised.wav", signal, 16000, format=format)
    assert sf.info(disguised).format == format

    waveforms = load_audio([real, disguised], duration=0.5)

    np.testing.assert_array_equal(waveforms[1], waveforms[0])


def test_wav_named_flac_loads(tmp_path, source):
    path = write_audio(
        tmp_path / "clip.flac", source, 16000, format="WAV", subtype="FLOAT"
    )

    waveforms = load_audio([path], duration=1.0)

    np.testing.assert_allclose(waveforms[0], source, rtol=0, atol=1e-7)


@pytest.fixture
def mixed_paths(tmp_path, rng) -> list[Path]:
    """Six files with different rates, channels and lengths."""
    paths = []
    for i, (sr, channels) in enumerate(
        [(8000, 1), (16000, 2), (22050, 1), (44100, 2), (48000, 1), (24414, 1)]
    ):
        noise = 0.1 * rng.standard_normal((round((0.3 + 0.1 * i) * sr), channels))
        paths.append(write_audio(tmp_path / f"clip{i}.flac", noise, sr))
    return paths


def test_n_jobs_gives_identical_output(mixed_paths):
    sequential = load_audio(mixed_paths, duration=0.5, n_jobs=1)
    parallel = load_audio(mixed_paths, duration=0.5, n_jobs=2)

    assert sequential.shape == (6, 8000)
    assert (sequential[:2, 6400:] == 0).all()  # clips 0 and 1 end early
    np.testing.assert_array_equal(parallel, sequential)


@pytest.mark.parametrize(
    "container", [list, tuple, lambda paths: np.array(paths, dtype=object)]
)
def test_path_sequence_types(mixed_paths, container):
    expected = load_audio(mixed_paths, duration=0.2)

    np.testing.assert_array_equal(
        load_audio(container(mixed_paths), duration=0.2), expected
    )
    strings = np.array([str(path) for path in mixed_paths])  # numpy str dtype
    np.testing.assert_array_equal(load_audio(strings, duration=0.2), expected)


def test_pandas_series_of_paths(mixed_paths):
    pd = pytest.importorskip("pandas")
    series = pd.Series([str(path) for path in mixed_paths], index=range(10, 16))

    np.testing.assert_array_equal(
        load_audio(series, duration=0.2), load_audio(mixed_paths, duration=0.2)
    )


@pytest.fixture
def bad_files(tmp_path) -> dict[str, tuple[Path, str]]:
    """A file for each failure, with the reason AudioLoadError gives for it."""
    good = write_audio(tmp_path / "good.wav", tone(440, 16000, 0.5), 16000)
    (tmp_path / "garbage.wav").write_bytes(b"RIFF this is not audio" * 10)
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "folder.wav").mkdir()
    flac = write_audio(tmp_path / "whole.flac", tone(440, 16000, 1.0), 16000)
    (tmp_path / "truncated.flac").write_bytes(flac.read_bytes()[:5000])
    write_audio(tmp_path / "no_frames.wav", np.zeros(0), 16000)
    nan = tone(440, 16000, 0.5)
    nan[4000] = np.nan  # inside the 0.2-0.4 s window the tests load
    write_audio(tmp_path / "nan.wav", nan, 16000, subtype="FLOAT")
    inf = tone(440, 16000, 0.5)
    inf[6000] = -np.inf
    write_audio(tmp_path / "inf.wav", inf, 16000, subtype="DOUBLE")
    write_audio(tmp_path / "short.wav", tone(440, 16000, 0.1), 16000)
    # A 2 s header with 31 ms of samples (an interrupted copy): libsndfile
    # would report 500 frames and the clip would be zero-padded.
    cut = write_audio(tmp_path / "cut.wav", tone(440, 16000, 2.0), 16000)
    cut.write_bytes(cut.read_bytes()[: 44 + 1000])
    return {
        "good": (good, ""),
        "missing": (tmp_path / "missing.wav", "file not found"),
        "garbage": (
            tmp_path / "garbage.wav",
            "unreadable or corrupt audio file (Format not recognised.)",
        ),
        "empty": (tmp_path / "empty.wav", "file is empty (0 bytes)"),
        "folder": (tmp_path / "folder.wav", "is a directory, not an audio file"),
        "truncated": (
            tmp_path / "truncated.flac",
            "unreadable or corrupt audio file (Error : flac decoder lost sync.)",
        ),
        "no_frames": (
            tmp_path / "no_frames.wav",
            "contains no audio samples (zero length)",
        ),
        "nan": (tmp_path / "nan.wav", "contains NaN or infinite samples"),
        "inf": (tmp_path / "inf.wav", "contains NaN or infinite samples"),
        "short": (
            tmp_path / "short.wav",
            "offset=0.2 s is at or beyond the end of the clip (0.100 s long)",
        ),
        "cut": (
            tmp_path / "cut.wav",
            "is truncated: its WAV header promises 64000 bytes of audio but the "
            "file holds 1000 (1.6%); re-copy or re-export it",
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "missing",
        "garbage",
        "empty",
        "folder",
        "truncated",
        "no_frames",
        "nan",
        "inf",
        "short",
        "cut",
    ],
)
def test_bad_file_raises_with_path_and_reason(bad_files, kind):
    path, reason = bad_files[kind]

    with pytest.raises(AudioLoadError) as info:
        load_audio([bad_files["good"][0], path], offset=0.2, duration=0.2)

    assert str(info.value) == f"1 audio file could not be loaded:\n  {path}: {reason}"
    assert info.value.errors == [(str(path), reason)]
    assert isinstance(info.value, ValueError)


def test_non_finite_samples_outside_the_window_are_not_read(tmp_path):
    signal = tone(440, 16000, 1.0)
    signal[12000] = np.nan
    path = write_audio(tmp_path / "late_nan.wav", signal, 16000, subtype="FLOAT")

    waveforms = load_audio([path], duration=0.5)

    np.testing.assert_allclose(waveforms[0], signal[:8000], rtol=0, atol=1e-7)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_fifo_and_device_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    device = tmp_path / "zero.wav"
    device.symlink_to("/dev/zero")
    outcome = {}

    def load():
        try:
            load_audio([fifo, device])
        except AudioLoadError as exc:
            outcome["errors"] = exc.errors

    # Opening a FIFO blocks until a writer appears: run the call in a thread
    # so that a regression fails the test instead of hanging it.
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "load_audio blocked on a FIFO"
    assert outcome["errors"] == [
        (
            str(fifo),
            "is a FIFO (named pipe), not a regular file; only regular files are read",
        ),
        (str(device), "is a device, not a regular file; only regular files are read"),
    ]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_all_bad_files_are_reported_at_once(bad_files, n_jobs):
    paths = [path for path, _ in bad_files.values()]
    expected = [(str(path), reason) for path, reason in list(bad_files.values())[1:]]

    with pytest.raises(AudioLoadError) as info:
        load_audio(paths, offset=0.2, duration=0.2, n_jobs=n_jobs)

    assert info.value.errors == expected
    lines = [f"  {path}: {reason}" for path, reason in expected]
    assert str(info.value) == "\n".join(["10 audio files could not be loaded:", *lines])


def test_long_error_list_is_truncated_in_message_only(tmp_path):
    paths = [tmp_path / f"missing{i:02d}.wav" for i in range(25)]

    with pytest.raises(AudioLoadError) as info:
        load_audio(paths)

    message = str(info.value).splitlines()
    assert message[0] == "25 audio files could not be loaded:"
    assert message[1:21] == [f"  {path}: file not found" for path in paths[:20]]
    assert message[21:] == ["  ... and 5 more (all listed in the `errors` attribute)"]
    assert info.value.errors == [(str(path), "file not found") for path in paths]


def test_audio_load_error_pickles_with_its_errors():
    error = AudioLoadError([("a.wav", "file not found"), ("b.wav", "file is empty")])

    restored = pickle.loads(pickle.dumps(error))

    assert restored.errors == error.errors
    assert str(restored) == str(error)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"sr": 0}, "The 'sr' parameter of {} must be an int in the range [1, inf)"),
        ({"sr": 16000.0}, "The 'sr' parameter of {} must be an int"),
        (
            {"duration": 0},
            "The 'duration' parameter of {} must be a float in the range (0.0, inf)",
        ),
        (
            {"duration": -1.0},
            "The 'duration' parameter of {} must be a float in the range (0.0, inf)",
        ),
        (
            {"offset": -0.1},
            "The 'offset' parameter of {} must be a float in the range [0.0, inf)",
        ),
        (
            {"res_type": "kaiser_best"},
            "The 'res_type' parameter of {} must be a str among",
        ),
        (
            {"n_jobs": "2"},
            "The 'n_jobs' parameter of {} must be an instance of 'int' or None",
        ),
    ],
)
def test_bad_parameters_are_named(ramp_path, params, expected):
    with pytest.raises(
        InvalidParameterError, match=re.escape(expected.format("load_audio"))
    ):
        load_audio([ramp_path], **params)
    match = re.escape(expected.format("AudioLoader"))
    with pytest.raises(InvalidParameterError, match=match):
        AudioLoader(**params).fit([ramp_path])
    with pytest.raises(InvalidParameterError, match=match):
        AudioLoader(**params).transform([ramp_path])


def test_duration_shorter_than_one_sample_is_rejected(ramp_path):
    expected = (
        "duration=0.0001 s at sr=1000 Hz gives no sample; "
        "expected duration >= 0.0005 s."
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        load_audio([ramp_path], sr=1000, duration=1e-4)


@pytest.mark.parametrize(
    "paths, error, match",
    [
        ("clip.wav", ValueError, "got the single path 'clip.wav'; wrap it in a list."),
        (Path("clip.wav"), ValueError, "got the single path PosixPath('clip.wav')"),
        ([["a.wav"], ["b.wav"]], ValueError, "got an array of shape (2, 1)."),
        (np.zeros((3, 4)), ValueError, "got an array of shape (3, 4)."),
        ([], ValueError, "paths is empty: expected at least one file path."),
        (["a.wav", None], TypeError, "got NoneType None at index 1."),
        (np.zeros(3), TypeError, "got float 0.0 at index 0."),
    ],
)
def test_bad_paths_are_rejected(paths, error, match):
    with pytest.raises(error, match=re.escape(match)):
        load_audio(paths)
    with pytest.raises(error, match=re.escape(match)):
        AudioLoader().fit(paths)
    with pytest.raises(error, match=re.escape(match)):
        AudioLoader().transform(paths)


def test_loader_matches_load_audio(mixed_paths):
    params = {"sr": 8000, "offset": 0.1, "duration": 0.4, "res_type": "soxr_mq"}
    loader = AudioLoader(**params)

    assert loader.fit(mixed_paths) is loader
    np.testing.assert_array_equal(
        loader.transform(mixed_paths), load_audio(mixed_paths, **params)
    )


def test_loader_is_stateless(tmp_path, mixed_paths):
    loader = AudioLoader(duration=0.2)

    assert loader.fit([tmp_path / "not_opened.wav"]) is loader
    assert vars(loader) == vars(AudioLoader(duration=0.2))
    # No fit needed before transform.
    assert AudioLoader(duration=0.2).transform(mixed_paths).shape == (6, 3200)


def test_loader_defaults():
    assert AudioLoader().get_params() == {
        "duration": 3.0,
        "n_jobs": None,
        "normalize": None,
        "offset": 0.0,
        "res_type": "soxr_hq",
        "sr": DEFAULT_SR,
    }


def test_loader_tags():
    tags = get_tags(AudioLoader())

    assert tags.requires_fit is False
    assert tags.input_tags.one_d_array is True
    assert tags.input_tags.two_d_array is False
    assert tags.input_tags.string is True
    assert tags.transformer_tags.preserves_dtype == []


def test_loader_clone_and_pickle(mixed_paths):
    loader = AudioLoader(sr=8000, duration=0.25, n_jobs=2)
    expected = loader.transform(mixed_paths)

    cloned = clone(loader).set_params(n_jobs=1)
    restored = pickle.loads(pickle.dumps(loader))

    assert cloned.get_params()["sr"] == 8000 and loader.n_jobs == 2
    np.testing.assert_array_equal(cloned.transform(mixed_paths), expected)
    np.testing.assert_array_equal(restored.transform(mixed_paths), expected)


def test_loader_in_pipeline(mixed_paths):
    rms = FunctionTransformer(
        lambda waveforms: np.sqrt((waveforms**2).mean(axis=1, keepdims=True))
    )
    pipeline = make_pipeline(AudioLoader(duration=0.3), rms)

    features = pipeline.fit_transform(mixed_paths)

    waveforms = load_audio(mixed_paths, duration=0.3)
    np.testing.assert_allclose(
        features, np.sqrt((waveforms**2).mean(axis=1, keepdims=True))
    )
    assert features.shape == (6, 1)


@pytest.mark.real_data
@pytest.mark.slow
def test_ravdess_loads(ravdess_root):
    paths = sorted(ravdess_root.rglob("*.flac"))
    assert len(paths) == 720

    waveforms = AudioLoader(sr=16000, offset=0.5, duration=3.0, n_jobs=2).transform(
        paths
    )

    assert waveforms.shape == (720, 48000)
    assert waveforms.dtype == np.float32
    assert np.isfinite(waveforms).all()
    assert (np.abs(waveforms).max(axis=1) > 0.001).all()  # none silent


@pytest.mark.real_data
def test_tess_loads(tess_root):
    paths = sorted(tess_root.rglob("*.wav"))
    assert len(paths) == 280

    waveforms = AudioLoader(sr=16000, offset=0.5, duration=3.0, n_jobs=2).transform(
        paths
    )

    assert waveforms.shape == (280, 48000)
    assert waveforms.dtype == np.float32
    assert np.isfinite(waveforms).all()
    assert (np.abs(waveforms).max(axis=1) > 0.001).all()  # none silent
    # TESS clips are 1.4-2.9 s long, so every row ends in padding.
    assert (waveforms[:, -1] == 0).all()


@pytest.mark.parametrize(("normalize", "target"), [("rms", 0.1), ("peak", 1.0)])
def test_normalize_scales_each_clip_to_one_level(tmp_path, normalize, target):
    quiet = write_audio(tmp_path / "quiet.wav", tone(220, 8000, 1.0, 0.01), 8000)
    loud = write_audio(tmp_path / "loud.wav", tone(330, 8000, 0.5, 0.6), 8000)
    plain = load_audio([quiet, loud], sr=8000, duration=1.0)
    waveforms = AudioLoader(sr=8000, duration=1.0, normalize=normalize).transform(
        [quiet, loud]
    )
    # The level of the window read (the loud clip's first half second), not
    # of its padding, which stays zero.
    read = [waveforms[0], waveforms[1, :4000]]
    if normalize == "rms":
        levels = [np.sqrt(np.mean(w.astype(np.float64) ** 2)) for w in read]
    else:
        levels = [np.abs(w).max() for w in read]
    np.testing.assert_allclose(levels, target, rtol=1e-5)
    assert not waveforms[1, 4000:].any()
    # Each clip is only scaled: its shape over time is unchanged.
    for row in range(2):
        ratio = waveforms[row][plain[row] != 0] / plain[row][plain[row] != 0]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)


def test_normalize_leaves_a_silent_clip_silent(tmp_path):
    silent = write_audio(tmp_path / "silent.wav", np.zeros(800), 8000)
    waveforms = load_audio([silent], sr=8000, duration=0.1, normalize="rms")
    assert waveforms.dtype == np.float32 and not waveforms.any()


def test_normalize_rejects_an_unknown_mode(ramp_path):
    with pytest.raises(InvalidParameterError, match="'normalize' parameter"):
        AudioLoader(normalize="lufs").fit([ramp_path])
