/* Chinese date and time pickers whatever language the browser speaks (an English browser shows a native
   <input type="date"> as mm/dd/yyyy). Every input of type date / datetime-local becomes a text input with the
   vendored flatpickr calendar in Chinese, writing 2026-12-20 or 2026-12-20 09:00: the formats the forms read
   (WTForms' DateField and app.events.forms.LocalDateTimeField both accept them) and the one their error
   messages ask for. Without JavaScript the native input stays and works as before. */
(function () {
  "use strict";
  var SELECTOR = 'input[type="date"], input[type="datetime-local"]';

  var ZH = null; // flatpickr's Chinese with weeks starting on Monday, as Chinese calendars do

  function upgrade(input) {
    if (input._flatpickr || !window.flatpickr) return;
    var withTime = input.getAttribute("type") === "datetime-local";
    var format = withTime ? "Y-m-d H:i" : "Y-m-d";
    // A datetime-local value is 2026-12-20T09:00; the picker writes a space there.
    if (withTime && input.value) input.value = input.value.replace("T", " ").slice(0, 16);
    if (!input.placeholder) input.placeholder = withTime ? "年-月-日 时:分" : "年-月-日";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("data-datepicker", withTime ? "datetime" : "date");
    window.flatpickr(input, {
      locale: ZH,
      dateFormat: format,
      enableTime: withTime,
      time_24hr: true,
      allowInput: true, // typing still works, and `required` still applies (a readonly input skips it)
      disableMobile: true, // phones too: their native picker follows the phone's language
      minDate: input.getAttribute("min") ? input.getAttribute("min").replace("T", " ") : null,
      maxDate: input.getAttribute("max") ? input.getAttribute("max").replace("T", " ") : null
    });
  }

  function upgradeAll(root) {
    if (root.matches && root.matches(SELECTOR)) upgrade(root);
    if (root.querySelectorAll) Array.prototype.forEach.call(root.querySelectorAll(SELECTOR), upgrade);
  }

  function start() {
    if (!window.flatpickr) return;
    ZH = Object.assign({}, window.flatpickr.l10ns.zh || {}, { firstDayOfWeek: 1 });
    upgradeAll(document);
    // Rows added later (another agenda item, another attendee) get the picker too.
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, upgradeAll);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
