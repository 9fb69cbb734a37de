"""The clinic app's settings, read once from the environment and validated.

Every variable is read through one helper that rejects a bad value with a message naming the variable,
so a misconfigured deployment stops at start-up instead of misbehaving later. Units are in the names.
:data:`SETTINGS_DOC` lists every variable with its meaning; ``docs/clinic.md`` repeats the table and a
test keeps the two equal.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from facebalance.errors import FacebalanceError
from facebalance.records.backup import CHECKPOINTS_NAME


class ConfigError(FacebalanceError):
    code = "config"


#: Every environment variable the clinic app reads, with its meaning (kept equal to docs/clinic.md).
SETTINGS_DOC: dict[str, str] = {
    "FACEBALANCE_DATA_DIR": "Folder for the SQLite database, the stored photos and the generated secret key "
    "(default ./var/clinic). Never inside the static root.",
    "DATABASE_URL": "Database URL, e.g. postgres://user:pass@host:5432/facebalance (default: SQLite in the data dir).",
    "FACEBALANCE_SECRET_KEY": "Django secret key; required when FACEBALANCE_DEBUG is off, generated into the data dir "
    "otherwise.",
    "FACEBALANCE_AUDIT_KEY": "Key of the audit log's HMAC chain and signed checkpoints, at least 32 characters and "
    "not the secret key; required when FACEBALANCE_DEBUG is off, generated into the data dir otherwise. Keep it "
    "outside the database and its backups: whoever holds it can rewrite the log undetected.",
    "FACEBALANCE_AUDIT_CHECKPOINT_S": "Seconds between the signed checkpoints a server process appends to "
    "audit-checkpoints.jsonl in the data dir after audited changes (default 60, 0 = after every one, 0-3600).",
    "FACEBALANCE_DEBUG": "on/off (default off). Debug pages; never in production.",
    "FACEBALANCE_ALLOWED_HOSTS": "Comma-separated host names served (default 127.0.0.1,localhost).",
    "FACEBALANCE_SECURE_COOKIES": "on/off (default on unless debug): session and CSRF cookies only over HTTPS.",
    "FACEBALANCE_SESSION_IDLE_S": "Seconds of inactivity after which a session ends (default 1800, 60-86400).",
    "FACEBALANCE_UPLOAD_MAX_BYTES": "Largest photo upload accepted (default 26214400, 1 kB-60 MB).",
    "FACEBALANCE_LOGIN_MAX_FAILURES": "Failed logins per user name (and four times as many per client address) "
    "within the window before each further attempt must wait (default 5, 1-100).",
    "FACEBALANCE_LOGIN_LOCKOUT_S": "Window in seconds over which failed logins count (default 900, 10-86400).",
    "FACEBALANCE_LOGIN_MAX_DELAY_S": "Longest wait between attempts once past the limit; the wait doubles from 1 s "
    "with each further failure (default 300, 1-3600).",
    "FACEBALANCE_TRUSTED_PROXIES": "Comma-separated addresses or CIDR ranges of the reverse proxies in front of the "
    "app (default none). Only when the connection comes from one of them is X-Forwarded-For read, taking the "
    "right-most address that is not a trusted proxy as the client's.",
    "FACEBALANCE_DECODE_TIMEOUT_S": "Wall-clock limit for decoding and re-encoding one upload (default 20).",
    "FACEBALANCE_BIND": "Address gunicorn listens on (default 127.0.0.1:8000; gunicorn_conf.py).",
    "FACEBALANCE_DECODE_MEMORY_MB": "Address-space limit of the decoding process in MB (default 3072).",
    "FACEBALANCE_EMAIL_BACKEND": "How recalls are emailed: console (default: printed to the server's output, "
    "nothing sent) or smtp.",
    "FACEBALANCE_EMAIL_HOST": "SMTP server name (required with FACEBALANCE_EMAIL_BACKEND=smtp).",
    "FACEBALANCE_EMAIL_PORT": "SMTP port (default 587).",
    "FACEBALANCE_EMAIL_USER": "SMTP user name (default none).",
    "FACEBALANCE_EMAIL_PASSWORD": "SMTP password (default none).",
    "FACEBALANCE_EMAIL_TLS": "on/off (default on): STARTTLS to the SMTP server.",
    "FACEBALANCE_EMAIL_FROM": "Sender address of recall emails (default recalls@localhost).",
    "FACEBALANCE_VIDEO_MAX_BYTES": "Largest dynamics video upload accepted (default 268435456, 1 MB-2 GB).",
    "FACEBALANCE_VIDEO_TIMEOUT_S": "Wall-clock limit for re-encoding one dynamics video (default 600, 10-3600).",
    "FACEBALANCE_WORKER": "Who runs the background jobs (video analysis): thread (default; a worker thread in the "
    "web process, started with it) or external (a facebalance_worker process; gunicorn_conf.py starts one).",
}

EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off variable; anything but the usual spellings is refused."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean.", hint=f"Set {name} to on or off.")


def env_int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    """An integer variable within ``[low, high]``."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.", hint=f"Set {name} to {low}-{high}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range.", hint=f"Set {name} to {low}-{high}.")
    return value


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def env_networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """A comma-separated list of addresses or CIDR ranges (``10.0.0.0/8, ::1``); nothing set = none."""
    out = []
    for item in env_list(env, name, ()):
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                f"{name} has {item!r}, which is not an IP address or CIDR range.",
                hint=f"Give {name} as comma-separated addresses or ranges, e.g. 127.0.0.1,10.0.0.0/8.",
            ) from None
        if network.prefixlen == 0:
            raise ConfigError(
                f"{name} has {item!r}, which would trust every address (anyone could then choose their own).",
                hint=f"List only the addresses of your own reverse proxies in {name}.",
            )
        out.append(network)
    return tuple(out)


