"""SAVEE: find the Surrey Audio-Visual Expressed Emotion clips and parse their names."""

import os
import re
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import NameConvention, find_clips, make_bunch

_LAYOUT = (
    "SAVEE files named <speaker>/<code><number>.wav (the official "
    "AudioData/DC/a01.wav) or <speaker>_<code><number>.wav (the flattened "
    "DC_a01.wav) anywhere below it"
)
_CONVENTION = (
    "<speaker>/<code><number> or <speaker>_<code><number>, speaker DC, JE, JK or KL, "
    "code a, d, f, h, n, sa or su"
)
_SPEAKERS = ("DC", "JE", "JK", "KL")
_EMOTIONS = {
    "a": "angry",
    "d": "disgust",
    "f": "fearful",
    "h": "happy",
    "n": "neutral",
    "sa": "sad",
    "su": "surprised",
}
# 15 sentences per emotion; neutral also reads the 3 common and 12
# emotion-specific sentences, hence 30.
_SENTENCES = {code: 30 if code == "n" else 15 for code in _EMOTIONS}
_CLIP_NAME = re.compile(r"(?P<code>[a-z]+)(?P<number>[0-9]+)", re.IGNORECASE)

_DESCR = """\
SAVEE: Surrey Audio-Visual Expressed Emotion
============================================

Four native British English male speakers (DC, JE, JK, KL), postgraduate
students and researchers at the University of Surrey, read TIMIT sentences
in 7 emotions (anger, disgust, fear, happiness, neutral, sadness, surprise):
15 sentences per emotion and 30 neutral, i.e. 120 clips per speaker and 480
in all. 44.1 kHz, 16-bit mono WAV.

File names: <code><number>.wav in a folder per speaker (the official
AudioData/DC/a01.wav), or <speaker>_<code><number>.wav (the flattened
copies, DC_a01.wav), matched without regard to case; codes a anger (angry),
d disgust, f fear (fearful), h happiness (happy), n neutral, sa sadness
(sad), su surprise (surprised); numbers 01-15, 01-30 for neutral.

Fields
------
paths : file paths, sorted
target : emotion, canonical label
groups : speaker id, "DC", "JE", "JK" or "KL"
speaker : the same as groups
sentence : sentence number within the emotion, 1-15 (1-30 for neutral)
sex : "male" (all four speakers)
target_names : the emotions present, in canonical order

Evaluation
----------
The same speaker must never appear in both training and test data: pass
``groups`` to a group-aware splitter (with four speakers, leave-one-speaker-
out is the usual choice). Random splits over clips put every speaker's voice
on both sides and overestimate accuracy on unseen speakers.

Citation and licence
--------------------
Haq S, Jackson PJB (2010) Multimodal emotion recognition. In Wang W (ed),
Machine Audition: Principles, Algorithms and Systems, IGI Global, 398-423.
Haq S, Jackson PJB, Edge J (2008) Audio-visual feature selection and
reduction for emotion classification. Proc. AVSP 2008, 185-190. Licence:
distributed by the University of Surrey on registration, for research use;
check the terms of your copy before sharing it or models trained on it.
"""


def _parse(path: Path, root: Path) -> tuple[str, str, int]:
    """Speaker, emotion code and sentence number of a SAVEE file.

    Raises ValueError saying which rule the name breaks.
    """
    speaker, underscore, name = path.stem.rpartition("_")
    if not underscore:
        speaker, where = path.parent.name, "folder"
    else:
        where = "speaker"
    match = _CLIP_NAME.fullmatch(name)
    if match is None:
        raise ValueError(
            "expected <speaker>/<code><number> or <speaker>_<code><number>, "
            "e.g. DC/a01 or DC_a01"
        )
    if speaker.upper() not in _SPEAKERS:
        raise ValueError(f"{where} {speaker!r} is not DC, JE, JK or KL")
    code, number = match.group("code").lower(), match.group("number")
    if code not in _EMOTIONS:
        raise ValueError(f"emotion code {code!r} is not a, d, f, h, n, sa or su")
    highest = _SENTENCES[code]
    if len(number) != 2 or not 1 <= int(number) <= highest:
        raise ValueError(f"sentence {number!r} is not a number 01-{highest:02d}")
    return speaker.upper(), code, int(number)


_NAMING = NameConvention(
    corpus="SAVEE", layout=_LAYOUT, convention=_CONVENTION, parse=_parse
)


@validate_params(
    {"root": [str, os.PathLike], "strict": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_savee(root: str | os.PathLike, *, strict: bool = True) -> Bunch:
    """Find the Surrey Audio-Visual Expressed Emotion (SAVEE) clips below ``root``.

    Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Every ``.wav`` or ``.flac`` file
    (extension in any case) anywhere below ``root`` is taken as a SAVEE clip,
    in either of the two common layouts: the official one, ``<code><number>``
    in a folder named after the speaker (``AudioData/DC/a01.wav``), and the
    flattened one, ``<speaker>_<code><number>`` (``DC_a01.wav``). Speakers
    are DC, JE, JK and KL; codes a (angry), d (disgust), f (fearful),
    h (happy), n (neutral), sa (sad) and su (surprised). Hidden files are
    ignored.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus.
    strict : bool, default=True
        What to do with an audio file whose name breaks the convention and
        with a second copy of a clip already found (same speaker, code and
        number, e.g. both layouts below ``root``). If True, raise a
        ValueError listing those files; if False, skip them with one warning
        listing them (of duplicates, the first path in sorted order is kept).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Emotion, from :data:`~sklearn_ser.datasets.EMOTIONS`.
        groups : ndarray of str
            Speaker ids ``"DC"``, ``"JE"``, ``"JK"`` or ``"KL"``: pass them to a
            group-aware splitter for speaker-independent evaluation.
        speaker : ndarray of str
            The same as ``groups``.
        sentence : ndarray of int
            Sentence number within the emotion, 1 to 15 (1 to 30 for neutral).
        sex : ndarray of str
            ``"male"``: all four speakers are men.
        target_names : ndarray of str
            The emotions present, in canonical order.
        DESCR : str
            Description of the corpus, its citation and licence.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no SAVEE clip.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and some files break the naming convention or repeat a
        clip.

    See Also
    --------
    load_emodb : Berlin Database of Emotional Speech.
    load_folder : A corpus read with a regular expression or one folder per label.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_savee
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["AudioData/DC/a01.wav", "AudioData/KL/sa12.wav"]:
    ...         Path(tmp, name).parent.mkdir(parents=True)
    ...         Path(tmp, name).touch()
    ...     data = load_savee(tmp)
    >>> data.target.tolist(), data.groups.tolist(), data.sentence.tolist()
    (['angry', 'sad'], ['DC', 'KL'], [1, 12])
    """
    _, paths, clips = find_clips(root, _NAMING, strict=strict, what="SAVEE clips")
    speaker, code, sentence = zip(*clips, strict=True)
    return make_bunch(
        paths=paths,
        target=[_EMOTIONS[c] for c in code],
        groups=speaker,
        descr=_DESCR,
        speaker=speaker,
        sentence=sentence,
        sex=["male"] * len(paths),
    )
