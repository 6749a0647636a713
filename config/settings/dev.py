"""Development and demo: embedded defaults, local login on."""

import os

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = True
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Malware scanning (ADR 0085): off unless SAMDRIFT_CLAMD names a running clamd, so `make run` and
# the demo work without one; production (base) asks Debian's clamd socket and fails closed.
SAMDRIFT_CLAMD = os.environ.get("SAMDRIFT_CLAMD", "")
