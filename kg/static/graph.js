/* kg's HTML graph: search, filters, labels and layout control over vis-network.
   Every string that comes from the data goes into the page through textContent or onto the canvas
   with fillText: nothing from an article is ever parsed as HTML. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const $ = (id) => document.getElementById(id);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const maxCount = Math.max(1, ...data.nodes.map((n) => n.count));
  const knownTypes = new Set(data.actorTypes);
  const DIM_NODE = {background: "rgba(225,225,225,0.55)", border: "rgba(190,190,190,0.6)"};
  const DIM_EDGE = "rgba(170,170,170,0.22)";
  const QUAD_SIGN = {"verbal-cooperation": 1, "material-cooperation": 1, "verbal-conflict": -1,
                     "material-conflict": -1, "structural": 0};

  const state = {quads: new Set(data.quads), types: new Set(data.actorTypes), min: 1, focus: null};
  let shown = {nodes: new Set(), edges: new Set(), count: new Map()};  // what the filters leave, see applyFilters
  let near = new Set();  // the focused actor and its shown neighbours

  // -- small helpers

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function tip(text) {
    const e = el("div", "tip");
    e.textContent = text;  // article text is shown as text, never parsed as HTML
    return e;
  }

  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function darker(hex) {
    const v = parseInt(hex.slice(1), 16);
    const f = (shift) => Math.round(((v >> shift) & 255) * 0.7).toString(16).padStart(2, "0");
    return "#" + f(16) + f(8) + f(0);
  }

  function pairKey(e) {
    return e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
  }

  function plural(n, word) {
    return n + " " + (n === 1 && word.endsWith("s") ? word.slice(0, -1) : word);
  }

  // -- the network

  const container = $("kg-graph");
  const nodes = new vis.DataSet(data.nodes.map((n) => ({id: n.id, size: n.size, title: tip(n.title),
    color: {background: n.color, border: darker(n.color)}})));
  const edges = new vis.DataSet(data.edges.map((e) => ({id: e.id, from: e.from, to: e.to, title: tip("")})));
  const network = new vis.Network(container, {nodes: nodes, edges: edges}, {
    nodes: {shape: "dot", borderWidth: 1, borderWidthSelected: 3},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.45}}, smooth: {enabled: true, type: "curvedCW", roundness: 0.12},
            hoverWidth: 0.6, selectionWidth: 1.2},
    physics: {solver: "forceAtlas2Based",
              forceAtlas2Based: {gravitationalConstant: -70, centralGravity: 0.015, springLength: 80,
                                 springConstant: 0.05, damping: 0.5, avoidOverlap: 0.6},
              stabilization: {enabled: true, iterations: 600, updateInterval: 50, fit: true},
              minVelocity: 1.5},
    layout: {randomSeed: 13, improvedLayout: data.nodes.length <= 100},
    interaction: {hover: true, tooltipDelay: 150, multiselect: false}
  });
  window.kgNetwork = network;  // for scripting the page (and for the browser tests)

  // -- filters: which relations, pairs and actors are drawn

  function visibleCount(e) {
    let count = 0;
    for (const q in e.quads) if (state.quads.has(q)) count += e.quads[q];
    return count;
  }

  function typeShown(n) {
    return !knownTypes.has(n.type) || state.types.has(n.type);
  }

  function applyFilters() {
    const count = new Map();
    const pairs = new Map();
    for (const e of data.edges) {
      const c = visibleCount(e);
      count.set(e.id, c);
      pairs.set(pairKey(e), (pairs.get(pairKey(e)) || 0) + c);
    }
    const degree = new Map();
    const visibleEdges = new Set();
    for (const e of data.edges) {
      if (count.get(e.id) > 0 && pairs.get(pairKey(e)) >= state.min && typeShown(byId.get(e.from)) &&
          typeShown(byId.get(e.to))) {
        visibleEdges.add(e.id);
        degree.set(e.from, (degree.get(e.from) || 0) + 1);
        degree.set(e.to, (degree.get(e.to) || 0) + 1);
      }
    }
    const visibleNodes = new Set(data.nodes.filter((n) => typeShown(n) && (degree.get(n.id) || n.id === state.focus))
      .map((n) => n.id));
    shown = {nodes: visibleNodes, edges: visibleEdges, count: count};
    let relations = 0;
    visibleEdges.forEach((id) => { relations += count.get(id); });
    $("kg-summary").textContent = visibleNodes.size + " of " + plural(data.actors.shown, "actors") + " drawn, " +
      plural(visibleEdges.size, "links") + ", " + relations + " " + data.unit;
    $("kg-empty").hidden = visibleNodes.size > 0;
  }

  function edgeLook(e) {
    let net = 0;
    const types = [];
    for (const t in e.types) {
      const rt = data.relationTypes[t];
      if (rt && !state.quads.has(rt.quad)) continue;
      const polarity = rt ? rt.polarity : 0;
      net += polarity * e.types[t];
      types.push([t, e.types[t], polarity]);
    }
    const sign = Math.sign(net);
    types.sort((a, b) => b[1] - a[1]);
    const agreeing = types.filter((t) => Math.sign(t[2]) === sign);
    const label = (agreeing.length ? agreeing : types).length ? (agreeing.length ? agreeing : types)[0][0] : "";
    return {colour: data.polarityColours[String(sign)], label: label, types: types};
  }

  function edgeTip(e, look) {
    const count = shown.count.get(e.id) || 0;
    const lines = [byId.get(e.from).name + " \u2192 " + byId.get(e.to).name,
                   look.types.map((t) => t[0] + " \u00d7" + t[1]).join(", ")];
    const evidence = e.evidence.filter((ev) => state.quads.has(ev[1])).slice(0, data.maxEvidence);
    for (const ev of evidence) lines.push("[" + ev[0] + "] " + ev[2] + (ev[3] ? " (" + ev[3] + ")" : "") + ": " + ev[4]);
    if (count > evidence.length) lines.push("\u2026 and " + (count - evidence.length) + " more");
    return tip(lines.join("\n"));
  }

  // Draws what the filters and the focus say: hidden flags, colours, widths, tooltips.
  function paint() {
    near = new Set();
    if (state.focus !== null && shown.nodes.has(state.focus)) {
      near.add(state.focus);
      for (const e of data.edges) {
        if (!shown.edges.has(e.id)) continue;
        if (e.from === state.focus) near.add(e.to);
        if (e.to === state.focus) near.add(e.from);
      }
    }
    const focused = near.size > 0;
    nodes.update(data.nodes.map((n) => ({
      id: n.id, hidden: !shown.nodes.has(n.id),
      color: focused && !near.has(n.id) ? DIM_NODE
        : {background: n.color, border: darker(n.color), highlight: {background: n.color, border: "#222"},
           hover: {background: n.color, border: "#222"}},
      borderWidth: n.id === state.focus ? 3 : 1
    })));
    edges.update(data.edges.map((e) => {
      const look = edgeLook(e);
      e.label = look.label;
      const dim = focused && e.from !== state.focus && e.to !== state.focus;
      const c = shown.count.get(e.id) || 0;
      return {id: e.id, hidden: !shown.edges.has(e.id), width: 0.6 + Math.min(c, 12) * 0.45,
              color: {color: dim ? DIM_EDGE : look.colour, highlight: look.colour, hover: look.colour},
              title: edgeTip(e, look)};
    }));
  }

  function refresh() {
    applyFilters();
    paint();
    if (state.focus !== null) describe(state.focus, null);
    network.redraw();
  }

  // -- labels: drawn by importance, a label that would overlap one already drawn is left out, so the
  // top actors are labelled at first and every actor once zoomed in; the focus and its neighbours always

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  // Writes ``text`` beside a point (below it, else above, right or left of a circle of radius r)
  // where it overlaps no label already drawn; a forced label goes below when no place is free.
  function drawText(ctx, text, x, y, r, size, colour, weight, boxes, force) {
    const scale = network.getScale();
    const fs = size / scale;
    ctx.font = weight + " " + fs + "px system-ui, sans-serif";
    const w = ctx.measureText(text).width;
    const h = fs * 1.1;
    const pad = 2 / scale;
    const gap = r + 4 / scale;
    const places = r ? [[x, y + gap], [x, y - gap - h], [x + gap + w / 2 + pad, y - h / 2], [x - gap - w / 2 - pad, y - h / 2]]
      : [[x, y - h / 2]];
    const boxOf = (p) => [p[0] - w / 2 - pad, p[1] - pad, p[0] + w / 2 + pad, p[1] + h + pad];
    let place = places.find((p) => !boxes.some((b) => overlaps(b, boxOf(p))));
    if (!place) {
      if (!force) return false;
      place = places[0];
    }
    boxes.push(boxOf(place));
    ctx.lineWidth = 3.5 / scale;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    ctx.strokeText(text, place[0], place[1]);
    ctx.fillStyle = colour;
    ctx.fillText(text, place[0], place[1]);
    return true;
  }

  function edgeMiddle(id) {
    const edge = network.body.edges[id];
    try {
      return edge.edgeType.getPoint(0.5);
    } catch (err) {
      return {x: (edge.from.x + edge.to.x) / 2, y: (edge.from.y + edge.to.y) / 2};
    }
  }

  function drawLabels(ctx) {
    const scale = network.getScale();
    const ids = data.nodes.filter((n) => shown.nodes.has(n.id)).map((n) => n.id);  // by rank
    const ordered = ids.filter((id) => near.has(id)).concat(ids.filter((id) => !near.has(id)));
    const positions = network.getPositions(ordered);
    const boxes = [];
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    for (const id of ordered) {
      const n = byId.get(id);
      const p = positions[id];
      if (!p) continue;
      const mine = near.has(id);
      const size = id === state.focus ? 16 : mine ? 13 : 11 + 4 * Math.sqrt(n.count / maxCount);
      const colour = near.size && !mine ? "#9a9a9a" : "#1a1a1a";
      drawText(ctx, n.name, p.x, p.y, n.size, size, colour, id === state.focus ? "bold" : "normal", boxes, mine);
    }
    // relation types on the focus's links, and on every link once zoomed in
    if (near.size || scale >= 1.3) {
      for (const e of data.edges) {
        if (!shown.edges.has(e.id) || !e.label) continue;
        const touches = e.from === state.focus || e.to === state.focus;
        if (near.size ? !touches : false) continue;
        const m = edgeMiddle(e.id);
        drawText(ctx, e.label.toLowerCase().replace("_", " "), m.x, m.y, 0, 10, "#555", "normal", boxes, false);
      }
    }
    ctx.restore();
  }

  network.on("afterDrawing", drawLabels);

  // -- the focus: one actor and its neighbours, from the search box, a click or the URL

  function neighbours(id) {
    const counts = new Map();
    for (const e of data.edges) {
      if (!shown.edges.has(e.id)) continue;
      const other = e.from === id ? e.to : e.to === id ? e.from : null;
      if (other !== null) counts.set(other, (counts.get(other) || 0) + shown.count.get(e.id));
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || byId.get(a[0]).rank - byId.get(b[0]).rank);
  }

  function describe(id, alias) {
    const n = byId.get(id);
    const list = $("kg-neighbours");
    clear(list);
    if (!shown.nodes.has(id)) {
      $("kg-status").textContent = n.name + " is hidden by the actor filter (" + n.type + ").";
      return;
    }
    const around = neighbours(id);
    $("kg-status").textContent = n.name + (alias ? " (as \u201c" + alias + "\u201d)" : "") + ": " + n.type + ", " +
      n.count + " " + data.unit + "; " + plural(around.length, "neighbours") + " drawn" + (around.length ? ":" : ".");
    for (const [other, count] of around) {
      const item = el("li");
      const button = el("button", "link", byId.get(other).name);
      button.type = "button";
      button.addEventListener("click", () => select(other, null));
      item.appendChild(button);
      item.appendChild(el("span", "why", " " + plural(count, data.unit)));
      list.appendChild(item);
    }
  }

  function select(id, alias) {
    state.focus = id;
    container.dataset.focus = id;
    applyFilters();
    paint();
    describe(id, alias);
    if (!shown.nodes.has(id)) {
      network.unselectAll();
      network.redraw();
      return;
    }
    network.selectNodes([id], false);
    network.fit({nodes: [...near], animation: false});
    if (network.getScale() > 1.4) network.moveTo({position: network.getPositions([id])[id], scale: 1.4});
    network.redraw();
  }

  function unselect() {
    state.focus = null;
    delete container.dataset.focus;
    network.unselectAll();
    clear($("kg-neighbours"));
    $("kg-status").textContent = "";
    applyFilters();
    paint();
    network.redraw();
  }

  network.on("click", (params) => {
    if (params.nodes.length) select(params.nodes[0], null);
    else if (!params.edges.length) unselect();
  });

  // -- search: every name and alias, exact matches first, then prefixes, word starts, anywhere

  const names = [];
  function index(actor, drawn) {
    const own = [actor.name, actor.id.replace(/_/g, " ")];
    for (const text of own.concat(actor.aliases)) {
      names.push({key: fold(text), words: " " + fold(text).replace(/[^\p{L}\p{N}]+/gu, " "), text: text,
                  actor: actor, alias: own.includes(text) ? null : text, drawn: drawn});
    }
  }
  data.nodes.forEach((n) => index(n, true));
  data.omitted.forEach((n) => index(n, false));

  function findMatches(query) {
    const q = fold(query.trim());
    if (!q) return [];
    const best = new Map();
    for (const entry of names) {
      let score;
      if (entry.key === q) score = 0;
      else if (entry.key.startsWith(q)) score = 1;
      else if (entry.words.includes(" " + q)) score = 2;
      else if (entry.key.includes(q)) score = 3;
      else continue;
      if (entry.alias) score += 0.5;
      const seen = best.get(entry.actor.id);
      if (!seen || score < seen.score) best.set(entry.actor.id, {score: score, entry: entry});
    }
    return [...best.values()].sort((a, b) => a.score - b.score || b.entry.drawn - a.entry.drawn ||
      b.entry.actor.count - a.entry.actor.count || a.entry.actor.name.localeCompare(b.entry.actor.name))
      .slice(0, 12).map((m) => m.entry);
  }

  const input = $("kg-search");
  const list = $("kg-matches");
  let matches = [];
  let active = -1;

  function closeMatches() {
    clear(list);
    matches = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function showMatches() {
    closeMatches();
    matches = findMatches(input.value);
    matches.forEach((m, i) => {
      const item = el("li", null, m.actor.name);
      item.setAttribute("role", "option");
      if (m.alias) item.appendChild(el("span", "why", " \u2014 " + m.alias));
      if (!m.drawn) item.appendChild(el("span", "why", " (not drawn)"));
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(m); });
      item.addEventListener("mouseenter", () => highlight(i));
      list.appendChild(item);
    });
    input.setAttribute("aria-expanded", matches.length ? "true" : "false");
    if (input.value.trim() && !matches.length) $("kg-status").textContent = "No actor is called \u201c" + input.value.trim() + "\u201d.";
  }

  function highlight(i) {
    active = i;
    [...list.children].forEach((item, j) => item.classList.toggle("active", j === i));
  }

  function choose(entry) {
    closeMatches();
    input.value = entry.actor.name;
    if (!entry.drawn) {
      unselect();
      $("kg-status").textContent = entry.actor.name + " (" + entry.actor.count + " " + data.unit + ") is not drawn: " +
        "the page shows the top " + data.actors.shown + " actors by count; export with --top 0 to draw all.";
      return;
    }
    select(entry.actor.id, entry.alias);
  }

  function search(query) {
    input.value = query;
    const found = findMatches(query);
    if (found.length) choose(found[0]);
    else { unselect(); $("kg-status").textContent = "No actor is called \u201c" + query + "\u201d."; }
  }

  input.addEventListener("input", showMatches);
  input.addEventListener("focus", () => { if (input.value) showMatches(); });
  input.addEventListener("blur", closeMatches);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && matches.length) { highlight((active + 1) % matches.length); event.preventDefault(); }
    else if (event.key === "ArrowUp" && matches.length) { highlight((active - 1 + matches.length) % matches.length); event.preventDefault(); }
    else if (event.key === "Enter") {
      if (matches.length) choose(matches[Math.max(active, 0)]);
      else if (input.value.trim()) search(input.value);
      event.preventDefault();
    } else if (event.key === "Escape") closeMatches();
  });

  // -- the panel: quad classes, minimum per pair, actor types, legend, layout buttons

  function checkbox(parent, text, count, mark, checked, change) {
    const label = el("label", "check");
    const box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", () => change(box.checked));
    label.appendChild(box);
    if (mark) label.appendChild(mark);
    label.appendChild(el("span", null, text));
    label.appendChild(el("span", "count", String(count)));
    parent.appendChild(label);
    return box;
  }

  const quadBoxes = new Map();
  const quadTotals = new Map();
  for (const e of data.edges) for (const q in e.quads) quadTotals.set(q, (quadTotals.get(q) || 0) + e.quads[q]);
  for (const q of data.quads) {
    const mark = el("span", "line");
    mark.style.background = data.polarityColours[String(QUAD_SIGN[q] === undefined ? 0 : QUAD_SIGN[q])];
    quadBoxes.set(q, checkbox($("kg-quads"), q.replace("-", " "), quadTotals.get(q) || 0, mark, true, (on) => {
      if (on) state.quads.add(q); else state.quads.delete(q);
      refresh();
    }));
  }
  const typeBoxes = new Map();
  for (const t of data.actorTypes) {
    const key = data.colourBy === "type" ? data.legend.find((k) => k[0] === t.toLowerCase()) : null;
    const mark = key ? el("span", "swatch") : null;
    if (mark) mark.style.background = key[1];
    typeBoxes.set(t, checkbox($("kg-types"), t, data.nodes.filter((n) => n.type === t).length, mark, true, (on) => {
      if (on) state.types.add(t); else state.types.delete(t);
      refresh();
    }));
  }
  const pairTotals = new Map();
  for (const e of data.edges) pairTotals.set(pairKey(e), (pairTotals.get(pairKey(e)) || 0) + e.count);
  const slider = $("kg-min");
  slider.max = String(Math.max(1, Math.min(30, Math.max(0, ...pairTotals.values()))));
  function setMin(value) {
    state.min = Math.max(1, Math.min(Number(slider.max), value || 1));
    slider.value = String(state.min);
    $("kg-min-value").textContent = String(state.min);
  }
  slider.addEventListener("input", () => { setMin(Number(slider.value)); refresh(); });

  const legend = $("kg-legend");
  if (data.colourBy !== "type") {
    for (const [text, colour] of data.legend) {
      const key = el("div", "key");
      const swatch = el("span", "swatch");
      swatch.style.background = colour;
      key.appendChild(swatch);
      key.appendChild(el("span", null, text));
      legend.appendChild(key);
    }
  }
  for (const [text, sign] of [["cooperation", "1"], ["conflict", "-1"], ["structural / mixed", "0"]]) {
    const key = el("div", "key");
    const line = el("span", "line");
    line.style.background = data.polarityColours[sign];
    key.appendChild(line);
    key.appendChild(el("span", null, text));
    legend.appendChild(key);
  }
  legend.appendChild(el("div", "why", "size: " + data.unit + " per actor; click an actor for its neighbours"));
  $("kg-note").textContent = data.note;

  const physicsButton = $("kg-physics");
  let physicsOn = true;
  function setPhysics(on) {
    physicsOn = on;
    network.setOptions({physics: {enabled: on}});
    physicsButton.textContent = on ? "Pause layout" : "Resume layout";
    physicsButton.setAttribute("aria-pressed", on ? "false" : "true");
  }
  physicsButton.addEventListener("click", () => setPhysics(!physicsOn));
  $("kg-fit").addEventListener("click", () => network.fit({animation: {duration: 300}}));
  $("kg-clear").addEventListener("click", () => { input.value = ""; closeMatches(); unselect(); network.fit(); });

  // -- the URL fragment: #search=NAME&quads=verbal-conflict,material-conflict&min=2&types=State,Group

  function fromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("quads")) {
      const wanted = new Set(params.get("quads").split(",").map((q) => q.trim()));
      state.quads = new Set(data.quads.filter((q) => wanted.has(q)));
    }
    if (params.has("types")) {
      const wanted = new Set(params.get("types").split(",").map(fold));
      state.types = new Set(data.actorTypes.filter((t) => wanted.has(fold(t))));
    }
    if (params.has("min")) setMin(parseInt(params.get("min"), 10));
    quadBoxes.forEach((box, q) => { box.checked = state.quads.has(q); });
    typeBoxes.forEach((box, t) => { box.checked = state.types.has(t); });
    refresh();
    if (params.get("search")) search(params.get("search"));
    else if (data.focus !== null && state.focus === null) select(data.focus, null);
  }

  let ready = false;
  function start() {
    if (ready) return;
    ready = true;
    setPhysics(false);
    fromFragment();
    document.body.dataset.ready = "true";
  }

  setMin(1);
  refresh();
  window.addEventListener("hashchange", fromFragment);
  if (data.nodes.length) network.once("stabilizationIterationsDone", start);
  else start();
  window.kg = {search: search, select: select, unselect: unselect, refresh: refresh, state: state};
})();
