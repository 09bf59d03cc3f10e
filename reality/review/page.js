/* reality review page: render, filter, mark, export. No network, no dependencies. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("review-data").textContent);
  var META = DATA.meta;
  var RECS = DATA.records;
  var PAGE = 300;
  var SVGNS = "http://www.w3.org/2000/svg";
  var params = new URLSearchParams(location.search);
  var SELFTEST = params.get("selftest") === "1";
  var STORE_KEY = "reality-review:" + META.source + ":" + RECS.length + ":" + (RECS.length ? RECS[0].hash : "");
  var EDIT_FIELD = META.fields.length > 1 ? META.fields[1] : META.fields[0];

  var state = {
    decisions: {}, // id -> {decision: "accept"|"reject"|"edited", fields: {name: text}}
    filters: { confidence: "", rule: "", persona: "", scenario: "", decision: "", text: "" },
    limit: PAGE,
    focus: -1,
    editing: {}
  };
  var cards = {}; // record index -> card element (built lazily, kept across filters)
  var shown = []; // record indices currently in the DOM, in order

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.append(child.nodeType ? child : String(child));
  }
  function label(v) { return v === null || v === undefined || v === "" ? "(none)" : String(v); }
  function key(v) { return label(v).toLowerCase(); }
  function count(list, fn) {
    var out = {};
    list.forEach(function (x) { var k = fn(x); out[k] = (out[k] || 0) + 1; });
    return out;
  }
  function pct(x) { return Math.round(x * 100) + "%"; }

  // ------------------------------------------------------------------ persistence
  function load() {
    if (SELFTEST) return;
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
      var known = {};
      RECS.forEach(function (r) { known[r.id] = r.hash; });
      Object.keys(saved).forEach(function (id) {
        if (known[id] !== undefined && saved[id] && saved[id].hash === known[id]) state.decisions[id] = saved[id];
      });
    } catch (e) { /* storage unavailable: decisions live in memory only */ }
  }
  function save() {
    if (SELFTEST) return;
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state.decisions)); } catch (e) { /* ignore */ }
  }

  // ------------------------------------------------------------------ decisions
  function setDecision(i, decision, fields) {
    var r = RECS[i];
    var prev = state.decisions[r.id];
    if (prev && prev.decision === decision && decision !== "edited") delete state.decisions[r.id]; // toggle off
    else {
      var d = { decision: decision, hash: r.hash };
      if (decision === "edited") d.fields = fields;
      state.decisions[r.id] = d;
    }
    save();
    refreshCard(i);
    updateCounts();
  }

  function exportDecisions() {
    var lines = [];
    RECS.forEach(function (r) {
      var d = state.decisions[r.id];
      if (!d) return;
      var row = { id: r.id, hash: r.hash, decision: d.decision };
      if (d.decision === "edited") {
        row.fields = {};
        META.fields.forEach(function (f) { if (d.fields && f in d.fields) row.fields[f] = d.fields[f]; });
      }
      lines.push(JSON.stringify(row));
    });
    return lines.length ? lines.join("\n") + "\n" : "";
  }
  window.exportDecisions = exportDecisions;

  function downloadDecisions(click) {
    var blob = new Blob([exportDecisions()], { type: "application/x-ndjson" });
    var url = URL.createObjectURL(blob);
    var a = document.getElementById("download");
    var base = (META.source.split(/[\\/]/).pop() || "dataset").replace(/\.jsonl?$/, "");
    a.href = url;
    a.download = base + ".decisions.jsonl";
    if (click !== false) a.click();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    return url;
  }
  window.downloadDecisions = downloadDecisions;

  // ------------------------------------------------------------------ filters
  function matches(i) {
    var r = RECS[i], f = state.filters;
    if (f.confidence && r.confidence !== f.confidence) return false;
    if (f.rule && r.rules.indexOf(f.rule) < 0) return false;
    if (f.persona && label(r.persona) !== f.persona) return false;
    if (f.scenario && label(r.scenario) !== f.scenario) return false;
    if (f.decision) {
      var d = state.decisions[r.id];
      if ((d ? d.decision : "undecided") !== f.decision) return false;
    }
    if (f.text) {
      var needle = f.text.toLowerCase();
      var hit = META.fields.some(function (name) { return (r.fields[name] || "").toLowerCase().indexOf(needle) >= 0; });
      if (!hit && r.id.indexOf(needle) < 0 && r.prov.toLowerCase().indexOf(needle) < 0) return false;
    }
    return true;
  }
  function matching() {
    var out = [];
    for (var i = 0; i < RECS.length; i++) if (matches(i)) out.push(i);
    return out;
  }

  function fillSelect(id, values) {
    var sel = document.getElementById(id);
    values.forEach(function (v) { sel.append(el("option", { value: v, text: v })); });
  }
  function fillFilters() {
    var levels = META.levels.filter(function (l) { return RECS.some(function (r) { return r.confidence === l; }); });
    fillSelect("f-confidence", levels);
    var rules = {};
    RECS.forEach(function (r) { r.rules.forEach(function (x) { rules[x] = 1; }); });
    fillSelect("f-rule", Object.keys(rules).sort());
    fillSelect("f-persona", Object.keys(count(RECS, function (r) { return label(r.persona); })).sort());
    fillSelect("f-scenario", Object.keys(count(RECS, function (r) { return label(r.scenario); })).sort());
    document.querySelectorAll("#toolbar select").forEach(function (sel) {
      sel.addEventListener("change", function () {
        state.filters[sel.getAttribute("data-filter")] = sel.value;
        state.limit = PAGE;
        renderList();
      });
    });
    document.getElementById("f-text").addEventListener("input", function (e) {
      state.filters.text = e.target.value;
      state.limit = PAGE;
      renderList();
    });
    document.getElementById("export").addEventListener("click", function () { downloadDecisions(true); });
  }

  // ------------------------------------------------------------------ records
  function highlighted(text, claims) {
    var frag = document.createDocumentFragment();
    var sorted = claims.slice().sort(function (a, b) { return a.s - b.s || b.e - a.e; });
    var pos = 0;
    sorted.forEach(function (c) {
      if (c.s < pos || c.e > text.length || c.s >= c.e) return; // overlapping or stale span
      if (c.s > pos) frag.append(text.slice(pos, c.s));
      frag.append(el("mark", { "class": "v-" + c.verdict, title: c.title, "data-kind": c.kind, "data-verdict": c.verdict }, text.slice(c.s, c.e)));
      pos = c.e;
    });
    frag.append(text.slice(pos));
    return frag;
  }

  function buildCard(i) {
    var r = RECS[i];
    var card = el("article", { "class": "card conf-" + r.confidence, "data-index": i, "data-id": r.id });
    card.addEventListener("click", function () { setFocus(i, false); });
    cards[i] = card;
    fillCard(i);
    return card;
  }

  function fillCard(i) {
    var r = RECS[i], card = cards[i];
    var d = state.decisions[r.id];
    card.className = "card conf-" + r.confidence + (d ? " decided-" + d.decision : "") + (state.focus === i ? " focus" : "");
    card.textContent = "";
    var head = el("div", { "class": "card-head" },
      el("strong", { text: "#" + (i + 1) }),
      el("span", { "class": "badge " + r.confidence, text: r.confidence, title: r.reasons.join("\n") }),
      el("span", { "class": "badge", text: "persona: " + label(r.persona) }),
      el("span", { "class": "badge", text: "scenario: " + label(r.scenario) }),
      r.label === null || r.label === undefined ? null : el("span", { "class": "badge", text: "label: " + r.label }),
      d ? el("span", { "class": "badge decision", text: d.decision }) : null,
      el("span", { "class": "muted", text: r.prov + " · " + r.id }));
    card.append(head);
    if (r.reasons.length) card.append(el("ul", { "class": "reasons" }, r.reasons.map(function (x) { return el("li", { text: x }); })));
    var editing = state.editing[i];
    META.fields.forEach(function (name) {
      var text = r.fields[name] || "";
      var edited = d && d.decision === "edited" && d.fields && name in d.fields;
      var body;
      if (editing) {
        body = el("textarea", { "data-field": name });
        body.value = edited ? d.fields[name] : text;
      } else if (edited) {
        body = el("div", { "class": "field-text", "data-field": name }, d.fields[name]);
      } else {
        body = el("div", { "class": "field-text", "data-field": name },
          highlighted(text, r.claims.filter(function (c) { return c.field === name; })));
      }
      card.append(el("div", { "class": "field" },
        el("div", { "class": "field-name", text: name + " · " + r.words[name] + " words" + (edited ? " · edited" : "") }), body));
    });
    if (r.findings.length) {
      card.append(el("ul", { "class": "findings" }, r.findings.map(function (f) {
        return el("li", { "class": f.severity, text: f.rule + " [" + f.severity + "]" + (f.field ? " " + f.field : "") + ": " + f.message });
      })));
    }
    var act = function (name, text, fn, on) {
      return el("button", { type: "button", "data-action": name, "class": on ? "on" : null, onclick: function (e) { e.stopPropagation(); fn(); } }, text);
    };
    var actions = el("div", { "class": "actions" });
    if (editing) {
      actions.append(act("save", "Save edit", function () { saveEdit(i); }), act("cancel", "Cancel", function () { delete state.editing[i]; fillCard(i); }));
    } else {
      actions.append(
        act("accept", "Accept", function () { setDecision(i, "accept"); }, d && d.decision === "accept"),
        act("reject", "Reject", function () { setDecision(i, "reject"); }, d && d.decision === "reject"),
        act("edit", "Edit", function () { state.editing[i] = true; fillCard(i); }, d && d.decision === "edited"));
    }
    card.append(actions);
  }

  function saveEdit(i) {
    var r = RECS[i], changed = {}, any = false;
    cards[i].querySelectorAll("textarea[data-field]").forEach(function (ta) {
      var name = ta.getAttribute("data-field");
      if (ta.value !== (r.fields[name] || "")) { changed[name] = ta.value; any = true; }
    });
    delete state.editing[i];
    if (any) setDecision(i, "edited", changed);
    else {
      var d = state.decisions[r.id];
      if (d && d.decision === "edited") { delete state.decisions[r.id]; save(); }
      fillCard(i);
      updateCounts();
    }
  }

  function refreshCard(i) { if (cards[i]) fillCard(i); }

  function renderList() {
    var main = document.getElementById("records");
    main.textContent = "";
    var idx = matching();
    shown = idx.slice(0, state.limit);
    shown.forEach(function (i) { main.append(cards[i] || buildCard(i)); });
    if (idx.length > shown.length) {
      main.append(el("button", { type: "button", id: "more", onclick: function () { state.limit += PAGE; renderList(); } },
        "Show " + Math.min(PAGE, idx.length - shown.length) + " more of " + (idx.length - shown.length)));
    }
    main.setAttribute("data-matching", idx.length);
    updateCounts(idx.length);
    return idx.length;
  }

  function updateCounts(n) {
    if (n === undefined) n = Number(document.getElementById("records").getAttribute("data-matching") || 0);
    var decided = count(Object.keys(state.decisions), function (id) { return state.decisions[id].decision; });
    document.getElementById("visible-count").textContent = n + " of " + RECS.length + " shown · " +
      (decided.accept || 0) + " accepted, " + (decided.reject || 0) + " rejected, " + (decided.edited || 0) + " edited";
  }

  function setFocus(i, scroll) {
    var old = state.focus;
    state.focus = i;
    if (cards[old]) cards[old].classList.remove("focus");
    if (cards[i]) {
      cards[i].classList.add("focus");
      if (scroll) cards[i].scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) return;
    var pos = shown.indexOf(state.focus);
    if (e.key === "j" || e.key === "k") {
      var next = shown[Math.max(0, Math.min(shown.length - 1, pos + (e.key === "j" ? 1 : -1)))];
      if (next !== undefined) setFocus(next, true);
    } else if (state.focus >= 0 && pos >= 0) {
      if (e.key === "a") setDecision(state.focus, "accept");
      else if (e.key === "r") setDecision(state.focus, "reject");
      else if (e.key === "e") { state.editing[state.focus] = true; fillCard(state.focus); }
    }
  });

  // ------------------------------------------------------------------ plots
  function plotBox(title, id, node, note) {
    return el("div", { "class": "plot", id: id, "data-plot": id }, el("h2", { text: title }), node, note ? el("div", { "class": "muted", text: note }) : null);
  }

  function niceStep(x) {
    var steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];
    for (var i = 0; i < steps.length; i++) if (steps[i] >= x) return steps[i];
    return Math.pow(10, Math.ceil(Math.log10(x)));
  }

  function histogram(field) {
    var values = RECS.map(function (r) { return r.words[field] || 0; });
    var target = META.word_targets[field];
    var max = Math.max.apply(null, values.concat(target ? [target[1]] : [1]));
    var step = niceStep(max / 16);
    var nbins = Math.floor(max / step) + 1;
    var bins = new Array(nbins).fill(0);
    values.forEach(function (v) { bins[Math.floor(v / step)] += 1; });
    var top = Math.max.apply(null, bins.concat([1]));
    var W = 300, H = 130, L = 28, B = 18, bw = (W - L - 4) / nbins;
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": field + " word counts" });
    if (target) {
      var x0 = L + (target[0] / step) * bw, x1 = L + (target[1] / step + 1) * bw;
      g.append(svg("rect", { x: x0, y: 4, width: Math.max(1, x1 - x0), height: H - B - 4, fill: "#d9f2dc" }, svg("title", { text: "target " + target[0] + "-" + target[1] + " words" })));
    }
    bins.forEach(function (n, b) {
      var h = (H - B - 8) * n / top;
      g.append(svg("rect", { x: L + b * bw + 0.5, y: H - B - h, width: Math.max(1, bw - 1), height: h, fill: "#4a7bd0", "data-count": n },
        svg("title", { text: (b * step) + "-" + ((b + 1) * step - 1) + " words: " + n })));
    });
    g.append(svg("line", { x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: "#888" }));
    g.append(svg("text", { x: L, y: H - 4, text: "0" }), svg("text", { x: W - 4, y: H - 4, "text-anchor": "end", text: (nbins * step) + " words" }));
    g.append(svg("text", { x: L - 3, y: 12, "text-anchor": "end", text: String(top) }));
    var note = target ? "target " + target[0] + "-" + target[1] + " (shaded); " : "";
    var inside = target ? values.filter(function (v) { return v >= target[0] && v <= target[1]; }).length : null;
    return plotBox("Words: " + field, "plot-words-" + field, g, note + (inside === null ? values.length + " records" : inside + " of " + values.length + " in range"));
  }

  function mixChart(kind) {
    var targets = (META.targets || {})[kind] || {};
    var actual = count(RECS, function (r) { return key(r[kind]); });
    var labels = Object.keys(targets);
    Object.keys(actual).forEach(function (l) { if (labels.indexOf(l) < 0) labels.push(l); });
    var n = RECS.length || 1;
    var W = 300, row = 18, L = 120, H = labels.length * row + 8;
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": kind + " mix" });
    labels.forEach(function (l, j) {
      var y = 4 + j * row, share = (actual[l] || 0) / n, t = targets[l];
      var w = (W - L - 40) * share;
      g.append(svg("text", { x: L - 4, y: y + 12, "text-anchor": "end", text: l }));
      g.append(svg("rect", { x: L, y: y + 2, width: Math.max(0.5, w), height: row - 6, fill: "#4a7bd0", "data-share": share.toFixed(4) },
        svg("title", { text: l + ": " + (actual[l] || 0) + " (" + pct(share) + ")" + (t !== undefined ? ", target " + pct(t) : "") })));
      if (t !== undefined) {
        var tx = L + (W - L - 40) * t;
        g.append(svg("line", { x1: tx, y1: y, x2: tx, y2: y + row - 2, stroke: "#1d232b", "stroke-width": 2, "data-target": t }));
      }
      g.append(svg("text", { x: W - 2, y: y + 12, "text-anchor": "end", text: pct(share) + (t !== undefined ? " / " + pct(t) : "") }));
    });
    return plotBox(kind.charAt(0).toUpperCase() + kind.slice(1) + " mix vs target", "plot-mix-" + kind, g, "bar: share of records; black tick: target");
  }

  var VERDICTS = ["ok", "borderline", "fail", "unverifiable", "context"];
  var VCOLOR = { ok: "#6cc47f", borderline: "#e8c43a", fail: "#e06b5a", unverifiable: "#9d87e0", context: "#b8c0ca" };
  function verdictChart() {
    var by = {};
    RECS.forEach(function (r) { r.claims.forEach(function (c) { by[c.kind] = by[c.kind] || {}; by[c.kind][c.verdict] = (by[c.kind][c.verdict] || 0) + 1; }); });
    var kinds = Object.keys(by).sort();
    var top = Math.max.apply(null, kinds.map(function (k) { return VERDICTS.reduce(function (s, v) { return s + (by[k][v] || 0); }, 0); }).concat([1]));
    var W = 300, row = 18, L = 110, H = Math.max(1, kinds.length) * row + 24;
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "claim verdicts by kind" });
    kinds.forEach(function (k, j) {
      var y = 4 + j * row, x = L;
      g.append(svg("text", { x: L - 4, y: y + 12, "text-anchor": "end", text: k }));
      VERDICTS.forEach(function (v) {
        var n = by[k][v] || 0;
        if (!n) return;
        var w = (W - L - 10) * n / top;
        g.append(svg("rect", { x: x, y: y + 2, width: w, height: row - 6, fill: VCOLOR[v], "data-verdict": v, "data-count": n }, svg("title", { text: k + " · " + v + ": " + n })));
        x += w;
      });
    });
    var lx = 4;
    VERDICTS.forEach(function (v) {
      g.append(svg("rect", { x: lx, y: H - 14, width: 10, height: 10, fill: VCOLOR[v] }), svg("text", { x: lx + 13, y: H - 5, text: v }));
      lx += 18 + v.length * 5.6;
    });
    return plotBox("Claim verdicts by kind", "plot-verdicts", g, kinds.length ? null : "no claims");
  }

  function confidenceChart() {
    var c = count(RECS, function (r) { return r.confidence; });
    var colors = { high: "#6cc47f", medium: "#e8c43a", low: "#e06b5a" };
    var W = 300, H = 26, x = 0, n = RECS.length || 1;
    var g = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "confidence" });
    META.levels.forEach(function (l) {
      var w = W * (c[l] || 0) / n;
      if (!w) return;
      g.append(svg("rect", { x: x, y: 2, width: w, height: 22, fill: colors[l] }, svg("title", { text: l + ": " + c[l] })));
      if (w > 40) g.append(svg("text", { x: x + 4, y: 17, text: l + " " + c[l] }));
      x += w;
    });
    return plotBox("Confidence", "plot-confidence", g, META.levels.map(function (l) { return l + ": " + (c[l] || 0); }).join(" · "));
  }

  function renderPlots() {
    var box = document.getElementById("plots");
    box.append(confidenceChart());
    META.fields.forEach(function (f) { box.append(histogram(f)); });
    box.append(mixChart("persona"), mixChart("scenario"), verdictChart());
  }

  function renderExtra() {
    var box = document.getElementById("extra");
    if (DATA.contradictions.length) {
      box.append(el("h2", { text: "Contradictions between records (" + DATA.contradictions.length + ")" }));
      box.append(el("table", null, el("tr", null, ["subject", "kind", "record A", "claim A", "record B", "claim B"].map(function (h) { return el("th", { text: h }); })),
        DATA.contradictions.map(function (c) {
          return el("tr", null, [c.subject, c.kind, c.a.id + " " + c.a.field + " [" + c.a.span + "]", c.a.text, c.b.id + " " + c.b.field + " [" + c.b.span + "]", c.b.text].map(function (t) { return el("td", { text: t }); }));
        })));
    }
    if (DATA.dropped.length) {
      box.append(el("h2", { text: "Dropped as duplicates at merge (" + DATA.dropped.length + ")" }));
      box.append(el("table", null, DATA.dropped.slice(0, 500).map(function (d) {
        return el("tr", null, [d.file + ":" + d.line, d.reason].map(function (t) { return el("td", { text: t }); }));
      })));
    }
  }

  // ------------------------------------------------------------------ self-test (?selftest=1)
  function selftest() {
    var out = { rendered: document.querySelectorAll("#records .card").length, total: RECS.length,
      plots: document.querySelectorAll("#plots svg").length, plot_ids: [], marks: {}, filters: {}, errors: [],
      injected: typeof window.pwned !== "undefined" };
    document.querySelectorAll("#plots [data-plot]").forEach(function (p) { out.plot_ids.push(p.id); });
    document.querySelectorAll("#records mark").forEach(function (m) {
      var v = m.getAttribute("data-verdict"); out.marks[v] = (out.marks[v] || 0) + 1;
      if (!m.title) out.errors.push("mark without title");
    });
    function setFilter(id, value) {
      var sel = document.getElementById(id);
      sel.value = value;
      sel.dispatchEvent(new Event("change"));
      return Number(document.getElementById("records").getAttribute("data-matching"));
    }
    [["f-confidence", "confidence"], ["f-rule", "rule"], ["f-persona", "persona"], ["f-scenario", "scenario"]].forEach(function (p) {
      out.filters[p[1]] = {};
      Array.prototype.forEach.call(document.getElementById(p[0]).options, function (o) {
        if (o.value) out.filters[p[1]][o.value] = setFilter(p[0], o.value);
      });
      setFilter(p[0], "");
    });
    // combined filter: lowest confidence level present and the first rule
    var conf = document.getElementById("f-confidence").options;
    if (conf.length > 1) {
      out.combined = { confidence: conf[conf.length - 1].value, rule: document.getElementById("f-rule").options.length > 1 ? document.getElementById("f-rule").options[1].value : "" };
      setFilter("f-confidence", out.combined.confidence);
      out.combined.count = setFilter("f-rule", out.combined.rule);
      out.combined.dom = document.querySelectorAll("#records .card").length;
      setFilter("f-rule", ""); setFilter("f-confidence", "");
    }
    var visible = document.querySelectorAll("#records .card");
    function click(card, action) {
      var b = card.querySelector('button[data-action="' + action + '"]');
      if (!b) { out.errors.push("no " + action + " button"); return; }
      b.click();
    }
    out.edit_suffix = " [edited in review ✓ \u00e9 \ud83d\ude00 \"quoted\" <b>]";
    if (visible.length > 0) click(visible[0], "accept");
    if (visible.length > 1) click(visible[1], "reject");
    if (visible.length > 2) {
      var third = visible[2];
      click(third, "edit");
      var ta = third.querySelector('textarea[data-field="' + EDIT_FIELD + '"]');
      if (!ta) out.errors.push("no textarea for " + EDIT_FIELD);
      else { ta.value = ta.value + out.edit_suffix; click(third, "save"); }
    }
    if (visible.length > 3) { click(visible[3], "accept"); click(visible[3], "accept"); } // toggles off again
    out.edit_field = EDIT_FIELD;
    out.filters.decision = {};
    ["undecided", "accept", "reject", "edited"].forEach(function (v) { out.filters.decision[v] = setFilter("f-decision", v); });
    setFilter("f-decision", "");
    document.getElementById("f-text").value = "";
    out.export = window.exportDecisions();
    var url = downloadDecisions(false);
    out.download = { scheme: url.split(":")[0], name: document.getElementById("download").download };
    out.visible_count_text = document.getElementById("visible-count").textContent;
    var pre = document.getElementById("selftest-result");
    pre.textContent = JSON.stringify(out);
    pre.hidden = false;
    document.title = "selftest done";
  }

  // ------------------------------------------------------------------ start
  function start() {
    document.getElementById("title").textContent = META.title;
    var conf = count(RECS, function (r) { return r.confidence; });
    document.getElementById("summary").textContent = RECS.length + " " + META.mode + " records · " +
      META.levels.map(function (l) { return (conf[l] || 0) + " " + l; }).join(", ") + " confidence · " +
      DATA.contradictions.length + " contradictions · " + DATA.dropped.length + " duplicates dropped at merge · " +
      (META.kb_version ? "KB " + META.kb_version + " · " : "") + META.tool + " · " + META.generated;
    load();
    renderPlots();
    fillFilters();
    renderList();
    renderExtra();
    if (SELFTEST) {
      try { selftest(); } catch (e) {
        var pre = document.getElementById("selftest-result");
        pre.textContent = JSON.stringify({ fatal: String(e && e.stack || e) });
        pre.hidden = false;
      }
    }
  }
  try { start(); } catch (e) {
    var pre = document.getElementById("selftest-result");
    pre.textContent = JSON.stringify({ fatal: String(e && e.stack || e) });
    pre.hidden = false;
  }
})();
