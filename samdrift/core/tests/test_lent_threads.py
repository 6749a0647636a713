"""Threads lent and kept (ADR 0669): a thread still busy is never lent again; a SHA-256 computed
beside the caller is the same SHA-256. (ASGI requests in kept threads:
`samdrift/ui/tests/test_kept_request_threads.py`.)"""

from __future__ import annotations

import hashlib
import os
import threading

from samdrift.core.lent_threads import LentThreads, ParallelSha256, stream_threads


def test_a_thread_still_working_is_not_lent_again():
    threads = LentThreads("test-lent")
    first = threads.borrow()
    release = threading.Event()
    first.submit(release.wait, 10)
    threads.give_back(first)  # its borrower is done, its work is not
    second = threads.borrow()
    assert second is not first
    release.set()
    threads.give_back(second)
    assert threads.borrow() is second  # an idle one is kept and lent again


def test_a_sha256_beside_the_caller_is_the_sha256_of_the_chunks_in_order():
    chunks = [os.urandom(n) for n in (1, 1024 * 1024, 7, 0, 3 * 1024 * 1024 + 5, 65536)]
    digest = ParallelSha256()
    for chunk in chunks:
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()
    # and its thread went back to be lent again
    lent = stream_threads.borrow()
    try:
        assert lent.idle
    finally:
        stream_threads.give_back(lent)


def test_a_sha256_of_nothing_borrows_no_thread():
    digest = ParallelSha256()
    assert digest.hexdigest() == hashlib.sha256(b"").hexdigest()
