/*
 * Passage picker for the claim and clause-text forms of the admin.
 *
 * Beside the source, quote, prefix and suffix fields it shows the chosen
 * source's text. Selecting text in it fills the quote; when that quote occurs
 * more than once, the shortest prefix or suffix that makes it unique is filled
 * in too, exactly as the server resolves anchors (wcit/anchoring.py): the
 * prefix must stand immediately before the quote, the suffix immediately after.
 * Keyboard path: type a few words in "Find in the source", then choose one of
 * the occurrences listed. The server still checks the quote on save.
 *
 * No inline script: everything is bound from here (a strict CSP is coming).
 */
(function () {
  "use strict";

  var MAX_AFFIX = 200; // the length of the prefix and suffix fields
  var MAX_MATCHES = 30;
  var texts = {}; // source id -> Promise of its text
  var counter = 0;

  // Same-length stand-ins for characters a curator types differently: the
  // keyboard search finds 'don't' in a text that has 'don’t'.
  var LOOSE = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u00a0": " "
  };

  function loosen(text) {
    return text.replace(/[\u2018\u2019\u201c\u201d\u2013\u2014\u00a0]/g, function (c) {
      return LOOSE[c];
    }).toLowerCase();
  }

  function occurrences(text, quote) {
    var found = [];
    if (!quote) { return found; }
    var at = text.indexOf(quote);
    while (at !== -1) {
      found.push(at);
      at = text.indexOf(quote, at + 1);
    }
    return found;
  }

  function prefixFits(text, at, prefix) {
    return at - prefix.length >= 0 && text.slice(at - prefix.length, at) === prefix;
  }

  function suffixFits(text, at, length, suffix) {
    return text.slice(at + length, at + length + suffix.length) === suffix;
  }

  // The one place where prefix + quote + suffix stands, or -1 (as the server resolves it).
  function resolve(text, quote, prefix, suffix) {
    var matches = occurrences(text, quote).filter(function (at) {
      return (!prefix || prefixFits(text, at, prefix)) &&
        suffixFits(text, at, quote.length, suffix || "");
    });
    return matches.length === 1 ? matches[0] : -1;
  }

  // The shortest prefix or suffix that makes text[start:end] unique: {prefix, suffix}.
  function disambiguate(text, start, end) {
    var quote = text.slice(start, end);
    var others = occurrences(text, quote).filter(function (at) { return at !== start; });
    if (!others.length) { return { prefix: "", suffix: "" }; }
    var length = quote.length;
    var k, candidate;
    var prefix = null;
    var suffix = null;
    for (k = 1; k <= Math.min(MAX_AFFIX, start); k++) {
      candidate = text.slice(start - k, start);
      if (!others.some(function (at) { return prefixFits(text, at, candidate); })) {
        prefix = candidate;
        break;
      }
    }
    for (k = 1; k <= Math.min(MAX_AFFIX, text.length - end); k++) {
      candidate = text.slice(end, end + k);
      if (!others.some(function (at) { return suffixFits(text, at, length, candidate); })) {
        suffix = candidate;
        break;
      }
    }
    if (prefix !== null && (suffix === null || prefix.length <= suffix.length)) {
      return { prefix: prefix, suffix: "" };
    }
    if (suffix !== null) { return { prefix: "", suffix: suffix }; }
    // Neither alone will do: grow both together.
    for (k = 1; k <= MAX_AFFIX; k++) {
      var p = text.slice(Math.max(0, start - k), start);
      var s = text.slice(end, end + k);
      if (!others.some(function (at) {
        return prefixFits(text, at, p) && suffixFits(text, at, length, s);
      })) {
        return { prefix: p, suffix: s };
      }
    }
    return { prefix: text.slice(Math.max(0, start - MAX_AFFIX), start), suffix: "" };
  }

  function sourceTextUrl(select, id) {
    // The autocomplete widget knows the admin's root: /admin/autocomplete/ -> /admin/
    var auto = select.getAttribute("data-ajax--url") || "/admin/autocomplete/";
    return auto.replace(/autocomplete\/?$/, "") + "wcit/source/" + encodeURIComponent(id) + "/text/";
  }

  function fetchText(select, id) {
    if (!texts[id]) {
      texts[id] = fetch(sourceTextUrl(select, id), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    }
    return texts[id];
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function setValue(field, value) {
    if (!field) { return; }
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Character offset of (node, offset) from the start of container's text.
  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function Picker(select, fields) {
    this.select = select;
    this.fields = fields;
    this.text = "";
    var n = ++counter;
    var panel = element("section", {
      "class": "passage-picker",
      "aria-labelledby": "passage-picker-heading-" + n
    });
    panel.appendChild(element("h2", { id: "passage-picker-heading-" + n }, "Source text"));
    panel.appendChild(element("p", { "class": "picker-help" },
      "Select the passage below to fill the quote, or type a few of its words in " +
      "“Find in the source” and choose where they occur. A prefix or suffix is added " +
      "when the quote occurs more than once."));
    var label = element("label", { "for": "passage-picker-find-" + n }, "Find in the source");
    this.find = element("input", {
      type: "search", id: "passage-picker-find-" + n, "class": "passage-picker-find",
      autocomplete: "off", "aria-describedby": "passage-picker-count-" + n
    });
    var finder = element("div", { "class": "passage-picker-finder" });
    finder.appendChild(label);
    finder.appendChild(this.find);
    panel.appendChild(finder);
    this.count = element("p", {
      id: "passage-picker-count-" + n, "class": "passage-picker-count", role: "status"
    });
    panel.appendChild(this.count);
    this.matches = element("ol", { "class": "passage-picker-matches" });
    panel.appendChild(this.matches);
    this.body = element("div", {
      "class": "passage-picker-text", tabindex: "0", role: "region",
      "aria-label": "Text of the chosen source"
    });
    panel.appendChild(this.body);
    this.panel = panel;

    var self = this;
    this.body.addEventListener("mouseup", function () { self.fromSelection(); });
    this.body.addEventListener("keyup", function (event) {
      if (event.shiftKey || event.key === "Enter") { self.fromSelection(); }
    });
    this.find.addEventListener("input", function () { self.search(); });
    this.find.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter picks the first occurrence rather than submitting the form.
        event.preventDefault();
        var first = self.matches.querySelector("button");
        if (first) { first.click(); }
      }
    });
    this.fields.quote.addEventListener("input", function () { self.highlight(); });
  }

  Picker.prototype.load = function () {
    var self = this;
    var id = this.select.value;
    this.text = "";
    this.matches.textContent = "";
    this.count.textContent = "";
    if (!id) {
      this.body.textContent = "Choose a source to see its text here.";
      return;
    }
    this.body.textContent = "Loading the source text…";
    fetchText(this.select, id).then(function (data) {
      if (self.select.value !== id) { return; }
      self.text = data.text;
      self.panel.setAttribute("data-source", data.slug);
      self.highlight();
      self.search();
    }).catch(function () {
      self.body.textContent = "The source text could not be loaded.";
    });
  };

  Picker.prototype.render = function (start, end) {
    this.body.textContent = "";
    if (start < 0) {
      this.body.textContent = this.text;
      return;
    }
    this.body.appendChild(document.createTextNode(this.text.slice(0, start)));
    var mark = element("mark", { "class": "passage-picker-current" }, this.text.slice(start, end));
    this.body.appendChild(mark);
    this.body.appendChild(document.createTextNode(this.text.slice(end)));
    this.body.scrollTop = Math.max(0, mark.offsetTop - this.body.offsetTop - 60);
  };

  Picker.prototype.highlight = function () {
    if (!this.text) { return; }
    var quote = this.fields.quote.value;
    var at = resolve(this.text, quote, this.fields.prefix.value, this.fields.suffix.value);
    this.render(at, at + quote.length);
  };

  Picker.prototype.choose = function (start, end) {
    var text = this.text;
    while (start < end && /\s/.test(text[start])) { start++; }
    while (end > start && /\s/.test(text[end - 1])) { end--; }
    if (start >= end) { return; }
    var affix = disambiguate(text, start, end);
    setValue(this.fields.quote, text.slice(start, end));
    setValue(this.fields.prefix, affix.prefix);
    setValue(this.fields.suffix, affix.suffix);
    this.render(start, end);
    var where = occurrences(text, text.slice(start, end)).length;
    this.count.textContent = where > 1
      ? "Quote filled; it occurs " + where + " times, so " +
        (affix.prefix ? "a prefix" : "a suffix") + " was added to pick this one."
      : "Quote filled.";
  };

  Picker.prototype.fromSelection = function () {
    var selection = window.getSelection();
    if (!this.text || !selection.rangeCount || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!this.body.contains(range.startContainer) || !this.body.contains(range.endContainer)) {
      return;
    }
    var start = offsetIn(this.body, range.startContainer, range.startOffset);
    var end = offsetIn(this.body, range.endContainer, range.endOffset);
    selection.removeAllRanges();
    this.choose(Math.min(start, end), Math.max(start, end));
  };

  Picker.prototype.search = function () {
    var words = this.find.value.trim();
    this.matches.textContent = "";
    if (!this.text || words.length < 3) {
      this.count.textContent = words ? "Type at least three characters." : "";
      return;
    }
    var found = occurrences(loosen(this.text), loosen(words));
    this.count.textContent = found.length
      ? found.length + (found.length === 1 ? " occurrence" : " occurrences") +
        (found.length > MAX_MATCHES ? " (the first " + MAX_MATCHES + " listed)" : "") +
        ": choose one to fill the quote."
      : "Not in the source text.";
    var self = this;
    found.slice(0, MAX_MATCHES).forEach(function (at, i) {
      var end = at + words.length;
      var button = element("button", { type: "button", "class": "passage-picker-match" });
      button.appendChild(document.createTextNode((at > 40 ? "…" : "") +
        self.text.slice(Math.max(0, at - 40), at)));
      button.appendChild(element("strong", {}, self.text.slice(at, end)));
      button.appendChild(document.createTextNode(self.text.slice(end, end + 40) +
        (end + 40 < self.text.length ? "…" : "")));
      button.setAttribute("aria-label", "Occurrence " + (i + 1) + ": " +
        self.text.slice(Math.max(0, at - 40), end + 40));
      button.addEventListener("click", function () { self.choose(at, end); });
      var item = element("li");
      item.appendChild(button);
      self.matches.appendChild(item);
    });
  };

  function attach(select) {
    var name = select.name || "";
    if (!/source$/.test(name) || name.indexOf("__prefix__") !== -1 || select.dataset.picker) {
      return;
    }
    var prefix = name.slice(0, -"source".length);
    var form = select.form;
    var fields = {
      quote: form.querySelector('[name="' + prefix + 'quote"]'),
      prefix: form.querySelector('[name="' + prefix + 'prefix"]'),
      suffix: form.querySelector('[name="' + prefix + 'suffix"]')
    };
    if (!fields.quote || !fields.prefix || !fields.suffix) { return; }
    select.dataset.picker = "on";
    var picker = new Picker(select, fields);
    var fieldset = fields.quote.closest("fieldset") || form;
    fieldset.classList.add("has-passage-picker");
    fieldset.appendChild(picker.panel);
    var reload = function () { picker.load(); };
    // The admin's autocomplete (select2) announces changes through jQuery only.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(select).on("change", reload);
    } else {
      select.addEventListener("change", reload);
    }
    picker.load();
  }

  function attachAll(root) {
    root.querySelectorAll("select[name$='source']").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  document.addEventListener("formset:added", function (event) { attachAll(event.target); });

  window.wcitPassagePicker = { disambiguate: disambiguate, resolve: resolve };
}());
