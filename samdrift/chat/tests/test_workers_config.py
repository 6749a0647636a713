"""Synapse's own workers in the generated configuration (ADR 0667; no Synapse needed here:
test_postgres_engine.py starts the real ones from this same configuration)."""

from __future__ import annotations

import json
import stat

import pytest

from samdrift.chat import homeserver


@pytest.fixture
def chat_dir(settings, tmp_path):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_SERVER_NAME = "chat.myndighet.se"
    settings.CHAT_APPSERVICE_URL = "http://127.0.0.1:9/chat/appservice"
    settings.CHAT_DATABASE_URL = "postgresql://synapse:hemligt@db.local:5433/synapse"
    settings.CHAT_REDIS_URL = "redis://:redishemlighet@redis.local:6380/3"
    settings.CHAT_REPLICATION_PORT = 9093
    return tmp_path / "chat"


def _read(path):
    return json.loads(path.read_text())


def test_no_workers_by_default_the_main_process_does_everything(chat_dir, settings):
    settings.CHAT_REDIS_URL = ""
    config = _read(homeserver.write_config(45678))
    assert [listener["port"] for listener in config["listeners"]] == [45678]
    for key in (
        "instance_map",
        "redis",
        "notify_appservices_from_worker",
        "federation_sender_instances",
        "pusher_instances",
        "run_background_tasks_on",
    ):
        assert key not in config, key  # fmt: skip
    assert not list((chat_dir / "workers").glob("*.yaml"))


def test_workers_take_the_background_work_and_replicate_over_redis(chat_dir, settings):
    settings.CHAT_WORKERS = "appservice, federation_sender:2, pusher, background"
    config = _read(homeserver.write_config(45678))

    client, replication = config["listeners"]
    assert client["resources"][0]["names"] == ["client"]
    assert (replication["port"], replication["bind_addresses"]) == (9093, ["127.0.0.1"])
    assert replication["resources"] == [{"names": ["replication"], "compress": False}]
    assert config["instance_map"] == {"main": {"host": "127.0.0.1", "port": 9093}}
    assert config["redis"] == {
        "enabled": True, "host": "redis.local", "port": 6380, "dbid": 3,
        "password": "redishemlighet",
    }  # fmt: skip
    assert config["worker_replication_secret"] == homeserver.secret("worker_replication_secret")
    assert config["notify_appservices_from_worker"] == "appservice1"
    assert config["federation_sender_instances"] == ["federation_sender1", "federation_sender2"]
    assert config["pusher_instances"] == ["pusher1"]
    assert config["run_background_tasks_on"] == "background1"

    names = ["appservice1", "background1", "federation_sender1", "federation_sender2", "pusher1"]
    assert sorted(p.stem for p in (chat_dir / "workers").glob("*.yaml")) == names
    worker = _read(chat_dir / "workers" / "appservice1.yaml")
    assert worker["worker_app"] == "synapse.app.generic_worker"
    assert worker["worker_name"] == "appservice1"
    [health] = worker["worker_listeners"]
    assert health["bind_addresses"] == ["127.0.0.1"]
    assert health["resources"] == [{"names": ["health"], "compress": False}]
    log = _read(chat_dir / "workers" / "appservice1.log.config")
    assert log["handlers"]["file"]["filename"] == str(chat_dir / "workers" / "appservice1.log")
    # The secrets stay in homeserver.yaml, which every worker reads first; every file, the
    # workers' folder and the secrets are the owner's only.
    assert "secret" not in json.dumps(worker) and "hemligt" not in json.dumps(worker)
    assert stat.S_IMODE((chat_dir / "workers").stat().st_mode) == 0o700
    for path in [chat_dir / "homeserver.yaml", *(chat_dir / "workers").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    # Fewer workers asked for: the files of the others go.
    settings.CHAT_WORKERS = "appservice"
    config = _read(homeserver.write_config(45678))
    assert [p.stem for p in (chat_dir / "workers").glob("*.yaml")] == ["appservice1"]
    assert "federation_sender_instances" not in config


def test_all_is_one_worker_of_each_kind(chat_dir, settings):
    settings.CHAT_WORKERS = ["all"]
    assert homeserver.worker_names() == [
        ("appservice1", "appservice"), ("federation_sender1", "federation_sender"),
        ("pusher1", "pusher"), ("background1", "background"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "english", "swedish"),
    [
        ({"CHAT_DATABASE_URL": ""}, "workers need PostgreSQL", "kräver PostgreSQL"),
        ({"CHAT_REDIS_URL": ""}, "replicate over Redis", "replikerar via Redis"),
        ({"CHAT_WORKERS": "appservice:2"}, "appservice:2 is no worker", "är ingen arbetsprocess"),
        ({"CHAT_WORKERS": "event_persister"}, "event_persister is no", "ange roller bland"),
    ],
)
def test_workers_on_sqlite_without_redis_or_unknown_are_refused_in_both_languages(
    chat_dir, settings, monkeypatch, changes, english, swedish
):
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings.CHAT_WORKERS = "all"
    for name, value in changes.items():
        setattr(settings, name, value)
    with pytest.raises(homeserver.HomeserverError) as refused:
        homeserver.write_config(45678)
    assert english in str(refused.value) and swedish in str(refused.value)
    assert not (chat_dir / "homeserver.yaml").exists()
