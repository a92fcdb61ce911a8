"use strict";
// Keeps the page current while it is open: every 2 s it fetches its own URL again (so the same filter and page)
// and puts the fresh <main>, rendered and HTML-encoded by the server, in place of this one. It never builds
// markup from job text; without JavaScript, the <noscript> refresh reloads the same URL instead.
const every = 2000;

const refresh = async () => {
  try {
    if (!document.hidden) {
      const response = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const main = fresh.querySelector("main");
      const current = document.querySelector("main");
      // Only when something shown changed, and not under a pointer or focus on Cancel: that would swallow the click.
      if (response.ok && main && main.textContent !== current.textContent && !current.querySelector("button:hover, button:focus")) {
        current.replaceWith(document.adoptNode(main));
        document.title = fresh.title;
      }
    }
  } catch {
    // Offline for a moment, or the app restarting: try again next time.
  }
  setTimeout(refresh, every);
};

setTimeout(refresh, every);
