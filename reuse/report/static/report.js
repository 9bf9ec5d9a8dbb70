/* reuse HTML report: the overview's tables and heat map, the side-by-side view, keyboard shortcuts.
   Runs from file:// with no network: data comes from the folder's own data/*.js files (file:// forbids
   fetch), which call reuseIndex() and reuseDoc(). Never builds HTML from strings: every piece of
   document text reaches the page through textContent, so no document can become markup. */
(function () {
  "use strict";
  var doc = document;
  var body = doc.body;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var SVG = "http://www.w3.org/2000/svg";
  doc.documentElement.classList.add("js");

  /* ---- small helpers ---- */
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function svg(tag, attrs) {
    var e = doc.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function titled(node, text) {
    var t = svg("title");
    t.textContent = text;
    node.appendChild(t);
    return node;
  }
  /* the same as pages.percent */
  function percent(v) {
    if (v >= 0.9995 || v <= 0) { return Math.round(v * 100) + "%"; }
    var t = (v * 100).toFixed(1);
    return (t.slice(-2) === ".0" ? t.slice(0, -2) : t) + "%";
  }
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  var SCALE = [0.05, 0.10, 0.25, 0.50, 0.75];
  /* the same as pages.level */
  function level(r) {
    if (r <= 0) { return 0; }
    var n = 1;
    SCALE.forEach(function (s) { if (r >= s) { n += 1; } });
    return n;
  }
  function chip(v) { return el("span", "chip l" + level(v), percent(v)); }
  function link(text, href, cls) {
    if (!href) { return el("span", cls || "id", text); }
    var a = el("a", cls || "id", text);
    a.href = href;
    return a;
  }
  function typing(target) {
    return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  var DIRECTIONS = { s: ["source", "疑似来源"], c: ["citing", "疑似引用"], "": ["similar", "最相似文档"] };
  var GRADES = { red: "几乎原文", orange: "稍有改动", yellow: "改动较多", template: "套话", quote: "引用" };

  /* ---- help, print, keys ---- */
  var KEYS = [
    [["j", "k"], "下一处 / 上一处片段"],
    [[".", ","], "下一处 / 上一处改动（片段里改过的字）"],
    [["n", "p"], "下一对 / 上一对（文档页：下一篇 / 上一篇；也可按 ] / [）"],
    [["u"], "回到总览"],
    [["Tab", "Enter"], "逐处选中片段、打开链接"],
    [["?"], "显示或关闭本帮助（Esc 关闭）"]
  ];
  /* the list of shortcuts, made when first asked for */
  function helpDialog() {
    var help = el("div", "help");
    help.id = "help";
    help.hidden = true;
    var box = el("div");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "help-title");
    var title = el("strong", null, "键盘快捷键");
    title.id = "help-title";
    box.appendChild(title);
    var dl = el("dl");
    KEYS.forEach(function (k) {
      var dt = el("dt");
      k[0].forEach(function (key, i) {
        if (i) { dt.appendChild(doc.createTextNode(" / ")); }
        dt.appendChild(el("kbd", null, key));
      });
      dl.appendChild(dt);
      dl.appendChild(el("dd", null, k[1]));
    });
    box.appendChild(dl);
    box.appendChild(el("p", "note", "点击一处高亮文字，另一侧对应的片段会标出并滚动到眼前。"));
    var close = el("button", "btn light", "关闭");
    close.type = "button";
    close.setAttribute("data-act", "help");
    box.appendChild(close);
    help.appendChild(box);
    body.appendChild(help);
    return help;
  }
  var opener = null;
  function toggleHelp(show) {
    var help = doc.getElementById("help");
    if (!help) {
      if (show === false) { return; }
      help = helpDialog();
    }
    var open = show === undefined ? help.hidden : show;
    if (open === !help.hidden) { return; }
    help.hidden = !open;
    if (open) {
      opener = doc.activeElement;
      help.querySelector("button").focus();
    } else if (opener && opener.focus) {
      opener.focus();
    }
  }
  window.addEventListener("beforeprint", function () {
    each(doc.querySelectorAll("details"), function (d) { d.open = true; });
  });

  doc.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === "Escape") { toggleHelp(false); return; }
    var t = e.target;
    if ((e.key === "Enter" || e.key === " ") && t && t.classList && t.classList.contains("s")) {
      e.preventDefault();
      t.click();
      return;
    }
    var targets = doc.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < targets.length; i++) {
      if (targets[i].getAttribute("data-shortcut").split(" ").indexOf(e.key) >= 0) {
        e.preventDefault();
        if (targets[i].getAttribute("aria-disabled") !== "true") { targets[i].click(); }
        return;
      }
    }
  });

  /* ---- passages: select one, mark it on both sides, bring its twin into view ---- */
  var total = parseInt(body.getAttribute("data-passages") || "0", 10);
  var current = null;
  var change = null;
  var changes = 0;

  function parts(n) { return doc.querySelectorAll('.s[data-p~="' + n + '"]'); }
  function visible(e) {
    var r = e.getBoundingClientRect();
    var strip = doc.getElementById("strip");
    var top = strip ? strip.getBoundingClientRect().bottom : 0;
    return r.height > 0 && r.top >= top && r.bottom <= window.innerHeight;
  }

  function select(n, from) {
    each(doc.querySelectorAll(".cur"), function (e) { e.classList.remove("cur", "flash"); });
    current = n;
    each(parts(n), function (e) { e.classList.add("cur"); });
    each(doc.querySelectorAll('.pchip[data-goto="' + n + '"]'), function (e) {
      e.classList.add("cur");
      if (e.scrollIntoView && e.parentNode) { e.parentNode.scrollTop = e.offsetTop - e.parentNode.offsetTop; }
    });
    ["left", "right"].forEach(function (side) {
      var first = doc.querySelector('.cell.' + side + ' .s[data-p~="' + n + '"]');
      if (!first) { return; }
      if (!(from && from.closest && first.closest(".cell") === from.closest(".cell")) && !visible(first)) {
        first.scrollIntoView({ block: "center", inline: "nearest" });
      }
      each(doc.querySelectorAll('.cell.' + side + ' .s[data-p~="' + n + '"]'), function (e) {
        void e.offsetWidth;  // restart the animation when the same passage is chosen again
        e.classList.add("flash");
      });
    });
    try { history.replaceState(null, "", "#p" + n); } catch (err) { /* some file:// setups forbid it */ }
  }

  function step(delta) {
    if (!total) { return; }
    var n = current === null ? (delta > 0 ? 1 : total) : Math.min(total, Math.max(1, current + delta));
    select(n, null);
  }

  /* the next or previous edit inside the copied text (numbered alike on both sides) */
  function stepChange(delta) {
    if (!changes) { return; }
    var k;
    if (change === null) {
      k = delta > 0 ? 1 : changes;
      if (current !== null) {  // start inside the chosen passage
        var inside = doc.querySelector('.cell.left .s[data-c][data-p~="' + current + '"]');
        if (inside) { k = parseInt(inside.getAttribute("data-c"), 10); }
      }
    } else {
      k = Math.min(changes, Math.max(1, change + delta));
    }
    change = k;
    each(doc.querySelectorAll(".cur-c"), function (e) { e.classList.remove("cur-c"); });
    var both = doc.querySelectorAll('.s[data-c="' + k + '"]');
    each(both, function (e) { e.classList.add("cur-c"); });
    if (both.length) {
      var n = parseInt((both[0].getAttribute("data-p") || "").split(" ")[0], 10);
      if (n && n !== current) { select(n, both[0]); }
      if (!visible(both[0])) { both[0].scrollIntoView({ block: "center", inline: "nearest" }); }
    }
  }

  doc.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.closest) { return; }
    var act = t.closest("[data-act]");
    if (act) {
      var what = act.getAttribute("data-act");
      if (what === "next") { step(1); } else if (what === "prev") { step(-1); }
      else if (what === "next-change") { stepChange(1); } else if (what === "prev-change") { stepChange(-1); }
      else if (what === "help") { toggleHelp(); } else if (what === "print") { window.print(); }
      return;
    }
    if (t.id === "help") { toggleHelp(false); return; }
    var chipEl = t.closest(".pchip[data-goto]");
    if (chipEl) {
      e.preventDefault();
      select(parseInt(chipEl.getAttribute("data-goto"), 10), null);
      return;
    }
    var seg = t.closest(".s[data-href], .s[data-p]");
    if (!seg) { return; }
    var sel = window.getSelection && String(window.getSelection());
    if (sel) { return; }  // the reader is selecting text, not asking for the twin
    if (seg.hasAttribute("data-href")) { window.location.href = seg.getAttribute("data-href"); return; }
    // overlapping passages: each click moves to the next one covering this spot
    var ids = seg.getAttribute("data-p").split(" ").map(Number);
    var at = ids.indexOf(current);
    select(ids[(at + 1) % ids.length], seg);
  });

  /* ---- the side-by-side view: drawn from two documents' data ---- */
  var STEM = /^d_[A-Za-z0-9_-]+$/;
  var docs = {};
  var wanted = null;

  /* cut [0, n) at every passage and change boundary, as pages.segments does */
  function segments(n, marks, diffs) {
    var cuts = {}, starts = {}, ends = {}, dstarts = {}, dends = {}, gaps = {};
    function add(map, at, v) { (map[at] = map[at] || []).push(v); }
    cuts[0] = cuts[n] = true;
    marks.forEach(function (m) {
      if (m[0] >= 0 && m[0] < m[1] && m[1] <= n) {
        cuts[m[0]] = cuts[m[1]] = true;
        add(starts, m[0], m[2]); add(ends, m[1], m[2]);
      }
    });
    diffs.forEach(function (d) {
      if (d[0] === d[1] && d[0] >= 0 && d[0] <= n) { cuts[d[0]] = true; add(gaps, d[0], d); }
      else if (d[0] >= 0 && d[0] < d[1] && d[1] <= n) {
        cuts[d[0]] = cuts[d[1]] = true;
        add(dstarts, d[0], d); add(dends, d[1], d);
      }
    });
    var points = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
    var active = [], live = [], out = [];
    function emit(s) {
      var last = out[out.length - 1];
      if (last && s.e > s.s && last.e > last.s && last.e === s.s && last.ps.join() === s.ps.join() &&
          last.diff === s.diff && last.k === s.k) {
        last.e = s.e;
      } else {
        out.push(s);
      }
    }
    points.forEach(function (at, i) {
      (ends[at] || []).forEach(function (p) { active.splice(active.indexOf(p), 1); });
      (dends[at] || []).forEach(function (d) { live.splice(live.indexOf(d), 1); });
      (gaps[at] || []).forEach(function (d) {
        var around = active.concat(ends[at] || [], starts[at] || []);
        around = around.filter(function (p, j) { return around.indexOf(p) === j; }).sort(function (a, b) { return a - b; });
        emit({ s: at, e: at, ps: around, diff: "gap", k: d[3] });
      });
      (starts[at] || []).forEach(function (p) { active.push(p); });
      (dstarts[at] || []).forEach(function (d) { live.push(d); });
      if (i + 1 < points.length) {
        var d = live.length ? live[0] : null;
        emit({ s: at, e: points[i + 1], ps: active.slice().sort(function (a, b) { return a - b; }),
               diff: d ? d[2] : null, k: d ? d[3] : null });
      }
    });
    return out;
  }

  /* the segments of [lo, hi) of a text into one cell; segs from ``from`` on (rows come in order), and where
     the next row starts looking */
  function drawSide(text, segs, from, lo, hi, last, looks, begun, cellEl) {
    var box = el("div", "text");
    var i = from;
    while (i < segs.length && (segs[i].s === segs[i].e ? segs[i].s < lo : segs[i].e <= lo)) { i += 1; }
    for (var j = i; j < segs.length; j++) {
      var s = segs[j];
      var gap = s.s === s.e;
      if (s.s > hi || (s.s === hi && (!gap || !last))) { break; }
      draw(s, gap);
    }
    cellEl.appendChild(box);
    return i;

    function draw(s, gap) {
      var a = Math.max(s.s, lo), b = Math.min(s.e, hi);
      var piece = text.slice(a, b);
      if (!s.ps.length && !s.diff) { box.appendChild(doc.createTextNode(piece)); return; }
      if (!s.diff && /\n/.test(piece) && !piece.trim()) { box.appendChild(doc.createTextNode(piece)); return; }
      var span = el("span", "s", piece);
      if (s.ps.length) {
        var first = looks[s.ps[0]];
        span.classList.add("g-" + first.grade);
        span.setAttribute("data-p", s.ps.join(" "));
        var titles = s.ps.map(function (n) { return looks[n].title; });
        span.title = titles.slice(0, 5).join("；") + (titles.length > 5 ? "；…共 " + titles.length + " 处" : "");
        if (!gap && piece && !begun[s.ps[0]]) {
          begun[s.ps[0]] = true;
          span.setAttribute("data-ref", String(s.ps[0]));
          span.tabIndex = 0;
          span.setAttribute("role", "button");
          span.setAttribute("aria-label", looks[s.ps[0]].title);
        }
      }
      if (s.diff) {
        span.classList.add("d-" + s.diff);
        span.setAttribute("data-c", String(s.k));
        if (gap) { span.classList.add("gap"); span.title = "另一侧此处多出文字"; }
      }
      box.appendChild(span);
    }
  }

  /* where along a text its passages lie, as on a document page; a click goes to the passage */
  function strip(d, passages, side) {
    var words = "片段分布：" + passages.length + " 处";
    var s = svg("svg", { "class": "cnki-bar", viewBox: "0 0 1000 10", preserveAspectRatio: "none", role: "img",
                         "aria-label": words });
    s.appendChild(svg("rect", { "class": "bar-bg", width: 1000, height: 10 }));
    var n = Math.max(1, d.text.length);
    passages.forEach(function (p) {
      var at = side === "left" ? p.l : p.r;
      var r = svg("rect", { "class": "b-" + p.grade, x: (at[0] / n * 1000).toFixed(1), height: 10,
                            width: Math.max(2, (at[1] - at[0]) / n * 1000).toFixed(1), "data-goto": p.n });
      titled(r, p.title);
      s.appendChild(r);
    });
    s.addEventListener("click", function (e) {
      var n = e.target.getAttribute && e.target.getAttribute("data-goto");
      if (n) { select(parseInt(n, 10), null); }
    });
    return s;
  }

  function head(d, way, side, passages) {
    var box = el("div");
    var h = el("h2");
    h.appendChild(link(d.id, d.url));
    box.appendChild(h);
    var line = el("span", "muted", (d.date || "日期不详") + " · " + thousands(d.chars) + " 字 · 去除套话复制比 " +
                  percent(d.copy_ratio));
    if (way) {
      var tag = el("span", "tag t-" + way[0], way[1]);
      box.appendChild(tag);
      box.appendChild(doc.createTextNode(" "));
    }
    box.appendChild(line);
    box.appendChild(strip(d, passages, side));
    box.setAttribute("data-side", side);
    return box;
  }

  function pairHref(ab) { return "pair.html?a=" + ab[0] + "&b=" + ab[1]; }

  function drawPair(left, right, v) {
    var view = doc.getElementById("view");
    while (view.firstChild) { view.removeChild(view.firstChild); }
    var title = left.id + " ↔ " + right.id;
    doc.getElementById("title").textContent = title;
    doc.title = title + " · 文本复用检测报告";
    if (v.position) {
      doc.getElementById("position").textContent = " · 第 " + v.position[0] + " / " + v.position[1] + " 对";
    }
    [["prev-pair", v.prev], ["next-pair", v.next]].forEach(function (pn) {
      var a = doc.getElementById(pn[0]);
      if (a && pn[1]) { a.href = pairHref(pn[1]); a.removeAttribute("aria-disabled"); }
    });
    var dated = v.direction === "citing";
    var dir = doc.getElementById("direction");
    dir.textContent = dated ? "左边一篇（" + left.date + "）早于右边一篇（" + right.date + "）：左为疑似来源，右为疑似引用。"
      : "两篇" + (left.date && left.date === right.date ? "同一天（" + left.date + "）" : "的日期不全") +
        "，看不出谁先谁后：互为最相似文档。";
    var counts = {};
    v.passages.forEach(function (p) { counts[p.grade] = (counts[p.grade] || 0) + 1; });
    var copied = (counts.red || 0) + (counts.orange || 0) + (counts.yellow || 0);
    var stats = doc.getElementById("stats");
    stats.textContent = "";
    stats.appendChild(doc.createTextNode("相似度 "));
    stats.appendChild(el("b", null, percent(v.similarity)));
    stats.appendChild(doc.createTextNode(" · " + copied + " 处复制" +
      (counts.quote ? "，" + counts.quote + " 处引用" : "") + (counts.template ? "，" + counts.template + " 处套话" : "")));
    var chips = doc.getElementById("chips");
    var looks = {};
    v.passages.forEach(function (p) {
      looks[p.n] = p;
      var c = el("a", "pchip g-" + p.grade, p.n + " · " + GRADES[p.grade] +
                 (p.grade === "template" || p.grade === "quote" ? "" : " " + percent(p.score)));
      c.href = "#p" + p.n;
      c.setAttribute("data-goto", String(p.n));
      c.title = p.title;
      chips.appendChild(c);
    });
    total = v.passages.length;
    if (!total) { chips.appendChild(el("span", "muted", "这两篇文档没有共有的片段。")); }
    body.setAttribute("data-passages", String(total));
    changes = v.changes[0].length;

    var heads = el("div", "heads");
    heads.appendChild(head(left, dated ? ["source", "疑似来源"] : null, "left", v.passages));
    heads.appendChild(head(right, dated ? ["citing", "疑似引用"] : null, "right", v.passages));
    view.appendChild(heads);
    var lsegs = segments(left.text.length, v.passages.map(function (p) { return [p.l[0], p.l[1], p.n]; }), v.changes[0]);
    var rsegs = segments(right.text.length, v.passages.map(function (p) { return [p.r[0], p.r[1], p.n]; }), v.changes[1]);
    var lbegun = {}, rbegun = {}, lat = 0, rat = 0;
    var rows = v.rows;
    for (var i = 0; i + 1 < rows.length; i++) {
      var row = el("div", "row");
      var last = i + 2 === rows.length;
      var lc = el("div", "cell left"), rc = el("div", "cell right");
      lat = drawSide(left.text, lsegs, lat, rows[i][0], rows[i + 1][0], last, looks, lbegun, lc);
      rat = drawSide(right.text, rsegs, rat, rows[i][1], rows[i + 1][1], last, looks, rbegun, rc);
      if (lc.querySelector(".s[data-p]") && rc.querySelector(".s[data-p]")) { row.classList.add("shared"); }
      row.appendChild(lc);
      row.appendChild(rc);
      view.appendChild(row);
    }
    var m = /^#p(\d+)$/.exec(window.location.hash);
    if (m && parseInt(m[1], 10) <= total) { select(parseInt(m[1], 10), null); }
    body.setAttribute("data-ready", "1");
  }

  function missing(text) {
    var view = doc.getElementById("view");
    while (view.firstChild) { view.removeChild(view.firstChild); }
    view.appendChild(el("p", "empty", text));
    body.setAttribute("data-ready", "1");
  }

  function tryDraw() {
    if (!wanted || !docs[wanted[0]] || !docs[wanted[1]]) { return; }
    var a = docs[wanted[0]], b = docs[wanted[1]];
    var v = (a.pairs || {})[b.stem] || (b.pairs || {})[a.stem];
    if (!v) {
      missing("报告里没有这两篇文档的对照：它们之间没有复制，或不在列出的文档对之中。");
      return;
    }
    drawPair(docs[v.left], docs[v.right], v);
  }

  window.reuseDoc = function (d) {
    docs[d.stem] = d;
    tryDraw();
  };

  function loadPair() {
    var inline = doc.getElementById("reuse-data");
    if (inline) {
      var data = JSON.parse(inline.textContent);
      wanted = [data.a, data.b];
      data.docs.forEach(function (d) { docs[d.stem] = d; });
      tryDraw();
      return;
    }
    var q = new URLSearchParams(window.location.search);
    var a = q.get("a") || "", b = q.get("b") || "";
    if (!STEM.test(a) || !STEM.test(b) || a === b) {
      missing("没有指定两篇文档。请从总览或文档页的“对照”链接打开。");
      return;
    }
    wanted = [a, b];
    [a, b].forEach(function (s) {
      var script = doc.createElement("script");
      script.src = "data/" + s + ".js";
      script.onerror = function () { missing("报告里没有这两篇文档的对照数据。"); };
      body.appendChild(script);
    });
  }

  /* ---- sortable, filtered, paged tables of the overview ---- */
  function Table(id, rows, opts) {
    this.table = doc.getElementById(id);
    this.rows = rows;
    this.opts = opts;
    this.order = null;
    this.shown = rows.map(function (r, i) { return i; });
    this.page = 0;
    this.size = opts.size;
    this.sortCol = opts.sortCol;
    this.dir = opts.dir;
    var self = this;
    each(this.table.tHead.rows[0].cells, function (th) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = doc.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var col = parseInt(th.getAttribute("data-col"), 10);
        var numeric = kind === "num";
        var now = th.getAttribute("aria-sort");
        self.dir = now === "descending" ? "ascending" : now === "ascending" ? "descending" : (numeric ? "descending" : "ascending");
        self.sortCol = col;
        each(self.table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", self.dir);
        self.sort();
        self.page = 0;
        self.draw();
      });
    });
    this.pager = doc.getElementById(opts.pager);
  }
  Table.prototype.sort = function () {
    var col = this.sortCol, rows = this.rows, sign = this.dir === "ascending" ? 1 : -1;
    var key = this.opts.key;
    var tie = this.opts.tie;
    this.shown.sort(function (i, j) {
      var x = key(rows[i], col), y = key(rows[j], col);
      if (x !== y) {
        if (typeof x === "number") { return sign * (x - y); }
        return sign * (x < y ? -1 : 1);
      }
      return tie(i, j);
    });
  };
  Table.prototype.filter = function (keep) {
    var rows = this.rows, shown = [];
    for (var i = 0; i < rows.length; i++) { if (keep(rows[i], i)) { shown.push(i); } }
    this.shown = shown;
    this.sort();
    this.page = 0;
    this.draw();
  };
  Table.prototype.draw = function () {
    var tbody = this.table.tBodies[0];
    var from = this.page * this.size, to = Math.min(this.shown.length, from + this.size);
    var frag = doc.createDocumentFragment();
    for (var i = from; i < to; i++) { frag.appendChild(this.opts.row(this.rows[this.shown[i]], this.shown[i])); }
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    tbody.appendChild(frag);
    this.drawPager(from, to);
  };
  Table.prototype.drawPager = function (from, to) {
    var p = this.pager, self = this, pages = Math.max(1, Math.ceil(this.shown.length / this.size));
    while (p.firstChild) { p.removeChild(p.firstChild); }
    var what = this.opts.unit;
    p.appendChild(el("span", null, this.shown.length ?
      "第 " + thousands(from + 1) + "–" + thousands(to) + " " + what + "，共 " + thousands(this.shown.length) + " " + what +
      (this.shown.length < this.rows.length ? "（全部 " + thousands(this.rows.length) + " " + what + "）" : "")
      : "没有符合条件的" + (what === "篇" ? "文档" : "文档对")));
    [["首页", 0], ["上一页", this.page - 1], ["下一页", this.page + 1], ["末页", pages - 1]].forEach(function (b) {
      var btn = el("button", "btn light", b[0]);
      btn.type = "button";
      btn.disabled = b[1] < 0 || b[1] >= pages || b[1] === self.page;
      btn.addEventListener("click", function () { self.page = b[1]; self.draw(); });
      p.appendChild(btn);
    });
    p.appendChild(el("span", null, "第 " + (this.page + 1) + " / " + pages + " 页"));
  };

  function mix(r) {
    var words = "复制 " + percent(r[5]) + "，套话 " + percent(r[6]) + "，引用 " + percent(r[7]) + "，常见短语 " + percent(r[8]);
    var s = svg("svg", { "class": "mix", width: 80, height: 10, viewBox: "0 0 100 10", preserveAspectRatio: "none",
                         role: "img", "aria-label": words });
    titled(s, words);
    s.appendChild(svg("rect", { "class": "m-none", width: 100, height: 10 }));
    var x = 0;
    [["copy", r[5]], ["template", r[6]], ["quote", r[7]], ["phrase", r[8]]].forEach(function (kv) {
      if (kv[1] > 0) {
        var w = Math.round(Math.min(kv[1] * 100, 100 - x) * 10) / 10;
        s.appendChild(svg("rect", { "class": "m-" + kv[0], x: Math.round(x * 10) / 10, width: w, height: 10 }));
        x += w;
      }
    });
    return s;
  }

  function td(cls, child) {
    var c = el("td", cls);
    if (child !== undefined && child !== null) {
      if (typeof child === "string") { c.textContent = child; } else { c.appendChild(child); }
    }
    return c;
  }

  function overview(data) {
    var D = data.docs, P = data.pairs;
    var page = data.page || 50;
    function pairLink(j) { return j >= 0 ? pairHref([D[P[j][0]][1], D[P[j][1]][1]]) : null; }
    var names = D.map(function (r) { return r[0].toLowerCase(); });

    var docTable = new Table("documents-table", D, {
      size: page, sortCol: 5, dir: "descending", pager: "doc-pager", unit: "篇",
      key: function (r, col) { return col === 9 ? (r[9] >= 0 ? D[r[9]][0] : "") : (r[col] === null ? "" : r[col]); },
      tie: function (i, j) {
        var a = D[i], b = D[j];
        if (a[5] !== b[5]) { return b[5] - a[5]; }
        if (a[4] !== b[4]) { return b[4] - a[4]; }
        return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      },
      row: function (r) {
        var tr = el("tr");
        tr.appendChild(td(null, link(r[0], r[1] + ".html")));
        tr.appendChild(td("date", r[2] || "—"));
        tr.appendChild(td("num", thousands(r[3])));
        tr.appendChild(td("num", chip(r[5])));
        tr.appendChild(td("num", percent(r[4])));
        tr.appendChild(td("num", percent(r[6])));
        tr.appendChild(td("num", percent(r[7])));
        tr.appendChild(td(null, mix(r)));
        var top = td(null);
        if (r[9] >= 0) {
          var way = DIRECTIONS[r[11]] || DIRECTIONS[""];
          top.appendChild(el("span", "tag t-" + way[0], way[1]));
          top.appendChild(doc.createTextNode(" "));
          top.appendChild(link(D[r[9]][0], pairLink(r[12]) || D[r[9]][1] + ".html"));
        } else {
          top.appendChild(el("span", "muted", "—"));
        }
        tr.appendChild(top);
        tr.appendChild(td("num", r[9] >= 0 ? percent(r[10]) : "—"));
        return tr;
      }
    });

    var q = doc.getElementById("doc-q"), field = doc.getElementById("doc-field"), min = doc.getElementById("doc-min");
    var tier = doc.getElementById("doc-tier"), size = doc.getElementById("doc-size");
    var rangeBox = doc.getElementById("doc-range");
    var range = null;
    function keepDoc() {
      var text = q.value.trim().toLowerCase(), f = parseInt(field.value, 10), m = min.value, t = tier.value;
      var lo = m === "" ? null : m === "any" ? 0 : parseFloat(m);
      return function (r, i) {
        if (text && names[i].indexOf(text) < 0) { return false; }
        var v = r[f];
        if (lo !== null && (m === "any" ? !(v > 0) : !(v >= lo))) { return false; }
        if (t === "copy" && !(r[5] > 0)) { return false; }
        if (t === "form" && !(r[5] <= 0 && r[4] > 0)) { return false; }
        if (t === "none" && r[4] > 0) { return false; }
        if (range && !(range[0] === 0 && range[1] === 0 ? r[5] <= 0 : r[5] > 0 && r[5] >= range[0] && (r[5] < range[1] || range[1] >= 1))) { return false; }
        return true;
      };
    }
    var timer = null;
    function refilter() {
      var t0 = performance.now();
      docTable.filter(keepDoc());
      body.setAttribute("data-filter-ms", String(Math.round(performance.now() - t0)));
      if (heatWhich && heatWhich.value === "filtered") { drawHeat(); }
    }
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refilter, 120); });
    [field, min, tier].forEach(function (s) { s.addEventListener("change", refilter); });
    size.addEventListener("change", function () { docTable.size = parseInt(size.value, 10); docTable.page = 0; docTable.draw(); });
    doc.getElementById("doc-range-clear").addEventListener("click", function () {
      range = null;
      rangeBox.hidden = true;
      each(doc.querySelectorAll(".histogram a"), function (a) { a.classList.remove("on"); });
      refilter();
    });
    each(doc.querySelectorAll(".histogram a"), function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        range = [parseFloat(a.getAttribute("data-low")), parseFloat(a.getAttribute("data-high"))];
        each(doc.querySelectorAll(".histogram a"), function (x) { x.classList.remove("on"); });
        a.classList.add("on");
        rangeBox.firstChild.textContent = "去除套话复制比 " + (a.getAttribute("aria-label") || "").split("：")[0];
        rangeBox.hidden = false;
        refilter();
        doc.getElementById("documents").focus();
        doc.getElementById("documents").scrollIntoView({ block: "start" });
      });
    });
    doc.getElementById("doc-tools").hidden = false;
    docTable.sort();
    docTable.draw();

    var pairTable = null;
    if (doc.getElementById("pairs-table")) {
      pairTable = new Table("pairs-table", P, {
        size: page, sortCol: 2, dir: "descending", pager: "pair-pager", unit: "对",
        key: function (r, col) { return col < 2 ? D[r[col]][0] : r[col]; },
        tie: function (i, j) { return i - j; },
        row: function (r, j) {
          var tr = el("tr");
          [0, 1].forEach(function (k) {
            var c = td(null, link(D[r[k]][0], D[r[k]][1] + ".html"));
            if (D[r[k]][2]) { c.appendChild(doc.createTextNode(" ")); c.appendChild(el("span", "date", D[r[k]][2])); }
            tr.appendChild(c);
          });
          tr.appendChild(td("num", chip(r[2])));
          tr.appendChild(td("num", thousands(r[3])));
          tr.appendChild(td("num", thousands(r[4])));
          tr.appendChild(td("num", String(r[5])));
          tr.appendChild(td(null, link("对照 →", pairLink(j), "open-view")));
          return tr;
        }
      });
      var pq = doc.getElementById("pair-q"), pmin = doc.getElementById("pair-min"), psize = doc.getElementById("pair-size");
      var ptimer = null;
      var refilterPairs = function () {
        var text = pq.value.trim().toLowerCase(), lo = pmin.value === "" ? 0 : parseFloat(pmin.value);
        pairTable.filter(function (r) {
          if (r[2] < lo) { return false; }
          return !text || names[r[0]].indexOf(text) >= 0 || names[r[1]].indexOf(text) >= 0;
        });
      };
      pq.addEventListener("input", function () { clearTimeout(ptimer); ptimer = setTimeout(refilterPairs, 120); });
      pmin.addEventListener("change", refilterPairs);
      psize.addEventListener("change", function () { pairTable.size = parseInt(psize.value, 10); pairTable.page = 0; pairTable.draw(); });
      doc.getElementById("pair-tools").hidden = false;
      pairTable.draw();
    }

    /* the heat map, for the documents the reader chooses */
    var heatWhich = doc.getElementById("heat-which"), heatSize = doc.getElementById("heat-size");
    var inPairs = {};
    P.forEach(function (r) { inPairs[r[0]] = inPairs[r[1]] = true; });
    function heatDocs() {
      var n = parseInt(heatSize.value, 10);
      var pool = heatWhich.value === "filtered" ? docTable.shown : D.map(function (r, i) { return i; }).sort(docTable.opts.tie);
      var chosen = [];
      for (var i = 0; i < pool.length && chosen.length < n; i++) { if (inPairs[pool[i]]) { chosen.push(pool[i]); } }
      return chosen.sort(function (i, j) {
        var a = (D[i][2] || "") + "\u0000" + D[i][0], b = (D[j][2] || "") + "\u0000" + D[j][0];
        return a < b ? -1 : a > b ? 1 : 0;
      });
    }
    function short(name) {
      name = name.split("/").pop();
      return name.length <= 24 ? name : name.slice(0, 23) + "…";
    }
    function drawHeat() {
      var ids = heatDocs(), at = {};
      ids.forEach(function (d, i) { at[d] = i; });
      var box = doc.getElementById("heat-box");
      while (box.firstChild) { box.removeChild(box.firstChild); }
      var note = doc.getElementById("heat-note");
      note.textContent = (heatWhich.value === "filtered" ? "显示文档表当前筛选出的文档中有复制的 " : "显示复制比最高的 ") +
        ids.length + " 篇，按日期排列；悬停看完整名称，点击方格打开两篇的对照。";
      if (!ids.length) { box.appendChild(el("p", "note", "没有有复制的文档。")); return; }
      var cell = ids.length <= 12 ? 36 : ids.length <= 30 ? 24 : 16, top = 34;
      var longest = 8;
      ids.forEach(function (d) { longest = Math.max(longest, short(D[d][0]).length + 4); });
      var pad = Math.min(260, 30 + 7 * longest);
      var side = pad + cell * ids.length + 10;
      var s = svg("svg", { width: side, height: top + cell * ids.length + 10, viewBox: "0 0 " + side + " " + (top + cell * ids.length + 10),
                           role: "img", "aria-label": "文档相似度热图" });
      ids.forEach(function (d, i) {
        var full = D[d][0] + "（" + (D[d][2] || "日期不详") + "；去除套话复制比 " + percent(D[d][5]) + "）";
        var a = svg("a", { href: D[d][1] + ".html", tabindex: "-1" });
        var t = svg("text", { x: pad - 6, y: top + cell * i + Math.floor(cell / 2) + 4, "text-anchor": "end" });
        titled(t, full);
        t.appendChild(doc.createTextNode((i + 1) + ". " + short(D[d][0])));
        a.appendChild(t);
        s.appendChild(a);
        var c = svg("text", { x: pad + cell * i + Math.floor(cell / 2), y: top - 8, "text-anchor": "middle" });
        titled(c, full);
        c.appendChild(doc.createTextNode(String(i + 1)));
        s.appendChild(c);
        s.appendChild(svg("rect", { "class": "hd", x: pad + cell * i, y: top + cell * i, width: cell, height: cell }));
      });
      P.forEach(function (r, j) {
        if (!(r[0] in at) || !(r[1] in at)) { return; }
        var title = D[r[0]][0] + " ↔ " + D[r[1]][0] + "：相似度 " + percent(r[2]) + "，" + r[5] + " 处复制";
        [[at[r[0]], at[r[1]]], [at[r[1]], at[r[0]]]].forEach(function (rc) {
          var a = svg("a", { href: pairLink(j), tabindex: "-1" });
          var rect = svg("rect", { "class": "cell h" + Math.max(1, level(r[2])), x: pad + cell * rc[1], y: top + cell * rc[0],
                                   width: cell, height: cell, "data-row": rc[0], "data-col": rc[1] });
          titled(rect, title);
          a.appendChild(rect);
          s.appendChild(a);
        });
      });
      box.appendChild(s);
    }
    if (heatWhich) {
      heatWhich.addEventListener("change", drawHeat);
      heatSize.addEventListener("change", drawHeat);
      doc.querySelector(".heat-tools").hidden = false;
    }
    body.setAttribute("data-ready", "1");
    window.reuseOverview = { docs: docTable, pairs: pairTable, refilter: refilter, drawHeat: drawHeat };
  }

  window.reuseIndex = function (data) {
    var t0 = performance.now();
    overview(data);
    body.setAttribute("data-draw-ms", String(Math.round(performance.now() - t0)));
  };

  if (body.classList.contains("pair")) {
    loadPair();
  } else {
    var m = /^#p(\d+)$/.exec(window.location.hash);
    if (m && parseInt(m[1], 10) <= total) { select(parseInt(m[1], 10), null); }
  }
}());
