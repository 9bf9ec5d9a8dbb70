/* reuse HTML report: sortable tables, passage twins, keyboard shortcuts.
   Runs from file:// with no network; never builds HTML from strings, so no
   document text can become markup. */
(function () {
  "use strict";
  var doc = document;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  doc.documentElement.classList.add("js");

  function typing(target) {
    return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  /* ---- sortable tables: click a header; numbers sort largest first ---- */
  function value(row, i, numeric) {
    var cell = row.cells[i];
    var v = cell ? (cell.getAttribute("data-v") !== null ? cell.getAttribute("data-v") : cell.textContent.trim()) : "";
    return numeric ? (parseFloat(v) || 0) : v;
  }
  each(doc.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = doc.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = kind === "num";
        var now = th.getAttribute("aria-sort");
        var dir = now === "descending" ? "ascending" : now === "ascending" ? "descending" : (numeric ? "descending" : "ascending");
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var sign = dir === "ascending" ? 1 : -1;
        rows.sort(function (a, b) {
          var x = value(a, i, numeric), y = value(b, i, numeric);
          return sign * (numeric ? x - y : x.localeCompare(y, "zh"));
        });
        each(rows, function (r) { body.appendChild(r); });
      });
    });
  });

  /* ---- passages: select one, mark it on both sides, bring its twin into view ---- */
  var body = doc.body;
  var total = parseInt(body.getAttribute("data-passages") || "0", 10);
  var current = null;

  function parts(n) { return doc.querySelectorAll('.s[data-p~="' + n + '"]'); }

  function select(n, from) {
    each(doc.querySelectorAll(".cur"), function (e) { e.classList.remove("cur", "flash"); });
    current = n;
    each(parts(n), function (e) { e.classList.add("cur"); });
    each(doc.querySelectorAll('.pchip[data-goto="' + n + '"]'), function (e) { e.classList.add("cur"); });
    each(doc.querySelectorAll(".pane"), function (pane) {
      if (from && pane.contains(from)) { return; }  // the side the reader clicked stays where it is
      var first = pane.querySelector('.s[data-p~="' + n + '"]');
      if (!first) { return; }
      first.scrollIntoView({ block: "center", inline: "nearest" });
      each(pane.querySelectorAll('.s[data-p~="' + n + '"]'), function (e) {
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

  function toggleHelp(show) {
    var help = doc.getElementById("help");
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  doc.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.closest) { return; }
    var act = t.closest("[data-act]");
    if (act) {
      var what = act.getAttribute("data-act");
      if (what === "next") { step(1); } else if (what === "prev") { step(-1); } else if (what === "help") { toggleHelp(); }
      return;
    }
    if (t.id === "help") { toggleHelp(false); return; }
    var chip = t.closest(".pchip[data-goto]");
    if (chip) {
      e.preventDefault();
      select(parseInt(chip.getAttribute("data-goto"), 10), null);
      return;
    }
    var seg = t.closest(".s[data-p]");
    if (!seg) { return; }
    var sel = window.getSelection && String(window.getSelection());
    if (sel) { return; }  // the reader is selecting text, not asking for the twin
    if (seg.hasAttribute("data-href")) { window.location.href = seg.getAttribute("data-href"); return; }
    // overlapping passages: each click moves to the next one covering this spot
    var ids = seg.getAttribute("data-p").split(" ").map(Number);
    var at = ids.indexOf(current);
    select(ids[(at + 1) % ids.length], seg);
  });

  doc.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === "Escape") { toggleHelp(false); return; }
    var targets = doc.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < targets.length; i++) {
      if (targets[i].getAttribute("data-shortcut").split(" ").indexOf(e.key) >= 0) {
        e.preventDefault();
        targets[i].click();
        return;
      }
    }
  });

  var m = /^#p(\d+)$/.exec(window.location.hash);
  if (m && parseInt(m[1], 10) <= total) { select(parseInt(m[1], 10), null); }
}());
