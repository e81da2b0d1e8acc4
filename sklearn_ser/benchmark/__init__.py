"""Cross-validate recipes on one corpus under one protocol: scores, confusions, figures.

:func:`run_benchmark` (module ``_cv``) runs the folds, through joblib so that
they can run in parallel or on a Dask cluster (module ``_parallel``); the
stateless steps' outputs are computed once per clip by the cache (module
``_cache``, plain arrays and JSON on disk); the results and their table, JSON
and figures are in module ``_report``; :func:`run_cross_corpus` (module
``_cross_corpus``) trains on one corpus and tests on another through the same
machinery; :func:`check_speaker_levels` (module ``_levels``) warns when the
speakers were recorded at very different levels.
"""

from ._cache import CacheEntryWarning
from ._cross_corpus import run_cross_corpus
from ._cv import run_benchmark
from ._levels import SpeakerLevelWarning, check_speaker_levels, speaker_levels
from ._parallel import LostFitsError
from ._report import METRICS, BenchmarkResult, FoldScore, RecipeResult

__all__ = [
    "METRICS",
    "BenchmarkResult",
    "CacheEntryWarning",
    "FoldScore",
    "LostFitsError",
    "RecipeResult",
    "SpeakerLevelWarning",
    "check_speaker_levels",
    "run_benchmark",
    "run_cross_corpus",
    "speaker_levels",
]
