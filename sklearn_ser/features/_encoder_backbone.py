"""Pretrained speech encoders from ``transformers``: finding, loading, running.

One concept: given a model id or folder, give the hidden states of every
encoder layer for a batch of waveforms, with the number of frames that cover
each clip. :class:`~sklearn_ser.features.SpeechEncoderEmbeddings` pools them
into clip embeddings; the fine-tuning classifier trains on top of them.

- Waveform encoders (wav2vec 2.0, HuBERT, WavLM, data2vec-audio and their
  relatives) read the normalised waveform; Whisper's encoder reads an 80- or
  128-band log-mel spectrogram of a 30-s window.
- A batch holds clips of one length only, so no clip is ever padded for the
  sake of another: the hidden states of a clip do not depend on the batch it
  is in (wav2vec 2.0's group-normalised front end and Whisper, which has no
  attention mask, would otherwise see the padding).
- Whisper on the clip's own length (``whisper_input="clip"``): the encoder
  runs on the clip's frames with its sinusoid-initialised positional table cut
  to the same number of positions, instead of on 30 s of which a 3-s clip
  fills a tenth. ``"30s"`` keeps Whisper's training input.
- The weights are identified by the SHA-256 of their files, so a model file
  or a cache entry can name exactly the weights it was made with.
- Loaded encoders are kept per process (a few at most), so that clones of one
  transformer in a cross-validation load the weights once; whoever trains an
  encoder trains a copy (:meth:`EncoderBackbone.trainable_copy`).
- A clip's true length is its samples up to the last non-zero one (the
  loader pads with exact zeros); :meth:`EncoderBackbone.pooled_batches` runs
  clips of one true length together and pools over the frames that cover
  them, for the frozen embeddings and the fine-tuned classifier alike.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Files that hold weights, in the formats transformers reads.
_WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")
#: What a hub download of an encoder fetches: configuration and weights.
_HUB_PATTERNS = ("*.json", *_WEIGHT_PATTERNS)
#: Samples per Whisper encoder frame: a 10-ms mel hop, then a stride-2 conv.
_WHISPER_SAMPLES_PER_FRAME = 320
#: Loaded encoders kept per process.
_LOADED = 2
_BLOCK = 1 << 20  # bytes read at a time when hashing a file


class PretrainedEncoderError(ValueError):
    """A pretrained encoder cannot be found, loaded or used as asked."""


def import_transformers():
    """The ``transformers`` module, or an ImportError that names the extra."""
    try:
        import transformers
    except ImportError as exc:
        raise ImportError(
            "Pretrained speech encoders need the transformers package, which is "
            "not installed; install it with: pip install sklearn-ser[pretrained]"
        ) from exc
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    return transformers


def resolve_model_folder(model, revision=None) -> Path:
    """The local folder that holds ``model``'s configuration and weights.

    ``model`` is a folder (``revision`` is then ignored) or a hub id, looked
    up in the Hugging Face cache first and downloaded only when it is not
    there and the hub is not switched off (``HF_HUB_OFFLINE=1``).

    Raises
    ------
    PretrainedEncoderError
        If the folder is not a transformers checkpoint, or the id is neither
        cached nor downloadable; the message says how to point at a local copy.
    """
    if not isinstance(model, (str, os.PathLike)) or not str(model):
        raise PretrainedEncoderError(
            f"model must be a folder or a Hugging Face hub id (str); got {model!r}."
        )
    path = Path(model).expanduser()
    if path.exists() or str(model).startswith((".", "/", "~")):
        if not path.is_dir():
            raise PretrainedEncoderError(
                f"model={str(model)!r} is not a folder holding a transformers "
                "checkpoint (config.json and weights)."
            )
        if not (path / "config.json").is_file():
            raise PretrainedEncoderError(
                f"model={str(model)!r} has no config.json: not a transformers "
                "checkpoint. Point at the folder that save_pretrained wrote."
            )
        return path.resolve()
    import_transformers()
    from huggingface_hub import snapshot_download

    download = functools.partial(
        snapshot_download,
        str(model),
        revision=revision,
        allow_patterns=list(_HUB_PATTERNS),
    )
    try:
        return Path(download(local_files_only=True))
    except Exception as cached_error:  # not in the cache: download if allowed
        hub_off = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
        reason = "the hub is switched off (HF_HUB_OFFLINE)" if hub_off else ""
        if not hub_off:
            try:
                return Path(download())
            except Exception as exc:
                reason = f"downloading it failed ({type(exc).__name__})"
        raise PretrainedEncoderError(
            f"Pretrained encoder {str(model)!r} is not a local folder and not in the "
            f"Hugging Face cache, and {reason}. Download it where there is internet "
            f"(e.g. `hf download {model} --local-dir DIR`) and pass that folder."
        ) from cached_error


def weight_files(folder: Path) -> list[Path]:
    """The weight files of a checkpoint folder, sorted by name."""
    files = sorted({p for pattern in _WEIGHT_PATTERNS for p in folder.glob(pattern)})
    if not files:
        raise PretrainedEncoderError(
            f"Encoder folder {str(folder)!r} holds no weights (*.safetensors or "
            "pytorch_model*.bin)."
        )
    return files


def weights_sha256(folder: Path) -> str:
    """SHA-256 over the names and contents of the folder's weight files.

    Recomputed only when a file's size or modification time changes.
    """
    digest = hashlib.sha256()
    for path in weight_files(folder):
        info = path.stat()
        digest.update(path.name.encode() + b"\0")
        digest.update(_file_sha256(path.resolve(), info.st_size, info.st_mtime_ns))
    return digest.hexdigest()


@functools.lru_cache(maxsize=64)
def _file_sha256(path: Path, size: int, mtime_ns: int) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.digest()


@dataclass(frozen=True)
class EncoderBackbone:
    """A loaded encoder and its front end, ready to run on equal-length batches.

    Attributes
    ----------
    model : torch.nn.Module
        The encoder alone (Whisper's decoder is dropped), in evaluation mode.
    feature_extractor : transformers feature extractor
        The checkpoint's own front end (normalisation or log-mel).
    model_type : str
        ``config.model_type`` (``"whisper"``, ``"wav2vec2"``, ...).
    sampling_rate : int
        The rate the encoder was trained at.
    n_hidden_states : int
        Hidden states per clip: the front end's output, then every layer.
    hidden_size : int
    min_samples : int
        Shortest clip that gives one frame.
    max_samples : int or None
        Longest clip (Whisper: 30 s), None without a limit.
    weights_sha256 : str
    folder : pathlib.Path
    """

    model: object
    feature_extractor: object
    model_type: str
    sampling_rate: int
    n_hidden_states: int
    hidden_size: int
    min_samples: int
    max_samples: int | None
    weights_sha256: str
    folder: Path

    @property
    def is_whisper(self) -> bool:
        return self.model_type == "whisper"

    def frames(self, n_samples: int) -> int:
        """Encoder frames that cover a clip of ``n_samples`` samples."""
        if self.is_whisper:
            return -(-n_samples // _WHISPER_SAMPLES_PER_FRAME)
        return int(self.model._get_feat_extract_output_lengths(n_samples))

    def run_length(self, n_samples: int, whisper_input: str) -> int:
        """Samples that a clip of ``n_samples`` is run on (Whisper: whole frames)."""
        if not self.is_whisper:
            return n_samples
        if whisper_input == "30s":
            return self.max_samples
        return self.frames(n_samples) * _WHISPER_SAMPLES_PER_FRAME

    def hidden_states(self, waveforms: np.ndarray, *, whisper_input="clip"):
        """Hidden states of every layer for clips of one length.

        Parameters
        ----------
        waveforms : ndarray of shape (batch, n_samples)
            Clips at :attr:`sampling_rate`, all of their true length.
        whisper_input : {"clip", "30s"}
            Whisper only: run on the clip's own frames or on a 30-s window.

        Returns
        -------
        states : tuple of torch.Tensor of shape (batch, n_frames, hidden_size)
            :attr:`n_hidden_states` tensors; the graph is kept if grad is on.
        n_frames : int
            Leading frames that cover the clips (the rest cover padding).
        """
        import torch

        n = waveforms.shape[1]
        run = self.run_length(n, whisper_input)
        padded = np.pad(waveforms, ((0, 0), (0, run - n)))
        device = next(self.model.parameters()).device
        inputs = self.feature_extractor(
            list(padded),
            sampling_rate=self.sampling_rate,
            return_tensors="pt",
            **({"padding": "longest"} if self.is_whisper else {}),
        )
        name = self.model.main_input_name
        features = inputs[name].to(device=device, dtype=torch.float32)
        cut = self.frames(run) if self.is_whisper else None
        with _whisper_positions(self.model, cut) if cut else nullcontext():
            out = self.model(features, output_hidden_states=True)
        return out.hidden_states, self.frames(n)

    def check_sampling_rate(self, sr: int, name: str, owner: str) -> None:
        """Refuse waveforms at another rate than the encoder's.

        ``owner`` is the estimator the user set ``sr`` on, ``name`` the
        encoder as given.
        """
        if sr != self.sampling_rate:
            rate = self.sampling_rate
            raise PretrainedEncoderError(
                f"{owner}(sr={sr}) but encoder {name!r} was trained at {rate} Hz: "
                f"load the clips at that rate (AudioLoader(sr={rate})) and set "
                f"sr={rate}."
            )

    def check_weights(self, sha256: str, name: str, owner: str) -> None:
        """Refuse weights other than those whose SHA-256 ``owner`` recorded."""
        if self.weights_sha256 != sha256:
            raise PretrainedEncoderError(
                f"The weights of encoder {name!r} are not those {owner} was "
                f"fitted with (SHA-256 {sha256[:16]}... expected, "
                f"{self.weights_sha256[:16]}... found in {self.folder}); "
                "refusing to use other weights."
            )

    def check_lengths(self, lengths: np.ndarray, name: str, sr: int) -> None:
        """Refuse clips shorter than one frame or, for Whisper, longer than 30 s.

        ``lengths`` are true lengths (:func:`true_lengths`); ``name`` names the
        encoder in the message.

        Raises
        ------
        PretrainedEncoderError
            Naming the rows.
        """
        rows = np.flatnonzero(lengths < self.min_samples)
        if rows.size:
            silent = np.flatnonzero(lengths == 0)
            raise PretrainedEncoderError(
                f"{rows.size} clip(s) (rows {rows[:10].tolist()}) are shorter than "
                f"one frame of encoder {name!r} ({self.min_samples} samples, "
                f"{self.min_samples / sr:.3f} s, after trailing zeros, which count "
                "as padding)"
                + (f"; rows {silent[:10].tolist()} are all zero" if silent.size else "")
                + ". Load longer clips or drop these."
            )
        if self.max_samples is not None:
            rows = np.flatnonzero(lengths > self.max_samples)
            if rows.size:
                raise PretrainedEncoderError(
                    f"{rows.size} clip(s) (rows {rows[:10].tolist()}) are longer "
                    f"than Whisper's {self.max_samples / sr:.0f}-s window; cut them "
                    "(AudioLoader's duration) or use a waveform encoder."
                )

    def pooled_batches(
        self,
        waveforms,
        layers,
        *,
        lengths=None,
        whisper_input="clip",
        pooling="mean",
        batch_size=None,
    ):
        """Pool the chosen hidden states of each clip over its own frames.

        Clips of one run length share batches, longest first; a batch holds
        clips of one true length only, so that a clip's output does not depend
        on the other clips.

        Parameters
        ----------
        waveforms : ndarray of shape (n_clips, n_samples)
        layers : sequence of int
            Hidden-state indices, in output order.
        lengths : ndarray of int, default=None
            True lengths; None computes them (:func:`true_lengths`).
        whisper_input : {"clip", "30s"}, default="clip"
        pooling : {"mean", "mean+std"}, default="mean"
        batch_size : int or None, default=None
            Most clips per forward pass; None: no limit.

        Yields
        ------
        rows : ndarray of int
            Rows of ``waveforms`` in the batch.
        pooled : torch.Tensor of shape (len(rows), len(layers), width)
            Float32; the graph is kept if grad is on.
        """
        import torch

        if lengths is None:
            lengths = true_lengths(waveforms)
        runs = np.array([self.run_length(n, whisper_input) for n in lengths])
        order = np.lexsort((lengths, -runs))
        for rows in _equal_length_runs(order, lengths, batch_size or len(order)):
            n = lengths[rows[0]]
            states, n_frames = self.hidden_states(
                waveforms[rows, :n], whisper_input=whisper_input
            )
            picked = torch.stack([states[i] for i in layers], dim=1)
            yield rows, _pool_frames(picked[:, :, :n_frames].float(), pooling)

    def transformer_layers(self):
        """The encoder's ``nn.ModuleList`` of transformer layers."""
        return self.model.layers if self.is_whisper else self.model.encoder.layers

    def top_modules(self, n_layers: int) -> list:
        """The modules that compute the last ``n_layers`` hidden states.

        The top ``n_layers`` transformer layers and the layer norm that
        follows the last of them, where there is one (Whisper; wav2vec 2.0's
        "stable layer norm" variants).
        """
        layers = self.transformer_layers()
        modules = list(layers[len(layers) - n_layers :]) if n_layers else []
        if self.is_whisper:
            final = self.model.layer_norm
        elif getattr(self.model.config, "do_stable_layer_norm", False):
            final = self.model.encoder.layer_norm
        else:
            final = None
        return modules + ([final] if final is not None and n_layers else [])

    def trainable_copy(self) -> EncoderBackbone:
        """This backbone with a copy of its encoder, which training may change.

        The loaded encoder is shared within the process (by every transformer
        on these weights), so it is never trained itself.
        """
        return dataclasses.replace(self, model=copy.deepcopy(self.model))


def true_lengths(X: np.ndarray) -> np.ndarray:
    """Samples up to each clip's last non-zero one (trailing zeros are padding)."""
    nonzero = X != 0
    last = X.shape[1] - np.argmax(nonzero[:, ::-1], axis=1)
    return np.where(nonzero.any(axis=1), last, 0)


def _equal_length_runs(order: np.ndarray, lengths: np.ndarray, batch_size: int):
    """Runs of ``order`` with one length each, at most ``batch_size`` long."""
    start = 0
    while start < len(order):
        n = lengths[order[start]]
        stop = start + 1
        while (
            stop < len(order)
            and stop - start < batch_size
            and lengths[order[stop]] == n
        ):
            stop += 1
        yield order[start:stop]
        start = stop


def _pool_frames(states, pooling: str):
    """Mean (and std) over frames of ``(batch, layers, frames, dim)``: a tensor."""
    import torch

    mean = states.mean(dim=2)
    if pooling == "mean":
        return mean
    std = states.std(dim=2, correction=0)
    return torch.cat([mean, std], dim=-1)


@contextmanager
def _whisper_positions(encoder, n_positions: int):
    """Run Whisper's encoder on ``n_positions`` frames: its positional table cut.

    The encoder checks its input against ``config.max_source_positions`` and
    adds its whole positional table; both are narrowed to the first
    ``n_positions`` rows (a view: the weights are not copied) for the call.
    """
    from torch import nn

    full_table, full = encoder.embed_positions, encoder.config.max_source_positions
    if n_positions == full:
        yield
        return
    cut = nn.Embedding(n_positions, full_table.embedding_dim)
    cut.weight = nn.Parameter(full_table.weight[:n_positions], requires_grad=False)
    encoder.embed_positions = cut
    encoder.config.max_source_positions = n_positions
    try:
        yield
    finally:
        encoder.embed_positions = full_table
        encoder.config.max_source_positions = full


def load_backbone(model, revision=None, device="cpu") -> EncoderBackbone:
    """Find and load ``model`` on ``device``; reused while its weights are unchanged."""
    folder = resolve_model_folder(model, revision)
    return _load(folder, weights_sha256(folder), str(device))


@functools.lru_cache(maxsize=_LOADED)
def _load(folder: Path, sha256: str, device: str) -> EncoderBackbone:
    transformers = import_transformers()
    import torch

    name = str(folder)
    try:
        config = transformers.AutoConfig.from_pretrained(folder)
    except Exception as exc:
        raise PretrainedEncoderError(
            f"Encoder {name!r}: transformers cannot read its config.json ({exc})."
        ) from exc
    try:
        model = transformers.AutoModel.from_pretrained(folder, dtype=torch.float32)
    except Exception as exc:
        raise PretrainedEncoderError(
            f"Encoder {name!r} ({config.model_type}) could not be loaded: {exc}"
        ) from exc
    if getattr(config, "is_encoder_decoder", False):
        model = model.get_encoder()
    if model.main_input_name not in ("input_values", "input_features"):
        raise PretrainedEncoderError(
            f"Encoder {name!r} is a {config.model_type} model that reads "
            f"{model.main_input_name!r}, not audio: use a speech encoder "
            "(wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper)."
        )
    try:
        extractor = transformers.AutoFeatureExtractor.from_pretrained(folder)
    except Exception as exc:
        raise PretrainedEncoderError(
            f"Encoder {name!r} has no usable audio front end "
            f"(preprocessor_config.json): {exc}"
        ) from exc
    model.to(device).eval()
    is_whisper = config.model_type == "whisper"
    if is_whisper:
        max_samples = extractor.n_samples
        min_samples = _WHISPER_SAMPLES_PER_FRAME
    else:
        max_samples = None
        min_samples = _receptive_field(config)
    return EncoderBackbone(
        model=model,
        feature_extractor=extractor,
        model_type=config.model_type,
        sampling_rate=int(extractor.sampling_rate),
        n_hidden_states=(
            config.encoder_layers if is_whisper else config.num_hidden_layers
        )
        + 1,
        hidden_size=int(config.d_model if is_whisper else config.hidden_size),
        min_samples=min_samples,
        max_samples=max_samples,
        weights_sha256=sha256,
        folder=folder,
    )


def _receptive_field(config) -> int:
    """Samples the convolutional front end needs for one frame."""
    need = 1
    for kernel, stride in zip(
        reversed(config.conv_kernel), reversed(config.conv_stride), strict=True
    ):
        need = (need - 1) * stride + kernel
    return need
