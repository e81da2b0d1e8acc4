"""Segment predictions over long recordings (sklearn_ser.segments)."""

import sys

import numpy as np
import pytest
import soundfile as sf
import soxr
from sklearn.exceptions import NotFittedError

from sklearn_ser.audio import AudioLoadError, normalize_level
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.recipes import make_recipe
from sklearn_ser.segments import (
    EnergyVAD,
    Segment,
    SegmentReadError,
    SileroVAD,
    Timeline,
    VoiceActivityDetector,
    plot_timeline,
    predict_segments,
    stream_segments,
)

EMOTIONS = ["angry", "happy", "neutral", "sad"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return make_emotional_speech(
        n_speakers=2,
        n_clips_per_emotion=3,
        emotions=EMOTIONS,
        duration=1.0,
        random_state=0,
        output_dir=folder,
    )


@pytest.fixture(scope="module")
def model(corpus):
    """An svm on 1 s clips at 16 kHz, read from the start of each clip."""
    pipe = make_recipe("svm", offset=0.0, duration=1.0, random_state=0)
    return pipe.fit(corpus.paths, corpus.target)


@pytest.fixture(scope="module")
def recording(corpus, tmp_path_factory):
    """Six clips with 0.3-0.7 s pauses of faint noise: 16 kHz mono WAV."""
    rng = np.random.default_rng(1)
    parts = []
    for clip in corpus.data[::4][:6]:
        parts.append(clip)
        pause = int(rng.uniform(0.3, 0.7) * corpus.sr)
        parts.append(1e-4 * rng.standard_normal(pause).astype(np.float32))
    path = tmp_path_factory.mktemp("rec") / "long.wav"
    sf.write(path, np.concatenate(parts), corpus.sr, subtype="FLOAT")
    return path


def _windows(y, win, hop):
    """Every window the segmenter cuts from ``y``, zero-padded at the end."""
    starts = [0]
    while starts[-1] + win < len(y):
        starts.append(starts[-1] + hop)
    out = np.zeros((len(starts), win), dtype=np.float32)
    for row, start in enumerate(starts):
        piece = y[start : start + win]
        out[row, : len(piece)] = piece
    return np.array(starts), out


def test_segments_equal_the_pipeline_on_windows_cut_by_hand(model, recording):
    y, sr = sf.read(recording, dtype="float32")
    timeline = predict_segments(model, recording, vad=None, window=1.0, hop=0.4)
    starts, windows = _windows(y, 16000, 6400)
    np.testing.assert_allclose(timeline.start, starts / sr)
    np.testing.assert_allclose(timeline.end, np.minimum(starts + 16000, len(y)) / sr)
    expected = model[1:].predict_proba(windows)
    np.testing.assert_allclose(timeline.proba, expected, rtol=1e-6, atol=1e-9)
    assert list(timeline.labels) == list(model.classes_[expected.argmax(axis=1)])
    assert np.isnan(timeline.speech).all()
    assert timeline.classified.all()


def test_loader_level_normalisation_is_applied_to_each_window(corpus, recording):
    model = make_recipe("svm", offset=0.0, duration=1.0, random_state=0)
    model.set_params(load__normalize="rms").fit(corpus.paths, corpus.target)
    timeline = predict_segments(model, recording, vad=None, hop=0.5)
    y, _ = sf.read(recording, dtype="float32")
    starts, windows = _windows(y, 16000, 8000)
    for row, start in enumerate(starts):  # measured before padding, as a clip
        piece = y[start : start + 16000]
        windows[row, : len(piece)] = normalize_level(piece, "rms")
    np.testing.assert_allclose(
        timeline.proba, model[1:].predict_proba(windows), rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("vad", ["energy", None])
@pytest.mark.parametrize("block_duration", [0.4, 0.5, 0.731, 1000.0])
def test_same_segments_whether_read_whole_or_in_blocks(
    model, recording, vad, block_duration
):
    # A 0.5 s block puts every window (hop 0.5 s) on a block boundary; 0.4 s
    # and 0.731 s put them inside blocks; 1000 s reads the file whole.
    whole = predict_segments(model, recording, vad=vad, block_duration=1000.0)
    blocks = predict_segments(model, recording, vad=vad, block_duration=block_duration)
    np.testing.assert_array_equal(blocks.proba, whole.proba)
    np.testing.assert_array_equal(blocks.speech, whole.speech)
    np.testing.assert_array_equal(blocks.start, whole.start)
    assert blocks.speech_regions == whole.speech_regions


def test_batch_size_does_not_change_predictions(model, recording):
    one = predict_segments(model, recording, batch_size=1)
    many = predict_segments(model, recording, batch_size=64)
    np.testing.assert_allclose(one.proba, many.proba, rtol=1e-6, atol=1e-9)


def test_energy_vad_finds_the_clips_and_skips_the_pauses(model, corpus, tmp_path):
    # 2 s of faint noise, one 1 s clip, 2 s of noise: the window on the clip
    # is classified, those in the noise are not, speech lies in the clip.
    rng = np.random.default_rng(0)
    noise = 1e-4 * rng.standard_normal(32000).astype(np.float32)
    clip = corpus.data[0]
    path = tmp_path / "one.wav"
    sf.write(path, np.concatenate([noise, clip, noise]), corpus.sr, subtype="FLOAT")
    timeline = predict_segments(model, path, hop=0.5)
    assert timeline.labels[0] is None and timeline.labels[-1] is None
    assert np.isnan(timeline.proba[0]).all()
    inside = (timeline.start >= 2.0) & (timeline.end <= 3.0)
    outside = (timeline.end <= 2.0) | (timeline.start >= 3.0)
    assert timeline.classified[inside].all() and inside.any()
    assert not timeline.classified[outside].any() and outside.sum() >= 4
    assert timeline.speech_regions
    for start, end in timeline.speech_regions:
        assert 1.9 < start and end < 3.3


def test_model_at_another_sample_rate_resamples_the_file(model, recording, tmp_path):
    y, sr = sf.read(recording, dtype="float32")
    y44 = soxr.resample(y, sr, 44100).astype(np.float32)
    path = tmp_path / "44k_stereo.flac"
    sf.write(path, np.stack([y44, y44], axis=1), 44100, subtype="PCM_24")
    timeline = predict_segments(model, path, vad=None)
    back = soxr.resample(sf.read(path, dtype="float32")[0].mean(axis=1), 44100, sr)
    _, windows = _windows(back, 16000, 8000)
    np.testing.assert_allclose(
        timeline.proba, model[1:].predict_proba(windows), rtol=1e-5, atol=1e-7
    )


def test_file_shorter_than_a_window_gives_one_zero_padded_segment(
    model, corpus, tmp_path
):
    path = tmp_path / "short.wav"
    sf.write(path, corpus.data[3][:6000], corpus.sr, subtype="FLOAT")
    timeline = predict_segments(model, path, vad=None)
    assert len(timeline) == 1
    assert timeline[0].start == 0.0 and timeline[0].end == pytest.approx(0.375)
    # The same zero-padded clip as AudioLoader gives the model.
    np.testing.assert_allclose(
        timeline.proba, model.predict_proba([path]), rtol=1e-6, atol=1e-9
    )


def test_shorter_window_is_padded_to_the_models_clip(model, recording):
    timeline = predict_segments(model, recording, window=0.5, hop=0.5, vad=None)
    y, _ = sf.read(recording, dtype="float32")
    _, windows = _windows(y, 8000, 8000)
    padded = np.pad(windows, ((0, 0), (0, 8000)))
    np.testing.assert_allclose(
        timeline.proba, model[1:].predict_proba(padded), rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window": 0}, "window must be a number of seconds > 0; got 0"),
        ({"window": -1.0}, "window must be"),
        ({"window": float("nan")}, "window must be"),
        ({"hop": 0}, "hop must be a number of seconds > 0"),
        ({"window": 1.0, "hop": 1.5}, "hop=1.5 s is longer than window=1.0 s"),
        ({"window": "2"}, "window must be a number"),
        ({"window": 1e-6}, "at least one sample"),
        ({"min_speech": 1.5}, r"min_speech must be in \[0, 1\]"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"block_duration": 0}, "block_duration must be > 0"),
        ({"vad": "webrtc"}, "vad must be one of 'energy', 'silero'"),
    ],
)
def test_bad_parameters_are_named(model, recording, kwargs, match):
    with pytest.raises(ValueError, match=match):
        stream_segments(model, recording, **kwargs)


