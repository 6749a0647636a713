"""Pages of the identity app for the shared axe-core check (demo data, demo admin logged in).

The demo admin logged in with a password holds no e-ID level, so the providers page shows the
step-up page instead: that page is checked through it as well as directly.
"""

from __future__ import annotations


def pages() -> list[str]:
    return [
        "/identity/login/?level=3&next=/identity/session/",
        "/identity/session/",
        "/identity/step-up/?level=3&next=/identity/session/",
        "/identity/access-requests/",
        "/identity/providers/",
    ]
