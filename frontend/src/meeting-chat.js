// The workspace's conversation beside a meeting's video (ADR 0656): a client of chat's API, so
// chat's rules hold here as on the chat page. The room's description says first whether the
// caller chats and writes there: a workspace without a room, or someone outside its chat, gets
// no panel and no further request; a reader gets the list without the form. Messages are put
// in as text, never as markup. New messages come by the live channel (the topic
// `chat:<workspace>`, ADR 0656): the list is fetched again when the topic says so; while the
// channel is down it is polled instead, and fetched once more when the channel is back.
const POLL_MS = 4000;
// After a live event the list is fetched at once and once more a little later: the homeserver
// may not yet list a message it has just stored, and a fetch may fail for a moment.
const SETTLE_MS = 2000;
const SOCKET_PATH = "/ws/live/";
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

function csrf() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export class MeetingChat {
  constructor(section) {
    this.section = section;
    this.api = section.dataset.api;
    this.roomApi = section.dataset.room;
    this.readOnly = section.querySelector(".chat-read-only");
    this.list = section.querySelector("ol");
    this.form = section.querySelector("form");
    this.text = section.querySelector("textarea");
    this.error = section.querySelector(".field-error");
    this.status = section.querySelector("[role=status]");
    this.timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "sv", {
      hour: "2-digit",
      minute: "2-digit",
    });
    this.shown = 0;
    this.topic = section.dataset.topic;
    this.attempt = 0;
  }

  async start() {
    const room = await fetch(this.roomApi, { headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : null))
      .catch(() => null);
    if (!room || !room.can_chat) return;
    this.form.hidden = !room.can_write;
    this.readOnly.hidden = room.can_write;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    await this.refresh();
    this.follow();
  }

  // While the channel is down, poll; subscribed, stop polling and fetch what was missed.
  setLive(state) {
    this.section.dataset.liveState = state;
    clearInterval(this.timer);
    this.timer = null;
    if (state !== "subscribed" && !this.stopped) {
      this.timer = setInterval(() => {
        if (document.visibilityState === "visible") this.refresh();
      }, POLL_MS);
    }
  }

  follow() {
    if (!this.topic || !("WebSocket" in window)) {
      this.setLive("offline");
      return;
    }
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${SOCKET_PATH}`);
    this.socket = socket;
    socket.addEventListener("open", () => socket.send(JSON.stringify({ subscribe: this.topic })));
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.subscribed === this.topic) {
        this.attempt = 0;
        this.setLive("subscribed");
        this.refresh();
      } else if (frame.error && frame.topic === this.topic) {
        this.setLive("refused");
        socket.close();
      } else if (frame.topic === this.topic && frame.event) {
        this.refresh();
        this.settle();
      }
    });
    socket.addEventListener("close", () => {
      if (this.stopped || this.section.dataset.liveState === "refused") return;
      this.setLive("offline");
      const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.follow(), wait);
    });
  }

  settle(wait = SETTLE_MS) {
    if (this.settling) return;
    this.settling = setTimeout(() => {
      this.settling = null;
      this.refresh();
    }, wait);
  }

  async refresh() {
    let answer;
    try {
      answer = await fetch(this.api, { headers: { Accept: "application/json" } });
    } catch {
      if (this.section.dataset.liveState === "subscribed") this.settle(POLL_MS); // not polled: again
      return;
    }
    if (answer.status === 403 || answer.status === 404) {
      this.section.hidden = true;
      this.stopped = true;
      clearInterval(this.timer);
      this.socket?.close();
      return;
    }
    if (!answer.ok) {
      this.status.textContent = (await answer.json().catch(() => ({}))).message || "";
      if (this.section.dataset.liveState === "subscribed") this.settle(POLL_MS); // not polled: again
      return;
    }
    this.render(await answer.json());
    this.section.hidden = false;
  }

  render(messages) {
    const items = messages.map((message) => {
      const item = document.createElement("li");
      if (message.mine) item.className = "chat-log__mine";
      const meta = document.createElement("p");
      meta.className = "chat-log__meta";
      const who = document.createElement("strong");
      who.textContent = message.sender;
      const when = document.createElement("time");
      when.dateTime = message.sent_at;
      when.textContent = this.timeFormat.format(new Date(message.sent_at));
      meta.append(who, " ", when);
      if (message.reply_to) {
        const reply = document.createElement("span");
        reply.className = "chat-log__reply";
        reply.textContent = (this.section.dataset.replyTo || "{n}").replace("{n}", message.reply_to);
        meta.append(" ", reply);
      }
      if (message.thread_of) {
        const thread = document.createElement("span");
        thread.className = "chat-log__reply";
        thread.textContent = (this.section.dataset.threadOf || "{n}").replace("{n}", message.thread_of);
        meta.append(" ", thread);
      }
      if (message.edited) {
        const edited = document.createElement("span");
        edited.className = "chat-log__edited";
        edited.textContent = this.section.dataset.edited || "";
        meta.append(" ", edited);
      }
      const text = document.createElement("p");
      text.className = "chat-log__text";
      text.textContent = message.text;
      item.append(meta, text);
      if (message.reactions && message.reactions.length) {
        const reactions = document.createElement("ul");
        reactions.className = "chat-log__reactions";
        reactions.setAttribute("aria-label", this.section.dataset.reactions || "");
        for (const reaction of message.reactions) {
          const one = document.createElement("li");
          one.textContent = `${reaction.key} ${reaction.count}`;
          reactions.append(one);
        }
        item.append(reactions);
      }
      return item;
    });
    this.list.replaceChildren(...items);
    // Only what is new is announced, not the whole list on every fetch.
    if (this.shown && messages.length > this.shown) {
      const latest = messages[messages.length - 1];
      this.status.textContent = `${latest.sender}: ${latest.text}`;
    }
    this.shown = messages.length;
  }

  async send() {
    const answer = await fetch(this.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ text: this.text.value }),
    }).catch(() => null);
    if (answer && answer.status === 201) {
      this.text.value = "";
      this.text.removeAttribute("aria-invalid");
      this.error.hidden = true;
      await this.refresh();
      return;
    }
    const body = answer ? await answer.json().catch(() => ({})) : {};
    this.error.textContent = body.message || this.section.dataset.failed;
    this.error.hidden = false;
    this.text.setAttribute("aria-invalid", "true");
    this.text.focus();
  }
}

export function startMeetingChat() {
  const section = document.getElementById("meeting-chat");
  if (!section || !section.dataset.api) return null;
  const chat = new MeetingChat(section);
  chat.start();
  return chat;
}
