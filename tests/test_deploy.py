"""The deployment example (compose.yaml, Dockerfile, deploy/) stays runnable for an
operator: it parses, names files that exist and settings the workbench reads, and
nginx accepts the balancer's configuration. (Docker itself is not on the test machine;
tests/e2e/test_replicas.py runs the same shape on loopback.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from coach.settings import PROJECT_ROOT, CoachSettings
from tests.test_readme import environment_names

COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_two_replicas_on_postgresql_behind_the_balancer() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"db", "app", "balancer", "otel-collector"}
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    assert app["environment"]["COACH_STORE__URL"].startswith("postgresql://")
    assert "otel-collector:4318" in app["environment"]["COACH_TELEMETRY__OTLP_ENDPOINT"]
    assert (PROJECT_ROOT / app["build"] / "Dockerfile").is_file()


def test_every_file_compose_mounts_exists() -> None:
    mounts = [
        volume.split(":")[0]
        for service in COMPOSE["services"].values()
        for volume in service.get("volumes", [])
        if volume.startswith("./")
    ]
    assert mounts, "the balancer and the collector mount their configuration"
    for mount in mounts:
        assert (PROJECT_ROOT / mount).is_file(), mount


def test_every_coach_setting_compose_sets_is_one_the_workbench_reads() -> None:
    known = set(environment_names(CoachSettings, "COACH_"))
    text = (PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(COACH_[A-Z_]+[A-Z])\b", text))
    assert named, "compose sets the workbench's settings"
    assert named <= known, f"not settings of the workbench: {sorted(named - known)}"


def test_the_image_serves_the_locked_app_as_a_user_without_privileges() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "./scripts/bootstrap" in dockerfile  # the lock, hash-checked, as the start command
    assert "--test" not in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    ignored = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".streamlit/secrets.toml" in ignored  # secrets are mounted, never baked in


def test_nginx_accepts_the_balancer_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: run scripts/bootstrap --test")
    config = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server app:8501;" in config
    # Docker's DNS name only resolves inside compose; a loopback address stands in.
    local = config.replace("server app:8501;", "server 127.0.0.1:8501;")
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path / 'nginx.pid'};\n{local}")
    checked = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
