"""compose.yaml and deploy/haproxy.cfg: valid for their tools (when installed), shaped as the
README's Production section says, and setting only variables btl reads and documents."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.config import KNOWN_VARIABLES, load_settings


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo_root / "compose.yaml").read_text())
    return loaded


def _docker_compose_works() -> bool:
    if shutil.which("docker") is None:
        return False
    found = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return found.returncode == 0


def test_docker_compose_validates_the_file(repo_root: Path) -> None:
    if not _docker_compose_works():
        pytest.skip("docker with the compose plugin is not installed: compose.yaml not validated")
    env = {**os.environ, "POSTGRES_PASSWORD": "checked only"}

    checked = subprocess.run(
        ["docker", "compose", "-f", "compose.yaml", "config", "-q"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert checked.returncode == 0, checked.stderr


def test_haproxy_accepts_its_configuration(repo_root: Path) -> None:
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed: deploy/haproxy.cfg not checked")

    # the instances' names resolve only inside the compose network: a warning here
    checked = subprocess.run(
        ["haproxy", "-c", "-f", "deploy/haproxy.cfg"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_migrate_runs_once_before_two_ready_instances_behind_the_balancer(
    compose: dict[str, Any], repo_root: Path
) -> None:
    services = compose["services"]
    instances = [name for name, spec in services.items() if "serve" in spec.get("command", ())]

    assert set(services) == {"postgres", "redis", "migrate", "btl-1", "btl-2", "lb"}
    assert services["migrate"]["command"] == ["python", "-m", "service", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert instances == ["btl-1", "btl-2"]
    for name in instances:
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
    balancer = services["lb"]
    assert balancer["image"].startswith("haproxy:")
    assert all(
        balancer["depends_on"][name] == {"condition": "service_healthy"} for name in instances
    )
    [mount] = balancer["volumes"]
    config = (repo_root / mount.split(":")[0]).read_text()
    assert "option httpchk GET /readyz" in config
    assert "timeout tunnel" in config  # websockets stay open
    assert all(f"server {name} {name}:8000" in config for name in instances)
    # only the balancer's X-Forwarded-For is believed, and it is where the file puts it
    address = balancer["networks"]["default"]["ipv4_address"]
    assert services["btl-1"]["environment"]["BTL_TRUSTED_PROXIES"] == address


def test_every_variable_compose_sets_is_read_by_btl_and_in_the_production_section(
    compose: dict[str, Any], repo_root: Path
) -> None:
    load_settings({})  # gathers the names it reads
    readme = (repo_root / "README.md").read_text()
    production = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    variables = {
        name for service in compose["services"].values() for name in service.get("environment", {})
    }
    btl_variables = {name for name in variables if name.startswith("BTL_")}
    interpolated = set(re.findall(r"\$\{(\w+)", (repo_root / "compose.yaml").read_text()))

    assert btl_variables <= KNOWN_VARIABLES, btl_variables - KNOWN_VARIABLES
    assert not [name for name in btl_variables | interpolated if f"`{name}`" not in production]
