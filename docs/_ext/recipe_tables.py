"""Sphinx extension: the recipe tables, generated from ``sklearn_ser.recipes``.

At the start of every build it writes two Markdown tables into
``gen_modules/`` (git-ignored), which ``recipes.md`` and
``user_guide/choosing_a_recipe.md`` include, so the pages list exactly the
recipes of :data:`sklearn_ser.recipes.RECIPES` with their current defaults.
"""

from pathlib import Path

from sklearn.calibration import CalibratedClassifierCV

from sklearn_ser.recipes import RECIPES, make_recipe


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


def _write(path: Path, text: str) -> None:
    # Rewriting an unchanged file would make Sphinx re-read the pages.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _generate(app) -> None:
    out = Path(app.srcdir) / "gen_modules"
    out.mkdir(exist_ok=True)
    _write(out / "recipes_reported.md", reported_table())
    _write(out / "recipes_defaults.md", defaults_table())


def setup(app):
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True}
