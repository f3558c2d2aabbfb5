/* PINTU's own script. The Content-Security-Policy allows scripts only from files of this site,
   so behaviour that used to sit in inline attributes lives here. Everything works without it. */
(function () {
  "use strict";

  // <form data-confirm="Pertanyaan?">: ask before submitting (was an inline onsubmit).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // <button data-print>: print the page (the counter's receipt).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // #galat shows the error of the last htmx request (see the htmx-config in base.html):
  // cleared when a new request starts; a request that gets no answer at all is reported too.
  function messageArea() {
    return document.getElementById("galat");
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var area = messageArea();
    if (area) {
      area.replaceChildren();
    }
  });
  document.addEventListener("htmx:sendError", function () {
    var area = messageArea();
    if (area) {
      var box = document.createElement("div");
      box.className = "flash error";
      box.setAttribute("role", "alert");
      box.textContent = "Server tidak dapat dihubungi. Periksa sambungan internet Anda lalu coba lagi.";
      area.replaceChildren(box);
    }
  });

  // Conditional fields: an input with data-show-if="other=value1|value2" (declared in a service
  // file with show_if) is shown only while the field "other" has one of those values.  The server
  // validates the same condition and drops hidden answers; without script every field shows.
  function currentValue(form, name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "checkbox") { return input.checked ? "on" : ""; }
      if (input.type === "radio") { if (input.checked) { return input.value; } continue; }
      return input.value;
    }
    return "";
  }
  function applyConditions(root) {
    var fields = (root || document).querySelectorAll("[data-show-if]");
    for (var i = 0; i < fields.length; i++) {
      var input = fields[i];
      var spec = input.getAttribute("data-show-if").split("=");
      var form = input.form || document;
      var shown = spec[1].split("|").indexOf(currentValue(form, spec[0])) !== -1;
      var box = input.closest(".field") || input;
      box.hidden = !shown;
    }
  }
  document.addEventListener("change", function () { applyConditions(document); });
  document.addEventListener("DOMContentLoaded", function () { applyConditions(document); });
  document.addEventListener("htmx:afterSettle", function (event) { applyConditions(event.target); });
})();
