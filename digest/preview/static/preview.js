// digest preview: the email frame's width and colour scheme, and live reload.
// The server sends a "change" event (server-sent events) when a seed, template or config.toml is
// saved; the page then fetches itself again and swaps its content in, keeping the editor's
// width and scheme. An export has no server: there the page only does the width and scheme.
(() => {
  "use strict";
  const KEY = "digest-preview";
  const state = (() => {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "{}") || {};
    } catch {
      return {};
    }
  })();

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch {
      // storage may be off (file:// in some browsers); the choice then lasts for this page only
    }
  }

  // The frame as tall as the email. A document is never shorter than its window, so the frame is
  // first made as short as it goes (its CSS min-height), then measured: it shrinks when the email
  // does (back from 375 px to 600 px, say). Both happen before the next paint, and the page keeps
  // its scroll position.
  function fit(frame) {
    try {
      const root = frame.contentDocument && frame.contentDocument.documentElement;
      if (!root) return;
      const x = window.scrollX;
      const y = window.scrollY;
      frame.style.height = "0px";
      const height = root.scrollHeight;
      frame.style.height = height ? height + "px" : "";
      window.scrollTo(x, y);
    } catch {
      // a frame from file:// is another origin: it keeps its fixed height and scrolls
    }
  }

  function apply() {
    const frame = document.getElementById("email-frame");
    if (!frame) return;
    const width = state.width === "375" ? "375" : "600";
    const scheme = state.scheme === "dark" ? "dark" : "light";
    for (const el of [frame, document.getElementById("stage")]) {
      el.dataset.width = width;
      el.dataset.scheme = scheme;
    }
    for (const button of document.querySelectorAll("button[data-width]")) {
      button.setAttribute("aria-pressed", String(button.dataset.width === width));
    }
    for (const button of document.querySelectorAll("button[data-scheme]")) {
      button.setAttribute("aria-pressed", String(button.dataset.scheme === scheme));
    }
    const src = frame.dataset[scheme];
    if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
    requestAnimationFrame(() => requestAnimationFrame(() => fit(frame)));
  }

  function setup() {
    const frame = document.getElementById("email-frame");
    if (!frame) return;
    frame.addEventListener("load", () => fit(frame));
    for (const button of document.querySelectorAll("button[data-width], button[data-scheme]")) {
      button.addEventListener("click", () => {
        if (button.dataset.width) state.width = button.dataset.width;
        if (button.dataset.scheme) state.scheme = button.dataset.scheme;
        save();
        apply();
      });
    }
    apply();
  }

  function status(text, kind) {
    const el = document.getElementById("live-status");
    if (!el) return;
    el.textContent = text;
    el.dataset.state = kind;
  }

  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch(location.pathname + location.search, { cache: "no-store" });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const page = doc.getElementById("page");
      if (!page) throw new Error("not a preview page");
      const y = window.scrollY;
      document.title = doc.title;
      document.getElementById("page").replaceWith(document.adoptNode(page));
      document.body.dataset.generation = doc.body.dataset.generation || "";
      setup();
      window.scrollTo(0, y);
      status("live: updated " + new Date().toLocaleTimeString(), "live");
    } catch {
      location.reload();
      return;
    } finally {
      busy = false;
    }
    if (again) {
      again = false;
      refresh();
    }
  }

  function live() {
    const url = document.body.dataset.events;
    if (!url || !("EventSource" in window)) return;
    const events = new EventSource(url);
    events.addEventListener("hello", (event) => {
      status("live: reloads on save", "live");
      if (event.data !== document.body.dataset.generation) refresh();
    });
    events.addEventListener("change", () => refresh());
    events.addEventListener("error", () => status("not connected: is digest preview running?", "down"));
  }

  document.addEventListener("DOMContentLoaded", () => {
    setup();
    live();
  });
})();
