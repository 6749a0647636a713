// samdrift's one bundled script (ADR 0029). Loaded with `defer`, so the document is parsed.
import { startLive } from "./live.js";

startLive(document, window);
