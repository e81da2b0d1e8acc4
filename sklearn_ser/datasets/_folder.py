"""A user's own corpus: one folder per label, or labels found by a pattern."""

import os
import re
from collections import Counter
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import NameConvention, find_clips, make_bunch, ordered_labels
from ._emotions import canonical_label


def _check_extensions(extensions: Sequence) -> tuple[str, ...]:
    """Lower-case extensions with their leading dot ("WAV" and ".wav" alike)."""
    if not extensions or not all(
        isinstance(extension, str) and extension.strip(".") for extension in extensions
    ):
        raise ValueError(
            "extensions must be a non-empty sequence of file extensions such as "
            f"('.wav', '.flac'); got {extensions!r}"
        )
    return tuple("." + extension.lower().lstrip(".") for extension in extensions)


def _compile(pattern: str | re.Pattern, name: str, what: str) -> re.Pattern:
    """``pattern`` compiled, or an error naming the parameter ``name``."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"{name} {pattern!r} is not a valid regular expression: {exc}"
        ) from exc
    if what not in compiled.groupindex and not compiled.groups:
        raise ValueError(
            f"{name} {compiled.pattern!r} has no group; expected a named "
            f"group (?P<{what}>...) or a first group that captures the {what}"
            + (" id" if what == "speaker" else "")
        )
    return compiled


def _group(pattern: re.Pattern, what: str) -> str | int:
    """The named group ``what`` if the pattern has one, else the first group."""
    return what if what in pattern.groupindex else 1


def _parse(
    path: Path,
    root: Path,
    *,
    label_pattern: re.Pattern | None,
    speaker_pattern: re.Pattern | None,
) -> tuple[str, str | None]:
    """The label (before ``label_map``) and speaker id of one file.

    Raises ValueError saying what the file's path lacks.
    """
    parts = path.relative_to(root).parts
    if label_pattern is None:
        if len(parts) == 1:
            raise ValueError(
                "no label folder (for labels in the file names, pass label_pattern)"
            )
        label, searched = parts[0], "/".join(parts[1:])
    else:
        searched = "/".join(parts)
        match = label_pattern.search(searched)
        label = None if match is None else match.group(_group(label_pattern, "label"))
        if not label:
            raise ValueError(f"label_pattern finds no label in {searched!r}")
        if "speaker" in label_pattern.groupindex:
            speaker = match.group("speaker")
            if not speaker:
                raise ValueError(f"label_pattern finds no speaker in {searched!r}")
            return label, speaker
    if speaker_pattern is None:
        return label, None
    match = speaker_pattern.search(searched)
    speaker = None if match is None else match.group(_group(speaker_pattern, "speaker"))
    if not speaker:
        raise ValueError(f"speaker_pattern finds no speaker in {searched!r}")
    return label, speaker


def _describe(
    root: Path,
    target: list[str],
    groups: list[str] | None,
    source: str,
    finder: str,
    renamed: dict[str, str],
) -> str:
    counts = Counter(target)
    labels = ", ".join(f"{label} ({counts[label]})" for label in ordered_labels(target))
    if groups is None:
        speakers = (
            "groups is None: no speaker_pattern was given, so the clips cannot\n"
            "be grouped by speaker and speaker-independent evaluation is\n"
            "impossible. Scores from splits that put one speaker's clips in both\n"
            "training and test data overestimate accuracy on unseen speakers;\n"
            "pass speaker_pattern (or a speaker group in label_pattern) to get\n"
            "speaker ids."
        )
    else:
        speakers = (
            f"groups: {len(set(groups))} speaker ids found by {finder}.\n"
            "The same speaker must never appear in both training and test data:\n"
            "evaluate speaker-independently by passing groups to\n"
            "a group-aware splitter (GroupKFold, StratifiedGroupKFold,\n"
            "LeaveOneGroupOut), including any inner split used for tuning."
        )
    if renamed:
        labels += "\nLabels renamed: " + ", ".join(
            f"{found} -> {label}" for found, label in sorted(renamed.items())
        )
    return f"""\
Audio corpus loaded by load_folder
==================================

Root: {root}
{len(target)} clips; labels from {source} (clips per label):
{labels}

Fields
------
paths : file paths, sorted
target : label (its label_map value, else its canonical emotion, else as found)
groups : speaker id, or None without speaker_pattern
target_names : the labels present, canonical emotions first