def test_bad_vad_object_and_model_are_refused(model, recording):
    with pytest.raises(TypeError, match="start.sr. and is_speech.frames."):
        predict_segments(model, recording, vad=object())
    with pytest.raises(TypeError, match="first step is an AudioLoader"):
        predict_segments(model[1:], recording)
    with pytest.raises(NotFittedError):
        predict_segments(make_recipe("svm"), recording)


@pytest.mark.parametrize(
    "content, reason",
    [(None, "file not found"), (b"", "file is empty"), (b"not audio", "corrupt")],
)
def test_unreadable_file_is_refused_before_reading(model, tmp_path, content, reason):
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioLoadError, match=reason) as info:
        stream_segments(model, path)
    assert info.value.errors[0][0] == str(path)


def test_corrupt_block_names_file_and_time_and_keeps_earlier_rows(
    model, corpus, tmp_path
):
    rng = np.random.default_rng(0)
    y = np.tile(corpus.data[0], 20)  # 20 s
    path = tmp_path / "damaged.flac"
    sf.write(path, y, corpus.sr)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    rows = []
    with pytest.raises(SegmentReadError) as info:
        for segment in stream_segments(model, path, block_duration=1.0):
            rows.append(segment)
    error = info.value
    assert error.path == str(path)
    assert 5.0 < error.time < 15.0
    assert str(path) in str(error) and f"at {error.time:.3f} s" in str(error)
    assert rows and rows[-1].end <= error.time
    assert all(row.label is not None for row in rows)
    # predict_segments keeps the same rows in the error's `partial`.
    with pytest.raises(SegmentReadError) as info:
        predict_segments(model, path, block_duration=1.0)
    partial = info.value.partial
    assert [s.start for s in partial] == [s.start for s in rows]
    assert partial.speech_regions and partial.speech_regions[-1][1] <= error.time


