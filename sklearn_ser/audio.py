"""Audio loading: the only place where sklearn_ser reads files."""

#: Library-wide default sample rate (Hz) for every component that has an ``sr``.
DEFAULT_SR = 16000
