from django.urls import include, path

from config.api import api

# samdrift's own error pages; the API keeps its JSON body (ADR 0700).
handler400 = "samdrift.ui.errors.bad_request"
handler403 = "samdrift.ui.errors.permission_denied"
handler404 = "samdrift.ui.errors.page_not_found"
handler500 = "samdrift.ui.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("samdrift.accounts.urls")),
    path("agencies/", include("samdrift.ui.agencies.urls")),  # pages combining apps: ui
    path("catalogue/", include("samdrift.ui.catalogue.urls")),
    path("connections/", include("samdrift.onboarding.urls")),
    path("identity/", include("samdrift.identity.urls")),
    path("efos/", include("samdrift.efos.urls")),
    path("collaboration/", include("samdrift.collaboration.urls")),
    path("chat/", include("samdrift.chat.urls")),
    path("calendars/", include("samdrift.calendars.urls")),
    path("live/", include("samdrift.coediting.urls")),
    path("meetings/", include("samdrift.meetings.urls")),
    path("operations/", include("samdrift.operations.urls")),
    path("continuity/", include("samdrift.continuity.urls")),
    path("security/", include("samdrift.security.urls")),
    path("cooperation/", include("samdrift.cooperation.urls")),
    path("billing/", include("samdrift.billing.urls")),
    path("accessibility/", include("samdrift.accessibility.urls")),
    path("reports/", include("samdrift.reporting.urls")),
    path("inbox/", include("samdrift.core.notifications.urls")),
    path("audit/", include("samdrift.audit.urls")),
    path("jobs/", include("samdrift.core.jobs.urls")),
    path("", include("samdrift.ui.urls")),
]
