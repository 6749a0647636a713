"""`samdrift meetings …`: the Janus media server behind SAFOS meetings and its rooms (issue 14,
ADR 0670).

samdrift meetings start [--port N] [--admin-port N] [--no-turn]   generate the configuration, start
                                  Janus and (where installed) coturn for TURN
samdrift meetings serve [--port N] [--admin-port N] [--no-turn]   the same in the foreground
samdrift meetings stop            stop the Janus and coturn this data folder started
samdrift meetings status          whether Janus answers, its version, the open rooms
samdrift meetings rooms [--ended] the rooms samdrift keeps (id, Janus room, class, mode, state)
samdrift meetings who ROOM        who is at the room's door and who Janus has in the room
samdrift meetings end ROOM        end the meeting for everyone (as the system; audited)
samdrift meetings sweep           remove expired tokens from Janus now

Messages are in Swedish and English.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import SYSTEM
from samdrift.core.engines import EngineError, serve_in_foreground
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import conf, engine, hls, janus, selectors, services, turn


class Command(BaseCommand):
    help = "Run the Janus media server behind SAFOS meetings and manage its rooms."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("start", "serve"):
            command = sub.add_parser(name)
            command.add_argument("--port", type=int, default=None)
            command.add_argument("--admin-port", type=int, default=None)
            command.add_argument("--no-turn", action="store_true")
        sub.add_parser("stop")
        sub.add_parser("status")
        sub.add_parser("sweep")
        rooms = sub.add_parser("rooms")
        rooms.add_argument("--ended", action="store_true")
        who = sub.add_parser("who")
        who.add_argument("room")
        end = sub.add_parser("end")
        end.add_argument("room")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except EngineError as error:
            raise CommandError(str(error)) from error
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _start(self, options: dict[str, Any]) -> None:
        state = engine.start(listen_port=options.get("port"), admin_port=options.get("admin_port"))
        self.stdout.write(f"Janus {state.version} on {state.url} (pid {state.pid})")
        if options.get("no_turn"):
            return
        if turn.binary() is None:
            self.stdout.write("coturn is not installed: no TURN / coturn saknas: ingen TURN")
            return
        self.stdout.write(f"TURN {turn.start()} (pid {turn.running()})")

    def _serve(self, options: dict[str, Any]) -> None:
        self._start(options)
        serve_in_foreground(lambda: bool(engine.status().pid), self._stop_both)
        self.stdout.write("Janus stopped / Janus stoppad")

    @staticmethod
    def _stop_both() -> bool:
        turn.stop()
        return engine.stop()

    def _stop(self, options: dict[str, Any]) -> None:
        stopped = self._stop_both()
        self.stdout.write(
            "Janus stopped / Janus stoppad"
            if stopped
            else "Janus was not running / Janus var inte igång"
        )

    def _status(self, options: dict[str, Any]) -> None:
        state = engine.status()
        if state.running:
            self.stdout.write(f"running: Janus {state.version} on {state.url} (pid {state.pid})")
        else:
            self.stdout.write(f"not running / inte igång ({state.url})")
        urls = conf.turn_urls()
        self.stdout.write(f"TURN: {', '.join(urls) or 'none / ingen'}")
        self.stdout.write(f"open rooms / öppna rum: {selectors.all_rooms().count()}")
        if not state.running:
            raise CommandError("Janus does not answer / Janus svarar inte")

    def _rooms(self, options: dict[str, Any]) -> None:
        for room in selectors.all_rooms(ended=options["ended"]):
            state = "ended" if room.ended_at else ("locked" if room.locked else "open")
            state += ", broadcasting" if room.broadcast_started_at else ""
            self.stdout.write(
                f"{room.id}\t{room.janus_room}\tclass {room.classification}\t{room.mode}\t"
                f"{state}\t{room.title}"
            )

    def _who(self, options: dict[str, Any]) -> None:
        access = selectors.room_get(actor=SYSTEM, room_id=options["room"])
        for admission in selectors.admission_list(room=access.room):
            guest = "\tguest" if admission.is_guest else ""
            self.stdout.write(
                f"{admission.id}\t{admission.user.get_username()}\t{admission.role}\t"
                f"{admission.state}{guest}"
            )
        room = access.room
        if room.broadcast_started_at is not None:
            packager = "running" if hls.running(room.janus_room) else "NOT running / stoppad"
            self.stdout.write(
                f"broadcast / sändning: {room.broadcast_feed} since "
                f"{room.broadcast_started_at.isoformat()}, ffmpeg {packager}"
            )
        if access.room.ended_at is None:
            try:
                present = janus.Client().participants(access.room.janus_room)
            except Exception as error:
                raise CommandError(f"Janus does not answer / Janus svarar inte: {error}") from error
            self.stdout.write(f"in Janus / i Janus: {len(present)}")
            for participant in present:
                self.stdout.write(f"  {participant.get('id')}\t{participant.get('display', '')}")

    def _end(self, options: dict[str, Any]) -> None:
        services.room_end(actor=SYSTEM, room_id=options["room"])
        self.stdout.write("ended / avslutat")

    def _sweep(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"removed / borttagna: {services.credentials_sweep()}")
