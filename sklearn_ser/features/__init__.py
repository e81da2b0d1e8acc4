"""Feature transformers: waveforms ``(n_clips, n_samples)`` in, features out.

- :class:`AcousticStats170`: utterance statistics ``(n_clips, 170)`` for
  classical models and the stacked LSTM.
- :class:`MFCCFrames`: MFCC sequences ``(n_clips, n_frames, n_mfcc)``.
- :class:`MelSpectrogramChunker`: log-mel chunks
  ``(n_clips, n_chunks, n_mels, chunk_frames)``.

All three share one STFT per clip (mel, MFCC and RMS come from it).
"""

from ._acoustic_stats import AcousticStats170
from ._mel_chunker import MelSpectrogramChunker
from ._mfcc_frames import MFCCFrames

__all__ = ["AcousticStats170", "MFCCFrames", "MelSpectrogramChunker"]
