// The review page's live preview: as the person types, the server renders the draft with
// the form's words (POST /issues/INC-n/review/preview, the same Markdown renderer as the
// page) and the fragment replaces the shown review. Without JavaScript the Preview button
// does the same with a page load. No inline script: the CSP is default-src 'self'.
(function () {
  "use strict";
  var form = document.querySelector("form.review-form");
  var shown = document.getElementById("review-preview");
  if (!form || !shown || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = 0;

  function refresh() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("action") + "/preview", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (resp) {
      if (!resp.ok) {
        return null;
      }
      return resp.text();
    }).then(function (html) {
      if (html !== null && mine === asked) {
        shown.innerHTML = html; // rendered and escaped on the server (raw HTML off)
      }
    }).catch(function () { /* offline: the Preview button still works */ });
  }

  function typed() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(refresh, 300);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
}());
