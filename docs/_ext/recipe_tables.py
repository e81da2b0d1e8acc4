"""Sphinx extension: recipe tables and counts, generated from ``sklearn_ser.recipes``.

At the start of every build it writes three Markdown tables into
``gen_modules/`` (git-ignored), which ``recipes.md`` and
``user_guide/choosing_a_recipe.md`` include, and sets MyST substitutions
(``{{ recipe_count }}``, ``{{ recipe_kinds }}``, ...) that the pages use
wherever they count or list recipes, so the pages say exactly what
:data:`sklearn_ser.recipes.RECIPES` holds, with its current defaults; a
recipe added to the registry appears everywhere without an edit here.
"""

from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV

from sklearn_ser.recipes import RECIPES, make_recipe

_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
# Clip length and classes for which the cost table sizes inputs and networks.
_SECONDS, _N_CLASSES = 3.0, 8


def _recipe_link(name: str) -> str:
    return f"{{func}}`{name} <sklearn_ser.recipes.{name}>`"


def _class_link(estimator) -> str:
    name = type(estimator).__name__
    if type(estimator).__module__.startswith("sklearn_ser"):
        return f"{{class}}`~sklearn_ser.{name}`"
    return f"`{name}`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def reported_table() -> str:
    """Recipe, system, the paper's result and protocol, and our numbers."""
    rows = [
        "| recipe | system | paper's reported result | paper's protocol "
        "| our numbers |",
        "|---|---|---|---|---|",
    ]
    for name, recipe in RECIPES.items():
        rows.append(
            f"| {_recipe_link(name)} | {_escape(recipe.summary)} "
            f"| {_escape(recipe.reported)} | `{recipe.paper_protocol}` "
            "| see the {doc}`reproduction report </reproduction>` |"
        )
    return "\n".join(rows) + "\n"


