"""The checker page: a logged-in user uploads a PDF and reads the detailed report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views import View

from .forms import CheckForm
from .permissions import checker_abilities
from .report import build, error_text
from .services import check_pdf


class CheckView(LoginRequiredMixin, View):
    template_name = "accessibility/check.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CheckForm(), "nav": "accessibility"})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CheckForm(request.POST, request.FILES)
        context: dict[str, Any] = {"form": form, "nav": "accessibility"}
        if not checker_abilities(actor=getattr(request, "actor", None))["check"]:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = check_pdf(
                upload.read(), profile=form.cleaned_data["profile"], label=upload.name
            )
            lang = translation.get_language() or "sv"
            lang = "sv" if lang.startswith("sv") else "en"
            context["item"] = {
                "file": result,
                "report": None if result.error else build(result, lang),
                "error": error_text(result) if result.error else None,
            }
        status = 200 if form.is_valid() else 422
        return render(request, self.template_name, context, status=status)
