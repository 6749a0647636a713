"""Production settings for `bench_documents.py`'s served samdrift, plus where the bench's own
clamd listens (production reads no SAMDRIFT_CLAMD from the environment; Debian's socket path is
its default, and the bench must not take over a system path)."""

import os

from config.settings.prod import *  # noqa: F403

SAMDRIFT_CLAMD = os.environ["BENCH_DOCUMENTS_CLAMD_ADDRESS"]