def test_truncated_wav_gives_its_rows_then_an_error(model, corpus, tmp_path):
    y = np.tile(corpus.data[0], 6)
    path = tmp_path / "cut.wav"
    sf.write(path, y, corpus.sr)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    rows = []
    with pytest.raises(SegmentReadError, match="truncated") as info:
        rows.extend(stream_segments(model, path, vad=None))
    assert info.value.time == pytest.approx(3.0, abs=0.01)
    assert rows and rows[-1].end == pytest.approx(3.0, abs=0.01)


def test_nan_samples_name_their_time(model, corpus, tmp_path):
    y = np.tile(corpus.data[0], 4)
    y[40000] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, y, corpus.sr, subtype="FLOAT")
    with pytest.raises(SegmentReadError, match="NaN or infinite") as info:
        predict_segments(model, path, vad=None)
    assert info.value.time == pytest.approx(2.5)
    assert info.value.partial.end.max() <= 2.5


def test_missing_vad_extra_is_one_line_saying_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "silero_vad", None)
    with pytest.raises(ImportError) as info:
        SileroVAD()
    message = str(info.value)
    assert "\n" not in message
    assert "pip install sklearn-ser[vad]" in message


def test_energy_vad_decisions_do_not_depend_on_how_frames_are_split():
    rng = np.random.default_rng(0)
    envelope = np.repeat(rng.choice([1e-4, 0.05], size=40), 40)
    frames = (envelope[:, None] * rng.standard_normal((1600, 480))).astype(np.float32)
    vad = EnergyVAD()
    assert vad.start(16000) == 480
    whole = vad.is_speech(frames)
    vad.start(16000)
    split = np.concatenate(
        [vad.is_speech(frames[a : a + 37]) for a in range(0, 1600, 37)]
    )
    np.testing.assert_array_equal(whole, split)
    assert 0.3 < whole.mean() < 0.7


def test_energy_vad_hangover_and_floor():
    vad = EnergyVAD(hangover=0.06, frame_duration=0.03)
    n = vad.start(1000)
    levels = np.array([1e-4] * 3 + [0.1] + [1e-4] * 4, dtype=np.float32)
    decisions = vad.is_speech(np.repeat(levels[:, None], n, axis=1))
    assert decisions.tolist() == [False] * 3 + [True] * 3 + [False] * 2
    # Below min_db nothing is speech, however far above the floor.
    vad = EnergyVAD(min_db=-30.0)
    n = vad.start(16000)
    quiet = np.full((4, n), 0.01, dtype=np.float32)  # -40 dBFS
    assert not vad.is_speech(quiet).any()
    with pytest.raises(ValueError, match="noise_window must be > 0"):
        EnergyVAD(noise_window=0)


def test_any_object_with_the_interface_is_a_vad(model, recording):
    class EverySecondFrame(VoiceActivityDetector):
        sr = 8000  # read at its own rate, not the model's

        def start(self, sr):
            assert sr == 8000
            self.count = 0
            return 80

        def is_speech(self, frames):
            index = self.count + np.arange(len(frames))
            self.count += len(frames)
            return index % 2 == 0

    timeline = predict_segments(model, recording, vad=EverySecondFrame())
    np.testing.assert_allclose(timeline.speech[:-1], 0.5)
    assert timeline.classified[:-1].all()


