"""The HTML graph as a person sees it, in headless Chromium: it draws, logs no error, runs nothing
from articles. Skipped, with the reason, where no Chromium is installed."""

import html as html_lib
import json
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


# -- a graph of 300 actors, as a long corpus gives: search, filters, the top-150 cut

def synthetic_relations(n=300, seed=13):
    """Relations among ``n`` actors of every type, a few hubs and a long tail; one of them is
    Armenia, also called "Republic of Armenia" and "Hayastan"."""
    import random

    from kg.records import ACTOR_TYPES, Actor, Relation
    from kg.vocab import RELATION_TYPES

    rng = random.Random(seed)
    actors = [Actor(f"Actor_{i:03d}", f"Actor {i:03d}", ACTOR_TYPES[i % 4], aliases=(f"Alias {i:03d}",))
              for i in range(n)]
    actors[5] = Actor("Armenia", "Armenia", "State", "Q399", ("Republic of Armenia", "Hayastan"))
    weights = [1 / (i + 1) ** 0.9 for i in range(n)]
    pairs = [(actors[i], actors[rng.randrange(min(i, 12))]) for i in range(1, n)]
    pairs += [tuple(rng.choices(actors, weights, k=2)) for _ in range(900)]
    relations = []
    for k, (a, b) in enumerate(pairs):
        if a.id != b.id:
            t = RELATION_TYPES[rng.choice(sorted(RELATION_TYPES))]
            relations.append(Relation(f"doc{k % 97}", a, b, t.name, t.quad, t.polarity, False, False, 0.9,
                                      f"{a.label} and {b.label}.", 0, 3, "x", "v"))
    return relations


@pytest.fixture(scope="module")
def big_graph(tmp_path_factory):
    """The 300-actor page and the data it draws (what kg export --format html writes by default)."""
    from kg.export import html_page

    html = html_page(synthetic_relations())
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1))
    return html, data


# Runs in the page once it is laid out, does ACTION (as a user would: typing, keys, clicks) and
# writes what the page then shows into <pre id="probe">.
PROBE = """<script>(function wait() {
  if (document.body.dataset.ready !== "true") { setTimeout(wait, 50); return; }
  var extra = (function () { ACTION })();
  var d = kgNetwork.body.data;
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    selected: kgNetwork.getSelectedNodes(),
    nodes: d.nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) { return n.id; }),
    edges: d.edges.get({filter: function (e) { return !e.hidden; }}).map(function (e) { return e.id; }),
    physics: kgNetwork.physics.physicsEnabled,
    extra: extra === undefined ? null : extra
  });
  document.body.appendChild(out);
})();</script></body>"""


def show(tmp_path, page_html, fragment="", action=""):
    """Opens the page in Chromium with ``fragment``, runs the JavaScript ``action`` once it is laid
    out, and returns (the DOM, what PROBE saw, console lines)."""
    page = tmp_path / "big.html"
    page.write_text(page_html.replace("</body>", PROBE.replace("ACTION", action)), encoding="utf-8")
    try:
        result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                                 page.as_uri() + fragment], capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("Chromium did not finish rendering the page")
    dom = result.stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the page never said it was ready (data-ready): it did not finish laying out"
    return dom, json.loads(html_lib.unescape(found.group(1))), console_lines(result.stderr)


def text_of(dom, element_id):
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', dom, re.S)
    return html_lib.unescape(found.group(1)) if found else ""


@pytest.mark.timeout(180)
def test_browser_big_graph_draws_the_top_150_says_so_and_settles(big_graph, tmp_path):
    html, data = big_graph
    dom, seen, console = show(tmp_path, html)
    assert console == []
    assert text_of(dom, "kg-note") == "showing the top 150 of 300 actors by count; --top 0 for all"
    assert len(data["nodes"]) == 150 and len(seen["nodes"]) == 150
    assert len(seen["edges"]) == len(data["edges"])
    assert seen["physics"] is False and "Resume layout" in dom  # laid out, then stopped; the button resumes


@pytest.mark.timeout(180)
@pytest.mark.parametrize("query", ["Republic%20of%20Armenia", "hayastan", "armen"])
def test_browser_search_by_alias_selects_the_actor_and_its_neighbours(big_graph, tmp_path, query):
    html, data = big_graph
    dom, seen, console = show(tmp_path, html, f"#search={query}")
    assert console == []
    assert seen["selected"] == ["Armenia"]
    assert 'data-focus="Armenia"' in dom
    names = {n["id"]: n["name"] for n in data["nodes"]}
    neighbours = {e["to"] if e["from"] == "Armenia" else e["from"] for e in data["edges"] if "Armenia" in (e["from"], e["to"])}
    listed = re.findall(r"<button[^>]*>([^<]*)</button>", re.search(r'<ul id="kg-neighbours">(.*?)</ul>', dom).group(1))
    assert sorted(listed) == sorted(names[n] for n in neighbours) and listed
    assert text_of(dom, "kg-status").startswith("Armenia")


