// Live notes and whiteboards (ADR 0681): a Yjs document synced over /ws/coedit/<id> with
// y-websocket, edited with tiptap (note) or the board below. A separate bundle, loaded only by
// the document's page. Edits made while the connection is down stay in the page's document and
// reach the server when it comes back (the provider's sync steps carry them). Where the class lets
// files out of SAFOS, an editor's browser also keeps the document in IndexedDB (ADR 0685), so
// edits made offline survive closing the page and are sent the next time it opens; logging out
// clears that copy (Clear-Site-Data).
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { IndexeddbPersistence } from "y-indexeddb";
import { startNote } from "./coedit-note.js";
import { startBoard } from "./coedit-board.js";

const STALE = 4409;
const LOCAL_PREFIX = "samdrift-live-";
const RESYNC_MS = 5000;
const RECONNECTS = new Set([4429, 4503]); // the provider reconnects and resends; anything else stops

function start(root) {
  const text = (name) => root.dataset[name] || "";
  const messages = JSON.parse(document.getElementById("coedit-messages").textContent);
  const status = document.getElementById("coedit-status");
  const people = document.getElementById("coedit-people");
  const editable = root.dataset.editable === "1";
  const ydoc = new Y.Doc();
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const provider = new WebsocketProvider(
    `${scheme}://${window.location.host}/ws/coedit`,
    root.dataset.doc,
    ydoc,
    // Every few seconds the page asks the server what it lacks (a sync step 1; the answer is
    // empty when nothing is missing): a group message lost on a busy server would otherwise
    // leave this copy behind until the next reconnect.
    { params: { generation: root.dataset.generation }, resyncInterval: RESYNC_MS },
  );
  const local = keepOffline(root, ydoc);
  const color = `hsl(${Math.floor(Math.random() * 360)}, 70%, 35%)`;
  provider.awareness.setLocalStateField("user", { name: text("user"), color });

  let stopped = false;
  let view = null;
  const say = (message) => {
    if (status.textContent !== message) status.textContent = message;
  };
  provider.on("status", ({ status: state }) => {
    if (stopped) return;
    root.dataset.state = state;
    if (state === "connected") say(text("online"));
    else if (state === "disconnected") say(editable ? text("offline") : text("offlineRead"));
    else say(text("connecting"));
  });
  provider.on("sync", (synced) => {
    if (synced) root.dataset.synced = "1";
  });
  provider.on("connection-close", (event) => {
    const code = event && event.code;
    if (!code || !messages[code] || RECONNECTS.has(code)) return;
    say(messages[code]);
    if (code === STALE) {
      // The copy kept here belongs to the replaced generation: it must not merge back.
      const reload = () => window.location.reload();
      if (local) local.clearData().then(reload, reload);
      else reload();
      return;
    }
    stopped = true;
    root.dataset.state = "stopped";
    provider.shouldConnect = false;
    provider.disconnect();
    if (view) view.stop();
  });

  const render = () => {
    const names = new Set();
    provider.awareness.getStates().forEach((state) => {
      if (state && state.user && state.user.name) names.add(state.user.name);
    });
    const items = [...names].sort().map((name) => {
      const li = document.createElement("li");
      li.textContent = name;
      return li;
    });
    people.replaceChildren(...items);
  };
  provider.awareness.on("change", render);
  render();

  const options = { root, ydoc, provider, editable, user: { name: text("user"), color } };
  view = root.dataset.kind === "board" ? startBoard(options) : startNote(options);
  window.samdriftCoedit = { ydoc, provider, Y, local }; // for the browser tests
}

// The document's offline copy in this browser, named by its generation; copies of earlier
// generations (replaced by a restore) are deleted unread.
function keepOffline(root, ydoc) {
  if (root.dataset.keepOffline !== "1" || !window.indexedDB) return null;
  const mine = `${LOCAL_PREFIX}${root.dataset.doc}-g`;
  const name = `${mine}${root.dataset.generation}`;
  if (indexedDB.databases) {
    indexedDB.databases().then((found) => {
      found
        .filter((db) => db.name && db.name.startsWith(mine) && db.name !== name)
        .forEach((db) => indexedDB.deleteDatabase(db.name));
    });
  }
  const local = new IndexeddbPersistence(name, ydoc);
  local.on("synced", () => {
    root.dataset.localLoaded = "1";
  });
  return local;
}

const root = document.getElementById("coedit");
if (root) start(root);
