"""Feature transformers: waveforms ``(n_clips, n_samples)`` in, features out.

- :class:`AcousticStats170`: utterance statistics ``(n_clips, 170)`` for
  classical models and the stacked LSTM.
- :class:`MFCCFrames`: MFCC sequences ``(n_clips, n_frames, n_mfcc)``.
- :class:`MelSpectrogramChunker`: log-mel chunks
  ``(n_clips, n_chunks, n_mels, chunk_frames)``.
- :class:`OpenSMILEFunctionals`: an openSMILE feature set (eGeMAPS,
  ComParE 2016, ...) ``(n_clips, n_features)``; needs the ``opensmile`` extra.
- :class:`SpeechEncoderEmbeddings`: a pretrained speech encoder's (wav2vec 2.0,
  HuBERT, WavLM, Whisper, ...) hidden states pooled per clip,
  ``(n_clips, dim)`` or ``(n_clips, n_layers, dim)``; needs the ``pretrained``
  extra. :class:`LayerSelector` picks one layer of the per-layer output as a
  fitted, tunable step.

The first three share one STFT per clip (mel, MFCC and RMS come from it).
"""

from ._acoustic_stats import AcousticStats170
from ._layer_selector import LayerSelector
from ._mel_chunker import MelSpectrogramChunker
from ._mfcc_frames import MFCCFrames
from ._opensmile import OpenSMILEFunctionals
from ._speech_encoder import SpeechEncoderEmbeddings

__all__ = [
    "AcousticStats170",
    "LayerSelector",
    "MFCCFrames",
    "MelSpectrogramChunker",
    "OpenSMILEFunctionals",
    "SpeechEncoderEmbeddings",
]
