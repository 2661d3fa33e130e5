/* Firebell's embeddable reporter: a "Report a problem" button for any web page.

   <script src="https://firebell.example.com/embed.js" data-key="pk_..." async></script>

   It keeps, in this tab's sessionStorage, the last 20 console errors (uncaught errors,
   unhandled promise rejections, console.error) with their stacks and the last 10 pages
   visited (history.pushState and popstate included), and sends them with the report,
   with the page, screen and viewport sizes, time zone and language. The form shows all
   of it before anything is sent. Reports go to POST /api/v1/reports on the origin this
   script came from; the answer is the report's status link. No dependencies; the
   button and form live in a shadow root, styled by a constructed stylesheet (no inline
   style attributes, so a strict style-src CSP of the page is kept). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/embed.js"][data-key]');
  if (!script || window.__firebellEmbed) return;
  window.__firebellEmbed = true;
  var ORIGIN = new URL(script.src, location.href).origin;
  var KEY = script.getAttribute("data-key") || "";
  var MAX_ERRORS = 20, MAX_PAGES = 10, TEXT_MAX = 2000;
  var ERRORS = "firebell.errors", PAGES = "firebell.pages";

  function load(name) {
    try { var v = JSON.parse(sessionStorage.getItem(name) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function save(name, list, max) {
    list = list.slice(-max);
    try { sessionStorage.setItem(name, JSON.stringify(list)); } catch (e) { /* full or off */ }
    return list;
  }
  function clip(text) { text = text == null ? "" : String(text); return text.length > TEXT_MAX ? text.slice(0, TEXT_MAX) : text; }

  // -- console errors --------------------------------------------------------------
  var recording = false;
  function record(message, stack) {
    if (recording) return; // an error while recording must not record itself forever
    recording = true;
    try {
      var errors = load(ERRORS);
      errors.push({ message: clip(message), stack: stack ? clip(stack) : null, at: new Date().toISOString() });
      save(ERRORS, errors, MAX_ERRORS);
    } finally { recording = false; }
  }
  function describe(value) {
    if (value instanceof Error) return value.name + ": " + value.message;
    if (typeof value === "string") return value;
    try { return JSON.stringify(value); } catch (e) { return String(value); }
  }
  window.addEventListener("error", function (e) {
    if (!e.message && !e.error) return; // a resource that failed to load, not a script error
    var where = e.filename ? "    at " + e.filename + ":" + e.lineno + ":" + e.colno : null;
    // "TypeError: …" from the error itself reads the same in every browser ("Uncaught
    // TypeError: …" is Chrome's wording of the event).
    record(e.error instanceof Error ? describe(e.error) : e.message || describe(e.error), (e.error && e.error.stack) || where);
  });
  window.addEventListener("unhandledrejection", function (e) {
    var r = e.reason;
    record("Unhandled rejection: " + describe(r), r && r.stack ? r.stack : null);
  });
  var consoleError = console.error;
  console.error = function () {
    var args = Array.prototype.slice.call(arguments);
    var withStack = args.filter(function (a) { return a instanceof Error; })[0];
    record(args.map(describe).join(" "), withStack ? withStack.stack : null);
    return consoleError.apply(console, args);
  };

  // -- pages visited ----------------------------------------------------------------
  function visited() {
    var pages = load(PAGES);
    if (pages[pages.length - 1] !== location.href) pages.push(clip(location.href));
    save(PAGES, pages, MAX_PAGES);
  }
  visited();
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      visited();
      return result;
    };
  });
  window.addEventListener("popstate", visited);
  window.addEventListener("hashchange", visited);

  function context() {
    var tz = null;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { /* old browser */ }
    return {
      page_url: clip(location.href),
      pages: load(PAGES),
      console_errors: load(ERRORS),
      screen: screen.width + "x" + screen.height,
      viewport: window.innerWidth + "x" + window.innerHeight,
      time_zone: tz,
      language: navigator.language || null
    };
  }

  // -- the button and the form --------------------------------------------------------
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif;color:#1c1b1f}",
    ".open{position:fixed;right:16px;bottom:16px;z-index:2147483647;background:#b3261e;color:#fff;border:0;border-radius:20px;padding:8px 16px;cursor:pointer;box-shadow:0 2px 6px rgba(0,0,0,.3)}",
    ".panel{position:fixed;right:16px;bottom:64px;z-index:2147483647;width:360px;max-width:calc(100vw - 32px);max-height:calc(100vh - 96px);overflow:auto;background:#fff;border:1px solid #999;border-radius:8px;padding:16px;box-shadow:0 4px 16px rgba(0,0,0,.3)}",
    "[hidden]{display:none!important}",
    "h2{font-size:16px;font-weight:700;margin:0 0 8px}",
    "label{display:block;margin:8px 0 2px;font-weight:600}",
    "input,textarea{display:block;width:100%;padding:6px;border:1px solid #888;border-radius:4px}",
    "textarea{min-height:64px}",
    "details{margin:8px 0}",
    "summary{cursor:pointer}",
    "pre{white-space:pre-wrap;word-break:break-all;max-height:120px;overflow:auto;background:#f4f4f4;padding:6px;font:12px/1.3 monospace}",
    ".row{display:flex;gap:8px;justify-content:flex-end;margin-top:12px}",
    "button{padding:6px 12px;border-radius:4px;border:1px solid #888;background:#fff;cursor:pointer}",
    "button.send{background:#b3261e;border-color:#b3261e;color:#fff}",
    ".message{margin:8px 0 0}.message.refused{color:#8c1d18;font-weight:600}",
    "a{color:#1f6feb}"
  ].join("\n");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function count(n, what) { return n + " " + what + (n === 1 ? "" : "s"); }
  function field(id, text, input) { input.id = id; return [el("label", { for: id, text: text }), input]; }

  function reportId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function mount() {
    var host = el("div", { "data-firebell": "reporter" });
    var root = host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", { text: CSS }));
    }
    var open = el("button", { type: "button", class: "open", "aria-haspopup": "dialog", text: "Report a problem" });
    var title = el("input", { type: "text", maxlength: "150", required: "" });
    var what = el("textarea", { maxlength: "10000" });
    var email = el("input", { type: "email", maxlength: "254", autocomplete: "email" });
    var file = el("input", { type: "file" });
    var facts = el("ul");
    var sent = el("pre");
    var message = el("p", { class: "message", role: "status", "aria-live": "polite" });
    var send = el("button", { type: "submit", class: "send", text: "Send report" });
    var cancel = el("button", { type: "button", text: "Close" });
    var form = el("form", { novalidate: "" }, [].concat(
      [el("h2", { id: "fb-heading", text: "Report a problem" })],
      field("fb-title", "Title", title),
      field("fb-what", "What happened?", what),
      field("fb-email", "Your e-mail (optional, for updates)", email),
      field("fb-file", "A screenshot or log (optional)", file),
      [el("details", {}, [el("summary", { text: "What is sent with your report" }), facts, sent])],
      [message, el("div", { class: "row" }, [cancel, send])]
    ));
    var panel = el("div", { class: "panel", role: "dialog", "aria-labelledby": "fb-heading", hidden: "" }, [form]);
    root.appendChild(open);
    root.appendChild(panel);
    document.body.appendChild(host);

    var id = null, snapshot = null, busy = false;
    function say(text, refused, link) {
      message.textContent = text;
      message.className = "message" + (refused ? " refused" : "");
      if (link) {
        message.appendChild(document.createTextNode(" "));
        message.appendChild(el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: link }));
      }
    }
    function show() {
      id = id || reportId(); // a retry of the same form is the same report
      snapshot = context();
      facts.textContent = "";
      [
        "This page: " + snapshot.page_url,
        count(snapshot.console_errors.length, "console error") + " and " + count(snapshot.pages.length, "page") + " visited in this tab",
        "Screen " + snapshot.screen + ", window " + snapshot.viewport + ", " + (snapshot.time_zone || "time zone unknown") + ", " + (snapshot.language || "")
      ].forEach(function (t) { facts.appendChild(el("li", { text: t })); });
      sent.textContent = JSON.stringify(snapshot, null, 2);
      panel.hidden = false;
      title.focus();
    }
    function hide() { panel.hidden = true; open.focus(); }
    open.addEventListener("click", function () { if (panel.hidden) show(); else hide(); });
    cancel.addEventListener("click", hide);
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return;
      if (!title.value.trim()) { say("Please give the problem a title.", true); title.focus(); return; }
      var report = { report_id: id, title: title.value, description: what.value, email: email.value, context: snapshot };
      var body, headers = { "X-Firebell-Key": KEY };
      if (file.files && file.files[0]) {
        body = new FormData();
        body.append("report", new Blob([JSON.stringify(report)], { type: "application/json" }), "report.json");
        body.append("file", file.files[0], file.files[0].name);
      } else {
        body = JSON.stringify(report);
        headers["Content-Type"] = "application/json";
      }
      busy = true; send.disabled = true;
      say("Sending…");
      fetch(ORIGIN + "/api/v1/reports", { method: "POST", mode: "cors", credentials: "omit", headers: headers, body: body })
        .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { return [r, j]; }); })
        .then(function (answer) {
          var r = answer[0], j = answer[1];
          var link = typeof j.status_url === "string" && j.status_url.indexOf(ORIGIN + "/r/") === 0 ? j.status_url : null;
          if (r.ok) {
            // The link only when it is Firebell's own (FIREBELL_BASE_URL may name another).
            say(link ? "Thank you, your report is filed. Follow it here:" : "Thank you, your report is filed.", false, link);
            form.reset(); id = reportId(); // the next report is another one
          } else {
            say("The report was not sent: " + (j.detail || "Firebell refused it (" + r.status + ")."), true);
          }
        })
        .catch(function () { say("The report was not sent: Firebell could not be reached. Please try again.", true); })
        .then(function () { busy = false; send.disabled = false; });
    });
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