Evaluation
----------
{speakers}
"""


@validate_params(
    {
        "root": [str, os.PathLike],
        "label_pattern": [None, str, re.Pattern],
        "speaker_pattern": [None, str, re.Pattern],
        "extensions": [tuple, list],
        "label_map": [None, dict],
        "canonical_labels": ["boolean"],
        "strict": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_folder(
    root: str | os.PathLike,
    *,
    label_pattern: str | re.Pattern | None = None,
    speaker_pattern: str | re.Pattern | None = None,
    extensions: Sequence[str] = (".wav", ".flac", ".ogg"),
    label_map: dict[str, str] | None = None,
    canonical_labels: bool = True,
    strict: bool = True,
) -> Bunch:
    """Find the clips of a corpus laid out by label folders or named by pattern.

    Two layouts are read. Without ``label_pattern``, each sub-folder of
    ``root`` holds the clips of one label, e.g. ``root/angry/clip01.wav``;
    clips may lie in deeper folders below it
    (``root/angry/speaker03/clip01.wav``). With ``label_pattern``, a regular
    expression finds each clip's label (and optionally its speaker) in its
    path, so a flat folder such as ``root/DC_a01.wav`` works. Common spellings
    of the canonical emotions are mapped to
    :data:`~sklearn_ser.datasets.EMOTIONS` (``Angry`` and ``anger`` to
    ``angry``, ``happiness`` to ``happy``, ``fear`` to ``fearful``, ...), so
    that the labels match those of the other loaders (a cross-corpus run
    needs shared labels); ``label_map`` renames labels first, and
    ``canonical_labels=False`` keeps them as found. Only file names are
    read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Hidden files and folders are
    ignored, and so are files with other extensions.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding the corpus.
    label_pattern : str or re.Pattern, default=None
        Regular expression that finds the label of a clip, searched
        (:func:`re.search`) in the clip's path below ``root`` with ``/``
        separators (just the file name, ``"DC_a01.wav"``, for a flat folder).
        The label is the named group ``label`` if the pattern has one, else
        its first group; a named group ``speaker`` gives the speaker id. If
        None, labels are the names of the sub-folders of ``root``.
    speaker_pattern : str or re.Pattern, default=None
        Regular expression that finds the speaker id of a clip, searched in
        the clip's path below its label folder (``"clip01.wav"`` for
        ``root/angry/clip01.wav``, ``"speaker03/clip01.wav"`` for
        ``root/angry/speaker03/clip01.wav``), or below ``root`` with
        ``label_pattern``. The id is the named group ``speaker`` if the
        pattern has one, else its first group. If None and ``label_pattern``
        has no ``speaker`` group, ``groups`` is None: without speaker ids,
        speaker-independent evaluation is impossible.
    extensions : tuple or list of str, default=(".wav", ".flac", ".ogg")
        Extensions of the audio files to keep, matched case-insensitively; the
        leading dot is optional.
    label_map : dict, default=None
        Labels for some or all labels found, e.g. ``{"ps": "surprised"}``,
        taken as given; labels not in it go through ``canonical_labels``.
        Every key must be a label found.
    canonical_labels : bool, default=True
        Map the labels found (not those of ``label_map``) that spell a
        canonical emotion, whatever their case, to it: ``neutrality``;
        ``calmness``; ``happiness``, ``joy``; ``sadness``; ``anger``;
        ``fear``, ``afraid``; ``disgusted``; ``surprise``, ``ps``,
        ``pleasant_surprise``; and the three-letter codes ``neu``, ``hap``,
        ``ang``, ``fea``, ``dis``, ``sur``. ``bored`` and ``boredom`` become
        ``"boredom"`` (EmoDB's label). Other labels are kept as found, and
        :attr:`DESCR` lists every renaming. False keeps every label as found.
    strict : bool, default=True
        What to do with an audio file in which the patterns find no label or
        no speaker, or that lies directly in ``root`` without
        ``label_pattern``. If True, raise a ValueError listing those files; if
        False, skip them with one warning listing them.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Label: the ``label_map`` value of the folder name or of what
            ``label_pattern`` found, else its canonical emotion (with
            ``canonical_labels``), else the label as found.
        groups : ndarray of str or None
            Speaker ids, or None without a speaker pattern. Pass them to a
            group-aware splitter for speaker-independent evaluation.
        target_names : ndarray of str
            The labels present: canonical emotions in canonical order, then
            any other labels in alphabetical order.
        DESCR : str
            Description of the corpus as loaded.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no usable audio file.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If ``strict`` and the patterns find no label or speaker in some files
        or audio files lie directly in ``root`` without ``label_pattern``; if
        a pattern is invalid or has no group, or both patterns give the
        speaker; if ``label_map`` names a label not found or maps to a
        non-string; or if ``extensions`` is empty or holds a non-string.

    See Also
    --------
    load_ravdess : Ryerson Audio-Visual Database of Emotional Speech and Song.
    load_savee : Surrey Audio-Visual Expressed Emotion, read by its own names.

    Examples
    --------
    One folder per label, speakers in the file names:

    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from sklearn_ser.datasets import load_folder
    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["angry/spk1_a.wav", "angry/spk2_a.wav", "ps/spk1_b.wav"]:
    ...         Path(tmp, name).parent.mkdir(exist_ok=True)
    ...         Path(tmp, name).touch()
    ...     data = load_folder(
    ...         tmp, speaker_pattern="^([a-z0-9]+)_", label_map={"ps": "surprised"}
    ...     )
    >>> data.target.tolist(), data.groups.tolist()
    (['angry', 'angry', 'surprised'], ['spk1', 'spk2', 'spk1'])

    A flat folder, label and speaker in the file names:

    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["s1-angry-01.wav", "s2-sad-07.wav"]:
    ...         Path(tmp, name).touch()
    ...     pattern = r"^(?P<speaker>s[0-9]+)-(?P<label>[a-z]+)-"
    ...     data = load_folder(tmp, label_pattern=pattern)
    >>> data.target.tolist(), data.groups.tolist()
    (['angry', 'sad'], ['s1', 's2'])

    Label folders spelt otherwise (``Anger/``, ``Happiness/``) give the
    canonical labels, unless ``canonical_labels=False``:

    >>> with TemporaryDirectory() as tmp:
    ...     for name in ["Anger/s1_01.wav", "Happiness/s1_02.wav"]:
    ...         Path(tmp, name).parent.mkdir()
    ...         Path(tmp, name).touch()
    ...     mapped = load_folder(tmp).target.tolist()
    ...     as_found = load_folder(tmp, canonical_labels=False).target.tolist()
    >>> mapped, as_found
    (['angry', 'happy'], ['Anger', 'Happiness'])
    """
    extensions = _check_extensions(extensions)
    if label_pattern is not None:
        label_pattern = _compile(label_pattern, "label_pattern", "label")
    if speaker_pattern is not None:
        speaker_pattern = _compile(speaker_pattern, "speaker_pattern", "speaker")
        if label_pattern is not None and "speaker" in label_pattern.groupindex:
            raise ValueError(
                f"label_pattern {label_pattern.pattern!r} has a speaker group and "
                f"speaker_pattern {speaker_pattern.pattern!r} is given too; give "
                "the speaker one way only"
            )
    if label_pattern is None:
        layout = (
            "one sub-folder per label holding its audio files "
            f"({', '.join(extensions)}), e.g. angry/clip01.wav and sad/clip02.wav"
        )
        rules = ["one sub-folder per label"]
        source = "the folder names"
    else:
        layout = (
            f"audio files ({', '.join(extensions)}) in whose paths label_pattern "
            f"{label_pattern.pattern!r} finds a label"
        )
        rules = [f"label_pattern {label_pattern.pattern!r}"]
        source = f"label_pattern {label_pattern.pattern!r}"
    if speaker_pattern is not None:
        rules.append(f"speaker_pattern {speaker_pattern.pattern!r}")
    naming = NameConvention(
        corpus="Corpus",
        layout=layout,
        convention=", ".join(rules),
        parse=partial(
            _parse, label_pattern=label_pattern, speaker_pattern=speaker_pattern
        ),
        unique=False,
        extensions=extensions,
    )
    root, paths, clips = find_clips(root, naming, strict=strict, what="audio files")

    found, speakers = zip(*clips, strict=True)
    label_map = {} if label_map is None else label_map
    unknown = sorted(set(label_map).difference(found))
    if unknown:
        where = "label folder" if label_pattern is None else "label found"
        raise ValueError(
            f"label_map keys {unknown} name no {where} under {root}; "
            f"{where}s: {sorted(set(found))}"
        )
    not_str = {
        key: value for key, value in label_map.items() if not isinstance(value, str)
    }
    if not_str:
        raise ValueError(f"label_map values must be str; got {not_str}")
    renamed = {label: label_map[label] for label in set(found) if label in label_map}
    if canonical_labels:
        for label in set(found) - set(label_map):
            canonical = canonical_label(label)
            if canonical is not None and canonical != label:
                renamed[label] = canonical
    target = [renamed.get(label, label) for label in found]
    groups = None if speakers[0] is None else list(speakers)
    finder = (
        f"speaker_pattern {speaker_pattern.pattern!r}"
        if speaker_pattern is not None
        else f"label_pattern {getattr(label_pattern, 'pattern', None)!r}"
    )
    return make_bunch(
        paths=paths,
        target=target,
        groups=groups,
        descr=_describe(root, target, groups, source, finder, renamed),
    )
