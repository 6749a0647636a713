// Live updates (ADR 0027): a page region with `data-live-topic` and an `id` follows its topic
// over the WebSocket /ws/live/. When the topic changes, the page is fetched again and each
// following region's content is swapped for the fresh one, found by id, and the change is
// announced politely through #live-status. Without JavaScript the page is the same, only a
// reload shows the change.

import { isDirty, captureFocus, restoreFocus } from "./regions.js";

const SOCKET_PATH = "/ws/live/";
const CLOSE_UNAUTHENTICATED = 4401;
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

export function startLive(doc, win) {
  const regions = () => Array.from(doc.querySelectorAll("[data-live-topic][id]"));
  if (regions().length === 0 || !("WebSocket" in win)) {
    return null;
  }
  const status = doc.getElementById("live-status");
  const refreshing = new Map(); // topic -> true while a fetch runs, "again" if asked meanwhile
  let attempt = 0;
  let everOpened = false;
  let missedWhileAway = false;

  function mark(topic, state) {
    for (const region of regions()) {
      if (region.dataset.liveTopic === topic) {
        region.dataset.liveState = state;
      }
    }
  }

  function announce(message) {
    if (!status || !message) {
      return;
    }
    // Emptied first so that the same sentence twice is announced twice.
    status.textContent = "";
    win.setTimeout(() => {
      status.textContent = message;
    }, 100);
  }

  async function refresh(topic) {
    if (refreshing.has(topic)) {
      refreshing.set(topic, "again");
      return;
    }
    refreshing.set(topic, true);
    try {
      const response = await win.fetch(win.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok || response.redirected) {
        return; // gone or logged out: a reload will say so, this script does not guess
      }
      const fresh = new win.DOMParser().parseFromString(await response.text(), "text/html");
      swap(topic, fresh);
    } catch {
      // The network failed: the next event or a reload shows the change.
    } finally {
      const again = refreshing.get(topic) === "again";
      refreshing.delete(topic);
      if (again) {
        refresh(topic);
      }
    }
  }

  function swap(topic, fresh) {
    let swapped = null; // the first swapped region: its own message, if any, is announced
    let held = false;
    for (const region of regions()) {
      if (region.dataset.liveTopic !== topic) {
        continue;
      }
      const replacement = fresh.getElementById(region.id);
      if (!replacement) {
        continue;
      }
      if (isDirty(region)) {
        // Someone is typing here: never throw their input away. Say a change is waiting.
        region.dataset.liveState = "stale";
        held = true;
        continue;
      }
      const focus = captureFocus(doc, region);
      region.replaceChildren(...Array.from(replacement.childNodes, (node) => doc.importNode(node, true)));
      restoreFocus(doc, region, focus);
      region.dataset.liveState = "updated";
      region.dataset.liveVersion = String(Number(region.dataset.liveVersion || 0) + 1);
      swapped = swapped || region;
    }
    if (held) {
      announce(status && status.dataset.held);
    } else if (swapped) {
      // A region may say what changed (`data-live-message`, e.g. "New message in your inbox").
      announce(swapped.dataset.liveMessage || (status && status.dataset.updated));
    }
  }

  function connect() {
    const scheme = win.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new win.WebSocket(`${scheme}//${win.location.host}${SOCKET_PATH}`);
    const topics = () => new Set(regions().map((region) => region.dataset.liveTopic));

    socket.addEventListener("open", () => {
      attempt = 0;
      everOpened = true;
      for (const topic of topics()) {
        socket.send(JSON.stringify({ subscribe: topic }));
      }
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.subscribed) {
        mark(frame.subscribed, "subscribed");
        if (missedWhileAway) {
          refresh(frame.subscribed); // changes made while the connection was down
        }
      } else if (frame.error && frame.topic) {
        mark(frame.topic, "refused");
      } else if (frame.topic && frame.event) {
        refresh(frame.topic);
      }
    });
    socket.addEventListener("close", (event) => {
      for (const topic of topics()) {
        mark(topic, "offline");
      }
      if (event.code === CLOSE_UNAUTHENTICATED) {
        return;
      }
      if (!everOpened && attempt >= RETRY_MS.length) {
        return; // never reachable (e.g. `runserver`, which has no WebSocket): stop asking
      }
      missedWhileAway = true;
      const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      attempt += 1;
      win.setTimeout(connect, delay);
    });
    return socket;
  }

  return connect();
}
