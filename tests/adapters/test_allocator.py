"""glibc's allocator settings: applied to this process, passed on to its children, and
never over a value the environment already sets."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from newswatch.adapters import allocator
from newswatch.adapters.allocator import DEFAULTS, tune_allocator

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.fixture
def no_malloc_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DEFAULTS:
        monkeypatch.setenv(name, "0")  # so that the value before the test is put back
        monkeypatch.delenv(name)


def _children_see() -> list[str]:
    code = "import os; print(*(os.environ.get(n, '-') for n in ('MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(not GLIBC, reason="glibc only")
@pytest.mark.usefixtures("no_malloc_env")
def test_the_settings_apply_here_and_to_the_processes_started_after() -> None:
    assert tune_allocator() == {"MALLOC_ARENA_MAX": 2, "MALLOC_MMAP_THRESHOLD_": 131072}
    assert _children_see() == ["2", "131072"]


@pytest.mark.skipif(not GLIBC, reason="glibc only")
@pytest.mark.usefixtures("no_malloc_env")
def test_a_value_already_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert tune_allocator() == {"MALLOC_MMAP_THRESHOLD_": 131072}
    assert _children_see() == ["4", "131072"]


@pytest.mark.usefixtures("no_malloc_env")
def test_off_glibc_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "_glibc", lambda: None)  # as on musl or macOS
    assert tune_allocator() == {}
    assert not any(name in os.environ for name in DEFAULTS)
    assert _children_see() == ["-", "-"]
