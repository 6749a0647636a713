"""The Synapse homeserver samdrift runs and controls (issue 13, ADR 0650).

`write_config()` generates `homeserver.yaml` (JSON, which YAML reads), the log configuration and the
application-service registration from samdrift's settings; the signing key and the secrets are
made once in the chat folder, owner-only, like the audit key. `start()` / `stop()` / `status()`
run Synapse from its own virtual environment as a child process whose id is kept in a pid file.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from samdrift.core import engines
from samdrift.core.engines import EngineError, free_port, running_pid, write_private

from . import conf

APPSERVICE_ID = "samdrift"
SSO_CLIENT_ID = "synapse"  # the homeserver as a client of samdrift's OpenID provider
SECRET_NAMES = (
    "as_token",
    "hs_token",
    "macaroon_secret_key",
    "form_secret",
    "worker_replication_secret",  # between the main process and its workers (ADR 0667)
    "registration_shared_secret",  # the archivist's admin account only (ADR 0655)
    "sso_client_secret",  # Synapse's secret at samdrift's OpenID provider (ADR 0657)
    "room_policy_secret",  # the room-entry module's secret at samdrift (ADR 0666)
)
#: The folder of the Synapse modules samdrift ships (on Synapse's PYTHONPATH, ADR 0666).
MODULES_DIR = Path(__file__).resolve().parent / "synapse_modules"


#: What `start()` raises when Synapse is missing, stops at start or does not answer.
HomeserverError = EngineError


def secret(name: str) -> str:
    """One of the homeserver's secrets (made once, kept in the chat folder, never in git)."""
    if name not in SECRET_NAMES:
        raise KeyError(name)
    path = conf.chat_dir() / "secrets" / name
    if not path.exists():
        write_private(path, secrets.token_urlsafe(48) + "\n")
    return path.read_text().strip()


def signing_key_path() -> Path:
    """Synapse's ed25519 signing key (`ed25519 <key id> <unpadded base64 seed>`), made once."""
    path = conf.chat_dir() / "signing.key"
    if not path.exists():
        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        key_id = "a_" + secrets.token_hex(2)
        encoded = base64.b64encode(seed).decode().rstrip("=")
        write_private(path, f"ed25519 {key_id} {encoded}\n")
    return path


def server_host(name: str) -> str:
    """The host of a Matrix server name (`host[:port]`, an IPv6 literal in brackets)."""
    if name.startswith("["):
        return name[1 : name.index("]")]
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


def _loopback(name: str) -> bool:
    """Whether a server name is `localhost` with an explicit port (`localhost:8448`): reached
    directly on the loopback, with no well-known or SRV look-up. (An IP-literal name such as
    `127.0.0.1:8448` is no use: Synapse refuses private addresses named in a server name
    whatever `ip_range_whitelist` allows; a name it resolves is checked against that list.)"""
    return server_host(name) == "localhost" and name != "localhost"


