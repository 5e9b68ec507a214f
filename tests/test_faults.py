"""kg under faults: a damaged store, a full disk, read-only folders, a full stdout, and the
arguments that used to end in a traceback. Each is one line on stderr and a non-zero exit."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import cli
from kg.errors import KgError
from kg.store import Store
from tests.conftest import SEEDS

KG = [sys.executable, "-m", "kg.cli"]


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in stderr, stderr
    return lines[0]


def private_mount_available() -> bool:
    """Whether this machine lets a test mount a small tmpfs in a mount namespace of its own."""
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True, timeout=10)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not private_mount_available(), reason="no private tmpfs mounts here")


# -- a damaged store


def _damage(store: Path, how: str) -> None:
    generation = store / Store(store).pointer()["generation"]
    if how == "sst":
        target = sorted(generation.glob("*.sst"), key=lambda p: p.stat().st_size)[-1]
        data = bytearray(target.read_bytes())
        for i in range(100, len(data) - 100, 7):
            data[i] ^= 0xFF
        target.unlink()  # a generation's files are hard links shared with the seeds store
        target.write_bytes(bytes(data))
    elif how == "manifest":
        target = next(generation.glob("MANIFEST-*"))
        data = target.read_bytes()[:20]
        target.unlink()
        target.write_bytes(data)
    else:
        (generation / "CURRENT").unlink()
        (generation / "CURRENT").write_text("junk\n")


@pytest.mark.parametrize("how", ["sst", "manifest", "current"])
@pytest.mark.parametrize("args", [["neighbors", "Armenia"], ["query", "quad-counts"], ["export", "--format", "nq"],
                                  ["stance", "Russia", "Armenia"], ["actors"]])
def test_faults_damaged_store_is_one_line_saying_how_to_recover(runner, store_copy, how, args):
    _damage(store_copy, how)
    result = runner.invoke(cli, [*args, "--store", str(store_copy)])
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert "is damaged" in line and "kg build --rebuild" in line


def test_faults_damaged_store_recovers_with_rebuild(store_copy, nlp):
    from kg.build import build

    _damage(store_copy, "current")
    with pytest.raises(KgError, match="is damaged"):
        Store(store_copy).query("ASK { ?s ?p ?o }")
    build([SEEDS], Store(store_copy), rebuild=True, nlp=nlp)
    assert bool(Store(store_copy).query("ASK { ?s a kg:State }"))


# -- a full disk


class _FullDisk:
    """A working store whose writes fail as RocksDB's do when the disk is full (no errno)."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def extend(self, quads):
        raise OSError("IO error: No space left on device: While appending to file: work/000008.log")


def test_faults_disk_full_during_build_is_one_line_and_leaves_no_half_generation(runner, tmp_path, blank_model,
                                                                                  monkeypatch):
    import kg.store.embedded

    store = tmp_path / "s"
    result = runner.invoke(cli, ["build", str(SEEDS), "--model", str(blank_model), "-q", "--store", str(store)])
    assert result.exit_code == 0, result.output
    before = sorted(p.name for p in store.iterdir())
    real = kg.store.embedded.EmbeddedWriter.store
    monkeypatch.setattr(kg.store.embedded.EmbeddedWriter, "store", property(lambda self: _FullDisk(real.fget(self))))
    result = runner.invoke(cli, ["build", str(SEEDS), "--rebuild", "--model", str(blank_model), "-q",
                                 "--store", str(store)])
    assert result.exit_code == 1
    assert "no space left on the device" in one_error_line(result.output)
    assert sorted(p.name for p in store.iterdir()) == before  # no work/, no half-made gen-*
    monkeypatch.undo()
    assert Store(store).query("ASK { ?s ?p ?o }")


@needs_mount
@pytest.mark.timeout(120)
def test_faults_disk_full_on_a_real_small_tmpfs(tmp_path, blank_model):
    mount = tmp_path / "small"
    mount.mkdir()
    script = (f"mount -t tmpfs -o size=256k tmpfs {mount} && "
              f"{sys.executable} -m kg.cli build {SEEDS} --model {blank_model} -q --store {mount}/s; "
              f"rc=$?; ls -A {mount}/s; exit $rc")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=100)
    assert result.returncode == 1, result.stderr
    assert "no space left on the device" in one_error_line(result.stderr)
    assert result.stdout.split() == ["write.lock"]  # the abandoned working copy is gone


# -- read-only folders


