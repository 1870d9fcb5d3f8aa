"""Language detection from many threads at once (the fetching threads of a run)."""

from __future__ import annotations

import threading

import pytest
from py3langid import langid

from newswatch import text


def test_threads_detecting_at_once_load_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # py3langid loads its model (~75 MB) on first use without a lock: eight threads at
    # once loaded eight copies (640 MB more at the peak, measured)
    loads = []
    load = langid._load_identifier

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(threading.current_thread().name)
        return load(*args, **kwargs)

    monkeypatch.setattr(langid, "_load_identifier", counted)
    monkeypatch.setattr(langid, "IDENTIFIER", None)
    monkeypatch.setattr(text, "_langid_loaded", False)
    start = threading.Barrier(8)
    found: list[str | None] = []

    def detect() -> None:
        start.wait()
        found.append(text.detect_language("The council met on Tuesday and agreed the budget."))

    threads = [threading.Thread(target=detect) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert found == ["en"] * 8
