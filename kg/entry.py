"""The ``kg`` command's entry point: it imports the command line (click, the store, the commands: a
tenth of a second) with Ctrl-C handled as the commands handle it once they run, one line and exit
130, where a Ctrl-C pressed as the command starts printed Python's traceback."""

import sys

EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C; kg.cli's, defined before it loads


def main() -> None:
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:  # the commands handle their own: this one came before they ran
        sys.stderr.write("Error: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
