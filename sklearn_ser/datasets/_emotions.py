"""The canonical emotion vocabulary shared by every dataset loader."""

#: Canonical emotion labels, in RAVDESS code order (01 neutral ... 08 surprised).
EMOTIONS = (
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
)

# Spellings of the canonical emotions (and of EmoDB's boredom) found in
# corpora laid out by hand, lower case, with spaces and hyphens as "_".
_SPELLINGS = {
    "neutral": ("neutral", "neutrality", "neu"),
    "calm": ("calm", "calmness"),
    "happy": ("happy", "happiness", "joy", "joyful", "hap"),
    "sad": ("sad", "sadness", "sorrow"),
    "angry": ("angry", "anger", "ang"),
    "fearful": ("fearful", "fear", "afraid", "fea"),
    "disgust": ("disgust", "disgusted", "dis"),
    "surprised": (
        "surprised",
        "surprise",
        "ps",
        "pleasant_surprise",
        "pleasant_surprised",
        "sur",
    ),
    "boredom": ("boredom", "bored"),
}
#: Each known spelling, normalised as :func:`canonical_label` does, to its label.
LABEL_SPELLINGS = {
    spelling: label for label, spellings in _SPELLINGS.items() for spelling in spellings
}


def canonical_label(label: str) -> str | None:
    """The canonical emotion a label spells (``"Anger"`` → ``"angry"``), or None.

    Case, surrounding spaces, and spaces or hyphens inside the label do not
    matter; ``"boredom"`` (EmoDB's extra emotion) is recognised as well.
    """
    key = "_".join(str(label).strip().lower().replace("-", " ").split())
    return LABEL_SPELLINGS.get(key)
