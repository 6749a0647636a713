"""ASGI entry point (`samdrift serve`: gunicorn with uvicorn workers, ADR 0025).

HTTP goes to Django as before; the WebSocket `/ws/live/` carries live updates (ADR 0026). It is
authenticated by the session cookie and accepts only this site's own pages as origin, so another
site cannot open it with a visitor's cookie. Large request bodies reach the view while they
arrive (ADR 0050, `samdrift.core.streaming_body`). `/dav/` is the SAFOS workspaces over WebDAV,
a WSGI application (WsgiDAV) run by a2wsgi beside Django (ADRs 0613, 0616); `/caldav/` and
`/.well-known/caldav` are the SAFOS calendars over CalDAV, Radicale run the same way (ADR 0640).
`/ws/coedit/<id>` carries the Yjs updates of a live note or whiteboard (ADR 0681).
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from samdrift.core.streaming_body import get_streaming_asgi_application

django_application = get_streaming_asgi_application()  # sets Django up before the imports below

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from config.live import actor_for_scope  # noqa: E402
from samdrift.calendars.caldav.app import mount_caldav  # noqa: E402
from samdrift.coediting.consumer import CoeditConsumer  # noqa: E402
from samdrift.collaboration.webdav.app import mount_dav  # noqa: E402
from samdrift.core.live_consumer import LiveConsumer  # noqa: E402
from samdrift.core.request_limit import limit_request_size  # noqa: E402

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi(actor_for_scope=actor_for_scope)),
    # y-websocket appends the room to its URL without a slash (ADR 0681)
    path("ws/coedit/<int:doc_id>", CoeditConsumer.as_asgi(actor_for_scope=actor_for_scope)),
]

application = ProtocolTypeRouter(
    {
        # stops reading at the limit, WebDAV's PUT included
        "http": limit_request_size(mount_caldav(mount_dav(django_application))),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything loaded so far (Django, the apps, the engines' clients) lives as long as the process:
# moved out of the collector's sight, a full collection no longer walks it, which otherwise stalls
# every connection of the process for tens of milliseconds (ADR 0684).
gc.freeze()
