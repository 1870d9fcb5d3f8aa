"""Article extraction on every core: `extract_page` in a pool of worker processes.

Fetching is I/O and stays on threads; extraction is CPU-bound Python, and threads share
one core, so pages go to processes. Rules, and why:
- One pool per process (`shared_pool`), `os.cpu_count()` workers, started by forkserver
  (never fork: the parent runs threads, and a forked copy of a held lock deadlocks). The
  forkserver preloads this module, so a worker starts with trafilatura imported, and each
  worker warms it once (`_start_worker`).
- `workers=0`, and any pool made inside a daemonic process (a Dask worker: it may not have
  children), extracts in the calling thread instead, with the same outcomes, one page
  at a time in the process: trafilatura crashes the process now and then when threads
  extract at once, and threads share one core anyway.
- A job is plain data (`PageJob`: bytes, URL, the feed's date and author) and so is a
  result (`PageContent`, or a failure message); nothing live crosses the process line.
- Results are those of `extract_page` in this process, in the order of the jobs, and a
  failure is the same `PermanentError` (same message, same `url`) for that page only.
  An exception `extract_page` does not translate (a bug inside trafilatura) is a
  PermanentError for that page too, never a failed batch.
- A page that runs over `timeout_seconds` is stopped inside its worker (SIGALRM, raised
  between two Python steps) and recorded as a PermanentError; one stuck inside a C call
  is ended at `timeout_seconds + HARD_GRACE_SECONDS` by faulthandler's watchdog, which
  exits the worker.
- Jobs reach the workers through one dispatcher thread, a few at a time (twice the
  workers), lowest `priority` first, then in the order given: a run's earlier batches
  are extracted first, so they are done (and decided) while the later ones still
  extract, whatever order their pages were fetched in. `extract_pages` takes an
  iterable and hands each job over as it comes, so extraction starts with the first
  page fetched, not after the last.
- A dead worker (killed, out of memory, the watchdog) breaks the whole executor; the pages
  not finished are run again on a fresh one. If that breaks too, the rest run one at a
  time on a one-worker pool, so the page that kills its worker is found and recorded as
  failed, and no other page is lost.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import functools
import heapq
import itertools
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from types import FrameType

from newswatch.adapters.extract import PageContent, extract_page
from newswatch.errors import PermanentError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
HARD_GRACE_SECONDS = 10.0
# A small page every worker extracts once at start: trafilatura and htmldate load lazy
# tables on first use, which should not be billed to the first real page.
_WARM_PAGE = (
    "<html lang='en'><head><title>warm</title></head><body><article><p>"
    + "The council met on Tuesday and agreed the new budget for the coming year. " * 8
    + "</p></article></body></html>"
)


@dataclass(frozen=True)
class PageJob:
    """One page to extract: its bytes, the URL it came from, what the feed entry says."""

    url: str
    html: bytes
    published: datetime | None = None
    author: str | None = None


PageOutcome = PageContent | PermanentError


class _PageTimeout(BaseException):
    """Raised in a worker by SIGALRM; a BaseException so trafilatura's broad handlers let
    it through."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _PageTimeout


def _start_worker() -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    with contextlib.suppress(PermanentError):
        extract_page(_WARM_PAGE, url="https://warm.invalid/")