@needs_mount
@pytest.mark.timeout(120)
def test_faults_read_only_store_and_output_folder_are_one_line_each(tmp_path, seeds_store_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    kg = f"{sys.executable} -m kg.cli"
    commands = [f"build {SEEDS} -q --store {mount}/store",
                f"build {SEEDS} -q --store {mount}/new",
                f"export --format nq -o {mount}/out/x.nq --store {mount}/store",
                f"export --format html -o {mount}/out/x.html --store {mount}/store",
                f"graph Armenia -o {mount}/out/x.html --store {mount}/store",
                f"plot stance Russia Armenia -o {mount}/out/x.png --store {mount}/store"]
    script = (f"mount -t tmpfs -o size=50m tmpfs {mount} && cp -r {seeds_store_path} {mount}/store && "
              f"mkdir {mount}/out && mount -o remount,ro {mount} && "
              f"{kg} neighbors Armenia --store {mount}/store > /dev/null && echo reads; " +
              "; ".join(f"{kg} {c} 2>&1 >/dev/null | tail -n 3; echo \"rc=$?\"" for c in commands))
    result = subprocess.run(["unshare", "-m", "bash", "-c", f"set -o pipefail; {script}"],
                            capture_output=True, text=True, timeout=110)
    lines = result.stdout.splitlines()
    assert lines[0] == "reads", result.stdout + result.stderr  # a read-only store still answers
    outcomes = lines[1:]
    assert len(outcomes) == 2 * len(commands), result.stdout
    for error, status in zip(outcomes[::2], outcomes[1::2]):
        assert error.startswith("Error: ") and "read-only" in error.lower(), error
        assert status == "rc=1"


def test_faults_output_folder_that_cannot_be_written(runner, seeds_store_path, tmp_path, monkeypatch):
    import kg.safe

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(kg.safe.tempfile, "mkstemp", refuse)
    for args in (["export", "--format", "nq"], ["graph", "Armenia"], ["plot", "stance", "Russia", "Armenia"]):
        name = tmp_path / ("x.png" if args[0] == "plot" else "x.out")
        result = runner.invoke(cli, [*args, "-o", str(name), "--store", str(seeds_store_path)])
        assert result.exit_code == 1
        assert one_error_line(result.output) == f"Error: cannot write {name}: Read-only file system"


def test_faults_store_folder_that_cannot_be_written(runner, tmp_path, blank_model, monkeypatch):
    import kg.store.embedded

    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("write.lock"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(kg.store.embedded.os, "open", refuse)
    result = runner.invoke(cli, ["build", str(SEEDS), "--model", str(blank_model), "-q",
                                 "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "permission denied" in one_error_line(result.output)


def test_faults_build_into_a_file_is_one_line(runner, blank_model):
    result = runner.invoke(cli, ["build", str(SEEDS), "--model", str(blank_model), "-q", "--store", os.devnull])
    assert result.exit_code == 1
    assert one_error_line(result.output) == ("Error: cannot write the store in /dev/null: it is a file, not a "
                                             "folder: use another --store")


# -- a full stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [["export", "--format", "ttl"], ["export", "--format", "jsonl"],
                                  ["neighbors", "Armenia"], ["query", "quad-counts"], ["actors"]])
def test_faults_output_to_a_full_device_is_one_line(seeds_store_path, args):
    with open("/dev/full", "w") as full:
        result = subprocess.run([*KG, *args, "--store", str(seeds_store_path)], stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == "Error: cannot write the output: No space left on device"


# -- arguments that used to be tracebacks


@pytest.mark.parametrize("a, b", [("Russia", "Russia"), ("Russia", "Moscow")])
def test_faults_path_between_an_actor_and_itself(runner, seeds_store_path, a, b):
    result = runner.invoke(cli, ["path", a, b, "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert one_error_line(result.output) == "Error: both ends of the path are Russia: give two different actors"


def test_faults_plot_into_a_missing_folder(runner, seeds_store_path, tmp_path):
    target = tmp_path / "missing" / "x.png"
    result = runner.invoke(cli, ["plot", "stance", "Russia", "Armenia", "-o", str(target),
                                 "--store", str(seeds_store_path)])
    assert result.exit_code == 1
    assert "the folder" in one_error_line(result.output) and "does not exist" in result.output


@pytest.mark.parametrize("value", ["2023-13", "2023-00", "2023-02-30", "23-01", "2023-1"])
def test_faults_dates_are_validated(runner, seeds_store_path, value):
    result = runner.invoke(cli, ["stance", "Russia", "Armenia", "--since", value, "--store", str(seeds_store_path)])
    assert result.exit_code == 2
    assert "is not a date" in result.output


@pytest.mark.parametrize("value", ["2023", "2023-12", "2024-02-29"])
def test_faults_real_dates_are_accepted(runner, seeds_store_path, value):
    result = runner.invoke(cli, ["stance", "Russia", "Armenia", "--until", value, "--store", str(seeds_store_path)])
    assert result.exit_code == 0, result.output


def test_faults_gold_that_is_not_utf8(runner, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "doc.jsonl").write_bytes(b'{"doc": "doc", "source": "R\xe9ssia"}\n')
    result = runner.invoke(cli, ["eval", str(gold)])
    assert result.exit_code == 1
    assert "is not UTF-8 text" in one_error_line(result.output)
