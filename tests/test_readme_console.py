"""The README's console examples are run and compared: they cannot go stale.

Each ```console block is a sequence of ``$ kg ...`` commands, each followed by the lines it prints.
A line ``...`` stands for any number of lines; a command with no lines after it must only succeed.
Seconds vary from run to run, so ``in 2.6 s`` matches any duration. The commands run in order in a
folder where ``seeds/`` is the bundled corpus, as a user's first session would.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECONDS = re.compile(r"\d+(\.\d+)? s\b")


@dataclass
class Example:
    command: str
    expected: list[str] = field(default_factory=list)


def console_examples(text: str) -> list[Example]:
    examples: list[Example] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append(Example(line[2:].strip()))
            elif examples:
                examples[-1].expected.append(line.rstrip())
    return examples


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where "..." stands for any lines (none included)."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and _same_line(head, actual[0]) and matches(rest, actual[1:])


def _same_line(expected: str, actual: str) -> bool:
    return SECONDS.sub("N s", expected.rstrip()) == SECONDS.sub("N s", actual.rstrip())


def test_readme_console_examples_parse():
    examples = console_examples(README)
    assert [e.command.split()[:2] for e in examples][:2] == [["kg", "build"], ["kg", "neighbors"]]
    assert all(e.command.startswith("kg ") for e in examples)


def test_readme_matcher_reads_ellipses_as_any_lines():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert matches(["built in 2.6 s -> .kg"], ["built in 11.0 s -> .kg"])


@pytest.mark.timeout(600)
def test_readme_console_examples_print_what_the_readme_says(runner, tmp_path, monkeypatch):
    from kg.cli import cli

    (tmp_path / "seeds").symlink_to(ROOT / "seeds", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    stale = []
    for example in console_examples(README):
        args = shlex.split(example.command)[1:]
        result = runner.invoke(cli, args, catch_exceptions=False)
        printed = result.output.splitlines()
        if result.exit_code != 0 or (example.expected and not matches(example.expected, printed)):
            stale.append(f"$ {example.command} (exit {result.exit_code})\n" + "\n".join(printed[:40]))
    assert not stale, "README console examples differ from what kg prints:\n\n" + "\n\n".join(stale)
