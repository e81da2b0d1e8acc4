"""sklearn_ser: speech emotion recognition as scikit-learn estimators."""

from .audio import DEFAULT_SR

__version__ = "0.1.0.dev0"

__all__ = ["DEFAULT_SR", "__version__"]
