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
