"use strict";
// Job output is only ever set through textContent: this page never builds markup from it.
addEventListener("load", () => {
  const page = document.body.dataset;
  if (page.finished === "true") return;

  // The Refresh header reloads the page for browsers without JavaScript; this one follows the job live.
  window.stop();

  const output = document.getElementById("output");
  const state = document.getElementById("state");
  const progress = document.getElementById("progress");
  const percent = document.getElementById("percent");
  const error = document.getElementById("error");
  const cancel = document.getElementById("cancel");

  const append = (text, className) => {
    const atEnd = innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
    const line = document.createElement("span");
    if (className) line.className = className;
    line.textContent = text + "\n";
    output.append(line);
    if (atEnd) scrollTo(0, document.documentElement.scrollHeight);
  };

  const events = new EventSource(page.events);
  // Closed for good (the job was cleaned up, say): fall back to what a reload shows, as without JavaScript.
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) setTimeout(() => location.reload(), 1000);
  });
  events.addEventListener("line", e => append(e.data));
  events.addEventListener("dropped", e => append("[" + e.data + " earlier lines dropped]", "dropped"));
  events.addEventListener("state", e => {
    const status = JSON.parse(e.data);
    state.textContent = status.state;
    state.dataset.state = status.state;
    document.title = page.name + ": " + status.state;
    if (status.progress !== null) {
      progress.value = status.progress;
      percent.textContent = Math.round(status.progress * 100) + " %";
      progress.hidden = percent.hidden = false;
    }
    error.textContent = status.error ?? "";
    error.hidden = !status.error;
    cancel.elements[0].disabled = status.cancelRequested;
    if (status.isFinished) {
      cancel.hidden = true;
      events.close();
    }
  });

  cancel.addEventListener("submit", e => {
    e.preventDefault();
    cancel.elements[0].disabled = true;
    fetch(cancel.action, { method: "POST" });
  });
});
