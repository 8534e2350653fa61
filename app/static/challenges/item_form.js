/* The challenge item editor. The N/M fields only matter for 赛马制 and the partner limit only when consortia are
   allowed, so they hide otherwise; of the blank 考核指标 and payment rows only the first shows, with a button for
   the next. Without JavaScript everything stays visible and the server applies the same rules. */
(function () {
  "use strict";
  var form = document.querySelector("[data-item-form]");
  if (!form) return;

  function toggle(selector, shown) {
    Array.prototype.forEach.call(form.querySelectorAll(selector), function (box) {
      box.hidden = !shown;
    });
  }
  function update() {
    var mode = form.querySelector('select[name="mode"]');
    var consortium = form.querySelector('input[name="consortium_allowed"]');
    toggle("[data-horse-race]", mode && mode.value === "horse_race");
    toggle("[data-consortium]", consortium && consortium.checked);
  }

  function isBlank(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, select"), function (el) {
      return !el.value;
    });
  }
  function compactRows(section) {
    var rows = Array.prototype.slice.call(section.querySelectorAll("[data-row]"));
    var shownBlank = false;
    rows.forEach(function (row) {
      if (isBlank(row) && !row.querySelector(".is-invalid")) {
        row.hidden = shownBlank;
        shownBlank = true;
      }
    });
    var hint = section.querySelector("[data-rows-hint]");
    if (hint) hint.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm";
    button.textContent = "＋ 再加一行";
    button.addEventListener("click", function () {
      var next = section.querySelector("[data-row][hidden]");
      if (next) next.hidden = false;
      if (!section.querySelector("[data-row][hidden]")) button.hidden = true;
    });
    if (!section.querySelector("[data-row][hidden]")) button.hidden = true;
    rows[rows.length - 1].insertAdjacentElement("afterend", button);
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-rows]"), compactRows);
  form.addEventListener("change", update);
  update();
})();