def _extract_in_worker(job: PageJob, timeout_seconds: float) -> PageContent | str:
    """`extract_page` for one job; a failure comes back as its message (plain data)."""
    faulthandler.dump_traceback_later(timeout_seconds + HARD_GRACE_SECONDS, exit=True)
    signal.setitimer(signal.ITIMER_REAL, timeout_seconds)
    try:
        return _extract_here(job)
    except _PageTimeout:
        return str(
            PermanentError(f"extraction took over {timeout_seconds:g} s: stopped", url=job.url)
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()


# One page at a time per process: trafilatura on several threads at once crashes the
# process now and then inside lxml (SIGSEGV, "double free or corruption": trafilatura
# issues #840 and #925; seen here once in a benchmark run with workers=0).
_ONE_AT_A_TIME = threading.Lock()


def _extract_here(job: PageJob) -> PageContent | str:
    """`extract_page` in this thread, one page at a time in this process (no time limit
    here: threads cannot be stopped)."""
    try:
        with _ONE_AT_A_TIME:
            return extract_page(job.html, url=job.url, published=job.published, author=job.author)
    except PermanentError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a crash inside trafilatura fails this page only
        return str(PermanentError(f"extraction crashed: {type(exc).__name__}: {exc}", url=job.url))


def _collect(job: PageJob, future: Future[PageContent | str]) -> PageOutcome:
    """The job's outcome; BrokenProcessPool (a dead worker) is the caller's to handle."""
    try:
        return _outcome(job, future.result())
    except BrokenProcessPool:
        raise
    except (Exception, _PageTimeout) as exc:  # noqa: BLE001 - e.g. the alarm just after return
        return PermanentError(f"extraction failed: {type(exc).__name__}: {exc}", url=job.url)


def _outcome(job: PageJob, result: PageContent | str) -> PageOutcome:
    if isinstance(result, PageContent):
        return result
    error = PermanentError(result)  # the message already names the URL, as in-process
    error.url = job.url
    return error


class _Dispatcher:
    """Hands jobs to the pool's current executor at most `limit` at a time, lowest
    priority first (then first come): a thread of its own, started on first use."""

    def __init__(self, pool: ExtractionPool, limit: int) -> None:
        self._pool = pool
        self._limit = limit
        self._cond = threading.Condition()
        self._heap: list[tuple[int, int, PageJob, Future[PageContent | str]]] = []
        self._order = itertools.count()
        self._running = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, job: PageJob, priority: int) -> Future[PageContent | str]:
        future: Future[PageContent | str] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the extraction pool is closed")
            heapq.heappush(self._heap, (priority, next(self._order), job, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="newswatch-extract-dispatch", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return future

    def close(self) -> None:
        with self._cond:
            self._closed = True
            waiting, self._heap = self._heap, []
            self._cond.notify()
        for *_, future in waiting:
            future.cancel()

    def _release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._running >= self._limit):
                    self._cond.wait()
                if self._closed:
                    return
                _, _, job, future = heapq.heappop(self._heap)
                self._running += 1
            if not future.set_running_or_notify_cancel():
                self._release()
                continue
            try:
                executor = self._pool._current()
                future.executor = executor  # type: ignore[attr-defined]  # the one to replace if it breaks
                inner = executor.submit(_extract_in_worker, job, self._pool.timeout_seconds)
            except BaseException as exc:  # noqa: BLE001 - BrokenProcessPool, or shut down
                future.set_exception(exc)
                self._release()
                continue
            inner.add_done_callback(functools.partial(self._pass_on, outer=future))

    def _pass_on(
        self, done: Future[PageContent | str], *, outer: Future[PageContent | str]
    ) -> None:
        try:
            exc = done.exception()
            if exc is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(done.result())
        except BaseException as exc:  # noqa: BLE001 - cancelled: the executor was shut down
            outer.set_exception(BrokenProcessPool(f"extraction executor stopped: {exc!r}"))
        finally:
            self._release()


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While a worker starts: hide the main module from multiprocessing when it is an
    installed command (a file without `.py`: `newswatch`, `pytest`) or newswatch's own
    `python -m newswatch`: every worker would otherwise run it again as `__mp_main__`
    (for newswatch: the CLI and Prefect; under the real command each worker then held
    about 78 MB instead of 50, measured). Nothing a worker runs comes from the main
    module; another `.py` script (a benchmark's) is left alone."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    spec = getattr(main, "__spec__", None)
    ours = getattr(spec, "name", None) == "newswatch.__main__"
    command = bool(path) and spec is None and not str(path).endswith(".py")
    if main is None or not (ours or command):
        yield
        return
    main.__spec__ = None
    if path is not None:
        del main.__file__
    try:
        yield
    finally:
        main.__spec__ = spec
        if path is not None:
            main.__file__ = path


class _Process(multiprocessing.context.ForkServerProcess):
    def start(self) -> None:
        with _main_script_hidden():
            super().start()


class _Context(multiprocessing.context.ForkServerContext):
    Process = _Process


class ExtractionPool:
    """A process pool for `extract_page`; safe to use from several threads at once."""

    def __init__(
        self, workers: int | None = None, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        if multiprocessing.current_process().daemon:
            workers = 0
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.timeout_seconds = timeout_seconds
        self._context = _Context()
        self._context.set_forkserver_preload([__name__])
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._dispatcher = _Dispatcher(self, limit=2 * max(1, self.workers))

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._dispatcher.close()
        self._dispatcher = _Dispatcher(self, limit=2 * max(1, self.workers))
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def extract_pages(self, jobs: Iterable[PageJob], *, priority: int = 0) -> list[PageOutcome]:
        """Each job's PageContent or PermanentError, in the order of `jobs`.

        `jobs` may be a generator (pages fetched one by one): each job goes to the
        workers as it comes. Jobs of a lower `priority` are handed to the workers first."""
        if self.workers == 0:
            return [_outcome(job, _extract_here(job)) for job in jobs]
        results: dict[int, PageOutcome] = {}
        taken: list[PageJob] = []
        pending = self._run_round(jobs, None, results, taken, priority)
        if pending:
            pending = self._run_round((), pending, results, taken, priority)  # lost ones again
        if pending:
            self._run_one_at_a_time(taken, pending, results)
        return [results[i] for i in range(len(taken))]

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = self._new_executor(self.workers)
            return self._executor

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=self._context, initializer=_start_worker
        )

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken executor (once, whichever thread sees it first)."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _run_round(
        self,
        jobs: Iterable[PageJob],
        indices: list[int] | None,
        results: dict[int, PageOutcome],
        taken: list[PageJob],
        priority: int,
    ) -> list[int]:
        """Run the jobs (all of `jobs`, kept in `taken`, when `indices` is None; else
        those of `taken` at `indices`) on the current executor through the dispatcher;
        return the indices a broken executor lost."""
        futures: list[tuple[int, Future[PageContent | str]]] = []
        if indices is None:
            for job in jobs:
                taken.append(job)
                futures.append((len(taken) - 1, self._dispatcher.submit(job, priority)))
        else:
            futures = [(i, self._dispatcher.submit(taken[i], priority)) for i in indices]
        lost: list[int] = []
        broken: list[ProcessPoolExecutor] = []
        for i, future in futures:
            try:
                results[i] = _collect(taken[i], future)
            except BrokenProcessPool:
                lost.append(i)
                executor = getattr(future, "executor", None)
                if executor is not None and executor not in broken:
                    broken.append(executor)
        if lost:
            log.warning("an extraction worker died: %d pages run again on a new pool", len(lost))
            for executor in broken:
                self._replace(executor)
        return sorted(lost)

    def _run_one_at_a_time(
        self, jobs: Sequence[PageJob], indices: list[int], results: dict[int, PageOutcome]
    ) -> None:
        executor = self._new_executor(1)
        try:
            for i in indices:
                try:
                    future = executor.submit(_extract_in_worker, jobs[i], self.timeout_seconds)
                    results[i] = _collect(jobs[i], future)
                except BrokenProcessPool:
                    log.warning("the extraction worker died on %s", jobs[i].url)
                    results[i] = PermanentError(
                        "the extraction process died on this page", url=jobs[i].url
                    )
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = self._new_executor(1)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)


_shared: ExtractionPool | None = None
_shared_lock = threading.Lock()


def shared_pool(workers: int | None = None) -> ExtractionPool:
    """The process's extraction pool, started on first use and closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ExtractionPool(workers)
            atexit.register(_shared.close)
        return _shared
