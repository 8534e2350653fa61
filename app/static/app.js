// Disable a submit button after the first click so a double tap cannot submit twice.
document.addEventListener("submit", function (ev) {
  if (ev.defaultPrevented) return;
  const form = ev.target;
  if (form.dataset.submitted) { ev.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[data-once]").forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
});
