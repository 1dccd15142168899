/*
 * Accessible names the admin's autocomplete widgets (select2) leave out: the
 * search box it adds to a multiple select has no label, and a single select's
 * box is named only by its current choice. Both are named after the field's
 * own label. No inline script (a strict CSP is coming).
 */
(function () {
  "use strict";

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function name(root) {
    (root || document).querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") { return; }
      var text = labelFor(select) || select.getAttribute("aria-label") || "";
      if (!text) { return; }
      container.querySelectorAll(".select2-search__field").forEach(function (input) {
        if (!input.hasAttribute("aria-label")) { input.setAttribute("aria-label", "Search " + text); }
      });
      // A single select's box is named by its current choice alone, which may be empty:
      // name it by the field's label first.
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      if (label) {
        if (!label.id) { label.id = select.id + "-label"; }
        var named = ".select2-selection[role=combobox], .select2-selection__rendered[role=textbox]";
        container.querySelectorAll(named).forEach(function (box) {
          var ids = (box.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
          if (ids.indexOf(label.id) === -1) {
            box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
          }
        });
      }
    });
  }

  function watch() {
    name(document);
    // select2 redraws its search box when choices change: name it again.
    new MutationObserver(function () { name(document); })
      .observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setTimeout(watch, 0); });
  } else {
    setTimeout(watch, 0);
  }
}());
