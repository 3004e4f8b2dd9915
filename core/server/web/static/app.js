// savepoint web view: live progress of the jobs page. The page works
// without it; with it, the jobs table follows jobs.json every second
// while a job runs, and reloads when one starts or ends.
"use strict";
(function () {
  const table = document.getElementById("jobs");
  if (!table || !table.dataset.src) return;
  const size = (n) => {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  };
  const rows = () => Array.from(table.querySelectorAll("tr[data-id]"));
  const running = () => rows().some((r) => r.dataset.done !== "true");
  async function poll() {
    let jobs;
    try {
      const resp = await fetch(table.dataset.src, { credentials: "same-origin", cache: "no-store" });
      if (!resp.ok) return;
      jobs = await resp.json();
    } catch (e) {
      return;
    }
    const shown = new Map(rows().map((r) => [r.dataset.id, r]));
    for (const j of jobs) {
      const row = shown.get(j.id);
      if (!row || String(j.done) !== row.dataset.done) {
        location.reload(); // a job started or ended: its controls change
        return;
      }
      if (j.done) continue; // its row is final
      const state = row.querySelector(".state");
      state.textContent = j.state;
      state.className = "state s-" + j.state;
      const bar = row.querySelector("progress");
      if (bar && j.percent >= 0) bar.value = j.percent;
      else if (bar) bar.removeAttribute("value");
      let text = (j.phase ? j.phase + " · " : "") + j.files + " files · " + size(j.bytes);
      if (j.total_bytes) text += " of " + size(j.total_bytes);
      if (j.rate) text += " · " + size(j.rate) + "/s";
      if (j.eta) text += " · " + Math.ceil(j.eta) + " s left";
      row.querySelector(".detail").textContent = text;
    }
  }
  const timer = setInterval(() => {
    if (running()) poll(); else clearInterval(timer);
  }, 1000);
})();
