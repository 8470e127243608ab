window.studio = {
  getTheme: () => localStorage.getItem("studio-theme"),
  setTheme: (value) => localStorage.setItem("studio-theme", value),
  scrollToEnd: (element) => { if (element) element.scrollTop = element.scrollHeight; },
  copy: (text) => navigator.clipboard.writeText(text),
  // A text the page made, saved as a file (a workflow's export).
  download: (name, text, type) => {
    const url = URL.createObjectURL(new Blob([text], { type: type || "application/json" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
  // The code editor (Monaco, several MB) loads when a page first shows it, not with every page.
  loadMonaco: () => window.studio._monaco ??= new Promise((resolve, reject) => {
    const add = (src, then) => Object.assign(document.head.appendChild(document.createElement("script")), { src, onload: then, onerror: reject });
    add("_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js", () => add("_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js", () => resolve(true)));
  }),
  // The browser's zone, for times written in it: { id: "Europe/Rome", offsetMinutes: 60 }.
  timeZone: () => ({ id: Intl.DateTimeFormat().resolvedOptions().timeZone || null, offsetMinutes: -new Date().getTimezoneOffset() }),
};
document.addEventListener("click", (e) => {
  if (e.target && e.target.id === "components-reconnect-button" && window.Blazor) {
    window.Blazor.reconnect().then((ok) => { if (!ok) location.reload(); });
  }
  if (e.target && e.target.id === "components-reload-button") location.reload();
});

// After a restart (or an update) the old circuit is gone: once the app answers again, reload the page. "Again"
// means a new run of the app (/api/health's X-Studio-Instance differs from the one this page loaded from): the
// stopping one may still answer for a moment. An instance that keeps answering for 10 s is not restarting (the
// circuit was lost for another reason): the page reloads then too.
(function autoReloadAfterRestart() {
  const instanceOf = (r) => r.headers.get("X-Studio-Instance");
  const health = () => fetch("/api/health", { cache: "no-store" });
  let loadedFrom = null;
  health().then((r) => { if (r.ok) loadedFrom = instanceOf(r); }).catch(() => {});
  let polling = false;
  const pollUntilBack = () => {
    if (polling) return;
    polling = true;
    let sameFor = 0;
    const tick = () => health()
      .then((r) => {
        if (!r.ok) { sameFor = 0; return setTimeout(tick, 1000); }
        const now = instanceOf(r);
        if (!loadedFrom || now !== loadedFrom || ++sameFor >= 10) location.reload(); else setTimeout(tick, 1000);
      })
      .catch(() => { sameFor = 0; setTimeout(tick, 1000); });
    setTimeout(tick, 1000);
  };
  window.studio.expectRestart = pollUntilBack;
  const watch = () => {
    const modal = document.getElementById("components-reconnect-modal");
    if (!modal) return;
    new MutationObserver(() => {
      if (modal.classList.contains("components-reconnect-rejected") || modal.classList.contains("components-reconnect-failed")) pollUntilBack();
    }).observe(modal, { attributes: true, attributeFilter: ["class"] });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
})();
