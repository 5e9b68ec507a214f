"""Runs a user's SPARQL query in a child process: a time limit, a memory limit, no network, and a
crash or a runaway stays there.

pyoxigraph offers none of these for a query: it evaluates in Rust (Ctrl-C waits for it), has no
timeout or memory bound, executes SERVICE over HTTP, and its parser overflows its stack on some
queries (SIGSEGV). So ``kg query`` hands the query to ``python -m kg.sandbox``, which opens the
store read-only, limits its own data segment (RLIMIT_DATA), forbids itself internet sockets
(a seccomp filter, on Linux x86-64 and arm64) unless SERVICE was allowed, runs the query and writes
the serialized result to its stdout. The parent reads it under a deadline, kills the child on
timeout, on Ctrl-C or when the result grows too large, and parses the result back.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError, QueryLimit

DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MAX_MEMORY = 2048  # MB of data segment for the query process
DEFAULT_MAX_RESULT = 512  # MB of serialized result


class Triples(list):
    """The triples a CONSTRUCT or DESCRIBE query returned, read back from the query process."""


def run_isolated(database: Path, text: str, bindings: dict[str, ox.NamedNode | ox.Literal], *,
                 prefixes: dict[str, str], timeout: float | None = DEFAULT_TIMEOUT,
                 max_memory: int | None = DEFAULT_MAX_MEMORY, max_result: int = DEFAULT_MAX_RESULT,
                 allow_network: bool = False):
    """Runs ``text`` over the Oxigraph database in ``database`` in a child process.

    Returns QuerySolutions, a QueryBoolean or Triples; raises QueryLimit when the query takes
    longer than ``timeout`` seconds, needs more than ``max_memory`` MB or returns more than
    ``max_result`` MB, and QueryError when it is malformed or fails. KeyboardInterrupt kills the
    child at once.
    """
    request = {
        "database": str(database), "query": text, "prefixes": prefixes,
        "bindings": {name: _term_json(term) for name, term in bindings.items()},
        "max_memory": max_memory, "max_result": max_result, "allow_network": allow_network,
    }
    deadline = None if not timeout else time.monotonic() + timeout
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "kg.sandbox"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=errors, close_fds=True)
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(json.dumps(request).encode("utf-8"))
            child.stdin.close()
            output = _read_all(child.stdout.fileno(), deadline, max_result * 1024 * 1024, timeout, max_result)
            status = child.wait()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()
        if status != 0:
            errors.seek(0)
            raise _failure(status, errors.read()[-2000:].decode("utf-8", "replace"), max_memory, max_result)
    return _result(output)


def _read_all(fd: int, deadline: float | None, limit: int, timeout: float | None, max_result: int) -> bytes:
    chunks, size = [], 0
    while True:
        wait = 0.2 if deadline is None else min(0.2, deadline - time.monotonic())
        if wait <= 0:
            raise QueryLimit(f"the query took longer than {timeout:g} s and was stopped: narrow it "
                             f"(LIMIT, more specific patterns) or raise --timeout")
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit + 64:  # the child stops itself at the limit; this is the backstop
            raise _too_large(max_result)
        chunks.append(chunk)


def _too_large(max_result: int) -> QueryLimit:
    return QueryLimit(f"the query's result is larger than {max_result} MB and was stopped: add a LIMIT, "
                      f"or raise --max-result")


def _failure(status: int, stderr: str, max_memory: int | None, max_result: int) -> Exception:
    reports = [line for line in stderr.splitlines() if line.startswith('{"kind"')]
    if status == 2 and reports:  # the child's own report of what went wrong
        report = json.loads(reports[-1])
        return QueryError(report["message"], kind=report["kind"])
    if status == 4:
        return _too_large(max_result)
    out_of_memory = "memory allocation" in stderr or "bad_alloc" in stderr
    if status == 3 or (status == -signal.SIGABRT and out_of_memory):
        return QueryLimit(f"the query needed more than {max_memory} MB of memory and was stopped: "
                          f"narrow it (LIMIT, more specific patterns) or raise --max-memory")
    if status in (-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGABRT):
        return QueryError("the SPARQL engine crashed on this query (too long or too deeply nested?) "
                          "and nothing was changed: simplify the query")
    last = stderr.strip().splitlines()[-1:] or [f"exit status {status}"]
    return QueryError(f"the query process failed ({last[0][:200]})")


def _result(output: bytes):
    header, _, payload = output.partition(b"\n")
    try:
        kind = json.loads(header)["kind"]
    except (ValueError, KeyError, TypeError):
        raise QueryError("the query process returned no result: run the query again") from None
    if kind == "triples":
        return Triples(q.triple for q in ox.parse(payload, ox.RdfFormat.N_TRIPLES))
    return ox.parse_query_results(payload, ox.QueryResultsFormat.JSON)


def _term_json(term: ox.NamedNode | ox.Literal) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"iri": term.value}
    return {"literal": term.value, "datatype": term.datatype.value, "language": term.language}


def _term(data: dict) -> ox.NamedNode | ox.Literal:
    if "iri" in data:
        return ox.NamedNode(data["iri"])
    if data["language"]:
        return ox.Literal(data["literal"], language=data["language"])
    return ox.Literal(data["literal"], datatype=ox.NamedNode(data["datatype"]))


# -- the child


def _die_with_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches us too: end quietly
    try:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl
        os._exit(1)


def _prctl(option: int, *args: int) -> int:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    return libc.prctl(option, *(list(args) + [0] * (4 - len(args))))


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError):
        pass


# seccomp: the query process may open no IPv4 or IPv6 socket (so SERVICE, and anything that would
# make it talk to another host, fails) while files, pipes and Unix sockets keep working.
_AUDIT_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # (AUDIT_ARCH_*, __NR_socket)


def forbid_network() -> bool:
    """Installs the seccomp filter in this process; False where the platform does not allow it."""
    import ctypes
    import errno
    import platform
    import socket
    import struct

    arch = _AUDIT_ARCH.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return False
    audit_arch, nr_socket = arch
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    program = [
        (ld_w_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq_k, 0, 5, audit_arch),
        (ld_w_abs, 0, 0, 0),  # seccomp_data.nr
        (jeq_k, 0, 3, nr_socket),
        (ld_w_abs, 0, 0, 16),  # seccomp_data.args[0] (low half): the address family
        (jeq_k, 2, 0, socket.AF_INET),
        (jeq_k, 1, 0, socket.AF_INET6),
        (ret_k, 0, 0, allow),
        (ret_k, 0, 0, deny),
    ]
    filters = b"".join(struct.pack("HBBI", *op) for op in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    if _prctl(38, 1) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    fprog_buffer = ctypes.create_string_buffer(fprog)
    return _prctl(22, 2, ctypes.addressof(fprog_buffer)) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _report(kind: str, message: str) -> None:
    sys.stderr.write(json.dumps({"kind": kind, "message": message}) + "\n")
    sys.stderr.flush()
    os._exit(2)


def main() -> None:
    _die_with_parent()
    request = json.loads(sys.stdin.buffer.read())
    if not request["allow_network"]:
        forbid_network()
    _limit_memory(request["max_memory"])
    try:
        _run(request)
    except MemoryError:
        os._exit(3)


class _Capped:
    """stdout for the result, which ends the process (exit 4) past the size the parent accepts."""

    def __init__(self, out, limit: int):
        self._out, self._left = out, limit

    def write(self, data: bytes) -> int:
        self._left -= len(data)
        if self._left < 0:
            os._exit(4)
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()


def _run(request: dict) -> None:
    from .sparql_guard import syntax_message

    try:
        store = ox.Store.read_only(request["database"])
    except (OSError, RuntimeError) as exc:
        _report("store", f"cannot open the store ({' '.join(str(exc).split())[:300]}); "
                         f"if it is damaged, rebuild it with 'kg build --rebuild'")
    substitutions = {ox.Variable(k): _term(v) for k, v in request["bindings"].items()}
    out = _Capped(sys.stdout.buffer, request["max_result"] * 1024 * 1024)
    try:
        result = store.query(request["query"], use_default_graph_as_union=True, prefixes=request["prefixes"],
                             substitutions=substitutions)
        if isinstance(result, ox.QueryTriples):
            out.write(b'{"kind": "triples"}\n')
            ox.serialize(result, out, ox.RdfFormat.N_TRIPLES)
        else:
            out.write(b'{"kind": "solutions"}\n')
            result.serialize(out, ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        _report("syntax", f"SPARQL syntax error: {syntax_message(str(exc))}")
    except RuntimeError as exc:
        message = " ".join(str(exc).split())
        if "does not contains variable" in message:
            _report("unbound", message)
        _report("failed", f"the query failed: {message[:300]}")
    except (OSError, ValueError, TypeError) as exc:
        _report("failed", f"the query failed: {' '.join(str(exc).split())[:300]}")
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
