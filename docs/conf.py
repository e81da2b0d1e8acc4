"""Sphinx configuration for the sklearn_ser documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
The gallery (``examples/plot_*.py``) is executed during the build.
"""

import os
import sys
from pathlib import Path

import torch
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

import sklearn_ser

os.environ.setdefault("MPLBACKEND", "Agg")

# The gallery trains tiny networks in this process. With several intra-op
# threads, torch spends longer synchronising them than computing, and on a
# busy 2-core machine a fit that takes 0.1 s on one thread was measured to
# take 1-30 s on two.
torch.set_num_threads(1)
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "sklearn_ser"
author = "the sklearn_ser developers"
copyright = "2026, the sklearn_ser developers"
version = release = sklearn_ser.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
    "recipe_tables",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "_ext",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "**.md5",
    "sg_execution_times.rst",
    "gen_modules/*.md",
]
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
# Counts and lists of the recipes, set from the registry by _ext/recipe_tables.
myst_substitutions: dict = {}
myst_heading_anchors = 3

# API pages are generated into gen_modules/ (git-ignored) from docs/api.rst.
autosummary_generate = True
autodoc_default_options = {}
autodoc_typehints = "none"  # numpydoc's Parameters sections already give types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Parameter types become cross-references, the way scikit-learn's docs do it;
# this also keeps names such as ``n_features_in_`` in a type from being read
# as reST link targets. numpydoc's default aliases point into the Python and
# NumPy docs through intersphinx, which this build does not use (it must work
# offline), so builtin type names are mapped to themselves and prose words in
# types stay plain.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    **{
        name: name
        for name in (
            "None",
            "True",
            "False",
            "bool",
            "int",
            "float",
            "str",
            "list",
            "tuple",
            "dict",
            "callable",
            "iterable",
            "sequence",
            "generator",
            "scalar",
            "numpy",
        )
    },
    "boolean": "bool",
    "string": "str",
    "array-like": "array-like",
    "array_like": "array-like",
    "Bunch": "sklearn.utils.Bunch",
    "Path": "pathlib.Path",
}
numpydoc_xref_ignore = {
    "1-D",
    "class",
    "cross-validator",
    "default",
    "dtype",
    "estimator",
    "instance",
    "kHz",
    "like",
    "loading",
    "mapping",
    "objects",
    "of",
    "optimizer",
    "or",
    "paper",
    "path-like",
    "s",
    "settings",
    "shape",
    "to",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_ser {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    # "Examples using X" at the bottom of every API page.
    "doc_module": ("sklearn_ser",),
    "backreferences_dir": "gen_modules/backreferences",
    "show_memory": False,
    "write_computation_times": True,
}

# Methods shown on a class page: the class's own documented public methods,
# plus the estimator API it inherits from scikit-learn, imbalanced-learn or
# skorch. Everything else those bases bring (skorch's callbacks and hooks,
# torch.nn.Module's plumbing, get_params/set_params) is documented upstream.
_ESTIMATOR_API = frozenset(
    {
        "fit",
        "fit_resample",
        "fit_transform",
        "get_feature_names_out",
        "partial_fit",
        "predict",
        "predict_proba",
        "score",
        "transform",
    }
)


def _skip_member(app, what, name, obj, skip, options):
    # autodoc passes the type of the documented class; autosummary, listing a
    # class's members for the page template, passes the type of the member.
    if what not in ("class", "exception", "method", "property", "attribute"):
        return None
    if name.startswith("_"):
        return True
    function = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    if not callable(function):
        # Data attributes are described in the class docstring's Attributes.
        return True
    module = getattr(function, "__module__", None) or ""
    own = module.startswith("sklearn_ser") and bool(function.__doc__)
    return not (own or name in _ESTIMATOR_API)


# Re-exported constants have their ``#:`` comment in the module that defines
# them, where autodoc does not look; ``__version__`` has none, and Sphinx 9's
# source analyzer fails on audio.py (it cannot unparse the ``{**...}`` dict
# in the arguments of load_audio's decorator), so DEFAULT_SR's comment is
# repeated here.
_DATA_DOCS = {
    "__version__": "Version of the installed sklearn_ser (a PEP 440 string).",
    "DEFAULT_SR": "Library-wide default sample rate (Hz) for every component "
    "that has an ``sr``.",
}


def _document_data(app, what, name, obj, options, lines):
    """Describe module-level constants instead of repeating their type's docstring."""
    if what != "data" or not name.startswith("sklearn_ser."):
        return
    own = " ".join(" ".join(lines).split())
    if own and own != " ".join((type(obj).__doc__ or "").split()):
        return
    short = name.rsplit(".", 1)[-1]
    text = _DATA_DOCS.get(short)
    for module in sorted(m for m in sys.modules if m.startswith("sklearn_ser")):
        if text is not None:
            break
        try:
            analyzer = ModuleAnalyzer.for_module(module)
            analyzer.find_attr_docs()
        except PycodeError:
            continue
        comment = analyzer.attr_docs.get(("", short))
        if comment and getattr(sys.modules[module], short, None) is obj:
            text = "\n".join(comment)
    lines[:] = text.splitlines() if text else []


def _resolve_public_alias(app, env, node, contnode):
    """Resolve ``sklearn_ser.<module>.<Name>`` to the documented ``sklearn_ser.<Name>``.

    Docstrings refer to public names by the module that defines them
    (``sklearn_ser.features.AcousticStats170``); the API reference documents
    them where users import them from, the top-level package.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if "." not in target:
        # A bare name in the docstring of a module that re-exports it.
        target = f"{node.get('py:module') or ''}.{target}"
    name = target.rsplit(".", 1)[-1]
    if not target.startswith("sklearn_ser.") or name not in sklearn_ser.__all__:
        return None
    if target == f"sklearn_ser.{name}":
        return None
    return env.get_domain("py").resolve_xref(
        env,
        node["refdoc"],
        app.builder,
        node["reftype"],
        f"sklearn_ser.{name}",
        node,
        contnode,
    )


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    # Before numpydoc (priority 500), which would parse the type's docstring.
    app.connect("autodoc-process-docstring", _document_data, priority=100)
    app.connect("missing-reference", _resolve_public_alias)
