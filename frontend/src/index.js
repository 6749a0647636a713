// samdrift's one bundled script (ADR 0029). Loaded with `defer`, so the document is parsed.
import { startBoard } from "./board.js";
import { startLive } from "./live.js";

startLive(document, window);
startBoard(document);