def _names_host(path: Path, host: str) -> bool:
    """Whether the certificate at `path` is still valid for a day and names `host`."""
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    if cert.not_valid_after_utc < dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        return False
    try:
        return ipaddress.ip_address(host) in names.get_values_for_type(x509.IPAddress)
    except ValueError:
        return host in names.get_values_for_type(x509.DNSName)


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed TLS certificate for `host` and its key (owner-only) in `folder`, made once
    and again when it no longer names the host or is about to expire. For development and the
    loopback tests: a server that verifies certificates refuses it (ADR 0665)."""
    cert_path, key_path = folder / "federation-tls.crt", folder / "federation-tls.key"
    if key_path.exists() and _names_host(cert_path, host):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName]
    try:
        alt = [x509.IPAddress(ipaddress.ip_address(host))]
    except ValueError:
        alt = [x509.DNSName(host)]
    if host == "localhost":
        alt += [x509.IPAddress(ipaddress.ip_address(a)) for a in ("127.0.0.1", "::1")]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    spare = folder / f".{key_path.name}.{secrets.token_hex(4)}"
    write_private(spare, pem_key)
    os.replace(spare, key_path)
    cert_path.write_bytes(cert.public_bytes(Encoding.PEM))
    return cert_path, key_path


def _federation(listen_port: int, whitelist: list[str]) -> dict[str, Any]:
    """The federation listener (TLS) and the TLS options, when anyone is on the allow-list."""
    if not whitelist:
        return {}
    port = conf.federation_port()
    if port == listen_port:
        raise HomeserverError(
            f"CHAT_FEDERATION_PORT ({port}) must differ from the client port / "
            f"CHAT_FEDERATION_PORT ({port}) måste skilja sig från klientporten"
        )
    cert, key = conf.federation_tls_certificate(), conf.federation_tls_key()
    if bool(cert) != bool(key):
        raise HomeserverError(
            "Set both CHAT_FEDERATION_TLS_CERTIFICATE and CHAT_FEDERATION_TLS_KEY, or neither / "
            "Ange både CHAT_FEDERATION_TLS_CERTIFICATE och CHAT_FEDERATION_TLS_KEY, eller ingen"
        )
    if not cert:
        made = self_signed_certificate(conf.chat_dir(), server_host(conf.server_name()))
        cert, key = str(made[0]), str(made[1])
    options: dict[str, Any] = {
        "tls_certificate_path": cert,
        "tls_private_key_path": key,
        "federation_verify_certificates": True,
        "federation_client_minimum_tls_version": "1.2",
    }
    if conf.federation_ca_files():
        options["federation_custom_ca_list"] = conf.federation_ca_files()
    if conf.federation_loopback_insecure_tls():
        elsewhere = [n for n in [conf.server_name(), *whitelist] if not _loopback(n)]
        if elsewhere:
            raise HomeserverError(
                "CHAT_FEDERATION_LOOPBACK_INSECURE_TLS is for servers named localhost:<port> "
                f"only, not {', '.join(elsewhere)} / CHAT_FEDERATION_LOOPBACK_INSECURE_TLS "
                f"gäller bara servrar som heter localhost:<port>, inte {', '.join(elsewhere)}"
            )
        options["federation_verify_certificates"] = False
        # Synapse sends federation traffic to no private address unless allowed here.
        options["ip_range_whitelist"] = ["127.0.0.1", "::1"]
    listener = {
        "port": port,
        "bind_addresses": conf.federation_bind_addresses(),
        "type": "http",
        "tls": True,
        "x_forwarded": False,
        "resources": [{"names": ["federation"], "compress": False}],
    }
    return {"listener": listener, "options": options}


def _database(folder: Path) -> dict[str, Any]:
    url = conf.database_url()
    if not url:
        return {"name": "sqlite3", "args": {"database": str(folder / "homeserver.db")}}
    parts = urlparse(url)
    return {
        "name": "psycopg2",
        "args": {
            "user": parts.username or "",
            "password": parts.password or "",
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "database": parts.path.lstrip("/"),
            "cp_min": 1,
            "cp_max": 10,
        },
    }


#: What Synapse demands of a PostgreSQL database; it refuses any other at start (ADR 0667).
_CREATE = "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"


def ensure_database() -> str:
    """On PostgreSQL, the homeserver's database as Synapse needs it (ADR 0667): made when it is
    missing (UTF8, collation and character type C, from template0; the role needs CREATEDB),
    refused with what to do when it exists with another encoding or locale. Returns "created",
    "exists", or "" on SQLite."""
    if not conf.database_url():
        return ""
    import psycopg
    from psycopg import sql

    args = _database(conf.chat_dir())["args"]
    name = str(args["database"])
    where = {
        "host": args["host"], "port": args["port"], "user": args["user"] or None,
        "password": args["password"] or None, "connect_timeout": 5,
    }  # fmt: skip
    create = _CREATE.format(f'"{name}"')
    query = (
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
        "WHERE datname = %s"
    )
    try:
        try:
            with psycopg.connect(dbname=name, **where) as db:
                row = db.execute(query, [name]).fetchone()
        except psycopg.OperationalError:  # missing, or not reachable: ask the server's own
            with psycopg.connect(dbname="postgres", autocommit=True, **where) as db:
                row = db.execute(query, [name]).fetchone()
                if row is not None:
                    raise
                try:
                    db.execute(sql.SQL(_CREATE).format(sql.Identifier(name)))
                except psycopg.Error as error:
                    raise HomeserverError(
                        f"The homeserver's database {name} is missing and could not be made "
                        f"({error}); make it as a role that may: {create} / Matrix-serverns "
                        f"databas {name} saknas och kunde inte skapas ({error}); skapa den som "
                        f"en roll som får: {create}"
                    ) from error
                return "created"
    except psycopg.Error as error:
        raise HomeserverError(
            f"The homeserver's PostgreSQL (CHAT_DATABASE_URL) does not answer: {error} / "
            f"Matrix-serverns PostgreSQL (CHAT_DATABASE_URL) svarar inte: {error}"
        ) from error
    encoding, collation, ctype = row or ("", "", "")
    if (encoding, collation, ctype) != ("UTF8", "C", "C"):
        raise HomeserverError(
            f"The homeserver's database {name} has encoding {encoding}, collation {collation} "
            f"and character type {ctype}; Synapse needs UTF8 with collation and character type "
            f"C. Make a new database ({create}) and point CHAT_DATABASE_URL at it, or drop this "
            f"one if it is empty and run `samdrift chat start` again / Matrix-serverns databas "
            f"{name} har teckenkodning {encoding}, sortering {collation} och teckentyp {ctype}; "
            f"Synapse kräver UTF8 med sortering och teckentyp C. Skapa en ny databas ({create}) "
            f"och låt CHAT_DATABASE_URL peka på den, eller ta bort den här om den är tom och "
            f"kör `samdrift chat start` igen"
        )
    return "exists"


def worker_names() -> list[tuple[str, str]]:
    """(name, role) of each Synapse worker the settings ask for, e.g. `("pusher2", "pusher")`."""
    try:
        wanted = conf.workers()
    except ValueError as wrong:
        roles = ", ".join(conf.WORKER_ROLES)
        raise HomeserverError(
            f"CHAT_WORKERS: {wrong} is no worker; name roles among {roles} (a count after a "
            f"colon for federation_sender and pusher), or all / CHAT_WORKERS: {wrong} är ingen "
            f"arbetsprocess; ange roller bland {roles} (ett antal efter kolon för "
            f"federation_sender och pusher), eller all"
        ) from wrong
    return [(f"{role}{n}", role) for role, count in wanted.items() for n in range(1, count + 1)]


def _redis() -> dict[str, Any]:
    url = conf.redis_url()
    parts = urlparse(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise HomeserverError(
            "Synapse's workers replicate over Redis: set REDIS_URL or CHAT_REDIS_URL "
            "(redis://host:port/db) / Synapses arbetsprocesser replikerar via Redis: ange "
            "REDIS_URL eller CHAT_REDIS_URL (redis://värd:port/databas)"
        )
    found: dict[str, Any] = {"enabled": True, "host": parts.hostname, "port": parts.port or 6379}
    if parts.path.strip("/").isdigit():
        found["dbid"] = int(parts.path.strip("/"))
    if parts.username:
        found["username"] = parts.username
    if parts.password:
        found["password"] = parts.password
    if parts.scheme == "rediss":
        found["use_tls"] = True
    return found


def _workers(replication_port: int) -> dict[str, Any]:
    """The main process's side of its workers: a replication listener on the loopback, named in
    `instance_map`, Redis, and the background duties handed to the workers; none without any."""
    names = worker_names()
    if not names:
        return {}
    if not conf.database_url():
        raise HomeserverError(
            "Synapse's workers need PostgreSQL: set CHAT_DATABASE_URL, or leave CHAT_WORKERS "
            "empty / Synapses arbetsprocesser kräver PostgreSQL: ange CHAT_DATABASE_URL, eller "
            "lämna CHAT_WORKERS tomt"
        )
    by_role = {role: [n for n, r in names if r == role] for role in conf.WORKER_ROLES}
    options: dict[str, Any] = {
        "instance_map": {"main": {"host": "127.0.0.1", "port": replication_port}},
        "worker_replication_secret": secret("worker_replication_secret"),
        "redis": _redis(),
    }
    if by_role["appservice"]:
        options["notify_appservices_from_worker"] = by_role["appservice"][0]
    if by_role["federation_sender"]:
        options["federation_sender_instances"] = by_role["federation_sender"]
    if by_role["pusher"]:
        options["pusher_instances"] = by_role["pusher"]
    if by_role["background"]:
        options["run_background_tasks_on"] = by_role["background"][0]
    listener = {
        "port": replication_port,
        "bind_addresses": ["127.0.0.1"],
        "type": "http",
        "tls": False,
        "x_forwarded": False,
        "resources": [{"names": ["replication"], "compress": False}],
    }
    return {"listener": listener, "options": options}


def worker_config(name: str, health_port: int) -> dict[str, Any]:
    """A worker's own file, read after homeserver.yaml (which holds the secrets): its name and a
    loopback listener that answers `/health` only."""
    folder = conf.chat_dir() / "workers"
    return {
        "worker_app": "synapse.app.generic_worker",
        "worker_name": name,
        "worker_listeners": [
            {
                "port": health_port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "resources": [{"names": ["health"], "compress": False}],
            }
        ],
        "worker_log_config": str(folder / f"{name}.log.config"),
    }


def registration() -> dict[str, Any]:
    """The application-service registration: samdrift owns its users and aliases exclusively."""
    prefix = conf.localpart_prefix()
    server = conf.server_name().replace(".", "\\.")
    return {
        "id": APPSERVICE_ID,
        "url": conf.appservice_url(),
        "as_token": secret("as_token"),
        "hs_token": secret("hs_token"),
        "sender_localpart": conf.bot_localpart(),
        "rate_limited": False,
        "namespaces": {
            "users": [{"exclusive": True, "regex": f"@{prefix}.*:{server}"}],
            "aliases": [{"exclusive": True, "regex": f"#{prefix}.*:{server}"}],
            "rooms": [],
        },
    }


def homeserver_config(listen_port: int, replication_port: int = 0) -> dict[str, Any]:
    folder = conf.chat_dir()
    whitelist = conf.federation_domain_whitelist()
    # The loopback listener serves federation too, for a front proxy that ends TLS itself.
    resources = ["client"] + (["federation"] if whitelist else [])
    federation = _federation(listen_port, whitelist)
    workers = _workers(replication_port or conf.replication_port() or free_port())
    return {
        "server_name": conf.server_name(),
        "public_baseurl": f"{conf.public_baseurl(listen_port)}/",
        "listeners": [
            {
                "port": listen_port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": resources, "compress": False}],
            },
            *([federation["listener"]] if federation else []),
            *([workers["listener"]] if workers else []),
        ],
        **(federation["options"] if federation else {}),
        **(workers["options"] if workers else {}),
        "database": _database(folder),
        "log_config": str(folder / "log.config"),
        "media_store_path": str(folder / "media"),
        "signing_key_path": str(signing_key_path()),
        "macaroon_secret_key": secret("macaroon_secret_key"),
        "form_secret": secret("form_secret"),
        "registration_shared_secret": secret("registration_shared_secret"),
        "report_stats": False,
        "enable_metrics": False,
        "enable_registration": False,
        "password_config": {"enabled": False},
        # The only way in for a person: "Log in with samdrift" (ADR 0657).
        "oidc_providers": [_sign_in_provider()],
        "app_service_config_files": [str(folder / "appservice.yaml")],
        # Federation only with the allow-list; an empty list federates with no one.
        "federation_domain_whitelist": whitelist,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "allow_public_rooms_over_federation": False,
        "allow_public_rooms_without_auth": False,
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        # Synapse never purges by itself (nor on a room's own m.room.retention): samdrift
        # archives a room's old history first, then purges it (ADR 0655).
        "retention": {"enabled": False},
        "max_upload_size": "50M",
        # Rooms officials make themselves: who may enter them is samdrift's answer (ADR 0666).
        "modules": [_room_policy_module()],
    }


def _room_policy_module() -> dict[str, Any]:
    """`synapse_modules/samdrift_room_policy.py`, which asks samdrift before a local user enters
    a room the application service did not make (a direct message); refused when unanswered."""
    return {
        "module": "samdrift_room_policy.RoomPolicy",
        "config": {
            "url": conf.room_policy_url(),
            "secret": secret("room_policy_secret"),
            "bot": f"@{conf.bot_localpart()}:{conf.server_name()}",
        },
    }


def synapse_environment() -> dict[str, str]:
    """What Synapse's process gets on top of samdrift's environment: the modules' folder first
    on its PYTHONPATH (the modules import nothing of samdrift)."""
    path = [str(MODULES_DIR), *filter(None, [os.environ.get("PYTHONPATH", "")])]
    return {"PYTHONPATH": os.pathsep.join(path)}


def _sign_in_provider() -> dict[str, Any]:
    """samdrift's own OpenID provider (`chat.sso`). Synapse signs in only accounts the application
    service made (`enable_registration` off, `allow_existing_users` on), named by the ID token's
    `preferred_username`. Verification of the provider's metadata demands https; it is skipped
    only for an issuer on the loopback, which is what `make run` serves."""
    issuer = conf.sso_issuer()
    loopback = issuer.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:"))
    return {
        "idp_id": "samdrift",
        "idp_name": "samdrift (e-legitimation)",
        "issuer": issuer,
        "client_id": SSO_CLIENT_ID,
        "client_secret": secret("sso_client_secret"),
        "client_auth_method": "client_secret_basic",
        "scopes": ["openid", "profile"],
        "pkce_method": "always",
        "discover": True,
        "skip_verification": loopback,
        "allow_existing_users": True,
        "enable_registration": False,
        "user_mapping_provider": {
            "config": {
                "subject_template": "{{ user.sub }}",
                "localpart_template": "{{ user.preferred_username }}",
                "display_name_template": "{{ user.name }}",
            }
        },
    }


def _log_config(folder: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.handlers.RotatingFileHandler",
                "formatter": "plain",
                "filename": str(folder / "homeserver.log"),
                "maxBytes": 10_000_000,
                "backupCount": 3,
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def write_config(listen_port: int | None = None) -> Path:
    """Write homeserver.yaml, log.config and appservice.yaml; returns the homeserver file."""
    folder = conf.chat_dir()
    (folder / "media").mkdir(parents=True, exist_ok=True)
    chosen = listen_port or conf.port() or free_port()
    files = {
        "log.config": _log_config(folder),
        "appservice.yaml": registration(),
        "homeserver.yaml": homeserver_config(chosen),
        **_worker_files(folder),
    }
    for name, content in files.items():
        _write_owner_only(folder / name, json.dumps(content, indent=2) + "\n")
    return folder / "homeserver.yaml"


def _write_owner_only(path: Path, text: str) -> None:
    """Replace `path` with `text`, owner-only from the first byte (the configuration files name
    the secrets, or sit beside them)."""
    spare = path.parent / f".{path.name}.{secrets.token_hex(4)}"
    write_private(spare, text)
    os.replace(spare, path)


def _worker_files(folder: Path) -> dict[str, Any]:
    """`workers/<name>.yaml` and its log configuration for each worker asked for; a worker's file
    no longer asked for is removed. A running worker keeps its health port."""
    (folder / "workers").mkdir(mode=0o700, exist_ok=True)
    wanted = dict(worker_names())
    for old in (folder / "workers").glob("*.yaml"):
        if old.stem not in wanted:
            old.unlink()
    files: dict[str, Any] = {}
    for name in wanted:
        log = _log_config(folder)
        log["handlers"]["file"]["filename"] = str(folder / "workers" / f"{name}.log")
        files[f"workers/{name}.log.config"] = log
        files[f"workers/{name}.yaml"] = worker_config(name, _worker_port(name) or free_port())
    return files


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    pid: int | None
    running: bool  # answers on its health listener


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    url: str
    version: str = ""
    workers: tuple[WorkerStatus, ...] = ()


def _pid_file() -> Path:
    return conf.chat_dir() / "homeserver.pid"


def probe(url: str, timeout: float = 2.0) -> str:
    """The homeserver's version as it answers on its client API; empty when it does not."""
    try:
        answer = requests.get(f"{url}/_synapse/admin/v1/server_version", timeout=timeout)
        return str(answer.json().get("server_version", "")) if answer.ok else ""
    except (requests.RequestException, ValueError):
        return ""


