"""Plain-text tables and CSV for the CLI; CSV cells are made safe for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def table_text(headers: Sequence[str], rows: Iterable[Sequence], max_width: int = 60) -> str:
    """Columns aligned with two spaces; long cells are cut with an ellipsis."""
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value, max_width: int) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= max_width else text[: max_width - 1] + "\u2026"


def plural(number: int, noun: str) -> str:
    """'1 event', '3 events'."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def count_note(count: str, events: int, mentions: int) -> str:
    """The line that says what a command counted: events (kg.events) or mentions."""
    if count == "mentions":
        return f"counts are mentions ({plural(mentions, 'mention')}: every report counts); " \
               f"--count events counts each event once"
    return (f"counts are events ({plural(events, 'event')} from {plural(mentions, 'mention')}: the reports of "
            f"one incident count once); --count mentions counts every mention")
