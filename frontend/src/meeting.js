// The meeting page (issue 14, ADR 0677): a client of samdrift's meetings API (who may enter,
// the lobby, the host's actions) and of Janus's HTTP API (media), with the short-lived token
// samdrift issued for this room only. Janus never sees a samdrift session; samdrift never
// carries media. Everything the page shows about people comes from samdrift's API, so a client
// cannot name itself: Janus's display names are ignored.
import { startMeetingChat } from "./meeting-chat.js";
import { JanusSession } from "./meeting-janus.js";

const POLL_MS = 3000;
// A webinar's viewer (of hundreds) learns of a broadcast starting or stopping a little later;
// a removal or an end stops their playlist at once anyway (ADR 0970).
const VIEWER_POLL_MS = 10000;
// A token issued ahead is used only with this much of its life left (ADR 0662).
const AHEAD_MIN_MS = 30000;

function byId(id) {
  return document.getElementById(id);
}

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

function csrf() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// The camera and microphone, as { stream } or { error } (never a rejection left unheard).
function openCamera() {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then(
    (stream) => ({ stream }),
    (error) => ({ error }),
  );
}

function dropCamera(camera) {
  camera?.then(({ stream }) => stream?.getTracks().forEach((track) => track.stop()));
}

class MeetingPage {
  constructor(root) {
    this.root = root;
    this.api = root.dataset.api;
    this.texts = JSON.parse(byId("meeting-texts").textContent);
    this.detail = JSON.parse(byId("meeting-detail").textContent);
    this.status = byId("meeting-status");
    this.videos = byId("meeting-videos");
    this.janus = null;
    this.local = null;
    this.screen = null;
    this.joined = null;
    this.ahead = null;
    this.joining = false;
    this.peopleSeeded = false;
    this.leaving = false;
    this.talking = new Set();
    this.seen = { waiting: new Set(), hands: new Set(), people: new Set() };
    this.buttons = {};
    this.stopWatching = null;
    for (const name of ["join", "mic", "cam", "share", "hand", "leave", "lock", "end", "broadcast"]) {
      this.buttons[name] = byId(`meeting-${name}`);
    }
  }

  start() {
    const { join, mic, cam, share, hand, leave, lock, end, broadcast } = this.buttons;
    if (join && !this.detail.ended_at) {
      join.hidden = false;
      join.addEventListener("click", () => this.knock());
    }
    mic?.addEventListener("click", () => this.toggleTrack("audio", mic, "mic"));
    cam?.addEventListener("click", () => this.toggleTrack("video", cam, "cam"));
    share?.addEventListener("click", () => this.toggleScreen());
    hand?.addEventListener("click", () => this.toggleHand());
    leave?.addEventListener("click", () => this.leave(this.texts.left));
    lock?.addEventListener("click", () =>
      this.hostAction("lock", { locked: lock.dataset.locked !== "1" }),
    );
    broadcast?.addEventListener("click", () =>
      this.hostAction(this.detail.broadcast.live ? "broadcast/stop" : "broadcast"),
    );
    end?.addEventListener("click", () => {
      if (window.confirm(this.texts.end_confirm)) this.hostAction("end");
    });
    this.render();
    this.poll();
    this.getReady();
  }

  // Someone already let in gets the media server's token as the page opens (ADR 0662), as
  // Jitsi's pre-join screen connects before its button is pressed: the click then goes
  // straight to Janus. Nothing knocks here; anyone else knocks on the click.
  getReady() {
    const { me, abilities, ended_at: ended } = this.detail;
    const ready = me?.state === "admitted" && me.role !== "viewer" && abilities.join && !ended;
    this.ahead = ready ? this.call("/ready", {}).catch(() => null) : null;
  }

  // The token issued ahead, while it has time left to connect with (else the click knocks).
  async takeReady() {
    const ahead = await this.ahead;
    this.ahead = null;
    const left = ahead?.token ? new Date(ahead.expires_at).getTime() - Date.now() : 0;
    return left > AHEAD_MIN_MS ? ahead : null;
  }

