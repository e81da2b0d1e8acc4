"""CREMA-D: find the Crowd-sourced Emotional Multimodal Actors clips and parse names."""

import os
import re
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import NameConvention, find_clips, make_bunch

_LAYOUT = (
    "CREMA-D files named <actor>_<sentence>_<emotion>_<level>.wav anywhere below "
    "it, e.g. AudioWAV/1001_DFA_ANG_XX.wav"
)
_CONVENTION = (
    "<actor>_<sentence>_<emotion>_<level>, e.g. 1001_DFA_ANG_XX: actor 1001-1091, "
    "emotion ANG, DIS, FEA, HAP, NEU or SAD, level LO, MD, HI or XX"
)
_FIRST_ACTOR, _LAST_ACTOR = 1001, 1091
_SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
_EMOTIONS = {
    "ANG": "angry",
    "DIS": "disgust",
    "FEA": "fearful",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
_FILE_NAME = re.compile(
    r"(?P<actor>[0-9]{4})_(?P<sentence>[A-Z]{3})_(?P<emotion>[A-Z]{3})_(?P<level>[A-Z]{2})",
    re.IGNORECASE,
)

_DESCR = """\
CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset
==========================================================

91 actors (48 male, 43 female, aged 20 to 74, of several ethnic
backgrounds) speak 12 sentences in 6 emotions (anger, disgust, fear,
happiness, neutral, sadness) at up to four intensity levels: 7442 clips.
Every clip was also rated by crowd-sourced listeners. 16 kHz, 16-bit mono
WAV (AudioWAV/ in the public release).

File names: <actor>_<sentence>_<emotion>_<level>.wav, e.g.
1001_DFA_ANG_XX.wav, with actor 1001-1091, a three-letter sentence code
(IEO, TIE, IOM, IWW, TAI, MTI, IWL, ITH, DFA, ITS, TSI, WSI), emotion ANG
(angry), DIS (disgust), FEA (fearful), HAP (happy), NEU (neutral) or SAD
(sad), and level LO (low), MD (medium), HI (high) or XX (unspecified; only
the sentence IEO was recorded at three levels).

Fields
------
paths : file paths, sorted
target : emotion, canonical label
groups : speaker id, the actor number as a string ("1001" ... "1091")
actor : actor number, 1001-1091
sentence : sentence code
statement : the sentence spoken
level : "low", "medium", "high" or "unspecified"
target_names : the emotions present, in canonical order

The actors' sex and age are not in the file names; they are in the
release's VideoDemographics.csv.

Evaluation
----------
The same actor must never appear in both training and test data: pass
``groups`` to a group-aware splitter (GroupKFold, StratifiedGroupKFold).
Random splits over clips overestimate accuracy on unseen speakers.

Citation and licence
--------------------
Cao H, Cooper DG, Keutmann MK, Gur RC, Nenkova A, Verma R (2014) CREMA-D:
Crowd-sourced emotional multimodal actors dataset. IEEE Transactions on
Affective Computing 5(4): 377-390. doi:10.1109/TAFFC.2014.2336244. Licence:
Open Database License (ODbL) for the database, Database Contents License
(DbCL) for its contents.
"""


def _parse(path: Path, root: Path) -> tuple[int, str, str, str]:
    """Actor, sentence, emotion and level codes of a CREMA-D file name.

    Raises ValueError saying which rule the name breaks.
    """
    match = _FILE_NAME.fullmatch(path.stem)
    if match is None:
        raise ValueError(
            "expected <actor>_<sentence>_<emotion>_<level>, e.g. 1001_DFA_ANG_XX"
        )
    actor, sentence, emotion, level = match.group(
        "actor", "sentence", "emotion", "level"
    )
    sentence, emotion, level = sentence.upper(), emotion.upper(), level.upper()
    if not _FIRST_ACTOR <= int(actor) <= _LAST_ACTOR:
        raise ValueError(
            f"actor {actor!r} is not a number {_FIRST_ACTOR}-{_LAST_ACTOR}"
        )
    if sentence not in _SENTENCES:
        raise ValueError(f"sentence {sentence!r} is not one of {', '.join(_SENTENCES)}")
    if emotion not in _EMOTIONS:
        raise ValueError(f"emotion {emotion!r} is not one of {', '.join(_EMOTIONS)}")
    if level not in _LEVELS:
        raise ValueError(f"level {level!r} is not one of {', '.join(_LEVELS)}")
    return int(actor), sentence, emotion, level


_NAMING = NameConvention(
    corpus="CREMA-D", layout=_LAYOUT, convention=_CONVENTION, parse=_parse
)


@validate_params(
    {"root": [str, os.PathLike], "strict": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_cremad(root: str | os.PathLike, *, strict: bool = True) -> Bunch:
    """Find the CREMA-D clips below ``root`` and parse their names.

    Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Every ``.wav`` or ``.flac`` file
    (extension in any case) anywhere below ``root`` is taken as a CREMA-D clip
    named ``<actor>_<sentence>_<emotion>_<level>``, e.g.
    ``AudioWAV/1001_DFA_ANG_XX.wav``, matched without regard to case: actor
    1001 to 1091, one of the 12 sentence codes, emotion ANG (angry),
    DIS (disgust), FEA (fearful), HAP (happy), NEU (neutral) or SAD (sad),
    level LO, MD, HI or XX (unspecified). Hidden files are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus (``AudioWAV/`` or the one above it).
    strict : bool, default=True
        What to do with an audio file whose name breaks the convention and
        with a second copy of a clip already found (same four codes, e.g. the
        corpus unpacked twice below ``root``). If True, raise a ValueError
        listing those files; if False, skip them with one warning listing them
        (of duplicates, the first path in sorted order is kept).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Emotion, from :data:`~sklearn_ser.datasets.EMOTIONS`.
        groups : ndarray of str
            Speaker ids, the actor numbers as strings (``"1001"`` to
            ``"1091"``): pass them to a group-aware splitter for
            speaker-independent evaluation.
        actor : ndarray of int
            Actor number, 1001 to 1091.
        sentence : ndarray of str
            Sentence code, e.g. ``"DFA"``.
        statement : ndarray of str
            The sentence spoken, e.g. ``"Don't forget a jacket"``.
        level : ndarray of str
            ``"low"``, ``"medium"``, ``"high"`` or ``"unspecified"``.
        target_names : ndarray of str
            The emotions present, in canonical order.
        DESCR : str
            Description of the corpus, its citation and licence.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no CREMA-D clip.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and some files break the naming convention or repeat a
        clip.

    See Also
    --------
    load_ravdess : Ryerson Audio-Visual Database of Emotional Speech and Song.
    load_folder : A corpus read with a regular expression or one folder per label.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_cremad
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["1001_DFA_ANG_XX.wav", "1091_IEO_SAD_HI.wav"]:
    ...         Path(tmp, name).touch()
    ...     data = load_cremad(tmp)
    >>> data.target.tolist(), data.groups.tolist(), data.level.tolist()
    (['angry', 'sad'], ['1001', '1091'], ['unspecified', 'high'])
    """
    _, paths, clips = find_clips(root, _NAMING, strict=strict, what="CREMA-D clips")
    actor, sentence, emotion, level = zip(*clips, strict=True)
    return make_bunch(
        paths=paths,
        target=[_EMOTIONS[code] for code in emotion],
        groups=[str(number) for number in actor],
        descr=_DESCR,
        actor=actor,
        sentence=sentence,
        statement=[_SENTENCES[code] for code in sentence],
        level=[_LEVELS[code] for code in level],
    )
