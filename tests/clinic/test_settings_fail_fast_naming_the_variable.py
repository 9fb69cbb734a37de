"""The settings helper refuses bad values with a message naming the variable; every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.clinic.config import SETTINGS_DOC, ConfigError, load_config
from tests.clinic.clinic_records import REPO

GOOD = {"FACEBALANCE_SECRET_KEY": "k" * 40, "FACEBALANCE_AUDIT_KEY": "a" * 40}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACEBALANCE_DEBUG", "maybe"),
        ("FACEBALANCE_SESSION_IDLE_S", "thirty"),
        ("FACEBALANCE_SESSION_IDLE_S", "5"),
        ("FACEBALANCE_UPLOAD_MAX_BYTES", "999999999999"),
        ("FACEBALANCE_SECRET_KEY", "short"),
        ("DATABASE_URL", "mysql://x/y"),
        ("FACEBALANCE_TRUSTED_PROXIES", "10.0.0.1, nginx"),
        ("FACEBALANCE_TRUSTED_PROXIES", "10.0.0.300/32"),
        ("FACEBALANCE_TRUSTED_PROXIES", "0.0.0.0/0"),
        ("FACEBALANCE_LOGIN_MAX_DELAY_S", "0"),
        ("FACEBALANCE_AUDIT_KEY", "short"),
        ("FACEBALANCE_AUDIT_KEY", "k" * 40),  # the secret key's value
        ("FACEBALANCE_AUDIT_CHECKPOINT_S", "-1"),
    ],
)
def test_a_bad_value_is_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({**GOOD, "FACEBALANCE_DATA_DIR": str(tmp_path), name: value})
    assert name in str(info.value)


def test_trusted_proxies_are_read_as_networks(tmp_path: Path) -> None:
    env = {**GOOD, "FACEBALANCE_DATA_DIR": str(tmp_path)}
    cfg = load_config({**env, "FACEBALANCE_TRUSTED_PROXIES": "10.0.0.1,::1/128"})
    assert [str(n) for n in cfg.trusted_proxies] == ["10.0.0.1/32", "::1/128"]
    assert load_config({**GOOD, "FACEBALANCE_DATA_DIR": str(tmp_path)}).trusted_proxies == ()


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="FACEBALANCE_SECRET_KEY"):
        load_config({"FACEBALANCE_DATA_DIR": str(tmp_path)})


def test_production_needs_an_audit_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="FACEBALANCE_AUDIT_KEY is not set"):
        load_config({"FACEBALANCE_DATA_DIR": str(tmp_path), "FACEBALANCE_SECRET_KEY": "k" * 40})


def test_a_local_run_generates_and_keeps_its_keys(tmp_path: Path) -> None:
    env = {"FACEBALANCE_DATA_DIR": str(tmp_path), "FACEBALANCE_DEBUG": "on"}
    first = load_config(env)
    assert first.secret_key == load_config(env).secret_key
    assert first.audit_key == load_config(env).audit_key and first.audit_key != first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert first.secure_cookies is False
    assert first.audit_checkpoint_path == tmp_path / "audit-checkpoints.jsonl"


def test_keys_are_not_in_the_config_repr(tmp_path: Path) -> None:
    cfg = load_config({**GOOD, "FACEBALANCE_DATA_DIR": str(tmp_path)})
    assert "k" * 40 not in repr(cfg) and "a" * 40 not in repr(cfg)


def test_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    cfg = load_config({**GOOD, "FACEBALANCE_DATA_DIR": str(tmp_path)})
    assert (cfg.session_idle_s, cfg.secure_cookies, cfg.debug) == (1800, True, False)
    assert cfg.photo_dir == tmp_path / "photos"


def test_every_setting_is_documented() -> None:
    doc = (REPO / "docs" / "clinic.md").read_text("utf-8")
    for name in SETTINGS_DOC:
        assert f"`{name}`" in doc, f"{name} is missing from docs/clinic.md"


def test_sqlite_runs_durable(db: object) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