  say(text) {
    this.status.textContent = text;
  }

  async call(path, body) {
    const answer = await fetch(this.api + path, {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json", "X-CSRFToken": csrf() }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = answer.status === 204 ? {} : await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const error = new Error(data.message || answer.statusText);
      error.status = answer.status;
      error.code = data.code;
      throw error;
    }
    return data;
  }

  // Knock: admitted (a token for Janus) or waiting in the lobby (the poll knocks again when let in).
  async knock() {
    this.buttons.join.disabled = true;
    this.joining = true; // the poll waits: the list is read again once in, not mid-connection
    this.say(this.texts.joining);
    // Someone already let in who publishes: the camera starts while samdrift answers, not after.
    const camera = this.detail.abilities.publish ? openCamera() : null;
    try {
      const ahead = await this.takeReady();
      if (ahead) {
        // In Janus's room first, then samdrift records the join (the same token comes back):
        // its work does not share the two cores with the connection being made.
        await this.enter(ahead, camera);
        await this.recordJoin(this.call("/join", {}));
        return;
      }
      const joined = await this.call("/join", {});
      if (joined.state === "waiting" || joined.watch_only) dropCamera(camera);
      if (joined.state === "waiting") {
        this.waiting = true;
        this.say(this.texts.waiting);
        return;
      }
      this.waiting = false;
      await this.enter(joined, joined.watch_only ? null : camera);
    } catch (error) {
      dropCamera(camera);
      this.buttons.join.disabled = false;
      this.say(fill(this.texts.failed, { why: error.message }));
    } finally {
      this.joining = false;
    }
  }

  async enter(joined, camera = null) {
    this.joined = joined;
    if (joined.watch_only) {
      this.enterAsViewer();
      return;
    }
    this.janus = new JanusSession(joined, {
      remote: (feed, stream) => this.showRemote(feed, stream),
      gone: (feed) => this.dropRemote(feed),
      talking: (feed, on) => this.setTalking(feed, on),
      closed: (why) => this.closedByServer(why),
    });
    const opened = camera || openCamera();
    await this.janus.connect();
    const { stream, error } = await opened;
    this.local = stream || null;
    if (error) this.say(fill(this.texts.no_media, { why: error.message }));
    await this.janus.join(this.local);
    if (this.local) this.showLocal(this.local);
    this.buttons.join.hidden = true;
    for (const name of ["mic", "cam", "hand", "leave"]) this.buttons[name].hidden = false;
    this.buttons.share.hidden = joined.role === "viewer" || !navigator.mediaDevices.getDisplayMedia;
    this.buttons.mic.hidden = this.buttons.cam.hidden = !this.local;
    if (this.local || joined.role === "viewer") this.say(this.texts.in);
    this.scheduleRefresh(joined);
  }

  // A webinar's viewer has no media-server token: they watch the broadcast (ADR 0970).
  enterAsViewer() {
    this.buttons.join.hidden = true;
    this.buttons.hand.hidden = this.buttons.leave.hidden = false;
    this.say(this.texts.watching);
    this.renderBroadcast();
  }

  renderBroadcast() {
    const playlist = this.joined?.watch_only ? this.detail.broadcast.playlist : "";
    if (playlist && !this.stopWatching) {
      this.videos.replaceChildren();
      const item = document.createElement("li");
      const video = document.createElement("video");
      video.id = "meeting-broadcast-video";
      video.autoplay = video.playsInline = video.controls = true;
      video.setAttribute("aria-label", this.texts.live_video);
      item.append(video);
      this.videos.append(item);
      // Autoplay with sound needs a click the viewer already gave (the join button).
      this.say(this.texts.watching);
      // A player that gives up is dropped; the next poll starts a new one.
      const address = () => this.detail.broadcast.playlist || playlist;
      this.stopWatching = window.samdriftBroadcast.play(video, address, (why) => {
        this.say(fill(this.texts.failed, { why }));
        this.stopWatching?.();
        this.stopWatching = null;
      });
    } else if (!playlist) {
      // stopped, or a player that gave up: either way its video goes
      this.stopWatching?.();
      this.stopWatching = null;
      if (byId("meeting-broadcast-video")) this.videos.replaceChildren();
    }
    if (this.joined?.watch_only && !playlist && !this.videos.childElementCount) {
      const item = document.createElement("li");
      item.textContent = this.texts.not_live;
      this.videos.replaceChildren(item);
    }
    const button = this.buttons.broadcast;
    if (button) {
      button.hidden = !this.joined;
      button.textContent = this.detail.broadcast.live ? this.texts.broadcast_stop : this.texts.broadcast_me;
    }
  }

  // The join recorded once in the room: a newer token (the one ahead was too near its end for
  // samdrift to claim) replaces it; a refusal (removed, ended meanwhile) takes the page out.
  async recordJoin(recorded) {
    try {
      const joined = await recorded;
      if (joined.token && this.janus) {
        this.janus.token = joined.token;
        this.scheduleRefresh(joined);
      }
    } catch (error) {
      await this.leave(error.code === "meeting_ended" ? this.texts.ended : this.texts.removed);
    }
  }

  // A token lives a few minutes: knock again before it expires and carry on with the new one.
  scheduleRefresh(joined) {
    clearTimeout(this.refreshTimer);
    const left = new Date(joined.expires_at).getTime() - Date.now();
    this.refreshTimer = setTimeout(async () => {
      try {
        const again = await this.call("/join", {});
        if (again.token && this.janus) {
          this.janus.token = again.token;
          this.scheduleRefresh(again);
        }
      } catch (error) {
        this.leave(error.code === "meeting_ended" ? this.texts.ended : this.texts.removed);
      }
    }, Math.max(5000, left * 0.6));
  }

  figure(key, label, stream, mine) {
    let item = this.videos.querySelector(`[data-feed="${CSS.escape(key)}"]`);
    if (!item) {
      item = document.createElement("li");
      item.dataset.feed = key;
      const figure = document.createElement("figure");
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.muted = mine;
      const caption = document.createElement("figcaption");
      figure.append(video, caption);
      item.append(figure);
      this.videos.append(item);
    }
    const video = item.querySelector("video");
    video.srcObject = stream;
    video.setAttribute("aria-label", fill(this.texts.video_of, { name: label }));
    item.querySelector("figcaption").textContent = label;
    return item;
  }

  showLocal(stream) {
    this.figure(this.joined.participant_id, `${this.myName()} (${this.texts.you})`, stream, true);
  }

  myName() {
    return this.detail.me ? this.detail.me.name : this.texts.you;
  }

  // Names come from samdrift's list of who is in, keyed by the id samdrift gave each person.
  nameOf(feed) {
    const own = feed.endsWith("-s") ? feed.slice(0, -2) : feed;
    const person = this.detail.people.find((p) => p.participant_id === own);
    const name = person ? `${person.name} (${person.organisation})` : "?";
    return feed.endsWith("-s") ? fill(this.texts.screen, { name }) : name;
  }

  showRemote(feed, stream) {
    this.figure(feed, this.nameOf(feed), stream, false);
  }

  dropRemote(feed) {
    this.videos.querySelector(`[data-feed="${CSS.escape(feed)}"]`)?.remove();
    this.talking.delete(feed);
    this.renderPeople();
  }

  setTalking(feed, on) {
    if (on) this.talking.add(feed);
    else this.talking.delete(feed);
    this.renderPeople();
  }

  toggleTrack(kind, button, name) {
    if (!this.local) return;
    const tracks = kind === "audio" ? this.local.getAudioTracks() : this.local.getVideoTracks();
    const off = button.getAttribute("aria-pressed") !== "true";
    for (const track of tracks) track.enabled = !off;
    button.setAttribute("aria-pressed", String(off));
    button.textContent = off ? this.texts[`${name}_on`] : this.texts[`${name}_off`];
  }

  async toggleScreen() {
    const button = this.buttons.share;
    if (this.screen) {
      await this.janus.unpublishScreen();
      for (const track of this.screen.getTracks()) track.stop();
      this.screen = null;
      this.dropRemote(`${this.joined.participant_id}-s`);
    } else {
      try {
        this.screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      } catch (error) {
        this.say(fill(this.texts.no_media, { why: error.message }));
        return;
      }
      this.screen.getVideoTracks()[0].addEventListener("ended", () => {
        if (this.screen) this.toggleScreen();
      });
      await this.janus.publishScreen(this.screen);
      this.figure(`${this.joined.participant_id}-s`, fill(this.texts.screen, { name: this.texts.you }), this.screen, true);
    }
    button.setAttribute("aria-pressed", String(Boolean(this.screen)));
    button.textContent = this.screen ? this.texts.unshare : this.texts.share;
  }

  async toggleHand() {
    const button = this.buttons.hand;
    const raise = button.getAttribute("aria-pressed") !== "true";
    try {
      await this.call("/hand", { raised: raise });
      button.setAttribute("aria-pressed", String(raise));
      button.textContent = raise ? this.texts.hand_down : this.texts.hand_up;
      await this.refresh();
    } catch (error) {
      this.say(fill(this.texts.failed, { why: error.message }));
    }
  }

  async hostAction(path, body = {}) {
    try {
      await this.call(`/${path}`, body);
      await this.refresh();
    } catch (error) {
      this.say(fill(this.texts.failed, { why: error.message }));
    }
  }

  async leave(message) {
    if (this.leaving) return;
    this.leaving = true;
    clearTimeout(this.refreshTimer);
    await this.janus?.close();
    this.janus = null;
    this.stopWatching?.();
    this.stopWatching = null;
    for (const stream of [this.local, this.screen]) stream?.getTracks().forEach((t) => t.stop());
    this.local = this.screen = null;
    this.videos.replaceChildren();
    for (const name of ["mic", "cam", "share", "hand", "leave", "broadcast"]) {
      if (this.buttons[name]) this.buttons[name].hidden = true;
    }
    this.say(message);
    const join = this.buttons.join;
    this.joined = null;
    this.peopleSeeded = false;
    this.seen.people.clear();
    this.leaving = false;
    if (join && message === this.texts.left) {
      join.hidden = false;
      join.disabled = false;
      this.getReady();
    }
  }

  closedByServer(why) {
    this.leave(why === "destroyed" ? this.texts.ended : this.texts.removed);
  }

  async poll() {
    for (;;) {
      const wait = this.joined?.watch_only ? VIEWER_POLL_MS : POLL_MS;
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.joining) continue;
      try {
        await this.refresh();
      } catch {
        // A missed poll is retried on the next tick; the status line keeps the last answer.
      }
    }
  }

