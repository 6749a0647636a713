// A minimal Janus client for the media tests (not samdrift's page): the browser reaches Janus's
// HTTP API with the token samdrift issued, publishes its fake camera and microphone in the room,
// subscribes to the feeds it is told, and reports inbound bytes from WebRTC getStats.
window.meeting = (() => {
  const state = { events: [], pcs: [], subs: {}, closed: false };
  let base, token, session;
  const tx = () => Math.random().toString(36).slice(2);
  async function post(path, body) {
    const answer = await fetch(base + path, {
      method: "POST",
      body: JSON.stringify({ ...body, transaction: tx(), token }),
    });
    return answer.json();
  }
  const waiters = [];
  async function poll() {
    while (!state.closed) {
      let batch;
      try {
        const answer = await fetch(`${base}/${session}?maxev=10&token=${encodeURIComponent(token)}`);
        batch = await answer.json();
      } catch (e) {
        state.pollError = String(e);
        break;
      }
      const list = Array.isArray(batch) ? batch : [batch];
      for (const event of list) {
        if (event.janus === "error") { state.pollError = JSON.stringify(event.error); state.closed = true; }
        state.events.push(event);
        for (const w of [...waiters]) if (w.test(event)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(event); }
      }
    }
  }
  function waitFor(test, from = 0, ms = 15000) {
    const seen = state.events.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ test, resolve });
      setTimeout(() => reject(new Error("no answer from Janus: " + JSON.stringify(state.events.slice(from)).slice(0, 800))), ms);
    });
  }
  async function gathered(pc) {
    if (pc.iceGatheringState === "complete") return;
    await new Promise((r) => { pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(); setTimeout(r, 3000); });
  }
  async function attach() {
    const h = await post(`/${session}`, { janus: "attach", plugin: "janus.plugin.videoroom" });
    if (h.janus !== "success") throw new Error(JSON.stringify(h));
    return h.data.id;
  }
  async function message(handle, body, jsep) {
    const from = state.events.length;
    const sent = await post(`/${session}/${handle}`, { janus: "message", body, ...(jsep ? { jsep } : {}) });
    if (sent.janus === "error") throw new Error(JSON.stringify(sent.error));
    if (sent.janus === "success") return sent;
    return waitFor((e) => e.sender === handle && e.janus === "event" && (!jsep || jsep.type !== "offer" || e.jsep || e.plugindata.data.error), from);
  }
  async function start(url, tok, room, id) {
    base = url; token = tok;
    const created = await post("", { janus: "create" });
    if (created.janus !== "success") throw new Error(JSON.stringify(created.error));
    session = created.data.id;
    poll();
    setInterval(() => post(`/${session}`, { janus: "keepalive" }), 20000);
    const handle = await attach();
    const joined = await message(handle, { request: "join", ptype: "publisher", room, id, display: id, token });
    if (joined.plugindata.data.error) throw new Error(joined.plugindata.data.error);
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    state.pcs.push(pc);
    media.getTracks().forEach((t) => pc.addTrack(t, media));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const from = state.events.length;
    const configured = await message(handle, { request: "configure", audio: true, video: true },
      { type: "offer", sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription(configured.jsep);
    // a feed others can watch once Janus has its media
    await waitFor((e) => e.sender === handle && e.janus === "webrtcup", from);
    return id;
  }
  async function subscribe(room, feed) {
    const handle = await attach();
    const attached = await message(handle, { request: "join", ptype: "subscriber", room, streams: [{ feed }], token });
    if (!attached.jsep) throw new Error(JSON.stringify(attached.plugindata.data));
    const pc = new RTCPeerConnection();
    state.pcs.push(pc);
    state.subs[feed] = pc;
    await pc.setRemoteDescription(attached.jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await message(handle, { request: "start", room }, { type: "answer", sdp: pc.localDescription.sdp });
    return handle;
  }
  async function inbound() {
    // per feed watched: the bytes of audio and video received so far
    const totals = {};
    for (const [feed, pc] of Object.entries(state.subs)) {
      totals[feed] = { audio: 0, video: 0 };
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp") totals[feed][s.kind] += s.bytesReceived || 0;
      });
    }
    return totals;
  }
  return { start, subscribe, inbound, state };
})();
