"""The management commands' `--as USER` (every app's CLI): one option, one lookup, one refusal.

Without `--as` a command acts as the system; with it, as that user's actor (whatever the account's
roles allow, nothing more). A name that is no account is refused in Swedish and English before
the command does anything."""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import CommandError

from samdrift.core.actor import SYSTEM, Actor

from .selectors import actor_for_username


def add_as_option(parser: ArgumentParser) -> None:
    """`--as USERNAME`, read back with `actor_from_option(options["username"])`."""
    parser.add_argument(
        "--as", dest="username", default=None, help="act as this user instead of the system"
    )


def actor_from_option(username: str | None) -> Actor:
    """The system without `--as`, else the named user's actor; an unknown (or empty) name is a
    `CommandError` in both languages, never the system."""
    if username is None:
        return SYSTEM
    actor = actor_for_username(username)
    if actor is None:
        raise CommandError(f"okänd användare / unknown user: {username}")
    return actor