  async refresh() {
    const before = this.detail;
    this.detail = await this.call("");
    const me = this.detail.me;
    if (this.detail.ended_at && !before.ended_at) {
      await this.leave(this.texts.ended);
      if (this.buttons.join) this.buttons.join.hidden = true;
    } else if (me && me.state === "removed" && this.joined) {
      await this.leave(this.texts.removed);
    } else if (me && me.state === "refused" && this.waiting) {
      this.waiting = false;
      this.say(this.texts.refused);
    } else if (me && me.state === "admitted" && this.waiting) {
      this.waiting = false;
      await this.knock();
    }
    this.render();
  }

  render() {
    this.renderPeople();
    this.renderLobby();
    this.renderBroadcast();
    const lock = this.buttons.lock;
    if (lock) {
      lock.dataset.locked = this.detail.locked ? "1" : "0";
      lock.textContent = this.detail.locked ? this.texts.unlock : this.texts.lock;
    }
  }

  // Announced once each: who joined, who waits, whose hand went up (not every poll); what was
  // already so when the page (or, for who is in, the meeting) opened is not news.
  announce(kind, key, text, quiet = false) {
    if (this.seen[kind].has(key)) return;
    this.seen[kind].add(key);
    if (!quiet) this.say(text);
  }

  renderPeople() {
    const list = byId("meeting-people");
    const inRoom = this.detail.people.filter((p) => p.state === "admitted");
    list.replaceChildren(
      ...inRoom.map((p) => {
        const item = document.createElement("li");
        const notes = [this.texts.roles[p.role] || p.role];
        if (this.detail.me && p.admission === this.detail.me.admission) notes.push(this.texts.you);
        if (p.hand_raised_at) notes.push(this.texts.hand);
        if (p.audio_muted) notes.push(this.texts.muted_audio);
        if (p.video_muted) notes.push(this.texts.muted_video);
        if (p.participant_id === this.detail.broadcast.feed) notes.push(this.texts.on_air);
        if (this.talking.has(p.participant_id)) {
          notes.push(this.texts.speaking);
          item.classList.add("speaking");
        }
        item.textContent = `${p.name} (${p.organisation}) — ${notes.join(", ")}`;
        if (this.detail.abilities.host && this.joined && p.admission !== this.detail.me?.admission) {
          item.append(" ", ...this.hostButtons(p));
        }
        const mine = this.detail.me && p.admission === this.detail.me.admission;
        if (this.joined) {
          const quiet = mine || !this.peopleSeeded;
          this.announce("people", p.admission, fill(this.texts.joined_you, { name: p.name }), quiet);
        }
        if (p.hand_raised_at) {
          const text = fill(this.texts.hand_raised, { name: p.name });
          this.announce("hands", `${p.admission}@${p.hand_raised_at}`, text, mine || !this.rendered);
        }
        return item;
      }),
    );
    this.rendered = true;
    if (this.joined) this.peopleSeeded = true;
  }

