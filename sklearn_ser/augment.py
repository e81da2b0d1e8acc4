"""Additive white Gaussian noise augmentation as an imbalanced-learn sampler.

The augmenter is a sampler (``fit_resample``, no ``transform``): inside an
:class:`imblearn.pipeline.Pipeline` it runs while the pipeline is fitted and is
skipped by ``predict``, ``predict_proba``, ``score`` and ``transform``, so noisy
copies of a test clip can never reach the training set.
"""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

#: Valid signal-to-noise ratios in dB. Below -20 dB the noise is 100 times
#: stronger than the speech and nothing of the emotion is left to learn; above
#: 80 dB the noise is below what float32 audio in [-1, 1] can usefully carry.
SNR_DB_RANGE = (-20.0, 80.0)

__all__ = ["SNR_DB_RANGE", "AWGNAugmenter"]


def _check_level(
    value: float | tuple, name: str, low: float, high: float, unit: str
) -> tuple[float, float]:
    """Return ``value`` as a ``(low, high)`` range, or raise naming ``name``."""
    if not isinstance(value, tuple):
        return float(value), float(value)
    expected = (
        f"expected a number or a (low, high) tuple with "
        f"{low:g} <= low <= high <= {high:g}{unit}"
    )
    if len(value) != 2 or not all(
        isinstance(v, Real) and not isinstance(v, bool) for v in value
    ):
        raise ValueError(f"{name}={value!r} is not a valid range: {expected}.")
    lo, hi = float(value[0]), float(value[1])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name}={value!r} contains a non-finite bound: {expected}.")
    if lo > hi:
        raise ValueError(f"{name}={value!r} is a reversed range: {expected}.")
    if lo < low or hi > high:
        raise ValueError(f"{name}={value!r} is outside the valid range: {expected}.")
    return lo, hi


def _active_power(x: np.ndarray, frame_length: int, top_db: float | None) -> float:
    """Mean power of the samples of ``x`` that lie in active frames.

    ``x`` is cut into consecutive non-overlapping frames of ``frame_length``
    samples (the last one may be shorter). A frame is active when its mean
    power is at most ``top_db`` dB below the loudest frame's; with
    ``top_db=None`` every frame is active, i.e. the whole clip is the reference.
    """
    starts = np.arange(0, x.shape[0], frame_length)
    energy = np.add.reduceat(np.square(x, dtype=np.float64), starts)
    lengths = np.diff(np.append(starts, x.shape[0]))
    if top_db is None:
        return float(energy.sum() / lengths.sum())
    frame_power = energy / lengths
    active = frame_power >= frame_power.max() * 10.0 ** (-top_db / 10.0)
    return float(energy[active].sum() / lengths[active].sum())


def _recorded_span(x: np.ndarray) -> tuple[int, int]:
    """Bounds ``[start, stop)`` of ``x`` without its leading/trailing exact zeros.

    ``AudioLoader`` pads short clips with samples that are exactly 0.0; those
    runs are padding, not recording.
    """
    nonzero = np.flatnonzero(x)
    return int(nonzero[0]), int(nonzero[-1]) + 1


