"""EmoDB: find the Berlin Database of Emotional Speech clips and parse their names."""

import os
import re
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import NameConvention, find_clips, make_bunch

_LAYOUT = (
    "EmoDB files named <speaker><text><emotion><version>.wav anywhere below it, "
    "e.g. wav/03a01Fa.wav"
)
_CONVENTION = (
    "<speaker><text><emotion><version>, e.g. 03a01Fa: speaker 03-16, text a01-b10, "
    "emotion W, L, E, A, F, T or N, version a-z"
)
# Speaker number -> sex, from the corpus documentation.
_SPEAKERS = {
    "03": "male",
    "08": "female",
    "09": "female",
    "10": "male",
    "11": "male",
    "12": "male",
    "13": "female",
    "14": "female",
    "15": "male",
    "16": "female",
}
_TEXTS = ("a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03", "b09", "b10")
# German initials: Wut (anger), Langeweile (boredom), Ekel (disgust), Angst
# (fear), Freude (happiness), Trauer (sadness), Neutral. Boredom is outside
# the canonical vocabulary and kept as it is.
_EMOTIONS = {
    "W": "angry",
    "L": "boredom",
    "E": "disgust",
    "A": "fearful",
    "F": "happy",
    "T": "sad",
    "N": "neutral",
}
_FILE_NAME = re.compile(
    r"(?P<speaker>[0-9]{2})(?P<text>[ab][0-9]{2})(?P<emotion>[A-Z])(?P<version>[a-z])"
)

_DESCR = """\
EmoDB: Berlin Database of Emotional Speech
==========================================

Ten professional German actors (5 female, 5 male) speak ten everyday
German sentences (5 short, 5 longer) in 7 emotions: anger, boredom,
disgust, fear, happiness, sadness and neutral. The 535 utterances kept were
recognised by at least 80 % of the listeners of a perception test and judged
natural by more than 60 %. 16 kHz, 16-bit mono WAV.

File names: <speaker><text><emotion><version>.wav, e.g. 03a01Fa.wav, with
speaker 03, 08, 09, 10, 11, 12, 13, 14, 15 or 16, text a01, a02, a04, a05,
a07, b01, b02, b03, b09 or b10, emotion letter W (Wut, anger: angry),
L (Langeweile: boredom), E (Ekel: disgust), A (Angst: fearful), F (Freude:
happy), T (Trauer: sad) or N (neutral), and a version letter (a, b, ...).
Boredom is not in the canonical vocabulary and is kept as "boredom".

Fields
------
paths : file paths, sorted
target : emotion, canonical label or "boredom"
groups : speaker id, "03" ... "16"
speaker : the same as groups
text : sentence code, "a01" ... "b10"
version : version letter of the take
sex : "male" (speakers 03, 10, 11, 12, 15) or "female"
target_names : the labels present, canonical emotions first, then boredom

Evaluation
----------
The same speaker must never appear in both training and test data: pass
``groups`` to a group-aware splitter (leave-one-speaker-out is the usual
EmoDB protocol). Random splits over clips overestimate accuracy on unseen
speakers.

Citation and licence
--------------------
Burkhardt F, Paeschke A, Rolfes M, Sendlmeier WF, Weiss B (2005) A database
of German emotional speech. Proc. Interspeech 2005, 1517-1520.
doi:10.21437/Interspeech.2005-446. Licence: published by its authors for
research, free of charge; check the terms of your copy before redistributing
it.
"""


def _parse(path: Path, root: Path) -> tuple[str, str, str, str]:
    """Speaker, text, emotion letter and version of an EmoDB file name.

    Raises ValueError saying which rule the name breaks.
    """
    match = _FILE_NAME.fullmatch(path.stem)
    if match is None:
        raise ValueError(
            "expected <speaker><text><emotion><version>, e.g. 03a01Fa "
            "(two digits, a or b and two digits, an upper-case and a lower-case "
            "letter)"
        )
    speaker, text, emotion, version = match.group(
        "speaker", "text", "emotion", "version"
    )
    if speaker not in _SPEAKERS:
        raise ValueError(f"speaker {speaker!r} is not one of {', '.join(_SPEAKERS)}")
    if text not in _TEXTS:
        raise ValueError(f"text {text!r} is not one of {', '.join(_TEXTS)}")
    if emotion not in _EMOTIONS:
        raise ValueError(f"emotion {emotion!r} is not one of {', '.join(_EMOTIONS)}")
    return speaker, text, emotion, version


_NAMING = NameConvention(
    corpus="EmoDB", layout=_LAYOUT, convention=_CONVENTION, parse=_parse
)


@validate_params(
    {"root": [str, os.PathLike], "strict": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_emodb(root: str | os.PathLike, *, strict: bool = True) -> Bunch:
    """Find the Berlin Database of Emotional Speech (EmoDB) clips below ``root``.

    Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Every ``.wav`` or ``.flac`` file
    (extension in any case) anywhere below ``root`` is taken as an EmoDB clip
    named ``<speaker><text><emotion><version>``, e.g. ``wav/03a01Fa.wav``:
    speaker 03 to 16, text a01 to b10, emotion letter W (angry),
    L (boredom), E (disgust), A (fearful), F (happy), T (sad) or N (neutral),
    then the take's version letter. Boredom is outside the canonical
    vocabulary and is kept as ``"boredom"``. Hidden files are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus (the ``wav/`` folder or the one above it).
    strict : bool, default=True
        What to do with an audio file whose name breaks the convention and
        with a second copy of a clip already found (same name, e.g. the
        corpus unpacked twice below ``root``). If True, raise a ValueError
        listing those files; if False, skip them with one warning listing
        them (of duplicates, the first path in sorted order is kept).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Emotion, from :data:`~sklearn_ser.datasets.EMOTIONS`, or
            ``"boredom"``.
        groups : ndarray of str
            Speaker ids ``"03"`` to ``"16"``: pass them to a group-aware
            splitter for speaker-independent evaluation.
        speaker : ndarray of str
            The same as ``groups``.
        text : ndarray of str
            Sentence code, ``"a01"`` to ``"b10"``.
        version : ndarray of str
            Version letter of the take.
        sex : ndarray of str
            ``"male"`` or ``"female"``.
        target_names : ndarray of str
            The labels present: canonical emotions in canonical order, then
            ``"boredom"``.
        DESCR : str
            Description of the corpus, its citation and licence.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no EmoDB clip.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and some files break the naming convention or repeat a
        clip.

    See Also
    --------
    load_savee : Surrey Audio-Visual Expressed Emotion.
    load_folder : A corpus read with a regular expression or one folder per label.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_emodb
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["03a01Fa.wav", "08b10La.wav"]:
    ...         Path(tmp, name).touch()
    ...     data = load_emodb(tmp)
    >>> data.target.tolist(), data.groups.tolist(), data.sex.tolist()
    (['happy', 'boredom'], ['03', '08'], ['male', 'female'])
    """
    _, paths, clips = find_clips(root, _NAMING, strict=strict, what="EmoDB clips")
    speaker, text, emotion, version = zip(*clips, strict=True)
    return make_bunch(
        paths=paths,
        target=[_EMOTIONS[letter] for letter in emotion],
        groups=speaker,
        descr=_DESCR,
        speaker=speaker,
        text=text,
        version=version,
        sex=[_SPEAKERS[number] for number in speaker],
    )
