window.studio = {
  getTheme: () => localStorage.getItem("studio-theme"),
  setTheme: (value) => localStorage.setItem("studio-theme", value),
};
document.addEventListener("click", (e) => {
  if (e.target && e.target.id === "components-reconnect-button" && window.Blazor) {
    window.Blazor.reconnect().then((ok) => { if (!ok) location.reload(); });
  }
  if (e.target && e.target.id === "components-reload-button") location.reload();
});

// After a restart (or an update) the old circuit is gone: once the server answers again, reload the page.
(function autoReloadAfterRestart() {
  let polling = false;
  const pollUntilBack = () => {
    if (polling) return;
    polling = true;
    const tick = () => fetch("/api/health", { cache: "no-store" })
      .then((r) => { if (r.ok) location.reload(); else setTimeout(tick, 1000); })
      .catch(() => setTimeout(tick, 1000));
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
