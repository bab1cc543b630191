"""deploy/'s files agree with the code: the settings example names every setting and loads as production, and every
systemd unit runs a command that exists."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from portal import create_app
from portal.config import load_settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments skipped, double quotes removed)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return values


def test_the_settings_example_names_every_setting_and_loads_as_production(tmp_path: Path) -> None:
    example = DEPLOY / "portal.env.example"
    text = example.read_text(encoding="utf-8")
    read_by_the_app = set(re.findall(r'"(PORTAL_[A-Z0-9_]+)"', (ROOT / "portal" / "config.py").read_text()))
    assert len(read_by_the_app) > 20
    missing = {name for name in read_by_the_app if not re.search(rf"^#?{name}=", text, re.MULTILINE)}
    assert missing == {"PORTAL_TODAY"}, f"deploy/portal.env.example does not name {sorted(missing)}"
    values = env_file(example)
    assert "PORTAL_TODAY" not in values
    settings = load_settings({**values, "PORTAL_SECRET_KEY": "k" * 64, "PORTAL_INSTANCE_DIR": str(tmp_path)})
    assert settings.is_production
    assert settings.proxy_count == 1  # behind deploy/nginx
    assert settings.base_url == "https://credit.example.gov.cn"
    assert settings.redis_url
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.site_name


def _flask_commands(app: Flask) -> set[str]:
    found = set()
    for name, group in app.cli.commands.items():
        for sub in getattr(group, "commands", {}):
            found.add(f"{name} {sub}")
    return found


def test_every_unit_runs_a_command_that_exists(tmp_path: Path) -> None:
    app = create_app({"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    commands = _flask_commands(app)
    services = sorted(UNITS.glob("*.service"))
    jobs = set()
    for service in services:
        text = service.read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/portal/portal.env" in text, service.name
        for hardening in ("ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes"):
            assert hardening in text, service.name
        (start,) = re.findall(r"^ExecStart=(.+)$", text, re.MULTILINE)
        if service.name == "portal.service":
            assert "--config deploy/gunicorn.conf.py wsgi:app" in start
            continue
        job = " ".join(start.removeprefix("/srv/portal/.venv/bin/flask --app portal ").split()[:2])  # no options
        assert job in commands, f"{service.name} runs `flask {job}`, which does not exist"
        assert (UNITS / service.name.replace(".service", ".timer")).exists(), service.name
        jobs.add(job)
    daily = {"records expire", "supervision run", "evaluation run", "retention run", "backup create", "files sweep"}
    daily.add("mail digest")  # the 工作台账's daily digest (portal/mail/digest.py)
    daily.add("opendata dump")  # the daily full dumps at /data/ (issue 15)
    daily.add("alerts send")  # followers' alerts: --frequency daily at 07:30, immediate every 10 minutes
    assert jobs == {*daily, "search sync", "mail send"}  # and those two every minute
    assert {timer.name.replace(".timer", ".service") for timer in UNITS.glob("*.timer")} <= {s.name for s in services}
