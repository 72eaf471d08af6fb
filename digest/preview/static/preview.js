// digest preview: the email frame's width and colour scheme, and live reload.
// When a seed, template or config.toml is saved, the server's event stream (server-sent events)
// sends this page as it is now, with the email frames it can show ("page"); the page swaps its
// content in, keeping the editor's width, scheme and scroll position, and writes the new email
// into the iframe it already has instead of loading it again. A bare "change" (or a page event
// it cannot use) makes it fetch itself instead. What the editor is typing into a form of the page
// stays as it was across the swap. An export has no server: there the page only does the width
// and scheme. The forms themselves need no script: they post to the preview and reload the page.
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

  const fitted = new WeakSet(); // frames that refit on load: a kept frame is set up once
  function setup() {
    const frame = document.getElementById("email-frame");
    if (!frame) return;
    if (!fitted.has(frame)) {
      fitted.add(frame);
      frame.addEventListener("load", () => fit(frame));
    }
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

  function same(a, b) {
    return a.tagName === b.tagName && a.id === b.id;
  }

  function copyAttributes(to, from, except) {
    for (const name of to.getAttributeNames()) {
      if (name !== except && !from.hasAttribute(name)) to.removeAttribute(name);
    }
    for (const name of from.getAttributeNames()) {
      const value = from.getAttribute(name);
      if (name !== except && to.getAttribute(name) !== value) to.setAttribute(name, value);
    }
  }

  // `fresh` (the new #page) in place of `old`, but with `frame`, the iframe of `old`, kept where
  // it is: an iframe taken out of its document and put back loads again. Everything around it
  // becomes what `fresh` has, level by level down to the frame. False (nothing changed) when the
  // two pages do not hold their frames at the same place.
  function swapKeeping(old, fresh, frame, next) {
    const path = [];
    for (let a = frame, b = next; a !== old || b !== fresh; a = a.parentElement, b = b.parentElement) {
      if (!a || !b || a === old || b === fresh || !same(a, b)) return false;
      path.unshift([a, b]);
    }
    let [into, from] = [old, fresh];
    for (const [keep, skip] of path) {
      copyAttributes(into, from);
      while (into.firstChild !== keep) into.removeChild(into.firstChild);
      while (keep.nextSibling) into.removeChild(keep.nextSibling);
      let before = true;
      for (const child of Array.from(from.childNodes)) {
        if (child === skip) before = false;
        else if (before) into.insertBefore(document.adoptNode(child), keep);
        else into.appendChild(document.adoptNode(child));
      }
      [into, from] = [keep, skip];
    }
    copyAttributes(frame, next, "src"); // its src stays: the scheme the editor picked
    return true;
  }

  // The email the frame shows, written into it (the frame's own policy and sandbox stay); false
  // when it cannot be (no such frame sent, another origin): then it loads again.
  function write(frame, frames) {
    const html = frames && frames[frame.getAttribute("src")];
    if (typeof html !== "string") return false;
    try {
      const doc = frame.contentDocument;
      if (!doc) return false;
      doc.open();
      doc.write(html);
      doc.close();
    } catch {
      return false;
    }
    requestAnimationFrame(() => fit(frame));
    return true;
  }

  // The form fields the editor has changed but not saved, or is in: each named by its form's
  // data-form and its own name, so that the same field of the new page gets them back.
  const FIELDS = "form[data-form] textarea, form[data-form] input[type=text]";
  function drafts() {
    const out = [];
    for (const el of document.querySelectorAll(FIELDS)) {
      const focused = el === document.activeElement;
      if (el.value === el.defaultValue && !focused) continue;
      out.push({
        form: el.form.dataset.form,
        name: el.name,
        value: el.value,
        changed: el.value !== el.defaultValue,
        focused,
        start: el.selectionStart,
        end: el.selectionEnd,
      });
    }
    return out;
  }

  function restore(saved) {
    for (const draft of saved) {
      const form = Array.from(document.querySelectorAll("form[data-form]")).find(
        (f) => f.dataset.form === draft.form,
      );
      const el = form && form.elements.namedItem(draft.name);
      if (!el || !("value" in el)) continue;
      if (draft.changed) el.value = draft.value;
      if (draft.focused) {
        el.focus();
        try {
          el.setSelectionRange(draft.start, draft.end);
        } catch {
          // a field that has no selection
        }
      }
    }
  }

  // Show `doc`, this page as the server has it now; with `frames` (file name -> email), the iframe
  // is kept and the new email written into it.
  function show(doc, frames) {
    const page = doc.getElementById("page");
    if (!page) throw new Error("not a preview page");
    const saved = drafts();
    const y = window.scrollY;
    document.title = doc.title;
    const old = document.getElementById("page");
    const frame = document.getElementById("email-frame");
    const next = doc.getElementById("email-frame");
    const kept = Boolean(frames && frame && next && swapKeeping(old, page, frame, next));
    if (!kept) old.replaceWith(document.adoptNode(page));
    document.body.dataset.generation = doc.body.dataset.generation || "";
    setup();
    restore(saved);
    if (kept && !write(frame, frames)) reload(frame);
    window.scrollTo(0, y);
    status("live: updated " + new Date().toLocaleTimeString(), "live");
  }

  function reload(frame) {
    try {
      frame.contentWindow.location.replace(frame.src);
    } catch {
      frame.setAttribute("src", frame.getAttribute("src"));
    }
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  // Pages pushed so far: a fetch that one overtook is dropped, the push being as new or newer.
  let pushes = 0;
  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const before = pushes;
    try {
      const response = await fetch(location.pathname + location.search, { cache: "no-store" });
      const doc = parse(await response.text());
      if (pushes === before) show(doc, null);
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

  function pushed(event) {
    let data = null;
    try {
      data = JSON.parse(event.data);
    } catch {
      // not what the server sends: the page asks for itself
    }
    if (!data || typeof data.page !== "string") {
      refresh();
      return;
    }
    pushes += 1;
    try {
      show(parse(data.page), data.frames || null);
    } catch {
      refresh();
    }
  }

  function live() {
    const url = document.body.dataset.events;
    if (!url || !("EventSource" in window)) return;
    const events = new EventSource(url + "?page=" + encodeURIComponent(location.pathname));
    events.addEventListener("hello", (event) => {
      status("live: reloads on save", "live");
      if (event.data !== document.body.dataset.generation) refresh();
    });
    events.addEventListener("change", () => refresh());
    events.addEventListener("page", pushed);
    events.addEventListener("error", () => status("not connected: is digest preview running?", "down"));
  }

  document.addEventListener("DOMContentLoaded", () => {
    setup();
    live();
  });
})();