def env_choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={raw!r} is not one of {', '.join(choices)}.", hint=f"Set {name} to {choices[0]}.")
    return value


def env_list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    items = tuple(x.strip() for x in raw.split(",") if x.strip())
    if not items:
        raise ConfigError(f"{name}={raw!r} names nothing.", hint=f"Give {name} as a comma-separated list.")
    return items


@dataclass(frozen=True)
class EmailConfig:
    """Where recall emails go: Django's console backend unless SMTP is configured."""

    backend: str = "console"
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    tls: bool = True
    sender: str = "recalls@localhost"

    @property
    def django_backend(self) -> str:
        return EMAIL_BACKENDS[self.backend]


def _email(env: Mapping[str, str]) -> EmailConfig:
    backend = (env.get("FACEBALANCE_EMAIL_BACKEND") or "console").strip().lower()
    if backend not in EMAIL_BACKENDS:
        raise ConfigError(
            f"FACEBALANCE_EMAIL_BACKEND={backend!r} is not a known backend.",
            hint=f"Set FACEBALANCE_EMAIL_BACKEND to {' or '.join(EMAIL_BACKENDS)}.",
        )
    host = (env.get("FACEBALANCE_EMAIL_HOST") or "").strip()
    if backend == "smtp" and not host:
        raise ConfigError(
            "FACEBALANCE_EMAIL_BACKEND=smtp needs FACEBALANCE_EMAIL_HOST.",
            hint="Set FACEBALANCE_EMAIL_HOST to the SMTP server's name.",
        )
    sender = (env.get("FACEBALANCE_EMAIL_FROM") or "recalls@localhost").strip()
    if "@" not in sender:
        raise ConfigError(
            f"FACEBALANCE_EMAIL_FROM={sender!r} is not an email address.",
            hint="Set FACEBALANCE_EMAIL_FROM to the clinic's sender address.",
        )
    return EmailConfig(
        backend=backend,
        host=host,
        port=env_int(env, "FACEBALANCE_EMAIL_PORT", 587, low=1, high=65_535),
        user=env.get("FACEBALANCE_EMAIL_USER", ""),
        password=env.get("FACEBALANCE_EMAIL_PASSWORD", ""),
        tls=env_bool(env, "FACEBALANCE_EMAIL_TLS", True),
        sender=sender,
    )


@dataclass(frozen=True)
class ClinicConfig:
    """The validated settings. Built by :func:`load_config`; Django's settings module reads only this."""

    data_dir: Path
    database_url: str | None
    secret_key: str = field(repr=False)
    debug: bool
    allowed_hosts: tuple[str, ...]
    secure_cookies: bool
    session_idle_s: int
    upload_max_bytes: int
    login_max_failures: int
    login_lockout_s: int
    login_max_delay_s: int
    trusted_proxies: tuple[Network, ...]
    decode_timeout_s: int
    decode_memory_mb: int
    audit_key: str = field(default="", repr=False)
    audit_checkpoint_s: int = 60
    email: EmailConfig = field(default_factory=lambda: EmailConfig())
    video_max_bytes: int = 256 * 1024 * 1024
    video_timeout_s: int = 600
    worker: str = "thread"

    @property
    def photo_dir(self) -> Path:
        """Stored photos: server-generated names, outside any static or web root, served by a view."""
        return self.data_dir / "photos"

    @property
    def audit_checkpoint_path(self) -> Path:
        """The append-only file of signed audit checkpoints (outside the database; copied into backups)."""
        return self.data_dir / CHECKPOINTS_NAME


