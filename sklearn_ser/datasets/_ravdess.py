"""RAVDESS: find the audio-only clips and parse their 7-field file names."""

import os
import re
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ._base import NameConvention, find_audio_files, find_clips, make_bunch
from ._emotions import EMOTIONS

_LAYOUT = (
    "RAVDESS files named MM-VV-EE-II-SS-RR-AA.wav|.flac|.ogg anywhere below it, "
    "e.g. Actor_01/03-01-01-01-01-01-01.wav"
)
_CONVENTION = "MM-VV-EE-II-SS-RR-AA, two-digit codes"

_FIELDS = (
    "modality",
    "vocal channel",
    "emotion",
    "intensity",
    "statement",
    "repetition",
    "actor",
)
# Highest valid code of each field, in file-name order; every code starts at 01.
_HIGHEST = (3, 2, 8, 2, 2, 2, 24)
_TWO_DIGITS = re.compile(r"[0-9]{2}")
# A stem starting "<number>-" is meant as a RAVDESS name: report it if it is
# broken rather than skip it silently. Other audio files are not RAVDESS clips.
_RAVDESS_LIKE = re.compile(r"[0-9]+-")

_AUDIO_ONLY = 3
_CHANNELS = ("speech", "song")
_INTENSITIES = ("normal", "strong")
_STATEMENTS = ("Kids are talking by the door", "Dogs are sitting by the door")

_DESCR = """\
RAVDESS: Ryerson Audio-Visual Database of Emotional Speech and Song
===================================================================

24 professional actors (12 female, 12 male) speak and sing two lexically
matched statements in a neutral North American accent. Audio-only speech:
8 emotions (neutral, calm, happy, sad, angry, fearful, disgust, surprised),
2 intensities (normal, strong; neutral has normal only), 2 statements and
2 repetitions, i.e. 60 clips per actor and 1440 in all. Audio-only song:
6 emotions (no disgust, no surprised), 44 clips per actor, no song files for
actor 18, 1012 in all. 48 kHz, 16-bit WAV, some clips stereo.

File names: MM-VV-EE-II-SS-RR-AA.wav with modality (01 audio-visual,
02 video-only, 03 audio-only), vocal channel (01 speech, 02 song), emotion
(01 neutral ... 08 surprised, the order of sklearn_ser.datasets.EMOTIONS),
intensity (01 normal, 02 strong), statement (01 "Kids are talking by the
door", 02 "Dogs are sitting by the door"), repetition (01, 02) and actor
(01-24; odd actors male, even actors female). The loader keeps audio-only
clips (.wav, .flac or .ogg, any case, anywhere below root) and takes every field
from the file name, never from the folder.

Fields
------
paths : file paths, sorted
target : emotion, canonical label
groups : speaker id "Actor_NN"
intensity : "normal" or "strong"
statement : the sentence spoken or sung
repetition : 1 or 2
actor : actor number, 1-24
sex : "male" or "female"
vocal_channel : "speech" or "song"
target_names : the emotions present, in canonical order

Evaluation
----------
The same actor must never appear in both training and test data: the
emotion of a clip is far easier to recognise from a voice already heard.
Evaluate speaker-independently by passing ``groups`` to a group-aware
splitter (GroupKFold, StratifiedGroupKFold, LeaveOneGroupOut), including any
inner split used for tuning or early stopping. Random splits over clips
inflate accuracy considerably.

Citation and licence
--------------------
Livingstone SR, Russo FA (2018) The Ryerson Audio-Visual Database of
Emotional Speech and Song (RAVDESS): A dynamic, multimodal set of facial and
vocal expressions in North American English. PLoS ONE 13(5): e0196391.
doi:10.1371/journal.pone.0196391. Licence: CC BY-NC-SA 4.0 (attribution,
non-commercial, share-alike).
"""


def _parse(stem: str) -> tuple[int, ...]:
    """The seven codes of a RAVDESS file name; ValueError says which rule it breaks."""
    fields = stem.split("-")
    if len(fields) != len(_FIELDS):
        raise ValueError(
            f"{len(fields)} hyphen-separated fields, expected 7 (MM-VV-EE-II-SS-RR-AA)"
        )
    for name, field, highest in zip(_FIELDS, fields, _HIGHEST, strict=True):
        if not _TWO_DIGITS.fullmatch(field) or not 1 <= int(field) <= highest:
            raise ValueError(f"{name} {field!r} is not a code 01-{highest:02d}")
    codes = tuple(int(field) for field in fields)
    _, channel, emotion, intensity = codes[:4]
    if emotion == 1 and intensity == 2:
        raise ValueError("neutral (emotion 01) has no strong intensity (02)")
    if channel == 2 and emotion > 6:
        raise ValueError(
            f"song (vocal channel 02) has no {EMOTIONS[emotion - 1]} "
            f"(emotion {emotion:02d})"
        )
    return codes


