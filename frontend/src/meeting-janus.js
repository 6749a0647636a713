// Janus's HTTP API for one person in one VideoRoom (Janus 1.x, multistream): a session kept by
// long polling, a publisher handle for camera and microphone, one for a shared screen, and a
// subscriber handle per remote feed. Offers and answers are sent with every ICE candidate
// gathered (no trickle): one round trip fewer to get right, at a few hundred ms per join.
const GATHER_MS = 3000;
const KEEPALIVE_MS = 25000;

function transaction() {
  return Math.random().toString(36).slice(2);
}

async function gathered(pc) {
  if (pc.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, GATHER_MS);
  });
}

export class JanusSession {
  // joined: what samdrift's join answered (janus_url, token, janus_room, participant_id,
  // ice_servers); on: { remote(feed, stream), gone(feed), talking(feed, on), closed(why) }.
  constructor(joined, on) {
    this.url = joined.janus_url;
    this.token = joined.token;
    this.room = joined.janus_room;
    this.me = joined.participant_id;
    this.iceServers = joined.ice_servers || [];
    this.on = on;
    this.session = null;
    this.publisher = null;
    this.screen = null;
    this.subs = new Map(); // feed -> { handle, pc }
    this.waiters = [];
    this.closed = false;
  }

  async post(path, body) {
    const answer = await fetch(this.url + path, {
      method: "POST",
      body: JSON.stringify({ ...body, transaction: transaction(), token: this.token }),
    });
    const data = await answer.json();
    if (data.janus === "error") throw new Error(data.error?.reason || "Janus error");
    return data;
  }

  async connect() {
    const created = await this.post("", { janus: "create" });
    this.session = created.data.id;
    this.pollLoop();
    this.keepalive = setInterval(() => {
      this.post(`/${this.session}`, { janus: "keepalive" }).catch(() => {});
    }, KEEPALIVE_MS);
  }

  async pollLoop() {
    while (!this.closed) {
      let batch;
      try {
        const query = `maxev=10&token=${encodeURIComponent(this.token)}`;
        const answer = await fetch(`${this.url}/${this.session}?${query}`);
        batch = await answer.json();
      } catch {
        if (!this.closed) this.lost("removed");
        return;
      }
      for (const event of Array.isArray(batch) ? batch : [batch]) this.dispatch(event);
    }
  }

  lost(why) {
    if (this.closed) return;
    this.stop();
    this.on.closed(why);
  }

  dispatch(event) {
    if (event.janus === "error") {
      this.lost("removed");
      return;
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.test(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
    const data = event.plugindata?.data;
    if (event.janus !== "event" || !data) {
      if (event.janus === "hangup" && event.sender === this.publisher) this.lost("removed");
      return;
    }
    if (data.videoroom === "destroyed") return this.lost("destroyed");
    if (data.videoroom === "talking") return this.on.talking(String(data.id), true);
    if (data.videoroom === "stopped-talking") return this.on.talking(String(data.id), false);
    if (event.sender === this.publisher && data.leaving === "ok") {
      return this.lost("removed");
    }
    for (const publisher of data.publishers || []) {
      this.subscribe(String(publisher.id));
      // Who already talks when this page arrives: Janus only announces the next change.
      if (publisher.talking !== undefined) this.on.talking(String(publisher.id), publisher.talking);
    }
    const gone = data.leaving ?? data.unpublished ?? data.kicked;
    if (gone !== undefined && gone !== "ok") this.unsubscribe(String(gone));
  }

  waitFor(test, ms = 15000) {
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) {
          this.waiters.splice(at, 1);
          reject(new Error("Janus did not answer"));
        }
      }, ms);
    });
  }

  async attach() {
    const attached = await this.post(`/${this.session}`, {
      janus: "attach",
      plugin: "janus.plugin.videoroom",
    });
    return attached.data.id;
  }

  // A plug-in request whose answer comes as an event (joins, offers); errors reject. An offer's
  // answer is the event that carries Janus's answer (or an error), not the first event.
  async request(handle, body, jsep) {
    const offer = jsep?.type === "offer";
    const answered = this.waitFor(
      (e) => e.sender === handle && e.janus === "event" &&
        (!offer || Boolean(e.jsep) || Boolean(e.plugindata?.data?.error)),
    );
    await this.post(`/${this.session}/${handle}`, { janus: "message", body, ...(jsep ? { jsep } : {}) });
    const event = await answered;
    const error = event.plugindata?.data?.error;
    if (error) throw new Error(error);
    return event;
  }

  async publishFrom(handle, id, stream) {
    const joined = await this.request(handle, {
      request: "join", ptype: "publisher", room: this.room, id, display: id, token: this.token,
    });
    if (!stream) return { joined, pc: null };
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await this.request(handle, { request: "publish" }, pc.localDescription.toJSON());
    await pc.setRemoteDescription(answer.jsep);
    return { joined, pc };
  }

  async join(stream) {
    this.publisher = await this.attach();
    const { joined, pc } = await this.publishFrom(this.publisher, this.me, stream);
    this.publisherPc = pc;
    for (const publisher of joined.plugindata.data.publishers || []) {
      this.subscribe(String(publisher.id));
    }
  }

  async publishScreen(stream) {
    this.screen = await this.attach();
    const { pc } = await this.publishFrom(this.screen, `${this.me}-s`, stream);
    this.screenPc = pc;
  }

  async unpublishScreen() {
    if (!this.screen) return;
    await this.post(`/${this.session}/${this.screen}`, { janus: "detach" }).catch(() => {});
    this.screenPc?.close();
    this.screen = this.screenPc = null;
  }

  async subscribe(feed) {
    if (feed === this.me || feed === `${this.me}-s` || this.subs.has(feed) || this.closed) return;
    const entry = { handle: null, pc: null };
    this.subs.set(feed, entry);
    try {
      entry.handle = await this.attach();
      const attached = await this.request(
        entry.handle,
        { request: "join", ptype: "subscriber", room: this.room, streams: [{ feed }], token: this.token },
        null,
      );
      const pc = new RTCPeerConnection({ iceServers: this.iceServers });
      entry.pc = pc;
      const stream = new MediaStream();
      pc.addEventListener("track", (e) => {
        stream.addTrack(e.track);
        this.on.remote(feed, stream);
      });
      await pc.setRemoteDescription(attached.jsep);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      await this.request(entry.handle, { request: "start" }, pc.localDescription.toJSON());
    } catch {
      this.unsubscribe(feed);
    }
  }

  unsubscribe(feed) {
    const entry = this.subs.get(feed);
    if (!entry) return;
    this.subs.delete(feed);
    entry.pc?.close();
    if (entry.handle) this.post(`/${this.session}/${entry.handle}`, { janus: "detach" }).catch(() => {});
    this.on.gone(feed);
  }

  async inbound() {
    const result = {};
    for (const [feed, { pc }] of this.subs) {
      if (!pc) continue;
      const bytes = { audio: 0, video: 0 };
      (await pc.getStats()).forEach((report) => {
        if (report.type === "inbound-rtp") bytes[report.kind] += report.bytesReceived || 0;
      });
      result[feed] = bytes;
    }
    return result;
  }

  stop() {
    this.closed = true;
    clearInterval(this.keepalive);
    for (const { pc } of this.subs.values()) pc?.close();
    this.subs.clear();
    this.publisherPc?.close();
    this.screenPc?.close();
  }

  async close() {
    if (this.closed) return;
    this.stop();
    if (this.session) await this.post(`/${this.session}`, { janus: "destroy" }).catch(() => {});
  }
}
