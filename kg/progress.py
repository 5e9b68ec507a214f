"""How a running build shows its progress: a bar on a terminal, a status line now and then in a log."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

import click

# How often a build that writes to a log (nohup, a file, a scheduler) says where it is.
STATUS_EVERY = 30.0


def status_line(done: int, total: int | None, skipped: int, elapsed: float) -> str:
    """'kg build: 1,200 of 1,900 documents (63%), 41.2/s, 3 skipped, 0:29 elapsed'."""
    of = f" of {total:,}" if total else ""
    share = f" ({min(100, 100 * done // total)}%)" if total else ""
    rate = done / elapsed if elapsed > 0 else 0.0
    minutes, seconds = divmod(int(elapsed), 60)
    hours, minutes = divmod(minutes, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"kg build: {done:,}{of} documents{share}, {rate:.1f}/s, {skipped:,} skipped, {clock} elapsed"


class Progress:
    """Follows a build's report: ``update(report)`` after each document, ``close()`` at the end.

    On a terminal it draws a progress bar; otherwise a thread writes a status line every
    ``every`` seconds, so that a slow build can be told from a stuck one (the counts stop moving).
    ``quiet`` shows neither.
    """

    def __init__(self, total: int | None, *, quiet: bool = False, every: float = STATUS_EVERY,
                 stream: TextIO | None = None):
        self.total = total
        self.stream = stream or sys.stderr
        self.done = self.skipped = 0
        self.started = time.monotonic()
        self._bar = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if quiet:
            return
        if self.stream.isatty():
            self._bar = click.progressbar(length=total or 0, label="building", file=self.stream,
                                          show_pos=True, item_show_func=self._bar_note)
            self._bar.__enter__()
        else:
            self._thread = threading.Thread(target=self._report_every, args=(every,), daemon=True)
            self._thread.start()

    def update(self, report) -> None:
        step = report.done - self.done
        self.done, self.skipped = report.done, report.skipped
        if self._bar is not None and step > 0:
            self._bar.update(step, report)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _bar_note(self, report) -> str | None:
        return f"{report.skipped} skipped" if report is not None and report.skipped else None

    def _report_every(self, every: float) -> None:
        while not self._stop.wait(every):
            line = status_line(self.done, self.total, self.skipped, time.monotonic() - self.started)
            print(line, file=self.stream, flush=True)
