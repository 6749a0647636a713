"""The `samdrift` command: Django's management commands under one friendly name.

`samdrift serve`, `samdrift demo`, `samdrift import-agencies FILE`, `samdrift report demand …`;
every other Django command (migrate, createsuperuser…) works too.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import-agencies": "import_agencies"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["samdrift", *args[1:]])


if __name__ == "__main__":
    main()