def healthy() -> bool | None:
    """For the status pages (`core.health`): None when chat is off, else whether it answers."""
    if not conf.enabled():
        return None
    return bool(probe(conf.homeserver_url(), timeout=1.0))


def status() -> Status:
    url = conf.homeserver_url()
    version = probe(url)
    return Status(
        running=bool(version), pid=running_pid(_pid_file()), url=url, version=version,
        workers=worker_status(),
    )  # fmt: skip


def _worker_dir() -> Path:
    return conf.chat_dir() / "workers"


def _health_port(name: str) -> int:
    """The health port in a worker's file; 0 when there is none."""
    try:
        config = json.loads((_worker_dir() / f"{name}.yaml").read_text())
        return int(config["worker_listeners"][0]["port"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return 0


def _worker_port(name: str) -> int:
    """The health port of a worker that runs now (kept when its file is written again)."""
    return _health_port(name) if running_pid(_worker_dir() / f"{name}.pid") else 0


def worker_answers(name: str, timeout: float = 1.0) -> bool:
    """Whether the worker answers on its loopback health listener."""
    port = _health_port(name)
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/health", timeout=timeout)
    except requests.RequestException:
        return False
    return bool(port) and answer.ok and answer.text.strip() == "OK"


def worker_status() -> tuple[WorkerStatus, ...]:
    """Each worker of the last configuration written, and any other one still running."""
    folder = _worker_dir()
    if not folder.is_dir():
        return ()
    names = {p.stem for p in folder.glob("*.yaml")} | {p.stem for p in folder.glob("*.pid")}
    return tuple(
        WorkerStatus(name, running_pid(folder / f"{name}.pid"), worker_answers(name))
        for name in sorted(names)
    )


def workers_healthy() -> bool | None:
    """For the status pages: None when chat is off or has no workers, else whether every worker
    the settings ask for answers."""
    if not conf.enabled():
        return None
    names = [name for name, _role in worker_names()]
    if not names:
        return None
    return all(worker_answers(name) for name in names)


def _start_workers(python: Path, config: Path, names: list[str], wait: float) -> None:
    """Start the workers side by side, each read from homeserver.yaml and its own file, and wait
    until each answers on its health listener; the first failure is raised."""
    folder = _worker_dir()

    def one(name: str) -> tuple[int, str]:
        return engines.start(
            [str(python), "-m", "synapse.app.generic_worker", "--config-path", str(config),
             "--config-path", str(folder / f"{name}.yaml")],
            name=f"Synapse worker {name}", cwd=conf.chat_dir(), output=folder / f"{name}.out",
            pid_file=folder / f"{name}.pid", wait=wait, env=synapse_environment(),
            probe=lambda: "OK" if worker_answers(name) else "",
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(len(names), 1)) as pool:
        failures = [f.exception() for f in [pool.submit(one, name) for name in names]]
    for failure in failures:
        if failure is not None:
            raise failure


def start(*, listen_port: int | None = None, wait: float = 60.0) -> Status:
    """Start Synapse (generating its configuration first) and wait until it answers."""
    python = conf.synapse_python()
    if not python.exists():
        raise HomeserverError(
            "Synapse is not installed: run scripts/ensure-synapse.sh / "
            "Synapse är inte installerad: kör scripts/ensure-synapse.sh"
        )
    current = status()
    if current.running and current.pid:  # a worker that stopped is started again
        missing = [w.name for w in current.workers if not w.pid]
        _start_workers(python, conf.chat_dir() / "homeserver.yaml", missing, wait)
        return status() if missing else current
    chosen = listen_port or conf.port() or free_port()
    config = write_config(chosen)
    ensure_database()
    folder = conf.chat_dir()
    url = f"http://127.0.0.1:{chosen}"
    (folder / "homeserver.url").write_text(url + "\n")
    pid, version = engines.start(
        [str(python), "-m", "synapse.app.homeserver", "--config-path", str(config)],
        name="Synapse",
        cwd=folder,
        output=folder / "homeserver.out",
        pid_file=_pid_file(),
        probe=lambda: probe(url, timeout=1.0),
        wait=wait,
        env=synapse_environment(),
    )
    try:
        _start_workers(python, config, [name for name, _role in worker_names()], wait)
    except HomeserverError:
        stop()
        raise
    return Status(running=True, pid=pid, url=url, version=version, workers=worker_status())


def stop(timeout: float = 20.0) -> bool:
    """Stop the Synapse this chat folder started and its workers (by their process ids), the
    workers first; False if none ran."""
    pid_files = sorted(_worker_dir().glob("*.pid")) if _worker_dir().is_dir() else []
    with ThreadPoolExecutor(max_workers=max(len(pid_files), 1)) as pool:
        workers = list(pool.map(lambda path: engines.stop(path, timeout), pid_files))
    return engines.stop(_pid_file(), timeout) or any(workers)
