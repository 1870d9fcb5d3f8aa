"""The extraction pool on real pages: the same results as in-process, nothing lost when a
worker dies."""

from __future__ import annotations

import gzip
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from newswatch.adapters.extract import PageContent, extract_page
from newswatch.adapters.extract_pool import ExtractionPool, PageJob, PageOutcome
from newswatch.errors import PermanentError

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "html"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"shared extraction corpus not found at {CORPUS}"
)


def _jobs(count: int) -> list[PageJob]:
    files = sorted(CORPUS.glob("*.html.gz"))[:count]
    jobs = [
        PageJob(url=f"https://news.example.org/{f.name[:12]}", html=gzip.decompress(f.read_bytes()))
        for f in files
    ]
    # pages that fail: no article, and an empty body
    jobs.insert(
        3, PageJob(url="https://news.example.org/nav", html=b"<html><body><nav/></body></html>")
    )
    jobs.insert(7, PageJob(url="https://news.example.org/empty", html=b""))
    return jobs


def _in_process(jobs: list[PageJob]) -> list[PageOutcome]:
    outcomes: list[PageOutcome] = []
    for job in jobs:
        try:
            outcomes.append(extract_page(job.html, url=job.url))
        except PermanentError as exc:
            outcomes.append(exc)
    return outcomes


def _same(got: list[PageOutcome], expected: list[PageOutcome]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if isinstance(e, PageContent):
            assert g == e
        else:
            assert isinstance(g, PermanentError)
            assert (str(g), g.url) == (str(e), e.url)


def test_pool_results_equal_in_process_results() -> None:
    jobs = _jobs(14)
    with ExtractionPool(2) as pool:
        got = pool.extract_pages(jobs)
    _same(got, _in_process(jobs))
    assert sum(isinstance(o, PermanentError) for o in got) >= 2


def test_a_worker_killed_mid_batch_loses_no_page(caplog: pytest.LogCaptureFixture) -> None:
    jobs = _jobs(40)
    expected = _in_process(jobs)
    me = psutil.Process()
    with ExtractionPool(2) as pool:
        pool.extract_pages(jobs[:2])  # workers up and warm
        # this pool's workers (another pool of this process, the shared one, may be up)
        pids = set(pool._current()._processes)  # noqa: SLF001 - the executor's own record
        workers = [p for p in me.children(recursive=True) if p.pid in pids]
        assert len(workers) == 2
        done = threading.Event()
        got: list[PageOutcome] = []

        def run_batch() -> None:
            got.extend(pool.extract_pages(jobs))
            done.set()

        runner = threading.Thread(target=run_batch)
        busy_before = sum(p.cpu_times().user for p in workers)
        runner.start()
        # kill a worker once the batch is under way (its CPU time has grown), not before
        while not done.is_set() and sum(p.cpu_times().user for p in workers) < busy_before + 0.3:
            done.wait(0.01)
        assert not done.is_set(), "the batch ended before a worker could be killed"
        os.kill(workers[0].pid, signal.SIGKILL)
        runner.join(timeout=120)
    assert not runner.is_alive()
    assert "run again on a new pool" in caplog.text
    _same(got, expected)


def test_a_page_over_the_time_limit_fails_alone() -> None:
    jobs = _jobs(3)
    with ExtractionPool(1, timeout_seconds=0.001) as pool:
        slow = pool.extract_pages(jobs[:1])
    assert isinstance(slow[0], PermanentError)
    assert "took over" in str(slow[0]) and slow[0].url == jobs[0].url
    with ExtractionPool(1) as pool:
        _same(pool.extract_pages(jobs), _in_process(jobs))


def test_no_workers_extracts_in_the_calling_thread_with_the_same_outcomes() -> None:
    jobs = _jobs(5)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with ExtractionPool(0) as pool:
        got = pool.extract_pages(jobs)
    # no process started (another pool of this process, the shared one, may be up)
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
    _same(got, _in_process(jobs))


def test_no_workers_extracts_one_page_at_a_time_whatever_the_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura crashes the process now and then when threads extract at once, so
    without workers the pages of several threads are extracted one after another."""
    from newswatch.adapters import extract_pool

    inside, most = [0], [0]
    lock = threading.Lock()

    def counted(html: bytes, **kwargs: object) -> PageContent:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            return extract_page(html, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(extract_pool, "extract_page", counted)
    jobs = [j for j in _jobs(6) if j.html]
    got: list[list[PageOutcome]] = [[] for _ in range(4)]
    with ExtractionPool(0) as pool:

        def run(k: int) -> None:
            got[k] = pool.extract_pages(jobs)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert most[0] == 1
    for outcomes in got:
        _same(outcomes, _in_process(jobs))


def test_a_lower_priority_waits_behind_a_batch_handed_over_later() -> None:
    """A run's earlier batch (lower priority number) is extracted first, even when a later
    batch's pages were handed over before it; jobs may come from a generator."""
    many, few = _jobs(40), _jobs(2)[:2]
    handed_over = threading.Event()
    finished: list[str] = []
    results: list[list[PageOutcome]] = []

    def later_batch() -> Iterator[PageJob]:
        yield from many
        handed_over.set()

    with ExtractionPool(1) as pool:
        pool.extract_pages(few)  # the worker up and warm

        def run_later() -> None:
            results.append(pool.extract_pages(later_batch(), priority=5))
            finished.append("later")

        thread = threading.Thread(target=run_later)
        thread.start()
        assert handed_over.wait(timeout=60)
        earlier = pool.extract_pages(few, priority=0)
        finished.append("earlier")
        thread.join(timeout=120)
    assert finished == ["earlier", "later"]
    _same(earlier, _in_process(few))
    _same(results[0], _in_process(many))


@pytest.mark.parametrize(
    ("path", "spec_name", "hidden"),
    [
        ("/venv/bin/newswatch", None, True),  # an installed command
        ("/repo/src/newswatch/__main__.py", "newswatch.__main__", True),  # python -m newswatch
        ("/repo/bench/bench_pipeline.py", None, False),  # a script: left alone
    ],
)
def test_workers_do_not_run_the_newswatch_command_again(
    path: str, spec_name: str | None, hidden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What multiprocessing tells a starting worker to import as its main module."""
    import importlib.machinery
    import multiprocessing.spawn
    import types

    from newswatch.adapters.extract_pool import _main_script_hidden

    fake = types.ModuleType("__main__")
    fake.__file__ = path
    fake.__spec__ = importlib.machinery.ModuleSpec(spec_name, None) if spec_name else None
    monkeypatch.setitem(sys.modules, "__main__", fake)
    with _main_script_hidden():
        data = multiprocessing.spawn.get_preparation_data("worker")
    told = {k for k in data if k.startswith("init_main")}
    assert (told == set()) is hidden
    assert fake.__file__ == path  # put back
