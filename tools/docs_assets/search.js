// Client-side search of the docs site. The index is search_index.js (built by tools/build_docs.py), loaded by a
// <script> tag, so the search works from file:// and asks nothing of the network.
(function () {
  "use strict";
  var entries = window.ML_DESIGN_SEARCH || [];
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("search-input");
  var box = document.getElementById("search-results");
  if (!input || !box) return;
  var KIND_WEIGHT = {name: 4, method: 3, page: 2, section: 1, workshop: 1};
  var prepared = entries.map(function (e) {
    return {e: e, label: (e.n || "").toLowerCase(), where: (e.w || "").toLowerCase(), text: (e.x || "").toLowerCase()};
  });

  function score(p, query, terms) {
    var s = 0;
    if (p.label === query) s += 1000;
    else if (p.label.indexOf(query) === 0) s += 300;
    else if (p.label.indexOf(query) >= 0) s += 150;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], hit = false;
      if (p.label.indexOf(t) >= 0) { s += 40; hit = true; }
      if (p.where.indexOf(t) >= 0) { s += 8; hit = true; }
      if (p.text.indexOf(t) >= 0) { s += 4; hit = true; }
      if (!hit) return 0;  // every term must match somewhere
    }
    return s * (KIND_WEIGHT[p.e.k] || 1);
  }

  function snippet(text, terms) {
    if (!text) return "";
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = lower.indexOf(terms[i]);
    var start = Math.max(0, at - 50);
    return (start > 0 ? "\u2026" : "") + text.slice(start, start + 140) + (text.length > start + 140 ? "\u2026" : "");
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function run() {
    var query = input.value.trim().toLowerCase();
    box.textContent = "";
    if (query.length < 2) return;
    var terms = query.split(/\s+/);
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var s = score(prepared[i], query, terms);
      if (s > 0) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    if (!hits.length) { box.appendChild(el("div", "none", "No match")); return; }
    hits.slice(0, 15).forEach(function (hit) {
      var e = prepared[hit[1]].e;
      var link = el("a", "result");
      link.href = root + e.u;
      link.setAttribute("data-kind", e.k);
      link.appendChild(el("span", "label", e.n));
      link.appendChild(el("span", "where", e.w));
      var snip = snippet(e.x, terms);
      if (snip) link.appendChild(el("span", "snippet", snip));
      box.appendChild(link);
    });
  }

  input.addEventListener("input", run);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var first = box.querySelector("a.result");
      if (first) window.location.href = first.href;
    } else if (event.key === "Escape") {
      input.value = "";
      run();
    }
  });
  if (input.value) run();
})();
