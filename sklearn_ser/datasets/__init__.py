"""Speech emotion corpora: loaders that find clips and parse their labels.

Loaders read file names only, never audio; pass their ``paths`` to
:class:`~sklearn_ser.audio.AudioLoader`. Every loader returns speaker ids as
``groups`` for speaker-independent evaluation.
"""

from ._cremad import load_cremad
from ._emodb import load_emodb
from ._emotions import EMOTIONS, canonical_label
from ._folder import load_folder
from ._ravdess import load_ravdess
from ._savee import load_savee
from ._synthetic import make_emotional_speech
from ._tess import load_tess

__all__ = [
    "EMOTIONS",
    "canonical_label",
    "load_cremad",
    "load_emodb",
    "load_folder",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "make_emotional_speech",
]
