"use strict";
// Job output is only ever set through textContent: this page never builds markup from it.
addEventListener("load", () => {
  const page = document.body.dataset;
  if (page.finished === "true") return;

  // The Refresh header reloads the page for browsers without JavaScript; this one follows the job live.
  window.stop();

  const output = document.getElementById("output");
  const state = document.getElementById("state");
  const runAt = document.getElementById("runat");
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

  // A stream that cannot open (429 past MaxEventStreamsPerClient, the node gone) is tried again later, each time
  // waiting twice as long up to 30 s, from the last event seen; once the job has ended nothing is tried again.
  let events;
  let lastEventId = null;
  let delay = 1000;
  let finished = false;
  const follow = () => {
    const url = new URL(page.events, location.href);
    if (lastEventId !== null) url.searchParams.set("lastEventId", lastEventId);
    events = new EventSource(url);
    events.addEventListener("open", () => { delay = 1000; });
    events.addEventListener("error", () => {
      if (events.readyState !== EventSource.CLOSED || finished) return;
      setTimeout(follow, delay);
      delay = Math.min(delay * 2, 30000);
    });
    events.addEventListener("line", e => { seen(e); append(e.data); });
    events.addEventListener("dropped", e => { seen(e); append("[" + e.data + " earlier lines dropped]", "dropped"); });
    events.addEventListener("state", e => { seen(e); showState(JSON.parse(e.data)); });
  };

  const seen = e => { if (e.lastEventId) lastEventId = e.lastEventId; };

  const showState = status => {
    state.textContent = status.state;
    state.dataset.state = status.state;
    document.title = page.name + ": " + status.state;
    // A scheduled job (delayed, or between attempts) says when it runs.
    runAt.hidden = status.state !== "Scheduled";
    if (status.runAt) runAt.querySelector("time").textContent = status.runAt.slice(0, 19).replace("T", " ") + " UTC";
    if (status.progress !== null) {
      progress.value = status.progress;
      percent.textContent = Math.round(status.progress * 100) + " %";
      progress.hidden = percent.hidden = false;
    }
    error.textContent = status.error ?? "";
    error.hidden = !status.error;
    cancel.elements[0].disabled = status.cancelRequested;
    if (status.isFinished) {
      finished = true;
      cancel.hidden = true;
      events.close();
    }
  };

  follow();

  cancel.addEventListener("submit", e => {
    e.preventDefault();
    cancel.elements[0].disabled = true;
    fetch(cancel.action, { method: "POST" });
  });
});