def _clip(path: Path, root: Path, *, channels: tuple[str, ...]) -> tuple | None:
    """The codes of an audio-only clip of ``channels``; None for other files."""
    if not _RAVDESS_LIKE.match(path.stem):
        return None
    codes = _parse(path.stem)
    if codes[0] == _AUDIO_ONLY and _CHANNELS[codes[1] - 1] in channels:
        return codes
    return None


def _other_channel_clips(root, vocal_channel: str) -> int:
    """How many audio-only clips of the other vocal channel lie below ``root``."""
    if vocal_channel == "both" or not Path(root).is_dir():
        return 0
    (other,) = set(_CHANNELS) - {vocal_channel}
    count = 0
    for path in find_audio_files(Path(root).resolve()):
        try:
            count += _clip(path, root, channels=(other,)) is not None
        except ValueError:
            continue
    return count


@validate_params(
    {
        "root": [str, os.PathLike],
        "vocal_channel": [StrOptions({"speech", "song", "both"})],
        "strict": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_ravdess(
    root: str | os.PathLike, *, vocal_channel: str = "speech", strict: bool = True
) -> Bunch:
    """Find the RAVDESS audio-only clips below ``root`` and parse their names.

    Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Files named
    ``MM-VV-EE-II-SS-RR-AA.wav`` or ``.flac`` (extension in any case) are
    found anywhere below ``root``, so the layouts of the public copies
    (``Actor_NN/``, ``audio_speech_actors_01-24/Actor_NN/``, an extra enclosing
    folder) all work. Every field comes from the file name, none from the
    folder. Audio-visual and video-only files (modality 01, 02), hidden files
    and files whose names do not start with ``<number>-`` are ignored.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus.
    vocal_channel : {"speech", "song", "both"}, default="speech"
        Which clips to keep: spoken (vocal channel 01), sung (02) or both.
    strict : bool, default=True
        What to do with a file whose name looks like RAVDESS (it starts with
        ``<number>-``) but breaks the convention (wrong number of fields, a code
        out of range, neutral with strong intensity, song with disgust or
        surprised), and with a second copy of a clip already found (same seven
        codes, e.g. the corpus unpacked twice below ``root``). If True, raise a
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
            Speaker ids ``"Actor_NN"``: pass them to a group-aware splitter for
            speaker-independent evaluation.
        intensity : ndarray of str
            ``"normal"`` or ``"strong"``.
        statement : ndarray of str
            The sentence spoken or sung.
        repetition : ndarray of int
            1 or 2.
        actor : ndarray of int
            Actor number, 1 to 24.
        sex : ndarray of str
            ``"male"`` (odd actors) or ``"female"`` (even actors).
        vocal_channel : ndarray of str
            ``"speech"`` or ``"song"``.
        target_names : ndarray of str
            The emotions present, in canonical order.
        DESCR : str
            Description of the corpus, its citation and licence.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no audio-only clip of the chosen
        vocal channel.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and some files break the naming convention or repeat a
        clip.

    See Also
    --------
    load_tess : Toronto Emotional Speech Set.
    load_folder : A corpus laid out as one folder per label.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_ravdess
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["03-01-05-02-01-01-01.wav", "03-01-01-01-02-01-02.wav"]:
    ...         actor = Path(tmp, f"Actor_{name[-6:-4]}")
    ...         actor.mkdir()
    ...         (actor / name).touch()
    ...     data = load_ravdess(tmp)
    >>> data.target.tolist(), data.groups.tolist(), data.sex.tolist()
    (['angry', 'neutral'], ['Actor_01', 'Actor_02'], ['male', 'female'])
    >>> data.target_names.tolist()
    ['neutral', 'angry']
    """
    channels = _CHANNELS if vocal_channel == "both" else (vocal_channel,)
    naming = NameConvention(
        corpus="RAVDESS",
        layout=_LAYOUT,
        convention=_CONVENTION,
        parse=partial(_clip, channels=channels),
    )
    channel = "speech or song" if vocal_channel == "both" else vocal_channel
    try:
        _, paths, clips = find_clips(
            root, naming, strict=strict, what=f"RAVDESS audio-only {channel} clips"
        )
    except FileNotFoundError as exc:
        other = _other_channel_clips(root, vocal_channel)
        if not other:
            raise
        (name,) = set(_CHANNELS) - {vocal_channel}
        raise FileNotFoundError(
            f"{exc}; it holds {other} audio-only {name} clip(s): pass "
            f"vocal_channel='{name}' (--vocal-channel {name} on the command line) "
            "or 'both'"
        ) from None

    codes = np.asarray(clips)
    _, channel, emotion, intensity, statement, repetition, actor = codes.T
    return make_bunch(
        paths=paths,
        target=np.asarray(EMOTIONS)[emotion - 1],
        groups=[f"Actor_{number:02d}" for number in actor],
        descr=_DESCR,
        intensity=np.asarray(_INTENSITIES)[intensity - 1],
        statement=np.asarray(_STATEMENTS)[statement - 1],
        repetition=repetition,
        actor=actor,
        sex=np.where(actor % 2 == 1, "male", "female"),
        vocal_channel=np.asarray(_CHANNELS)[channel - 1],
    )
