"""openSMILE feature sets at the functionals level: the classical features of SER."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..audio import DEFAULT_SR
from ._frontend import check_waveforms, map_blocks

#: Lowest sample rate accepted: the standard sets are designed for 8-48 kHz
#: speech, and openSMILE's C library crashes the interpreter at very low rates.
MIN_SR = 8000

#: The largest sample value that survives openSMILE's 16-bit quantisation.
_INT16_MAX = 32767 / 32768


def _import_opensmile():
    """The ``opensmile`` module, or an ImportError that names the extra."""
    try:
        import opensmile
    except ImportError as exc:
        raise ImportError(
            "OpenSMILEFunctionals needs the opensmile package, which is not "
            "installed; install it with: pip install sklearn-ser[opensmile]"
        ) from exc
    return opensmile


class OpenSMILEFunctionals(TransformerMixin, BaseEstimator):
    """An openSMILE feature set, one vector of functionals per clip.

    The standard feature sets of paralinguistics, computed by the openSMILE
    library (Eyben et al.) through its Python package ``opensmile``: frame-
    level descriptors (pitch, loudness, jitter, shimmer, formants, MFCCs,
    spectral shape, ...) summarised over the clip by functionals (means,
    deviations, percentiles, slopes, ...). ``"eGeMAPSv02"`` is the extended
    Geneva Minimalistic Acoustic Parameter Set (Eyben et al. 2016), 88
    values designed for affective computing; ``"ComParE_2016"`` is the
    6,373-value set of the Interspeech Computational Paralinguistics
    Challenge. Needs the optional dependency: ``pip install
    sklearn-ser[opensmile]``.

    Parameters
    ----------
    feature_set : str, default="eGeMAPSv02"
        Name of a member of ``opensmile.FeatureSet``: ``"eGeMAPSv02"``,
        ``"ComParE_2016"``, ``"GeMAPSv01b"``, ``"emobase"``, ``"IS09"`` to
        ``"IS13"``, and the deprecated versions of GeMAPS and eGeMAPS (for
        which openSMILE warns). Checked in ``fit``.
    sr : int, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms, in Hz; at least 8000.
    n_jobs : int or None, default=None
        Number of threads over blocks of clips (joblib semantics: None is 1
        unless in a :func:`joblib.parallel_config` context, -1 is all cores).
        openSMILE runs in C without holding Python's global lock.

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``. ``transform`` accepts clips of any
        length: functionals do not depend on it.
    feature_names_ : ndarray of str objects
        openSMILE's names of the output columns.

    See Also
    --------
    AcousticStats170 : Mel, MFCC, zero-crossing and RMS statistics, no extra
        dependency.

    Notes
    -----
    **Quantisation.** openSMILE reads 16-bit audio: the waveform is scaled
    by 32768 and converted to integers, so samples outside ``[-1, 1)`` are
    clipped first (without that they would wrap around) and amplitudes below
    ``1 / 32768`` become silence.

    **Silence.** A silent clip (all zeros, such as a clip that
    :class:`~sklearn_ser.audio.AudioLoader` padded entirely) gets openSMILE's
    finite values for silence: for eGeMAPS, zero pitch, jitter and shimmer,
    a loudness floor of about 0.001, -201 dB formant amplitudes and an
    equivalent sound level of -120 dB. Zero padding after speech counts as
    silent frames in the functionals, as it would in openSMILE's
    command-line tool.

    **Short clips.** openSMILE needs some frames to compute functionals
    (about 0.1 s of audio for eGeMAPS and ComParE; 60-ms pitch windows
    dominate). For a shorter clip it returns no values, and ``transform``
    raises a ValueError naming the clips; no feature is ever NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import OpenSMILEFunctionals
    >>> rng = np.random.default_rng(0)
    >>> X = 0.1 * rng.standard_normal((2, 16000), dtype=np.float32)
    >>> egemaps = OpenSMILEFunctionals().fit(X)
    >>> egemaps.transform(X).shape
    (2, 88)
    >>> egemaps.get_feature_names_out()[:2]
    array(['F0semitoneFrom27.5Hz_sma3nz_amean',
           'F0semitoneFrom27.5Hz_sma3nz_stddevNorm'], dtype=object)
    >>> OpenSMILEFunctionals(feature_set="ComParE_2016").fit_transform(X).shape
    (2, 6373)
    """

    _parameter_constraints: dict = {
        "feature_set": [str],
        "sr": [Interval(Integral, MIN_SR, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, feature_set="eGeMAPSv02", sr=DEFAULT_SR, n_jobs=None):
        self.feature_set = feature_set
        self.sr = sr
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the feature set and the waveforms; no statistics are learnt.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms, as :class:`~sklearn_ser.audio.AudioLoader` returns them.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This transformer.
        """
        X = check_waveforms(self, X, reset=True)
        self.feature_names_ = np.asarray(self._smile().feature_names, dtype=object)
        return self

    def transform(self, X):
        """Compute the feature set's functionals of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms at ``sr``, of any length of at least about 0.1 s.

        Returns
        -------
        features : ndarray of shape (n_clips, n_features_out), dtype float32
            Columns named by :meth:`get_feature_names_out`.

        Raises
        ------
        ValueError
            If openSMILE returns no finite values for a clip (too short).
        """
        if not hasattr(self, "feature_names_"):
            # fit learns nothing from the clips, so an unfitted transformer gives
            # what fitting on X first would (requires_fit=False, like the other
            # feature transformers); cross-validation may share its output.
            return clone(self).fit(X).transform(X)
        X = check_waveforms(self, X, reset=False)
        X = np.clip(X, -1.0, _INT16_MAX)
        smile = self._smile()
        out = np.empty((X.shape[0], len(self.feature_names_)), np.float32)

        def extract(X_block, out_block):
            for clip, row in zip(X_block, out_block, strict=True):
                row[:] = smile(clip, self.sr)[0, :, 0]

        with warnings.catch_warnings():
            # A clip too short for openSMILE comes back as NaN with a warning;
            # the error below names the clips instead.
            warnings.filterwarnings("ignore", message="Segment too short")
            map_blocks(extract, X, out, self.n_jobs, row_bytes=X.shape[1] * 4)
        bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
        if bad.size:
            raise ValueError(
                f"openSMILE computed no finite {self.feature_set} functionals for "
                f"{bad.size} clip(s) (rows {bad[:10].tolist()}) of "
                f"{X.shape[1]} samples ({X.shape[1] / self.sr:.4f} s at "
                f"sr={self.sr}): the clips are too short for the feature set. "
                f"Load longer clips (AudioLoader's duration), e.g. at least 0.1 s."
            )
        return out

    def get_feature_names_out(self, input_features=None):
        """Get openSMILE's names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: the columns do not depend on the input columns (samples).

        Returns
        -------
        feature_names_out : ndarray of str objects
            e.g. ``F0semitoneFrom27.5Hz_sma3nz_amean`` for eGeMAPS.
        """
        check_is_fitted(self)
        return self.feature_names_.copy()

    def _smile(self):
        """openSMILE's extractor for ``feature_set`` at the functionals level."""
        opensmile = _import_opensmile()
        valid = list(opensmile.FeatureSet.__members__)
        if self.feature_set not in valid:
            raise ValueError(
                f"feature_set={self.feature_set!r} is not an openSMILE feature "
                f"set; valid names: {', '.join(valid)}."
            )
        return opensmile.Smile(
            feature_set=opensmile.FeatureSet[self.feature_set],
            feature_level=opensmile.FeatureLevel.Functionals,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
