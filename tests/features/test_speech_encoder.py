"""SpeechEncoderEmbeddings and LayerSelector: pooled hidden states of encoders.

Every supported architecture runs on a tiny random checkpoint built from its
config (``tests/_tiny_encoders.py``); the real Whisper tiny.en checkpoint in
``../shared/models`` is used where present.
"""

import pickle
import shutil
import sys

import numpy as np
import pytest
import torch
from _tiny_encoders import KINDS, WAVEFORM_KINDS, save_tiny_encoder
from sklearn.base import clone

from sklearn_ser.features import LayerSelector, SpeechEncoderEmbeddings
from sklearn_ser.features._encoder_backbone import (
    PretrainedEncoderError,
    load_backbone,
)

SR = 16000


def _clips(n=3, n_samples=SR, seed=0):
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal((n, n_samples))).astype(np.float32)


def _embed(folder, X, **params):
    return SpeechEncoderEmbeddings(model=folder, verbose=0, **params).fit_transform(X)


@pytest.mark.parametrize("kind", KINDS)
def test_each_architecture_gives_finite_embeddings_of_every_layer(tiny_encoder, kind):
    X = _clips()
    last = _embed(tiny_encoder(kind), X)
    every = _embed(tiny_encoder(kind), X, layers="all", pooling="mean+std")

    assert last.shape == (3, 16) and last.dtype == np.float32
    # front end + 2 layers; mean then standard deviation
    assert every.shape == (3, 3, 32) and np.isfinite(every).all()
    np.testing.assert_allclose(every[:, -1, :16], last, rtol=1e-5, atol=1e-6)
    assert (every[:, :, 16:] >= 0).all()
    chosen = _embed(tiny_encoder(kind), X, layers=[0, -1])
    np.testing.assert_allclose(chosen, every[:, [0, 2], :16], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        _embed(tiny_encoder(kind), X, layers=1), every[:, 1, :16], rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("kind", KINDS)
def test_zero_padding_does_not_change_a_clip_embedding(tiny_encoder, kind):
    """Pooling covers the clip's frames only: AudioLoader's padding is invisible."""
    clip = _clips(1, SR // 2)
    padded = np.pad(clip, ((0, 0), (0, SR)))
    np.testing.assert_allclose(
        _embed(tiny_encoder(kind), padded, layers="all"),
        _embed(tiny_encoder(kind), clip, layers="all"),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("kind", ["wav2vec2", "whisper"])
def test_a_clip_embedding_does_not_depend_on_its_batch(tiny_encoder, kind):
    X = _clips(4)
    X[1, SR // 2 :] = 0  # a shorter clip in the middle
    X[3, SR // 3 :] = 0
    together = _embed(tiny_encoder(kind), X, batch_size=4)
    alone = np.concatenate([_embed(tiny_encoder(kind), X[i : i + 1]) for i in range(4)])
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-5)


def test_pooling_is_the_mean_over_the_frames_that_cover_the_clip(tiny_encoder):
    """Checked against the encoder run by hand through transformers."""
    import transformers

    folder = tiny_encoder("wav2vec2")
    X = _clips(2, 4000)
    model = transformers.AutoModel.from_pretrained(folder).eval()
    extractor = transformers.AutoFeatureExtractor.from_pretrained(folder)
    with torch.no_grad():
        inputs = extractor(list(X), sampling_rate=SR, return_tensors="pt")
        states = model(inputs["input_values"], output_hidden_states=True)
    expected = torch.stack(states.hidden_states, 1).mean(2).numpy()
    std = torch.stack(states.hidden_states, 1).std(2, correction=0).numpy()
    got = _embed(folder, X, layers="all", pooling="mean+std")
    np.testing.assert_allclose(got[..., :16], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[..., 16:], std, rtol=1e-4, atol=1e-6)


def test_whisper_30s_equals_transformers_own_encoder(tiny_encoder):
    """whisper_input="30s" is Whisper's own input: 30 s, pooled on the clip."""
    import transformers

    folder = tiny_encoder("whisper")
    X = _clips(2, SR)
    encoder = transformers.WhisperModel.from_pretrained(folder).get_encoder().eval()
    extractor = transformers.WhisperFeatureExtractor.from_pretrained(folder)
    with torch.no_grad():
        features = extractor(list(X), sampling_rate=SR, return_tensors="pt")
        states = encoder(features["input_features"], output_hidden_states=True)
    # 1 s = 100 mel frames = 50 encoder frames
    expected = torch.stack(states.hidden_states, 1)[:, :, :50].mean(2).numpy()
    got = _embed(folder, X, layers="all", whisper_input="30s")
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_whisper_on_the_clip_length_cuts_the_positions_and_changes_attention(
    tiny_encoder,
):
    """What running Whisper on the clip's own length changes, layer by layer.

    Before attention (hidden state 0: convolutions plus positions) a frame is
    the same in both modes but for the last frame, whose convolution sees the
    end of the clip: the positional table is cut, not shifted. After
    attention every frame differs, because in a 30-s window it also attends to
    the 29 s of padding.
    """
    backbone = load_backbone(tiny_encoder("whisper"))
    X = _clips(1, SR)
    with torch.no_grad():
        clip_states, n_clip = backbone.hidden_states(X, whisper_input="clip")
        full_states, n_full = backbone.hidden_states(X, whisper_input="30s")
    assert n_clip == n_full == 50
    assert clip_states[0].shape[1] == 50 and full_states[0].shape[1] == 1500
    torch.testing.assert_close(clip_states[0][:, :49], full_states[0][:, :49])
    last_layer_gap = (clip_states[-1][:, :50] - full_states[-1][:, :50]).abs().max()
    assert last_layer_gap > 1e-3


def test_whisper_modes_agree_on_a_30s_clip(tiny_encoder):
    X = _clips(1, 30 * SR)
    np.testing.assert_allclose(
        _embed(tiny_encoder("whisper"), X, whisper_input="clip"),
        _embed(tiny_encoder("whisper"), X, whisper_input="30s"),
        rtol=1e-5,
        atol=1e-6,
    )


def test_fitted_attributes_and_feature_names(tiny_encoder):
    embedder = SpeechEncoderEmbeddings(
        model=tiny_encoder("hubert"), layers=-2, pooling="mean+std"
    ).fit(_clips())
    assert embedder.model_type_ == "hubert"
    assert embedder.n_hidden_states_ == 3 and embedder.hidden_size_ == 16
    np.testing.assert_array_equal(embedder.layer_indices_, [1])
    assert len(embedder.weights_sha256_) == 64
    names = embedder.get_feature_names_out()
    assert names[0] == "layer1_mean0" and names[-1] == "layer1_std15"
    with pytest.raises(ValueError, match="single layer"):
        clone(embedder).set_params(layers="all").fit(_clips()).get_feature_names_out()


def test_encoder_is_never_pickled_and_loaded_once_per_process(tiny_encoder):
    embedder = SpeechEncoderEmbeddings(model=tiny_encoder("wav2vec2")).fit(_clips())
    data = pickle.dumps(embedder)
    assert len(data) < 5000  # parameters and a digest, no weights
    assert load_backbone(tiny_encoder("wav2vec2")) is load_backbone(
        tiny_encoder("wav2vec2")
    )
    restored = pickle.loads(data)
    np.testing.assert_array_equal(
        restored.transform(_clips()), embedder.transform(_clips())
    )


def test_fitted_embedder_refuses_other_weights(tiny_encoder, tmp_path):
    folder = shutil.copytree(tiny_encoder("wav2vec2"), tmp_path / "encoder")
    embedder = SpeechEncoderEmbeddings(model=folder, verbose=0).fit(_clips())
    fingerprint = embedder._cache_fingerprint()
    assert fingerprint == embedder.weights_sha256_
    save_tiny_encoder("wav2vec2", folder, seed=1)  # same architecture, new weights

    with pytest.raises(PretrainedEncoderError, match="not those this transformer"):
        embedder.transform(_clips())
    assert clone(embedder)._cache_fingerprint() != fingerprint


def test_layer_selector_picks_a_layer_and_checks_it():
    X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(LayerSelector(layer=-1).fit_transform(X), X[:, 2])
    with pytest.raises(ValueError, match="out of range"):
        LayerSelector(layer=3).fit(X)
    with pytest.raises(ValueError, match="n_layers, dim"):
        LayerSelector().fit(X[:, 0])


# -- bad input ------------------------------------------------------------


def test_model_is_required():
    with pytest.raises(ValueError, match="needs model="):
        SpeechEncoderEmbeddings().fit(_clips())


def test_a_folder_that_is_not_a_checkpoint(tmp_path):
    with pytest.raises(PretrainedEncoderError, match="no config.json"):
        SpeechEncoderEmbeddings(model=tmp_path).fit(_clips())
    file = tmp_path / "weights.bin"
    file.write_bytes(b"x")
    with pytest.raises(PretrainedEncoderError, match="not a folder"):
        SpeechEncoderEmbeddings(model=file).fit(_clips())


def test_a_text_model_is_refused(tmp_path):
    pytest.importorskip("transformers")
    folder = save_tiny_encoder("bert", tmp_path / "bert")
    with pytest.raises(PretrainedEncoderError, match="reads 'input_ids', not audio"):
        SpeechEncoderEmbeddings(model=folder).fit(_clips())


def test_an_uncached_hub_id_offline_says_how_to_point_at_a_local_copy(
    monkeypatch, tmp_path
):
    pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(PretrainedEncoderError) as error:
        SpeechEncoderEmbeddings(model="nobody/no-such-encoder").fit(_clips())
    message = str(error.value)
    assert "not in the Hugging Face cache" in message
    assert "HF_HUB_OFFLINE" in message and "pass that folder" in message
    assert "\n" not in message


def test_missing_pretrained_extra_names_it(monkeypatch, tiny_encoder):
    folder = tiny_encoder("wav2vec2")
    monkeypatch.setitem(sys.modules, "transformers", None)
    from sklearn_ser.features import _encoder_backbone

    monkeypatch.setattr(_encoder_backbone, "_load", _encoder_backbone._load.__wrapped__)
    with pytest.raises(ImportError, match=r"pip install sklearn-ser\[pretrained\]"):
        SpeechEncoderEmbeddings(model=folder).fit(_clips())


def test_another_sample_rate_is_refused_with_the_rate_to_load_at(tiny_encoder):
    with pytest.raises(ValueError, match=r"AudioLoader\(sr=16000\)"):
        SpeechEncoderEmbeddings(model=tiny_encoder("wavlm"), sr=8000).fit(_clips())


@pytest.mark.parametrize("kind", ["wav2vec2", "whisper"])
def test_clips_shorter_than_one_frame_or_silent_are_named(tiny_encoder, kind):
    X = _clips(3)
    X[1] = 0
    X[2, 10:] = 0
    with pytest.raises(ValueError, match=r"rows \[1, 2\].*rows \[1\] are all zero"):
        _embed(tiny_encoder(kind), X)


def test_whisper_clips_longer_than_its_window_are_named(tiny_encoder):
    with pytest.raises(
        ValueError, match=r"rows \[0\]\) are longer than Whisper's 30-s"
    ):
        _embed(tiny_encoder("whisper"), _clips(1, 31 * SR))


@pytest.mark.parametrize("layers", [5, -4, [0, 9], [], ["a"], [True]])
def test_layers_out_of_range_or_malformed(tiny_encoder, layers):
    with pytest.raises(ValueError, match="layers"):
        _embed(tiny_encoder("wav2vec2"), _clips(), layers=layers)


def test_waveforms_must_be_2d(tiny_encoder):
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\)"):
        _embed(tiny_encoder("wav2vec2"), _clips()[0])


# -- the real checkpoint ----------------------------------------------------


@pytest.mark.slow
def test_real_whisper_tiny_embeds_real_speech(whisper_tiny, ravdess_root):
    from sklearn_ser import AudioLoader, load_ravdess

    data = load_ravdess(ravdess_root)
    X = AudioLoader(offset=0.5, duration=3.0).fit_transform(data.paths[:2])
    embedder = SpeechEncoderEmbeddings(model=whisper_tiny, layers="all", verbose=0)
    E = embedder.fit_transform(X)
    assert E.shape == (2, 5, 384) and np.isfinite(E).all()
    assert embedder.model_type_ == "whisper"
    assert not np.allclose(E[0], E[1])


@pytest.mark.parametrize("kind", WAVEFORM_KINDS)
def test_receptive_field_is_the_shortest_clip(tiny_encoder, kind):
    backbone = load_backbone(tiny_encoder(kind))
    assert backbone.min_samples == 20  # kernels (10, 3), strides (5, 2)
    assert backbone.frames(backbone.min_samples) == 1
    assert backbone.frames(backbone.min_samples - 1) == 0
