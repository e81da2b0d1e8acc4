"""EncoderFineTuningClassifier: a pretrained encoder trained with its head.

Tiny random wav2vec 2.0 and Whisper checkpoints (``tests/_tiny_encoders.py``)
cover both code paths; the real Whisper tiny.en checkpoint in
``../shared/models`` is used where present.
"""

import pickle
import shutil
import zipfile

import numpy as np
import pytest
import torch
from _tiny_encoders import save_tiny_encoder
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.classifiers import EncoderFineTuningClassifier
from sklearn_ser.features import SpeechEncoderEmbeddings
from sklearn_ser.features._encoder_backbone import (
    PretrainedEncoderError,
    load_backbone,
)
from sklearn_ser.nn import EncoderFineTuning
from sklearn_ser.persistence import ModelFileError, load_model, save_model

SR = 16000
KINDS = ("wav2vec2", "whisper")
LABELS = np.array(["angry", "calm"])


def _clips(n=8, n_samples=4000, seed=0):
    """Noise ("angry") and tones ("calm"): apart after any level normalisation."""
    rng = np.random.default_rng(seed)
    X = 0.1 * rng.standard_normal((n, n_samples))
    t = np.arange(n_samples) / SR
    freqs = rng.uniform(300, 600, size=(n - n // 2, 1))
    X[n // 2 :] = 0.1 * np.sin(2 * np.pi * freqs * t) + 0.01 * X[n // 2 :]
    return X.astype(np.float32), np.repeat(LABELS, [n // 2, n - n // 2])


def _clf(folder, **params):
    settings = dict(
        model=str(folder),
        trainable_layers=1,
        max_epochs=2,
        batch_size=4,
        encoder_lr=1e-3,
        verbose=0,
        random_state=0,
    )
    return EncoderFineTuningClassifier(**{**settings, **params})


def _encoder_state(clf) -> dict:
    return {
        name: tensor.detach().clone()
        for name, tensor in clf.module_.network.encoder.state_dict().items()
    }


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_top_layers_and_the_head_change(tiny_encoder, kind):
    folder = tiny_encoder(kind)
    X, y = _clips()
    clf = _clf(folder).fit(X, y)

    original = load_backbone(folder).model.state_dict()
    tuned = _encoder_state(clf)
    assert set(tuned) == set(original)
    top = "layers.1." if kind == "whisper" else "encoder.layers.1."
    trained = {
        name
        for name in tuned
        if name.startswith(top) or (kind == "whisper" and name.startswith("layer_norm"))
    }
    for name, tensor in tuned.items():
        if name in trained:
            assert not torch.equal(tensor, original[name]), name
        else:
            torch.testing.assert_close(tensor, original[name], rtol=0, atol=0)
    # The process's shared encoder (the frozen transformer's) is not trained.
    reloaded = save_tiny_encoder(kind, folder.parent / f"again-{kind}")
    for name, tensor in load_backbone(reloaded).model.state_dict().items():
        torch.testing.assert_close(tensor, original[name], rtol=0, atol=0)
    head = clf.module_.network.head
    assert not torch.equal(head.layer_logits.detach(), torch.zeros(3))


@pytest.mark.parametrize("kind", KINDS)
def test_probabilities_and_labels(tiny_encoder, kind):
    X, y = _clips()
    clf = _clf(tiny_encoder(kind)).fit(X, y)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_, LABELS)
    assert set(clf.predict(X)) <= set(LABELS)
    assert clf.layer_weights_.shape == (3,)
    assert clf.n_hidden_states_ == 3 and clf.model_type_ == kind
    assert clf.scaler_ is None  # waveforms are not standardised


def test_learns_a_separable_task(tiny_encoder):
    X, y = _clips(n=16)
    clf = _clf(tiny_encoder("whisper"), max_epochs=30, lr=0.01).fit(X, y)
    assert clf.score(X, y) == 1.0


@pytest.mark.parametrize(
    ("kind", "whisper_input"),
    [("wav2vec2", "clip"), ("whisper", "clip"), ("whisper", "30s")],
)
def test_untrained_network_pools_as_the_frozen_transformer(
    tiny_encoder, kind, whisper_input
):
    folder = tiny_encoder(kind)
    X, _ = _clips(n=5)
    X[1, 3000:] = 0.0  # shorter clips: pooled over their own frames
    X[3, 2000:] = 0.0
    network = EncoderFineTuning(
        (X.shape[1],), 2, encoder=load_backbone(folder), whisper_input=whisper_input
    ).eval()
    with torch.no_grad():
        pooled = network.pooled(torch.as_tensor(X)).numpy()
    frozen = SpeechEncoderEmbeddings(
        model=folder, layers="all", whisper_input=whisper_input, verbose=0
    ).fit_transform(X)
    np.testing.assert_allclose(pooled, frozen, rtol=1e-5, atol=1e-5)


def test_frozen_layers_run_in_evaluation_mode(tiny_encoder):
    network = EncoderFineTuning(
        (4000,), 2, encoder=load_backbone(tiny_encoder("wav2vec2")), trainable_layers=1
    )
    network.train()
    encoder = network.encoder
    assert not encoder.training and not encoder.encoder.layers[0].training
    assert encoder.encoder.layers[1].training and network.head.training
    trainable = {n for n, p in encoder.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith("encoder.layers.1.") for n in trainable)


def test_encoder_and_head_have_their_own_learning_rates(tiny_encoder):
    X, y = _clips()
    clf = _clf(
        tiny_encoder("whisper"), lr=0.01, encoder_lr=1e-4, lr_schedule="constant"
    ).fit(X, y)
    groups = clf.optimizer_.param_groups
    assert [group["lr"] for group in groups] == [1e-4, 0.01]
    encoder = {id(p) for p in clf.module_.network.encoder.parameters()}
    assert all(id(p) in encoder for p in groups[0]["params"])
    assert not any(id(p) in encoder for p in groups[1]["params"])
    # Frozen parameters stay out of the optimiser.
    assert all(p.requires_grad for group in groups for p in group["params"])
    same = _clf(tiny_encoder("whisper"), encoder_lr=None, lr_schedule="constant")
    assert len(same.fit(X, y).optimizer_.param_groups) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_model_file_round_trip_stores_the_trained_tensors_only(
    tiny_encoder, tmp_path, kind
):
    X, y = _clips()
    clf = _clf(tiny_encoder(kind)).fit(X, y)
    path = save_model(clf, tmp_path / "m.sser")
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.weights_sha256_ == clf.weights_sha256_

    from safetensors.torch import load

    with zipfile.ZipFile(path) as archive:
        tensors = load(archive.read("weights.safetensors"))
    names = {name.split(".", 1)[1] for name in tensors}
    assert names == set(clf._state_to_save())
    frozen = {
        name
        for name, p in clf.module_.named_parameters()
        if name.startswith("network.encoder.") and not p.requires_grad
    }
    assert frozen and not names & frozen


def test_model_file_refuses_changed_encoder_weights(tmp_path):
    folder = save_tiny_encoder("wav2vec2", tmp_path / "encoder")
    X, y = _clips()
    path = save_model(_clf(folder).fit(X, y), tmp_path / "m.sser")
    shutil.rmtree(folder)
    save_tiny_encoder("wav2vec2", folder, seed=1)
    with pytest.raises((PretrainedEncoderError, ModelFileError), match="SHA-256"):
        load_model(path)


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_round_trip_keeps_the_frozen_layers_frozen(tiny_encoder, kind):
    # wav2vec 2.0's weight-normed positional convolution is a parametrised
    # module, which torch pickles only through its state.
    X, y = _clips()
    clf = _clf(tiny_encoder(kind)).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    network = again.module_.network
    assert network.backbone.model is network.encoder
    assert not network.encoder.training
    trained = [n for n, p in network.named_parameters() if p.requires_grad]
    assert trained == [
        n for n, p in clf.module_.network.named_parameters() if p.requires_grad
    ]
    # The optimiser trains the unpickled network's own parameters.
    optimised = {id(p) for g in again.optimizer_.param_groups for p in g["params"]}
    assert optimised == {id(p) for p in network.parameters() if p.requires_grad}
    before = _encoder_state(again)
    again.set_params(lr_schedule="constant", max_epochs=1).partial_fit(X, y)
    after = _encoder_state(again)
    assert any(not torch.equal(before[name], after[name]) for name in before)


def test_clone_and_refit_are_reproducible(tiny_encoder):
    X, y = _clips()
    clf = _clf(tiny_encoder("wav2vec2"))
    first = clf.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), first)


# -- bad input ------------------------------------------------------------


def test_wrong_rank_is_an_error(tiny_encoder):
    X, y = _clips()
    with pytest.raises(ValueError, match=r"\(n_clips, n_samples\).*3-D"):
        _clf(tiny_encoder("wav2vec2")).fit(X[:, None, :], y)


def test_other_sample_rate_is_an_error(tiny_encoder):
    X, y = _clips()
    with pytest.raises(PretrainedEncoderError, match="AudioLoader\\(sr=16000\\)"):
        _clf(tiny_encoder("wav2vec2"), sr=22050).fit(X, y)


@pytest.mark.parametrize("kind", KINDS)
def test_clips_too_short_or_silent_are_named(tiny_encoder, kind):
    X, y = _clips()
    X[2, 10:] = 0.0
    X[5] = 0.0
    with pytest.raises(PretrainedEncoderError, match=r"rows \[2, 5\].*rows \[5\]"):
        _clf(tiny_encoder(kind)).fit(X, y)
    clf = _clf(tiny_encoder(kind)).fit(*_clips())
    with pytest.raises(PretrainedEncoderError, match=r"rows \[2, 5\]"):
        clf.predict(X)


def test_whisper_clips_over_30_s_are_an_error(tiny_encoder):
    X, y = _clips(n=4, n_samples=30 * SR + 320)
    with pytest.raises(PretrainedEncoderError, match="30-s window"):
        _clf(tiny_encoder("whisper")).fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (dict(trainable_layers=3), ValueError, "has 2 transformer layers; use 0..2"),
        (dict(model=None), ValueError, "needs model="),
        (dict(lr_schedule="onecycle", warmup=0.3), ValueError, "encoder_lr"),
        (dict(time_mask=2), ValueError, "time_mask=2"),
        (dict(whisper_input="full"), InvalidParameterError, "whisper_input"),
        (dict(encoder_lr=0.0), InvalidParameterError, "encoder_lr"),
    ],
)
def test_bad_parameters_are_errors(tiny_encoder, params, error, match):
    X, y = _clips()
    with pytest.raises(error, match=match):
        _clf(tiny_encoder("wav2vec2"), **params).fit(X, y)