class AWGNAugmenter(BaseOverSampler):
    """Add white Gaussian noise to copies of waveforms, at fit time only.

    A sampler in the sense of imbalanced-learn: ``fit_resample(X, y)`` returns
    the original clips followed by noisy copies, and inside an
    :class:`imblearn.pipeline.Pipeline` it only runs while the pipeline is
    fitted. Predictions, scores and transforms always see the original clips,
    so a cross-validated pipeline never trains on a noisy copy of a test clip.

    Parameters
    ----------
    snr_db : float or tuple of (float, float), default=(15.0, 30.0)
        Signal-to-noise ratio of each copy in dB, used when ``noise="snr"``.
        A tuple ``(low, high)`` draws one SNR per copy uniformly from that
        range. Valid values lie in ``SNR_DB_RANGE`` = [-20, 80] dB. The
        signal power is the clip's *active* power (see ``top_db``), so the
        SNR holds where the speech is, however much silence or padding the
        clip contains; the noise power is the noise variance.
    noise : {"snr", "amplitude"}, default="snr"
        How the noise level is set. ``"snr"``: from ``snr_db`` against the
        clip's active power. ``"amplitude"``: noise standard deviation equal
        to ``amplitude`` times the clip's peak absolute sample, the
        fixed-amplitude recipe of the public notebooks that several SER
        papers build on (see Notes).
    amplitude : float or tuple of (float, float), default=(0.0, 0.035)
        Noise standard deviation relative to the clip's peak absolute value,
        used when ``noise="amplitude"``; a fixed value in (0, 1] or a range
        ``(low, high)`` with 0 <= low <= high <= 1, drawn uniformly per copy.
        The default reproduces ``0.035 * uniform() * max(x)``.
    n_copies : int or None, default=None
        Number of noisy copies of every clip when ``sampling_strategy`` is
        None; None means 1 and 0 returns the input unchanged (handy as a grid
        point meaning "no augmentation"). Must stay None when a sampling
        strategy is given, because the strategy then fixes the number of
        copies per class.
    sampling_strategy : float, str, dict, callable or None, default=None
        None augments every class equally (``n_copies`` copies per clip).
        Any value accepted by imbalanced-learn's over-samplers (``"auto"``,
        ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
        a dict ``{class: target count}``, a float for binary targets, or a
        callable) instead balances the classes with noisy copies, as
        :class:`~imblearn.over_sampling.RandomOverSampler` does with exact
        duplicates. The copies of a class are spread over its clips
        round-robin in a random order, so no clip is copied more than once
        more than any other clip of its class.
    keep_original : bool, default=True
        Whether the output starts with the original clips. False returns only
        the noisy copies; it requires ``sampling_strategy=None`` and
        ``n_copies >= 1``.
    top_db : float or None, default=40.0
        Threshold of the active part, in dB below the loudest frame. None
        makes the whole clip (padding included) the power reference, as the
        whole-clip recipes in the literature do.
    frame_length : int, default=512
        Length in samples of the non-overlapping frames used to find the
        active part (32 ms at 16 kHz).
    noise_in_padding : bool, default=False
        Whether noise is also added to the zero padding, i.e. to the leading
        and trailing runs of samples that are exactly 0.0. False mimics a
        noisy recording that was padded afterwards, which is also what every
        padded test clip looks like; True adds noise over the whole array,
        as the literature's recipes do.
    random_state : int, RandomState instance or None, default=None
        Controls the choice of clips to copy and the noise.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of noisy copies generated for each class.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Index into the input of the clip each output row comes from.
    noise_std_ : ndarray of shape (n_copies_total,)
        Standard deviation of the noise added to each generated row, in the
        order of the generated rows.
    n_features_in_ : int
        Number of samples per clip seen by ``fit_resample``.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : Balances classes with exact
        duplicates.
    imblearn.pipeline.Pipeline : Pipeline that runs samplers at fit time only.

    Notes
    -----
    The active part of a clip is the set of frames (``frame_length``
    samples, non-overlapping, the last one possibly shorter) whose mean
    power is within ``top_db`` dB of the clip's loudest frame. Its mean
    power :math:`P_s` sets the noise variance
    :math:`\\sigma^2 = P_s \\, 10^{-\\mathrm{SNR}/10}`. Zero padding and
    pauses therefore do not lower the signal power, whereas a whole-clip
    reference would halve the power of a clip padded to twice its length and
    so add 3 dB less noise than requested.

    Reproducing the literature: the papers in this project that augment with
    white noise (the hybrid CNN-LSTM and the parallel CNN-Transformer on
    RAVDESS, the RNN on TESS) do not state the noise level. The public
    RAVDESS notebooks with the two RAVDESS architectures make two copies per
    clip at an integer SNR drawn from 15-29 dB against the whole zero-padded
    clip: ``AWGNAugmenter(snr_db=(15, 30), n_copies=2, top_db=None,
    noise_in_padding=True)`` (they draw one SNR per clip instead of per
    copy). The widespread notebook recipe ``0.035 * uniform() * max(x)`` is
    ``AWGNAugmenter(noise="amplitude", amplitude=(0.0, 0.035),
    noise_in_padding=True)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augment import AWGNAugmenter
    >>> t = np.arange(1600) / 16000
    >>> X = np.stack([np.sin(2 * np.pi * f * t) for f in (200, 300, 400)])
    >>> X = X.astype(np.float32)
    >>> y = np.array(["angry", "angry", "sad"])
    >>> aug = AWGNAugmenter(snr_db=20, n_copies=2, random_state=0)
    >>> X_res, y_res = aug.fit_resample(X, y)
    >>> X_res.shape, X_res.dtype
    ((9, 1600), dtype('float32'))
    >>> aug.sample_indices_
    array([0, 1, 2, 0, 0, 1, 1, 2, 2])

    Balancing the classes with noisy copies instead of duplicates:

    >>> bal = AWGNAugmenter(sampling_strategy="auto", random_state=0)
    >>> X_bal, y_bal = bal.fit_resample(X, y)
    >>> y_bal.tolist()
    ['angry', 'angry', 'sad', 'sad']
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "sampling_strategy": [
            *BaseOverSampler._parameter_constraints["sampling_strategy"],
            None,
        ],
        "snr_db": [Interval(Real, *SNR_DB_RANGE, closed="both"), tuple],
        "noise": [StrOptions({"snr", "amplitude"})],
        "amplitude": [Interval(Real, 0, 1, closed="right"), tuple],
        "n_copies": [Interval(Integral, 0, None, closed="left"), None],
        "keep_original": ["boolean"],
        "top_db": [Interval(Real, 0, None, closed="neither"), None],
        "frame_length": [Interval(Integral, 1, None, closed="left")],
        "noise_in_padding": ["boolean"],
    }

    def __init__(
        self,
        *,
        snr_db=(15.0, 30.0),
        noise="snr",
        amplitude=(0.0, 0.035),
        n_copies=None,
        sampling_strategy=None,
        keep_original=True,
        top_db=40.0,
        frame_length=512,
        noise_in_padding=False,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.snr_db = snr_db
        self.noise = noise
        self.amplitude = amplitude
        self.n_copies = n_copies
        self.keep_original = keep_original
        self.top_db = top_db
        self.frame_length = frame_length
        self.noise_in_padding = noise_in_padding
        self.random_state = random_state

    def _check_X_y(self, X, y):
        # Waveforms are dense float32 (AudioLoader's contract); NaN/Inf are
        # rejected here by validate_data, naming X.
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self, X=X, y=y, reset=True, accept_sparse=False, dtype=np.float32
        )
        return X, y, binarize_y

    def _check_params(self) -> tuple[float, float]:
        """Cross-parameter checks; return the noise-level range of the mode."""
        if self.sampling_strategy is not None and self.n_copies is not None:
            raise ValueError(
                f"n_copies={self.n_copies!r} cannot be combined with "
                f"sampling_strategy={self.sampling_strategy!r}: the strategy sets "
                "the number of copies per class. Leave n_copies=None, or set "
                "sampling_strategy=None to make n_copies copies of every clip."
            )
        if not self.keep_original:
            if self.sampling_strategy is not None:
                raise ValueError(
                    "keep_original=False requires sampling_strategy=None: "
                    f"balancing with sampling_strategy={self.sampling_strategy!r} "
                    "adds copies to the original clips."
                )
            if self.n_copies == 0:
                raise ValueError(
                    "keep_original=False with n_copies=0 would return no clips; "
                    "expected n_copies >= 1."
                )
        if self.noise == "snr":
            return _check_level(self.snr_db, "snr_db", *SNR_DB_RANGE, " dB")
        low, high = _check_level(self.amplitude, "amplitude", 0.0, 1.0, "")
        if high == 0.0:
            raise ValueError(
                f"amplitude={self.amplitude!r} adds no noise: expected a "
                "(low, high) range with high > 0."
            )
        return low, high

    def _fit_resample(self, X, y):
        level_low, level_high = self._check_params()
        random_state = check_random_state(self.random_state)
        rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))

        if self.sampling_strategy is None:
            n_copies = 1 if self.n_copies is None else self.n_copies
            classes, counts = np.unique(y, return_counts=True)
            self.sampling_strategy_ = {
                klass: int(n_copies * count)
                for klass, count in zip(classes, counts, strict=True)
            }
            sources = np.repeat(np.arange(X.shape[0]), n_copies)
        else:
            sources = np.concatenate(
                [
                    self._round_robin(np.flatnonzero(y == klass), n_new, rng)
                    for klass, n_new in self.sampling_strategy_.items()
                ]
                or [np.empty(0, dtype=np.intp)]
            )

        levels = rng.uniform(level_low, level_high, size=sources.shape[0])
        first = X.shape[0] if self.keep_original else 0
        X_res = np.empty((first + sources.shape[0], X.shape[1]), dtype=np.float32)
        if self.keep_original:
            X_res[:first] = X
        self.noise_std_ = np.empty(sources.shape[0])
        # Per-clip references are computed once, however many copies a clip gets.
        references = {}
        buffer = np.empty(X.shape[1], dtype=np.float32)
        for row, (source, level) in enumerate(zip(sources, levels, strict=True)):
            if source not in references:
                references[source] = self._reference(X[source], source)
            scale, start, stop = references[source]
            if self.noise == "snr":
                std = np.sqrt(scale * 10.0 ** (-level / 10.0))
            else:
                std = scale * level
            self.noise_std_[row] = std
            noise = rng.standard_normal(dtype=np.float32, out=buffer[: stop - start])
            noise *= np.float32(std)
            X_res[first + row] = X[source]
            X_res[first + row, start:stop] += noise

        kept = np.arange(first, dtype=np.intp)
        self.sample_indices_ = np.concatenate([kept, sources.astype(np.intp)])
        return X_res, y[self.sample_indices_]

    def _reference(self, x: np.ndarray, index: int) -> tuple[float, int, int]:
        """Noise reference of clip ``x`` and the span that receives noise.

        The reference is the active power (``noise="snr"``) or the peak
        absolute value (``noise="amplitude"``).
        """
        if not np.any(x):
            raise ValueError(
                f"X[{index}] is silent (all samples are 0): noise relative to its "
                "level is undefined. Remove silent clips before augmenting."
            )
        if self.noise == "snr":
            scale = _active_power(x, self.frame_length, self.top_db)
        else:
            scale = float(np.max(np.abs(x)))
        if self.noise_in_padding:
            return scale, 0, x.shape[0]
        return (scale, *_recorded_span(x))

    @staticmethod
    def _round_robin(
        indices: np.ndarray, n_new: int, rng: np.random.Generator
    ) -> np.ndarray:
        """``n_new`` picks from ``indices``, cycling through a random order."""
        order = rng.permutation(indices)
        return np.resize(order, n_new)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.sampler_tags.sample_indices = True
        return tags
