"""Long recordings: sliding windows, voice activity, a streamed prediction timeline.

:func:`predict_segments` runs a fitted pipeline over a recording of any
length, read in blocks, and returns a :class:`Timeline` with one row per
window (start, end, speech fraction, label, class probabilities);
:func:`stream_segments` yields the same rows as they are computed. Voice
activity comes from :class:`EnergyVAD` (no dependency), :class:`SileroVAD`
(optional extra ``vad``) or any :class:`VoiceActivityDetector`.
"""

from ._plot import plot_timeline
from ._stream import SegmentReadError, SegmentStream, predict_segments, stream_segments
from ._timeline import Segment, Timeline
from ._vad import EnergyVAD, SileroVAD, VoiceActivityDetector, make_vad

__all__ = [
    "EnergyVAD",
    "Segment",
    "SegmentReadError",
    "SegmentStream",
    "SileroVAD",
    "Timeline",
    "VoiceActivityDetector",
    "make_vad",
    "plot_timeline",
    "predict_segments",
    "stream_segments",
]