def _key(env: Mapping[str, str], name: str, debug: bool, generated: Path, hint: str) -> str:
    """A key from the environment (32 characters at least); with debug on, generated into ``generated``
    when unset; refused when unset in production."""
    raw = env.get(name, "")
    if raw:
        if len(raw) < 32:
            raise ConfigError(
                f"{name} is shorter than 32 characters.",
                hint="Use e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            )
        return raw
    if not debug:
        raise ConfigError(f"{name} is not set and FACEBALANCE_DEBUG is off.", hint=hint)
    # A local run keeps one generated key so that sessions (and the audit chain) survive a restart.
    return _generated_key(generated)


def _generated_key(path: Path) -> str:
    """A random key kept in ``path`` (created 0600 on first use): for local runs with debug on only."""
    if path.is_file():
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def load_config(env: Mapping[str, str] | None = None) -> ClinicConfig:
    """Read and validate every setting; raise :class:`ConfigError` naming the first bad variable."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("FACEBALANCE_DATA_DIR") or "var/clinic").expanduser().resolve()
    debug = env_bool(env, "FACEBALANCE_DEBUG", False)
    database_url = env.get("DATABASE_URL") or None
    if database_url is not None and not database_url.startswith(("postgres://", "postgresql://", "sqlite:///")):
        raise ConfigError(
            f"DATABASE_URL has an unsupported scheme: {database_url.split(':', 1)[0]!r}.",
            hint="Use postgres://... or sqlite:///path.",
        )
    secret_key = _key(
        env,
        "FACEBALANCE_SECRET_KEY",
        debug,
        data_dir / "secret_key",
        "Set FACEBALANCE_SECRET_KEY to a long random value for production.",
    )
    audit_key = _key(
        env,
        "FACEBALANCE_AUDIT_KEY",
        debug,
        data_dir / "audit_key",
        "Set FACEBALANCE_AUDIT_KEY to a long random value kept outside the database and its backups "
        "(docs/clinic.md, Audit log).",
    )
    if audit_key == secret_key:
        raise ConfigError(
            "FACEBALANCE_AUDIT_KEY is the same as FACEBALANCE_SECRET_KEY.",
            hint="Give FACEBALANCE_AUDIT_KEY its own random value: the secret key may be rotated, this key "
            "must stay as long as the audit log.",
        )
    return ClinicConfig(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        debug=debug,
        allowed_hosts=env_list(env, "FACEBALANCE_ALLOWED_HOSTS", ("127.0.0.1", "localhost")),
        secure_cookies=env_bool(env, "FACEBALANCE_SECURE_COOKIES", not debug),
        session_idle_s=env_int(env, "FACEBALANCE_SESSION_IDLE_S", 1800, low=60, high=86_400),
        upload_max_bytes=env_int(
            env, "FACEBALANCE_UPLOAD_MAX_BYTES", 25 * 1024 * 1024, low=1024, high=60 * 1024 * 1024
        ),
        login_max_failures=env_int(env, "FACEBALANCE_LOGIN_MAX_FAILURES", 5, low=1, high=100),
        login_lockout_s=env_int(env, "FACEBALANCE_LOGIN_LOCKOUT_S", 900, low=10, high=86_400),
        login_max_delay_s=env_int(env, "FACEBALANCE_LOGIN_MAX_DELAY_S", 300, low=1, high=3600),
        trusted_proxies=env_networks(env, "FACEBALANCE_TRUSTED_PROXIES"),
        decode_timeout_s=env_int(env, "FACEBALANCE_DECODE_TIMEOUT_S", 20, low=1, high=300),
        decode_memory_mb=env_int(env, "FACEBALANCE_DECODE_MEMORY_MB", 3072, low=256, high=65_536),
        audit_key=audit_key,
        audit_checkpoint_s=env_int(env, "FACEBALANCE_AUDIT_CHECKPOINT_S", 60, low=0, high=3600),
        email=_email(env),
        video_max_bytes=env_int(
            env, "FACEBALANCE_VIDEO_MAX_BYTES", 256 * 1024 * 1024, low=1024 * 1024, high=2 * 1024**3
        ),
        video_timeout_s=env_int(env, "FACEBALANCE_VIDEO_TIMEOUT_S", 600, low=10, high=3600),
        worker=env_choice(env, "FACEBALANCE_WORKER", "thread", ("thread", "external")),
    )