def defaults_table() -> str:
    """Each recipe's steps and default settings, read off the built pipeline."""
    rows = [
        "| recipe | kind | audio | augmentation | features | classifier | epochs |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, recipe in RECIPES.items():
        steps = dict(make_recipe(name).steps)
        load, features, classifier = (
            steps["load"],
            steps["features"],
            steps["classifier"],
        )
        members = [est for _, est in getattr(classifier, "estimators", [])]
        if members:
            model = f"soft vote of {len(members)} x {_class_link(members[0])}"
            epochs = members[0].max_epochs
        else:
            model = _class_link(classifier)
            epochs = getattr(classifier, "max_epochs", None)
            if isinstance(classifier, CalibratedClassifierCV):
                model = f"{_class_link(classifier.estimator)} (Platt-calibrated)"
        if "balance" in recipe.parameters():
            augmentation = "none (`balance=True`: oversampling)"
        elif "augment" in steps:
            augmentation = "one AWGN copy per clip (`augment=False` to drop)"
        else:
            augmentation = "none"
        feature_set = getattr(features, "feature_set", None)
        feature_set = f" (`{feature_set}`)" if feature_set else ""
        rows.append(
            f"| {_recipe_link(name)} | {'deep' if recipe.deep else 'classical'} "
            f"| {load.sr / 1000:g} kHz, {load.duration:g} s from {load.offset:g} s "
            f"| {augmentation} | {_class_link(features)}{feature_set} | {model} "
            f"| {epochs if epochs is not None else '-'} |"
        )
    return "\n".join(rows) + "\n"


def _kind(recipe) -> str:
    """``paper``, ``own``, ``classical`` or ``pretrained``."""
    if recipe.module == "_pretrained":
        return "pretrained"
    if not recipe.deep:
        return "classical"
    if recipe.reported.startswith("not a paper's system"):
        return "own"
    return "paper"


def _count(n: int) -> str:
    return _WORDS[n] if n < len(_WORDS) else str(n)


def substitutions() -> dict[str, str]:
    """Counts and lists of the registry's recipes, for the pages' prose."""
    kinds = {kind: [] for kind in ("paper", "own", "classical", "pretrained")}
    for name, recipe in RECIPES.items():
        kinds[_kind(recipe)].append(name)
    n = {kind: len(names) for kind, names in kinds.items()}
    parts = [
        f"{_count(n['paper'])} reproduce the deep systems of the seed papers",
        f"{_count(n['own'])} {'is' if n['own'] == 1 else 'are'} this library's "
        f"own deep system{'s' if n['own'] != 1 else ''}",
        f"{_count(n['classical'])} {'is a' if n['classical'] == 1 else 'are'} "
        f"classical baseline{'s' if n['classical'] != 1 else ''}",
        f"{_count(n['pretrained'])} build{'s' if n['pretrained'] == 1 else ''} "
        "on a pretrained speech encoder",
    ]
    parts = [part for part, kind in zip(parts, n, strict=True) if n[kind]]
    kinds_sentence = ", ".join(parts[:-1]) + " and " + parts[-1]
    return {
        "recipe_count": _count(len(RECIPES)),
        "recipe_names": ", ".join(f"`{name}`" for name in RECIPES),
        # "Of the twelve recipes, five reproduce ..., one is ..."
        "recipe_kinds": f"Of the {_count(len(RECIPES))} recipes, {kinds_sentence}.",
    }


def _input_shape(pipeline) -> tuple[int, ...] | None:
    """Shape of one clip's features, from a 3-s noise clip (None if unavailable)."""
    steps = dict(pipeline.steps)
    load, features = steps["load"], steps["features"]
    noise = np.random.default_rng(0).normal(
        scale=0.1, size=(1, round(_SECONDS * load.sr))
    )
    try:
        return tuple(features.fit_transform(noise.astype(np.float32)).shape[1:])
    except Exception:  # an optional dependency or a model not at hand
        return None


def _n_parameters(net, shape) -> int | None:
    """Parameters of a deep classifier's network for inputs of ``shape``."""
    if shape is None or not hasattr(net, "get_params_for"):
        return None
    params = {**net.get_params_for("module"), "input_shape": shape}
    module = net.module(**params, n_classes=_N_CLASSES)
    return sum(p.numel() for p in module.parameters())


def cost_table() -> str:
    """Each recipe's network size, input per clip and epochs, as built."""
    rows = [
        "| recipe | network parameters | input per clip | epochs |",
        "|---|---|---|---|",
    ]
    for name in RECIPES:
        pipeline = make_recipe(name)
        steps = dict(pipeline.steps)
        classifier = steps["classifier"]
        members = [est for _, est in getattr(classifier, "estimators", [])]
        nets = members or [classifier]
        shape = _input_shape(pipeline)
        n_params = _n_parameters(nets[0], shape)
        params = "-" if n_params is None else f"{n_params:,}"
        if members and n_params is not None:
            params = f"{len(members)} x {params}"
        features = type(steps["features"]).__name__
        sr = steps["load"].sr / 1000
        if shape is None:
            values = f"the output of `{features}` (not sized here: its model"
            values += " or optional dependency was missing when the docs were built)"
        else:
            values = f"{' x '.join(map(str, shape))} values of `{features}`"
        epochs = getattr(nets[0], "max_epochs", None)
        if epochs is None:
            epochs_text = "-"
        else:
            each = " per network" if members else ""
            twice = ", on twice the clips" if "augment" in steps else ""
            epochs_text = f"{epochs}{each}{twice}"
        rows.append(f"| `{name}` | {params} | {values} ({sr:g} kHz) | {epochs_text} |")
    return "\n".join(rows) + "\n"


def _write(path: Path, text: str) -> None:
    # Rewriting an unchanged file would make Sphinx re-read the pages.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _generate(app) -> None:
    out = Path(app.srcdir) / "gen_modules"
    out.mkdir(exist_ok=True)
    _write(out / "recipes_reported.md", reported_table())
    _write(out / "recipes_defaults.md", defaults_table())
    _write(out / "recipes_cost.md", cost_table())


def _substitute(app, config) -> None:
    config.myst_substitutions = {**config.myst_substitutions, **substitutions()}


def setup(app):
    app.connect("config-inited", _substitute)
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True}
