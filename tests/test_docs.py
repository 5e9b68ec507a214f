"""The README starts with the set-up commands and documents every command."""

import re

from kg.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_readme_starts_with_the_two_setup_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_docs_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"`kg {name}" in README, name


def test_docs_every_named_query_has_a_description():
    from kg.queries import named_queries

    assert all(len(q.description) > 20 for q in named_queries().values())
