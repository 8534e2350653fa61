/* The policy rule builder (templates/policies/staff/_rule_builder.html): show the value input that fits the
   chosen field, offer only the operators that field takes, and add or remove rows. Without this file the form
   still works: every blank row shows all value inputs and the page comes with a few blank rows. */
(function () {
  "use strict";
  var builder = document.getElementById("rule-builder");
  if (!builder) return;

  function fieldOption(row) {
    var select = row.querySelector("[data-rule-field]");
    return select.options[select.selectedIndex];
  }

  function sync(row) {
    var option = fieldOption(row);
    var kind = option ? option.getAttribute("data-kind") : null;
    var ops = option && option.getAttribute("data-ops") ? option.getAttribute("data-ops").split(" ") : [];
    row.querySelectorAll("[data-kind-value]").forEach(function (box) {
      box.hidden = box.getAttribute("data-kind-value") !== kind;
    });
    var op = row.querySelector("[data-rule-op]");
    var firstAllowed = null;
    Array.prototype.forEach.call(op.options, function (o) {
      var allowed = ops.indexOf(o.value) !== -1;
      o.hidden = !allowed;
      o.disabled = !allowed;
      if (allowed && firstAllowed === null) firstAllowed = o;
    });
    if (firstAllowed && op.options[op.selectedIndex] && op.options[op.selectedIndex].disabled) {
      op.value = firstAllowed.value;
    }
    op.closest("div").hidden = !kind;
  }

  function clear(row) {
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
      if (!select.multiple) select.selectedIndex = 0;
    });
    row.querySelector("[data-rule-label]").textContent = "新条件";
  }

  function nextIndex(section) {
    var key = section.getAttribute("data-rule-section");
    var pattern = new RegExp("^" + key + "_(\\d+)_field$");
    var highest = 0;
    section.querySelectorAll("[data-rule-field]").forEach(function (select) {
      var match = pattern.exec(select.name);
      if (match) highest = Math.max(highest, parseInt(match[1], 10));
    });
    return highest + 1;
  }

  function addRow(section) {
    var rows = section.querySelectorAll("[data-rule-row]");
    var copy = rows[rows.length - 1].cloneNode(true);
    var key = section.getAttribute("data-rule-section");
    var prefix = new RegExp("^" + key + "_\\d+_");
    var fresh = key + "_" + nextIndex(section) + "_";
    copy.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(prefix, fresh));
      });
    });
    clear(copy);
    section.appendChild(copy);
    start(copy);
    sync(copy);
    copy.querySelector("[data-rule-field]").focus();
  }

  function start(row) {
    var remove = row.querySelector("[data-rule-remove]");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var section = row.parentNode;
      if (section.querySelectorAll("[data-rule-row]").length > 1) {
        row.remove();
      } else {
        clear(row);
        sync(row);
      }
    });
    row.querySelector("[data-rule-field]").addEventListener("change", function () { sync(row); });
  }

  builder.querySelectorAll("[data-rule-row]").forEach(function (row) {
    start(row);
    sync(row);
  });
  builder.querySelectorAll("[data-rule-add]").forEach(function (button) {
    var section = builder.querySelector('[data-rule-section="' + button.getAttribute("data-rule-add") + '"]');
    button.hidden = false;
    button.addEventListener("click", function () { addRow(section); });
  });
})();
