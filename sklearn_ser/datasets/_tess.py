"""TESS: find the Toronto Emotional Speech Set clips and parse their names."""

import os
import re
import warnings
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import NameConvention, find_clips, list_files, make_bunch

_LAYOUT = (
    "TESS files named <speaker>_<word>_<emotion>.wav anywhere below it, "
    "e.g. OAF_angry/OAF_back_angry.wav"
)
_CONVENTION = "<speaker>_<word>_<emotion>, speaker OAF or YAF"
_SPEAKERS = ("OAF", "YAF")
# The distributed corpus names one clip OA_bite_neutral.wav (in OAF_neutral/):
# "OA" and "YA" are read as the speakers they abbreviate, with a warning.
_SPEAKER_ALIASES = {"OA": "OAF", "YA": "YAF"}
# Spellings found in the public copies' file and folder names, lower-cased.
_EMOTION_NAMES = {
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fearful",
    "fearful": "fearful",
    "happy": "happy",
    "neutral": "neutral",
    "sad": "sad",
    "ps": "surprised",
    "pleasant_surprise": "surprised",
    "pleasant_surprised": "surprised",
    "surprise": "surprised",
    "surprised": "surprised",
}
_FILE_NAME = re.compile(r"(?P<speaker>[^_]+)_(?P<word>[^_]+)_(?P<emotion>.+)")
_FOLDER_NAME = re.compile(r"(?P<speaker>[^_]+)_(?P<emotion>.+)")

_DESCR = """\
TESS: Toronto Emotional Speech Set
==================================

Two actresses, aged 64 (OAF, older adult female) and 26 (YAF, younger adult
female), say 200 target words in the carrier phrase "Say the word _" in
7 emotions (angry, disgust, fear, happy, neutral, pleasant surprise, sad):
2800 clips, 24.414 kHz, 16-bit mono WAV.

File names: <speaker>_<word>_<emotion>.wav, e.g. OAF_back_angry.wav, matched
without regard to case. The distributed corpus names one clip
OA_bite_neutral.wav: the speakers OA and YA are read as OAF and YAF, with a
warning naming the files. The emotion spellings of the public copies are
mapped to the canonical labels (fear -> fearful; ps, pleasant_surprise,
pleasant_surprised, surprise -> surprised). The file name is authoritative:
the folders (OAF_angry/, YAF_pleasant_surprised/, "TESS Toronto emotional
speech set data/", ...) may be laid out in any way, and a file filed under a
folder that names another speaker or emotion keeps its file name's labels
(with a warning).

Fields
------
paths : file paths, sorted
target : emotion, canonical label
groups : speaker id, "OAF" or "YAF"
speaker : speaker id, "OAF" or "YAF"
word : the target word, lower case
sex : "female" (both speakers)
target_names : the emotions present, in canonical order

Evaluation
----------
The same speaker must never appear in both training and test data: the
emotion of a clip is far easier to recognise from a voice already heard.
Evaluate speaker-independently by passing ``groups`` to a group-aware
splitter. With two speakers that is a two-fold leave-one-speaker-out
protocol (train on one voice, test on the other), a hard and noisy test;
random splits over clips are far easier and report near-perfect accuracy
that says little about unseen speakers.

Citation and licence
--------------------
Pichora-Fuller MK, Dupuis K (2020) Toronto emotional speech set (TESS).
Borealis, V1. doi:10.5683/SP2/E8H2MF. Licence: CC BY-NC-ND 4.0 (attribution,
non-commercial, no derivatives).
"""


def _parse(path: Path, root: Path) -> tuple[str, str, str]:
    """Speaker, word and canonical emotion of a TESS file name.

    Raises ValueError saying which rule the name breaks.
    """
    match = _FILE_NAME.fullmatch(path.stem)
    if match is None:
        raise ValueError("expected <speaker>_<word>_<emotion>, e.g. OAF_back_angry")
    speaker, word, emotion = match.group("speaker", "word", "emotion")
    canonical = _SPEAKER_ALIASES.get(speaker.upper(), speaker.upper())
    if canonical not in _SPEAKERS:
        raise ValueError(f"speaker {speaker!r} is not OAF or YAF")
    if emotion.lower() not in _EMOTION_NAMES:
        raise ValueError(
            f"emotion {emotion!r} is not one of {', '.join(_EMOTION_NAMES)}"
        )
    return canonical, word.lower(), _EMOTION_NAMES[emotion.lower()]


_NAMING = NameConvention(
    corpus="TESS", layout=_LAYOUT, convention=_CONVENTION, parse=_parse
)


