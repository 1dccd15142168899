// Small enhancements; every page reads and works without this file.
(function () {
  "use strict";
  // "Copy" buttons copy the text of the element they name (data-copy).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Copied";
      });
    });
  });
})();

// Reading view: a note and its passage light up together; clicking a passage selects its claim.
(function () {
  "use strict";
  function marksOf(id) {
    return document.querySelectorAll('.reading mark[data-claim="' + id + '"]');
  }
  function setActive(id, on) {
    marksOf(id).forEach(function (mark) { mark.classList.toggle("is-active", on); });
    var note = document.getElementById("note-" + id);
    if (note) note.classList.toggle("is-active", on);
  }
  document.querySelectorAll(".margin-notes .note").forEach(function (note) {
    var id = note.dataset.claim;
    ["mouseenter", "focusin"].forEach(function (type) {
      note.addEventListener(type, function () { setActive(id, true); });
    });
    ["mouseleave", "focusout"].forEach(function (type) {
      note.addEventListener(type, function () { setActive(id, false); });
    });
  });
  document.querySelectorAll(".reading").forEach(function (reading) {
    reading.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      var mark = event.target.closest("mark[data-claim]");
      if (!mark) return;
      document.querySelectorAll(".note.is-active, mark.is-active").forEach(function (el) {
        el.classList.remove("is-active");
      });
      setActive(mark.dataset.claim, true);
      var link = document.querySelector("#note-" + mark.dataset.claim + " .note-summary");
      if (link) link.focus({ preventScroll: false });
    });
  });
})();

// Lists: the filter panel folds on a phone, so that results come first; on a wide screen it
// is a side panel, open. Without this file it stays folded, one "Filter" control away.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 64rem)");
  function place() {
    document.querySelectorAll(".list-layout > details.filter-panel").forEach(function (panel) {
      panel.open = wide.matches;
    });
  }
  place();
  wide.addEventListener("change", place);
})();

// A link to a passage inside a folded reply (<details>) opens the fold, so that the passage
// shows. Chromium opens it itself when it follows the link; this is for browsers that do not,
// and for a link followed again after the reader folded the reply back.
(function () {
  "use strict";
  function unfold(id) {
    var target = id && document.getElementById(id);
    if (!target || !target.closest("details:not([open])")) return false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    return target;
  }
  function fromHash() {
    var target = unfold(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (link) unfold(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
