"""The one PDF renderer (ADR 0090): title, language and kind are required and end up in the PDF,
the language wins over what a template wrote, and rendering fetches nothing."""

from __future__ import annotations

import http.server
import io
import threading

import pikepdf
import pytest

from samdrift.core import pdf

HTML = '<!DOCTYPE html><html lang="sv"><head><title>Mall</title></head><body><h1>Rubrik</h1>{}</body></html>'


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def test_title_language_and_tags_are_set_whatever_the_template_wrote():
    data = pdf.render_html(HTML.format(""), kind="core.test", language="en", title="The title")
    with _open(data) as doc:
        assert str(doc.Root.Lang) == "en"
        assert str(doc.docinfo.Title) == "The title"
        assert str(doc.open_metadata()["dc:title"]) == "The title"
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert doc.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in doc.Root
        assert "samdrift (core.test)" in str(doc.docinfo.Creator)


def test_with_language_replaces_or_adds_the_root_lang():
    assert pdf.with_language('<html lang="sv"><p lang="en">x</p>', "en") == (
        '<html lang="en"><p lang="en">x</p>'
    )
    assert pdf.with_language("<HTML class=a>", "sv") == '<html lang="sv" class=a>'
    with pytest.raises(pdf.PdfRenderError):
        pdf.with_language("<p>no root</p>", "sv")


@pytest.mark.parametrize(
    ("kind", "language", "title"),
    [("core.test", "sv", " "), ("core.test", "de", "T"), ("Core Test", "sv", "T")],
)
def test_missing_title_unknown_language_or_bad_kind_is_refused(kind, language, title):
    with pytest.raises(pdf.PdfRenderError):
        pdf.render_html(HTML.format(""), kind=kind, language=language, title=title)


def test_rendering_fetches_no_url(tmp_path):
    """An address in the HTML (say from text that reached a template unescaped) is not requested."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        secret = tmp_path / "secret.css"
        secret.write_text("h1 { color: red }")
        url = f"http://127.0.0.1:{server.server_port}/x.png"
        body = f'<img src="{url}" alt="x"><link rel="stylesheet" href="file://{secret}">'
        pdf.render_html(HTML.format(body), kind="core.test", language="sv", title="T")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert hits == []


def test_template_gets_language_and_title(settings):
    template = (
        '<html lang="{{ document_language }}"><head><title>{{ document_title }}</title></head>'
        "<body><h1>{{ document_title }}</h1><p>{{ text }}</p></body></html>"
    )
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"t.html": template})]
            },
        }
    ]
    data = pdf.render("t.html", {"text": "<b>x</b>"}, kind="core.test", language="sv", title="Från")
    with _open(data) as doc:
        assert str(doc.docinfo.Title) == "Från"
        assert str(doc.Root.Lang) == "sv"