  hostButtons(person) {
    const make = (label, action) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.setAttribute("aria-label", `${label}: ${person.name}`);
      button.addEventListener("click", action);
      return button;
    };
    const base = `admissions/${person.admission}`;
    const mute = (media, muted) =>
      make(
        this.texts[`${muted ? "unmute" : "mute"}_${media}`],
        () => this.hostAction(`${base}/mute`, { media, mute: !muted }),
      );
    const buttons = [
      mute("audio", person.audio_muted),
      mute("video", person.video_muted),
      make(this.texts.remove, () => this.hostAction(`${base}/remove`)),
    ];
    if (this.detail.abilities.broadcast && person.role === "presenter") {
      const body = { admission: person.admission };
      buttons.unshift(make(this.texts.broadcast, () => this.hostAction("broadcast", body)));
    }
    return buttons;
  }

  renderLobby() {
    const list = byId("meeting-lobby");
    if (!list) return;
    const waiting = this.detail.people.filter((p) => p.state === "waiting");
    if (!waiting.length) {
      const item = document.createElement("li");
      item.textContent = this.texts.nobody_waiting;
      list.replaceChildren(item);
      return;
    }
    list.replaceChildren(
      ...waiting.map((p) => {
        this.announce("waiting", p.admission, fill(this.texts.waits, { name: p.name }), !this.rendered);
        const item = document.createElement("li");
        item.textContent = `${p.name} (${p.organisation})${p.guest ? " — " + this.texts.guest : ""} `;
        const base = `admissions/${p.admission}`;
        for (const [label, action] of [[this.texts.admit, "admit"], [this.texts.refuse, "refuse"]]) {
          const button = document.createElement("button");
          button.type = "button";
          button.textContent = label;
          button.setAttribute("aria-label", `${label}: ${p.name}`);
          button.addEventListener("click", () => this.hostAction(`${base}/${action}`));
          item.append(button, " ");
        }
        return item;
      }),
    );
  }

  // For the page's connection diagnostics (and the media tests): bytes received per feed, or
  // for a viewer how far the broadcast has played.
  async stats() {
    const video = byId("meeting-broadcast-video");
    if (video) {
      const quality = video.getVideoPlaybackQuality();
      return { broadcast: { time: video.currentTime, width: video.videoWidth, frames: quality.totalVideoFrames } };
    }
    return this.janus ? this.janus.inbound() : {};
  }
}

function boot() {
  const root = document.getElementById("meeting");
  if (!root) return;
  const page = new MeetingPage(root);
  window.samdriftMeeting = page;
  page.start();
  startMeetingChat();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
