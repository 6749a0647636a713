import datetime as dt

import pytest

from samdrift.operations.deadlines import add_months, compute

UTC = dt.UTC
AWARE = dt.datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


def by_key(deadlines):
    return {d.key: d for d in deadlines}


def test_cert_se_six_hours_and_four_weeks():
    got = by_key(compute(aware_at=AWARE, now=AWARE, regimes=["cert-se"]))
    assert got["cert-se/first"].due_at == AWARE + dt.timedelta(hours=6)
    assert got["cert-se/final"].due_at == AWARE + dt.timedelta(weeks=4)
    assert got["cert-se/first"].status == "open"
    assert "what" in [item.key for item in got["cert-se/first"].checklist]


def test_nis2_final_waits_for_notification_then_one_month():
    got = by_key(compute(aware_at=AWARE, now=AWARE, regimes=["nis2"]))
    assert got["nis2/early-warning"].due_at == AWARE + dt.timedelta(hours=24)
    assert got["nis2/notification"].due_at == AWARE + dt.timedelta(hours=72)
    assert got["nis2/final"].due_at is None and got["nis2/final"].status == "waiting"
    notified = AWARE + dt.timedelta(hours=70)
    got = by_key(
        compute(aware_at=AWARE, now=notified, regimes=["nis2"], met={"nis2/notification": notified})
    )
    assert got["nis2/notification"].status == "met"
    assert got["nis2/final"].due_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def test_overdue_and_late():
    later = AWARE + dt.timedelta(hours=7)
    got = by_key(compute(aware_at=AWARE, now=later, regimes=["cert-se"]))
    assert got["cert-se/first"].status == "overdue"
    got = by_key(
        compute(aware_at=AWARE, now=later, regimes=["cert-se"], met={"cert-se/first": later})
    )
    assert got["cert-se/first"].status == "late"


def test_gdpr_processor_notice_per_customer_within_the_providers_own_target():
    got = by_key(compute(aware_at=AWARE, now=AWARE, regimes=["gdpr-33"], customers=[3, 1, 3]))
    assert got["gdpr-33/controller"].due_at == AWARE + dt.timedelta(hours=72)
    # "Without undue delay": the data's own target, 24 h (ADR 0844), not a law's number.
    assert got["gdpr-33/processor-notice:1"].due_at == AWARE + dt.timedelta(hours=24)
    assert got["gdpr-33/processor-notice:3"].customer_id == 3
    assert len(got) == 3


def test_add_months_clamps_to_month_end():
    assert add_months(dt.datetime(2026, 1, 31, tzinfo=UTC), 1) == dt.datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert add_months(dt.datetime(2026, 12, 15, tzinfo=UTC), 1) == dt.datetime(
        2027, 1, 15, tzinfo=UTC
    )


def test_bad_input_refused():
    with pytest.raises(ValueError, match="okänd"):
        compute(aware_at=AWARE, now=AWARE, regimes=["nope"])
    with pytest.raises(ValueError, match="tidszon"):
        compute(aware_at=AWARE.replace(tzinfo=None), now=AWARE, regimes=["nis2"])
