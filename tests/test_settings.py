"""Settings read from ``ROLODEX_*`` variables: how ``--workers`` hands them to each worker."""

from __future__ import annotations

import pytest

from rolodex.settings import Settings


def test_a_worker_rebuilds_the_settings_it_was_handed() -> None:
    settings = Settings("sqlite:///x.db", "0.0.0.0", 8000, 3, "warning", locked=True)
    assert Settings.from_environment(settings.as_environment()) == settings
    assert Settings.from_environment(Settings().as_environment()) == Settings()


@pytest.mark.parametrize(
    ("value", "locked"),
    [("1", True), ("TRUE", True), ("yes", True), ("", False), ("0", False), ("false", False)],
)
def test_rolodex_locked_reads_as_click_reads_a_flag(value: str, locked: bool) -> None:
    assert Settings.from_environment({"ROLODEX_LOCKED": value}).locked is locked
