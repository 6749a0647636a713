"""Three editors whose updates reach the server and each other in any order, duplicated and
late, end with the same text, and the server's stored state (snapshot plus rows, compacted or
not) is that text too. Hypothesis draws the edits and the deliveries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from samdrift.coediting import selectors, services
from samdrift.coediting.models import LiveDoc, LiveUpdate

EDITS = st.lists(
    st.tuples(
        st.integers(0, 2),  # which editor
        st.sampled_from(["insert", "delete"]),
        st.integers(0, 1000),  # where (modulo the length)
        st.text("abcxyz ", min_size=1, max_size=4),  # ASCII: pycrdt indexes UTF-8 bytes
    ),
    min_size=1,
    max_size=25,
)


def text_of(update: bytes) -> str:
    doc = Doc()
    doc.apply_update(update)
    doc["default"] = text = Text()
    return str(text)


def _edit(text: Text, op: str, where: int, what: str) -> None:
    if op == "insert" or not len(text):
        text.insert(where % (len(text) + 1), what)
    else:
        start = where % len(text)
        del text[start : min(len(text), start + len(what))]


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS, order=st.randoms(use_true_random=False), compact_every=st.integers(1, 8))
def test_any_interleaving_converges(safos, note, edits, order, compact_every):
    LiveUpdate.objects.filter(doc=note).delete()
    LiveDoc.objects.filter(pk=note.pk).update(snapshot=b"", snapshot_upto=0)
    owner = safos.actor("owner")
    editors = []
    for _ in range(3):
        doc = Doc()
        doc["default"] = Text()
        editors.append(doc)
    inbox: list[list[bytes]] = [[], [], []]
    sent: list[bytes] = []
    for who, op, where, what in edits:
        doc = editors[who]
        before = doc.get_state()
        _edit(doc["default"], op, where, what)
        update = doc.get_update(before)
        sent.append(update)
        for other in range(3):
            if other != who:
                inbox[other].append(update)
        # An editor sometimes hears part of what others sent, in any order, some twice.
        listener = order.randrange(3)
        order.shuffle(inbox[listener])
        for heard in inbox[listener][: order.randrange(len(inbox[listener]) + 1)]:
            editors[listener].apply_update(heard)
    # The server accepts every update, in a shuffled order with repeats.
    deliveries = sent + order.sample(sent, k=len(sent) // 2)
    order.shuffle(deliveries)
    for n, update in enumerate(deliveries, start=1):
        services.update_accept(actor=owner, doc_id=note.id, generation=1, update=update)
        if n % compact_every == 0:
            services.compact(doc_id=note.id)
    for who in range(3):  # finally everyone hears everything
        for update in sent:
            editors[who].apply_update(update)
    texts = {str(doc["default"]) for doc in editors}
    assert len(texts) == 1
    state, _ = selectors.doc_state(doc_id=note.id)
    assert text_of(state) == texts.pop()