def _folder_labels(name: str) -> tuple[str, str] | None:
    """Speaker and emotion named by a folder such as ``OAF_Fear``, if any."""
    match = _FOLDER_NAME.fullmatch(name.lower())
    if match is None:
        return None
    speaker, emotion = match.group("speaker", "emotion")
    if speaker.upper() not in _SPEAKERS or emotion not in _EMOTION_NAMES:
        return None
    return speaker.upper(), _EMOTION_NAMES[emotion]


@validate_params(
    {"root": [str, os.PathLike], "strict": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_tess(root: str | os.PathLike, *, strict: bool = True) -> Bunch:
    """Find the Toronto Emotional Speech Set clips below ``root``.

    Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Every ``.wav`` or ``.flac`` file
    (extension in any case) anywhere below ``root`` is taken as a TESS clip
    named ``<speaker>_<word>_<emotion>``, matched without regard to case; the
    speaker is OAF or YAF and the emotion one of angry, disgust, fear, happy,
    neutral, sad and ps (pleasant surprise), or the spellings fearful,
    pleasant_surprise, pleasant_surprised, surprise and surprised. The file
    name is authoritative: when the enclosing folder names another speaker or
    emotion (e.g. ``OAF_angry/OAF_back_sad.wav``), the file name's labels are
    used and one warning lists those files. The speaker abbreviations ``OA``
    and ``YA`` are read as ``OAF`` and ``YAF`` (the corpus as distributed
    names one clip ``OAF_neutral/OA_bite_neutral.wav``), with one warning
    listing those files. Hidden files are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus.
    strict : bool, default=True
        What to do with an audio file whose name breaks the convention and
        with a second copy of a clip already found (same speaker, word and
        emotion, e.g. the corpus unpacked twice below ``root``). If True,
        raise a ValueError listing those files; if False, skip them with one
        warning listing them (of duplicates, the first path in sorted order is
        kept).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Emotion, from :data:`~sklearn_ser.datasets.EMOTIONS`.
        groups : ndarray of str
            Speaker ids ``"OAF"`` or ``"YAF"``: pass them to a group-aware
            splitter for speaker-independent evaluation.
        speaker : ndarray of str
            ``"OAF"`` or ``"YAF"``, the same as ``groups``.
        word : ndarray of str
            The target word, lower case.
        sex : ndarray of str
            ``"female"``: both speakers are women.
        target_names : ndarray of str
            The emotions present, in canonical order.
        DESCR : str
            Description of the corpus, its citation and licence.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no TESS clip.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and some files break the naming convention or repeat a
        clip.

    See Also
    --------
    load_ravdess : Ryerson Audio-Visual Database of Emotional Speech and Song.
    load_folder : A corpus laid out as one folder per label.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_tess
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["OAF_Fear/OAF_back_fear.wav", "YAF_ps/YAF_bar_ps.wav"]:
    ...         Path(tmp, name).parent.mkdir()
    ...         Path(tmp, name).touch()
    ...     data = load_tess(tmp)
    >>> data.target.tolist(), data.groups.tolist(), data.word.tolist()
    (['fearful', 'surprised'], ['OAF', 'YAF'], ['back', 'bar'])
    """
    root, paths, clips = find_clips(root, _NAMING, strict=strict, what="TESS clips")
    abbreviated = [
        (path, f"speaker read as {speaker}")
        for path, (speaker, _, _) in zip(paths, clips, strict=True)
        if path.stem.split("_", 1)[0].upper() in _SPEAKER_ALIASES
    ]
    if abbreviated:
        warnings.warn(
            f"{len(abbreviated)} TESS file(s) under {root} abbreviate the speaker "
            "as OA or YA (the corpus as distributed names one clip "
            "OA_bite_neutral.wav); read as OAF or YAF:\n"
            + list_files(abbreviated, root),
            UserWarning,
            stacklevel=3,
        )
    misfiled = []
    for path, (speaker, _, emotion) in zip(paths, clips, strict=True):
        folder = _folder_labels(path.parent.name)
        if folder is not None and folder != (speaker, emotion):
            misfiled.append((path, f"folder says {' '.join(folder)}"))
    if misfiled:
        # warn <- load_tess <- validate_params wrapper <- caller
        warnings.warn(
            f"{len(misfiled)} TESS file(s) under {root} lie in a folder naming "
            "another speaker or emotion; their file names are used:\n"
            + list_files(misfiled, root),
            UserWarning,
            stacklevel=3,
        )

    speaker, word, emotion = zip(*clips, strict=True)
    return make_bunch(
        paths=paths,
        target=emotion,
        groups=speaker,
        descr=_DESCR,
        speaker=speaker,
        word=word,
        sex=["female"] * len(paths),
    )
