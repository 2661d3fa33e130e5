// The report form (/report): fills the hidden context fields (screen and viewport size,
// time zone, language) for the responders, and, as the title is typed, asks
// /report/similar for issues that may be the same one and lists up to five as links.
// Text from the server is set as text, never as HTML. No inline script (the CSP).
(function () {
  "use strict";
  var form = document.querySelector("form.report-form");
  if (!form) {
    return;
  }

  function fill(name, value) {
    var input = form.querySelector("input[type=hidden][name=" + name + "]");
    if (input && value) {
      input.value = value;
    }
  }

  var screen = window.screen || {};
  if (screen.width && screen.height) {
    fill("screen", screen.width + "x" + screen.height);
  }
  fill("viewport", window.innerWidth + "x" + window.innerHeight);
  try {
    fill("time_zone", Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch (e) {
    // An old browser without Intl: the report goes without its time zone.
  }
  fill("language", navigator.language);

  var title = document.getElementById("title");
  var box = document.getElementById("similar");
  if (!title || !box || !window.fetch) {
    return;
  }
  var list = box.querySelector("ul");
  var timer = null;
  var asked = 0;

  function show(issues) {
    list.textContent = "";
    issues.slice(0, 5).forEach(function (issue) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = issue.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = issue.key + ": " + issue.title;
      item.appendChild(link);
      var said = " (" + issue.status + (issue.why ? "; " + issue.why : "") + ")";
      item.appendChild(document.createTextNode(said));
      list.appendChild(item);
    });
    box.hidden = issues.length === 0;
  }

  function lookUp() {
    var mine = ++asked;
    var typed = title.value.trim();
    if (typed.length < 3) {
      show([]);
      return;
    }
    fetch("/report/similar?q=" + encodeURIComponent(typed), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (resp) {
      return resp.ok ? resp.json() : { issues: [] };
    }).then(function (answer) {
      if (mine === asked) {
        show(answer.issues || []);
      }
    }).catch(function () {
      // Offline or signed out: no suggestions, the form still works.
    });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  });
  if (title.value.trim()) {
    lookUp();
  }
})();
