"""A user's own corpus laid out as one folder per label."""

import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import (
    check_root,
    find_audio_files,
    list_files,
    make_bunch,
    no_files_error,
    ordered_labels,
)


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


def _compile_speaker_pattern(pattern: str | re.Pattern) -> tuple[re.Pattern, str]:
    """The compiled pattern and the group that holds the speaker id."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"speaker_pattern {pattern!r} is not a valid regular expression: {exc}"
        ) from exc
    if "speaker" in compiled.groupindex:
        return compiled, "speaker"
    if compiled.groups:
        return compiled, 1
    raise ValueError(
        f"speaker_pattern {compiled.pattern!r} has no group; expected a named "
        "group (?P<speaker>...) or a first group that captures the speaker id"
    )


def _describe(
    root: Path, target: list[str], groups: list[str] | None, pattern: str | None
) -> str:
    counts = Counter(target)
    labels = ", ".join(f"{label} ({counts[label]})" for label in ordered_labels(target))
    if groups is None:
        speakers = (
            "groups is None: no speaker_pattern was given, so the clips cannot\n"
            "be grouped by speaker and speaker-independent evaluation is\n"
            "impossible. Scores from splits that put one speaker's clips in both\n"
            "training and test data overestimate accuracy on unseen speakers;\n"
            "pass speaker_pattern to get speaker ids."
        )
    else:
        speakers = (
            f"groups: {len(set(groups))} speaker ids found by speaker_pattern\n"
            f"{pattern!r}. The same speaker must never appear in both training\n"
            "and test data: evaluate speaker-independently by passing groups to\n"
            "a group-aware splitter (GroupKFold, StratifiedGroupKFold,\n"
            "LeaveOneGroupOut), including any inner split used for tuning."
        )
    return f"""\
Audio corpus loaded by load_folder
==================================

Root: {root}
{len(target)} clips; labels from the folder names (clips per label):
{labels}

Fields
------
paths : file paths, sorted
target : label (the folder name, or its label_map value)
groups : speaker id, or None without speaker_pattern
target_names : the labels present, canonical emotions first

Evaluation
----------
{speakers}
"""


@validate_params(
    {
        "root": [str, os.PathLike],
        "speaker_pattern": [None, str, re.Pattern],
        "extensions": [tuple, list],
        "label_map": [None, dict],
    },
    prefer_skip_nested_validation=True,
)
def load_folder(
    root: str | os.PathLike,
    *,
    speaker_pattern: str | re.Pattern | None = None,
    extensions: Sequence[str] = (".wav", ".flac", ".ogg"),
    label_map: dict[str, str] | None = None,
) -> Bunch:
    """Find the clips of a corpus laid out as ``root/<label>/<clip>``.

    Each sub-folder of ``root`` holds the clips of one label, e.g.
    ``root/angry/clip01.wav``; clips may lie in deeper folders below it
    (``root/angry/speaker03/clip01.wav``). Labels are the folder names, kept
    as given (not mapped to canonical emotions) unless ``label_map`` says
    otherwise. Only file names are read, never audio: pass ``paths`` to
    :class:`~sklearn_ser.audio.AudioLoader`. Hidden files and folders are
    ignored, and so are files with other extensions.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding one sub-folder per label.
    speaker_pattern : str or re.Pattern, default=None
        Regular expression that finds the speaker id of a clip, searched
        (:func:`re.search`) in the clip's path below its label folder, with
        ``/`` separators: ``"clip01.wav"`` for ``root/angry/clip01.wav``,
        ``"speaker03/clip01.wav"`` for ``root/angry/speaker03/clip01.wav``.
        The id is the named group ``speaker`` if the pattern has one, else its
        first group. Every clip must yield a non-empty id. If None,
        ``groups`` is None: without speaker ids, speaker-independent
        evaluation is impossible.
    extensions : tuple or list of str, default=(".wav", ".flac", ".ogg")
        Extensions of the audio files to keep, matched case-insensitively; the
        leading dot is optional.
    label_map : dict, default=None
        Labels for some or all folder names, e.g. ``{"ps": "surprised"}``;
        folders not in it keep their names. Every key must name a label folder.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        One entry per clip, sorted by path, as 1-D arrays:

        paths : ndarray of str
            Absolute file paths.
        target : ndarray of str
            Label: the folder name, or its ``label_map`` value.
        groups : ndarray of str or None
            Speaker ids found by ``speaker_pattern``, or None without it. Pass
            them to a group-aware splitter for speaker-independent evaluation.
        target_names : ndarray of str
            The labels present: canonical emotions in canonical order, then
            any other labels in alphabetical order.
        DESCR : str
            Description of the corpus as loaded.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist or holds no audio file in a label folder.
    NotADirectoryError
        If ``root`` is not a directory.
    ValueError
        If audio files lie directly in ``root``, if ``speaker_pattern`` is
        invalid or finds no speaker in some clips, if ``label_map`` names a
        folder that does not exist or maps to a non-string, or if
        ``extensions`` is empty or holds a non-string.

    See Also
    --------
    load_ravdess : Ryerson Audio-Visual Database of Emotional Speech and Song.
    load_tess : Toronto Emotional Speech Set.

    Examples
    --------
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
    """
    extensions = _check_extensions(extensions)
    layout = (
        f"one sub-folder per label holding its audio files ({', '.join(extensions)})"
        ", e.g. angry/clip01.wav and sad/clip02.wav"
    )
    root = check_root(root, corpus="Corpus", layout=layout)
    paths = find_audio_files(root, extensions)
    loose = [path for path in paths if path.parent == root]
    if loose:
        raise ValueError(
            f"{len(loose)} audio file(s) lie directly in {root}, outside any label "
            f"folder; expected a folder with {layout}:\n"
            + list_files([(path, "no label folder") for path in loose], root)
        )
    if not paths:
        raise no_files_error(root, what="audio files", layout=layout)

    relative = [path.relative_to(root).parts for path in paths]
    folders = [parts[0] for parts in relative]
    label_map = {} if label_map is None else label_map
    unknown = sorted(set(label_map).difference(folders))
    if unknown:
        raise ValueError(
            f"label_map keys {unknown} name no label folder under {root}; "
            f"label folders: {sorted(set(folders))}"
        )
    not_str = {
        key: value for key, value in label_map.items() if not isinstance(value, str)
    }
    if not_str:
        raise ValueError(f"label_map values must be str; got {not_str}")
    target = [label_map.get(folder, folder) for folder in folders]

    groups = None
    if speaker_pattern is not None:
        pattern, group = _compile_speaker_pattern(speaker_pattern)
        groups, unmatched = [], []
        for path, parts in zip(paths, relative, strict=True):
            below_label = "/".join(parts[1:])
            match = pattern.search(below_label)
            speaker = None if match is None else match.group(group)
            if not speaker:
                unmatched.append((path, f"no speaker in {below_label!r}"))
            groups.append(speaker)
        if unmatched:
            raise ValueError(
                f"speaker_pattern {pattern.pattern!r} finds no speaker id in "
                f"{len(unmatched)} file(s) under {root} (it is searched in each "
                "file's path below its label folder):\n" + list_files(unmatched, root)
            )
        speaker_pattern = pattern.pattern

    return make_bunch(
        paths=paths,
        target=target,
        groups=groups,
        descr=_describe(root, target, groups, speaker_pattern),
    )
