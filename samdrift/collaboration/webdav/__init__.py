"""Desktop access to SAFOS workspaces over WebDAV at `/dav/` (issue 11 item 7, ADRs 0613–0616).

WsgiDAV serves the protocol; `provider` maps its resources onto collaboration's selectors and
services; `app` authenticates with app passwords and mounts the WSGI application in the ASGI one.
"""
