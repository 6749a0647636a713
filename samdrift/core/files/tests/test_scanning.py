"""Malware scanning against a real clamd (started for this test session with our own EICAR
signatures, on a Unix socket and a TCP port of its own)."""

from __future__ import annotations

import io
import os
import socket
import threading

import pytest
from django.utils import translation

from samdrift.core.files import scanning
from samdrift.core.files.scanning import (
    ClamdClient,
    MalwareFound,
    ScanResult,
    ScanUnavailable,
    parse_reply,
    require_clean,
    scan,
)

from .clamd import EICAR, SIGNATURE_BODY, SIGNATURE_FILE, ensure_installed, running_clamd


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    if ensure_installed() is None:
        pytest.skip(
            "!!! clamd (Debian: clamav-daemon) IS NOT INSTALLED and could not be installed "
            "(not root?): the malware-scanning tests did NOT run. Run scripts/ensure-clamav.sh."
        )
    # A short Unix socket path: sun_path is at most 107 bytes.
    directory = tmp_path_factory.mktemp("clamd")
    with running_clamd(directory) as server:
        yield server


@pytest.fixture(params=["unix", "tcp"])
def client(request, clamd):
    address = clamd.unix_address if request.param == "unix" else clamd.tcp_address
    return ClamdClient(address, timeout=30)


def test_clean_file(client):
    data = "Ett helt vanligt dokument om årsredovisning.\n".encode() * 1000
    assert client.scan_stream(io.BytesIO(data)) == ScanResult("clean")


def test_the_eicar_file_is_found(client):
    result = client.scan_stream(io.BytesIO(EICAR))
    assert result.status == "infected"
    # both of our signatures match the bare file; clamd names the first it finds
    assert result.signature in {f"{SIGNATURE_FILE}.UNOFFICIAL", f"{SIGNATURE_BODY}.UNOFFICIAL"}


def test_eicar_inside_a_larger_file_across_chunk_borders(client):
    # The signature straddles the 64 KiB chunk border of INSTREAM: clamd joins the chunks.
    data = os.urandom(scanning.CHUNK - 20) + EICAR + os.urandom(200_000)
    result = client.scan_stream(io.BytesIO(data))
    assert result.status == "infected"
    assert result.signature == f"{SIGNATURE_BODY}.UNOFFICIAL"


def test_over_clamds_stream_limit_is_an_error_not_clean(client):
    result = client.scan_stream(io.BytesIO(b"\0" * (9 * 1024 * 1024)))
    assert result.status == "error"
    assert result.signature == ""


def test_ping_and_version(client):
    assert client.ping() is True
    assert client.version().startswith("ClamAV ")


def test_concurrent_scans(clamd):
    client = ClamdClient(clamd.unix_address, timeout=30)
    results: dict[int, ScanResult] = {}

    def run(number: int) -> None:
        payload = EICAR if number % 2 else b"rent innehall " * 5000
        results[number] = client.scan_stream(io.BytesIO(payload))

    threads = [threading.Thread(target=run, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert {n: r.status for n, r in results.items()} == {
        n: ("infected" if n % 2 else "clean") for n in range(6)
    }


def test_require_clean_passes_a_clean_file_and_rewinds_it(settings, clamd):
    settings.SAMDRIFT_CLAMD = clamd.unix_address
    stream = io.BytesIO(b"head" + b"x" * 1000)
    stream.seek(4)
    assert require_clean(stream).clean is True
    assert stream.tell() == 4


def test_require_clean_refuses_malware_in_both_languages(settings, clamd):
    settings.SAMDRIFT_CLAMD = clamd.tcp_address
    with pytest.raises(MalwareFound) as caught:
        require_clean(io.BytesIO(EICAR))
    assert caught.value.code == "malware_found"
    assert caught.value.http_status == 422
    assert caught.value.signature.startswith("Samdrift.Test.EICAR.")
    with translation.override("sv"):
        assert str(caught.value) == (
            "Filen avvisades: virusskannern hittade skadligt innehåll i den."
        )
    with translation.override("en"):
        assert str(caught.value) == (
            "The file was refused: the virus scanner found malicious content in it."
        )


def _dead_unix_address(tmp_path) -> str:
    path = tmp_path / "nobody.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))  # bound, never listening: connecting is refused
    return f"unix://{path}"


def test_an_unreachable_clamd_fails_closed(settings, tmp_path):
    settings.SAMDRIFT_CLAMD = _dead_unix_address(tmp_path)
    result = scan(io.BytesIO(EICAR))
    assert result.status == "error"
    assert "ConnectionRefusedError" in result.detail or "FileNotFound" in result.detail
    with pytest.raises(ScanUnavailable) as caught:
        require_clean(io.BytesIO(b"anything"))
    assert caught.value.http_status == 503
    with translation.override("sv"):
        assert str(caught.value) == (
            "Filen kunde inte kontrolleras mot virus just nu. Försök igen om en stund."
        )


def test_switched_off_is_never_clean(settings):
    settings.SAMDRIFT_CLAMD = ""
    assert scan(io.BytesIO(b"x")).status == "error"
    settings.SAMDRIFT_CLAMD_REQUIRED = False
    assert require_clean(io.BytesIO(b"x")).status == "error"  # development: let through, said
    settings.SAMDRIFT_CLAMD_REQUIRED = True
    with pytest.raises(ScanUnavailable):
        require_clean(io.BytesIO(b"x"))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("stream: OK", ScanResult("clean")),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", ScanResult("infected", "Win.Test.EICAR_HDB-1")),
        (
            "INSTREAM size limit exceeded. ERROR",
            ScanResult("error", detail="INSTREAM size limit exceeded. ERROR"),
        ),
        ("", ScanResult("error", detail="no answer from clamd")),
        ("UNKNOWN COMMAND", ScanResult("error", detail="UNKNOWN COMMAND")),
        (  # not scanned whole (AlertExceedsMax): neither clean nor infected
            "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND",
            ScanResult(
                "error",
                detail="clamd's scan limits were exceeded: Heuristics.Limits.Exceeded.MaxFileSize",
            ),
        ),
    ],
)
def test_parse_reply(answer, expected):
    assert parse_reply(answer) == expected


@pytest.mark.parametrize("address", ["", "http://x", "tcp://host", "unix://", "clamd.sock"])
def test_bad_addresses_are_refused(address):
    with pytest.raises(ValueError, match="SAMDRIFT_CLAMD"):
        ClamdClient(address)
