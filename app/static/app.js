// Behaviour the templates ask for with data-attributes (the Content-Security-Policy runs no inline script
// and no on…= handler): data-confirm on a form asks before sending it; data-check-all on a checkbox or a
// button ticks the boxes its selector names; data-print prints the page; data-autosubmit on a select sends
// its form when it changes.
document.addEventListener("submit", function (ev) {
  const message = ev.target.dataset.confirm;
  if (message && !window.confirm(message)) ev.preventDefault();
});

document.addEventListener("click", function (ev) {
  const trigger = ev.target.closest("[data-check-all], [data-print]");
  if (!trigger) return;
  if (trigger.hasAttribute("data-print")) { window.print(); return; }
  const on = trigger.type === "checkbox" ? trigger.checked : true;
  document.querySelectorAll(trigger.dataset.checkAll).forEach(function (box) { box.checked = on; });
});

document.addEventListener("change", function (ev) {
  if (ev.target.matches("select[data-autosubmit]")) ev.target.form.submit();
});

// Disable a submit button after the first click so a double tap cannot submit twice (after data-confirm
// above: a cancelled confirmation leaves the form as it was).
document.addEventListener("submit", function (ev) {
  if (ev.defaultPrevented) return;
  const form = ev.target;
  if (form.dataset.submitted) { ev.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[data-once]").forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
});

// A glossary term (templates/macros/glossary.html) explains itself on a tap as well as on hover: Bootstrap's
// tooltip opens on focus, and phones show no title tooltip.
if (window.bootstrap) {
  document.querySelectorAll("abbr.lq-term").forEach(function (term) { bootstrap.Tooltip.getOrCreateInstance(term); });
}
