"""``core.text``: folding, words and trigrams, alike in the compiled and the interpreted build."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from rolodex.core import text

SOURCE = Path(__file__).resolve().parents[2] / "src" / "rolodex" / "core" / "text.py"
SAMPLES = [
    "Jane Doe",
    "ΟΔΟΣ ΠΑΠΑΣ",
    "ΣΟΦΙΑ Σ.",
    "νικος",
    "Straße İstanbul",
    "x²y ⅧⅧ",
    "",
]


def interpreted() -> ModuleType:
    """The module run from its source, whether or not the installed one is compiled."""
    spec = importlib.util.spec_from_file_location("rolodex_text_source", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_capital_sigma_folds_to_sigma_wherever_it_stands() -> None:
    assert text.fold("ΟΔΟΣ ΠΑΠΑΣ") == "οδοσ παπασ"  # CPython's str.lower ends words with ς
    assert text.fold("νικος") == "νικος"  # a small final sigma stays as it was written
    assert text.words("ΟΔΟΣ ΠΑΠΑΣ.") == ("οδοσ", "παπασ")


def test_both_builds_fold_split_and_cut_alike() -> None:
    source = interpreted()
    for sample in SAMPLES:
        assert source.fold(sample) == text.fold(sample), sample
        assert source.words(sample) == text.words(sample), sample
        assert source.trigrams(source.fold(sample)) == text.trigrams(text.fold(sample)), sample