def test_silero_vad_is_block_independent_and_quiet_on_silence():
    pytest.importorskip("silero_vad")
    rng = np.random.default_rng(0)
    frames = (1e-4 * rng.standard_normal((60, 512))).astype(np.float32)
    vad = SileroVAD()
    assert vad.start(16000) == 512
    whole = vad.is_speech(frames)
    assert not whole.any()
    vad.start(16000)
    split = np.concatenate([vad.is_speech(frames[:25]), vad.is_speech(frames[25:])])
    np.testing.assert_array_equal(whole, split)
    with pytest.raises(ValueError, match="16000 Hz"):
        vad.start(8000)


def _timeline(labels, proba):
    segments = [
        Segment(i * 1.0, i * 1.0 + 2.0, 1.0, label, np.asarray(p, dtype=float))
        for i, (label, p) in enumerate(zip(labels, proba, strict=True))
    ]
    return Timeline(segments, ["a", "b"], [(0.0, 5.0)], 6.0, "x.wav")


def test_majority_smoothing_within_runs_of_classified_windows():
    nan = [np.nan, np.nan]
    labels = ["a", "b", "a", "a", None, "b", "a", "b"]
    proba = [[0.6, 0.4], [0.4, 0.6], [0.7, 0.3], [0.8, 0.2], nan]
    proba += [[0.1, 0.9], [0.6, 0.4], [0.3, 0.7]]
    timeline = _timeline(labels, proba)
    smoothed = timeline.smooth(3, "majority")
    # The lone "b" between "a"s flips; the unclassified window stays and
    # breaks the run, so the last run smooths on its own.
    assert list(smoothed.labels) == ["a", "a", "a", "a", None, "b", "b", "b"]
    np.testing.assert_array_equal(smoothed.proba, timeline.proba)
    assert list(timeline.labels) == labels  # unchanged
    assert list(timeline.smooth(1, "majority").labels) == labels


def test_median_smoothing_of_probabilities():
    labels = ["a", "b", "a"]
    proba = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]
    smoothed = _timeline(labels, proba).smooth(3, "median")
    # Centre: medians 0.7 and 0.3 -> "a"; ends: medians over 2 windows.
    np.testing.assert_allclose(smoothed.proba[1], [0.7, 0.3])
    np.testing.assert_allclose(smoothed.proba.sum(axis=1), 1.0)
    # Last window: medians over windows 2 and 3, 0.45 and 0.55 -> "b".
    assert list(smoothed.labels) == ["a", "a", "b"]
    with pytest.raises(ValueError, match="odd number"):
        _timeline(labels, proba).smooth(2)
    with pytest.raises(ValueError, match="method must be one of"):
        _timeline(labels, proba).smooth(3, "mean")


def test_timeline_csv_frame_and_rows(tmp_path):
    timeline = _timeline(["a", None], [[0.25, 0.75], [np.nan, np.nan]])
    path = tmp_path / "t.csv"
    timeline.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines == [
        "start,end,speech,label,a,b",
        "0.0,2.0,1.0,a,0.25,0.75",
        "1.0,3.0,1.0,,,",
    ]
    frame = timeline.to_frame()
    assert list(frame.columns) == ["start", "end", "speech", "label", "a", "b"]
    assert frame["label"].iloc[0] == "a" and frame["label"].isna().iloc[1]
    assert "2 segments over 6.0 s, 1 classified" in repr(timeline)


def test_plot_timeline_draws_every_class(model, recording):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    timeline = predict_segments(model, recording)
    ax = plot_timeline(timeline, truth=[(0.0, 1.0, "angry")])
    assert [line.get_label() for line in ax.get_lines()] == list(timeline.classes)
    assert timeline.plot().get_xlabel() == "time (s)"
    plt.close("all")


@pytest.mark.parametrize(
    "name", [pytest.param("conv1d_lstm", marks=pytest.mark.slow), "encoder_svm"]
)
def test_deep_and_encoder_recipes_on_a_recording(name, corpus, recording, request):
    # A deep network on MFCC frames, and a pretrained speech encoder (tiny,
    # random) with an SVM: the segmenter feeds both windows as it feeds the svm.
    if name == "encoder_svm":
        params = {"encoder": request.getfixturevalue("tiny_encoder")("wav2vec2")}
    else:
        params = {"budget": "cpu", "max_epochs": 1, "device": "cpu"}
    model = make_recipe(name, offset=0.0, duration=1.0, random_state=0, **params).fit(
        corpus.paths, corpus.target
    )
    timeline = predict_segments(model, recording, vad=None, block_duration=0.3)
    y, _ = sf.read(recording, dtype="float32")
    _, windows = _windows(y, 16000, 8000)
    np.testing.assert_allclose(
        timeline.proba, model[1:].predict_proba(windows), rtol=1e-5, atol=1e-6
    )
