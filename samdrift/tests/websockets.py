"""Channels' `WebsocketCommunicator` without daphne.

`channels.testing/__init__.py` imports `ChannelsLiveServerTestCase`, which needs daphne; samdrift
serves with uvicorn and does not install it. The communicator itself needs only asgiref, so its
modules are loaded under a package entry that skips that `__init__`; the names it would export
(except the daphne live server) are set on it so `from channels.testing import …` works too.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import channels

if "channels.testing" not in sys.modules:
    try:
        importlib.import_module("channels.testing")
    except ModuleNotFoundError as missing:
        if missing.name != "daphne":
            raise
        sys.modules.pop("channels.testing", None)
        package = types.ModuleType("channels.testing")
        package.__path__ = [str(Path(channels.__file__).parent / "testing")]
        sys.modules["channels.testing"] = package
        for module, name in [
            ("application", "ApplicationCommunicator"),
            ("http", "HttpCommunicator"),
            ("websocket", "WebsocketCommunicator"),
        ]:
            setattr(
                package,
                name,
                getattr(importlib.import_module(f"{package.__name__}.{module}"), name),
            )

WebsocketCommunicator = sys.modules["channels.testing"].WebsocketCommunicator
