// A webinar's broadcast for its viewers (issue 14, ADR 0970): hls.js plays the HLS playlist
// samdrift serves to the room's admitted people only, at an address signed for each. Its
// own bundle, loaded on webinar pages only. The light build: no subtitles, alternate audio or
// DRM, none of which a webinar's broadcast has. No worker: the page's CSP allows no blob: script.
import Hls from "hls.js/dist/hls.light.mjs";

// Starts `video` playing the playlist at `address()`; returns a function that stops it. The
// playlist's address is signed for a few minutes and the page's poll keeps a fresh one:
// every reload asks `address()` again.
function play(video, address, onTrouble) {
  if (Hls.isSupported()) {
    const hls = new Hls({
      enableWorker: false,
      liveSyncDurationCount: 2,
      xhrSetup(xhr, url) {
        if (new URL(url, location.href).pathname.endsWith("/index.m3u8")) {
          xhr.open("GET", address(), true);
        }
      },
    });
    hls.on(Hls.Events.ERROR, (_, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else onTrouble?.(data.details);
    });
    hls.loadSource(address());
    hls.attachMedia(video);
    return () => hls.destroy();
  }
  video.src = address(); // a browser that plays HLS itself
  return () => video.removeAttribute("src");
}

window.samdriftBroadcast = { play };
