"""The HTML graph as a person sees it, in headless Chromium: it draws, logs no error, runs nothing
from articles. Skipped, with the reason, where no Chromium is installed."""

import re
import shutil
import subprocess

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (make install adds it)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=6000"]

HOSTILE = ("Mali condemned France over <script>document.title='pwned'</script> on Monday. "
           "Chad accused Niger of \"><img src=x onerror=\"document.title='pwned'\"> raids.")


def chromium(tmp_path, page, *args):
    try:
        result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
                                capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:  # a page stuck in a dialog (alert) never finishes loading
        pytest.fail("Chromium did not finish rendering the page: a script from the page blocked it")
    return result.stdout, result.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture
def seeds_page(runner, seeds_store_path, tmp_path):
    from kg.cli import cli

    page = tmp_path / "graph.html"
    assert runner.invoke(cli, ["export", "--format", "html", "-o", str(page), "--store", str(seeds_store_path)]).exit_code == 0
    return page


def test_browser_graph_draws_on_a_canvas(seeds_page, tmp_path):
    import matplotlib.image

    shot = tmp_path / "shot.png"
    chromium(tmp_path, seeds_page, "--window-size=1200,800", f"--screenshot={shot}")
    pixels = matplotlib.image.imread(shot)[60:, :, :3]  # below the header
    coloured = ((pixels.max(axis=2) - pixels.min(axis=2)) > 0.25).mean()
    assert coloured > 0.002, f"only {coloured:.4%} coloured pixels: the graph did not draw"


def test_browser_no_console_message_and_a_canvas_in_the_dom(seeds_page, tmp_path):
    dom, stderr = chromium(tmp_path, seeds_page, "--dump-dom")
    assert "<canvas" in dom
    assert console_lines(stderr) == []


def test_browser_article_text_cannot_run_script(runner, tmp_path, nlp):
    from kg.build import build
    from kg.cli import cli
    from kg.store import Store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (corpus / "x\"><img src=x onerror=alert(1)>.txt").write_text("Togo praised Ghana.", encoding="utf-8")
    build([corpus], Store(tmp_path / "s"), nlp=nlp)
    page = tmp_path / "hostile.html"
    assert runner.invoke(cli, ["export", "--format", "html", "-o", str(page), "--store", str(tmp_path / "s")]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script>document.title" not in html and "<img src=x" not in html
    # show every tooltip, as hovering does, then read the page back
    probe = ("<script>window.addEventListener('load', function () { setTimeout(function () {"
             "var d = kgNetwork.body.data; d.nodes.get().concat(d.edges.get()).forEach(function (x) {"
             "document.body.appendChild(x.title); }); }, 500); });</script></body>")
    page.write_text(html.replace("</body>", probe), encoding="utf-8")
    dom, stderr = chromium(tmp_path, page, "--dump-dom")
    assert re.search(r"<title>[^<]*</title>", dom).group(0) != "<title>pwned</title>"
    assert "pwned" not in dom.split("<script")[0]
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom  # shown, as text
    assert "<img" not in dom
    assert console_lines(stderr) == []