def test_a_folder_that_is_not_a_model_is_an_error(tmp_path):
    X, y = _clips()
    with pytest.raises(PretrainedEncoderError, match="config.json"):
        _clf(tmp_path).fit(X, y)


# -- CUDA and real weights -------------------------------------------------


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")
def test_cuda_bf16_fine_tuning_learns_and_round_trips(tiny_encoder, tmp_path):
    X, y = _clips(n=16)
    clf = _clf(tiny_encoder("whisper"), max_epochs=30, lr=0.01, device="cuda")
    clf.fit(X, y)
    assert clf.device_ == "cuda"
    assert next(clf.module_.parameters()).device.type == "cuda"
    assert clf.score(X, y) == 1.0
    loaded = load_model(save_model(clf, tmp_path / "m.sser"))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.slow
def test_fine_tunes_real_whisper_tiny_for_one_epoch(whisper_tiny):
    X, y = _clips(n=6, n_samples=SR)
    clf = _clf(whisper_tiny, max_epochs=1, batch_size=3).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(proba).all()
    original = load_backbone(whisper_tiny).model.state_dict()
    tuned = _encoder_state(clf)
    frozen, top = "layers.0.fc1.weight", "layers.3.fc1.weight"
    assert torch.equal(tuned[frozen], original[frozen])
    assert not torch.equal(tuned[top], original[top])
