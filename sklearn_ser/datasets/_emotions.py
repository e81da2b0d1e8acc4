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