TYPE = """var box = document.getElementById("kg-search");
  function key(name) { box.dispatchEvent(new KeyboardEvent("keydown", {key: name, bubbles: true})); }
  box.focus(); box.value = "HAYAS"; box.dispatchEvent(new Event("input"));
  var offered = Array.prototype.map.call(document.querySelectorAll("#kg-matches li"), function (li) { return li.textContent; });
  key("ArrowDown"); key("Enter");
  return offered;"""


@pytest.mark.timeout(180)
def test_browser_typing_part_of_a_name_offers_matches_and_enter_selects(big_graph, tmp_path):
    html, data = big_graph
    dom, seen, console = show(tmp_path, html, action=TYPE)
    assert console == []
    assert seen["extra"] == ["Armenia \u2014 Hayastan"]  # found by the start of an alias, which is shown
    assert seen["selected"] == ["Armenia"]


@pytest.mark.timeout(180)
def test_browser_the_layout_button_resumes_and_pauses_physics(big_graph, tmp_path):
    click = 'document.getElementById("kg-physics").click(); return document.getElementById("kg-physics").textContent;'
    dom, seen, console = show(tmp_path, big_graph[0], action=click)
    assert console == [] and seen["physics"] is True and seen["extra"] == "Pause layout"


@pytest.mark.timeout(180)
def test_browser_search_names_an_actor_left_out_by_the_top_cut(big_graph, tmp_path):
    html, data = big_graph
    left_out = data["omitted"][-1]
    dom, seen, console = show(tmp_path, html, f"#search={left_out['aliases'][0].replace(' ', '%20')}")
    assert console == [] and seen["selected"] == []
    assert "is not drawn" in text_of(dom, "kg-status") and "--top 0" in text_of(dom, "kg-status")


@pytest.mark.timeout(180)
def test_browser_quad_filter_hides_the_other_relations(big_graph, tmp_path):
    html, data = big_graph
    dom, seen, console = show(tmp_path, html, "#quads=material-conflict")
    assert console == []
    conflict = {e["id"] for e in data["edges"] if e["quads"].get("material-conflict")}
    assert set(seen["edges"]) == conflict and 0 < len(conflict) < len(data["edges"])
    ends = {n for e in data["edges"] if e["id"] in conflict for n in (e["from"], e["to"])}
    assert set(seen["nodes"]) == ends  # an actor left without a drawn relation is not drawn
    assert f"{len(conflict)} links" in text_of(dom, "kg-summary")
    assert 'type="checkbox"' in dom


@pytest.mark.timeout(180)
def test_browser_minimum_per_pair_and_actor_type_filters(big_graph, tmp_path):
    html, data = big_graph
    dom, seen, console = show(tmp_path, html, "#min=3&types=State,Organization")
    assert console == []
    types = {n["id"]: n["type"] for n in data["nodes"]}
    pairs = {}
    for e in data["edges"]:
        key = frozenset((e["from"], e["to"]))
        pairs[key] = pairs.get(key, 0) + e["count"]
    expected = {e["id"] for e in data["edges"] if pairs[frozenset((e["from"], e["to"]))] >= 3
                and {types[e["from"]], types[e["to"]]} <= {"State", "Organization"}}
    assert set(seen["edges"]) == expected and expected
    assert {types[n] for n in seen["nodes"]} <= {"State", "Organization"}


@pytest.mark.timeout(180)
def test_browser_big_graph_screenshot_with_a_search(big_graph, tmp_path):
    import matplotlib.image

    page = tmp_path / "big.html"
    page.write_text(big_graph[0], encoding="utf-8")
    shots = {}
    for name, fragment in (("all", ""), ("search", "#search=Armenia")):
        shot = tmp_path / f"{name}.png"
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900",
                        f"--screenshot={shot}", page.as_uri() + fragment], capture_output=True, timeout=90)
        pixels = matplotlib.image.imread(shot)[40:, 280:, :3]  # the graph, right of the panel
        shots[name] = ((pixels.max(axis=2) - pixels.min(axis=2)) > 0.25).mean()
    assert shots["all"] > 0.01, f"only {shots['all']:.4%} coloured pixels: the graph did not draw"
    # the search greys out every actor but Armenia and its neighbours
    assert shots["search"] < shots["all"]
