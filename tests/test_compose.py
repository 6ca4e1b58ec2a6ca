"""Static checks of the production deployment: docker-compose.yml and the nginx config (the image:
tests/test_dockerfile.py).

No Docker engine is needed: the files are parsed and cross-checked, so a broken dependency graph, a
leaked secret or a proxy that cannot carry Socket.IO fails here instead of on the production host.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

EXPECTED_SERVICES = frozenset(
    {"postgres", "redis", "migrate", "web", "webhooks", "worker", "worker-bulk", "dashboards", "nginx"}
)
LONG_RUNNING = ("postgres", "redis", "web", "webhooks", "worker", "worker-bulk", "dashboards", "nginx")
MUST_HAVE_HEALTHCHECK = LONG_RUNNING
APP_SERVICES = ("migrate", "web", "webhooks", "worker", "worker-bulk", "dashboards")
WORKER_SERVICES = ("worker", "worker-bulk")
ONE_SHOT = "migrate"
SECRETS = ("SECRET_KEY", "ENCRYPTION_KEY", "POSTGRES_PASSWORD")
VALID_CONDITIONS = frozenset({"service_started", "service_healthy", "service_completed_successfully"})
STREAMLIT_BASE_PATH = "dashboards"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  inside a container, loopback is unreachable from nginx

# ${NAME:?message}: compose refuses to start when NAME is unset or empty.
REQUIRED_REF = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}$")
ANY_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[^}]*)\}")
SECRET_ASSIGNMENT = re.compile(
    r"(?<!\$\{)\b(?P<name>" + "|".join(SECRETS) + r")\b\s*[:=]\s*(?P<value>[^\s#]+)"
)


# ---------------------------------------------------------------------------------------------- helpers


def resolve_defaults(value: str) -> str:
    """Interpolate like compose would with an empty environment, except required refs become __NAME__."""

    def replace(match: re.Match[str]) -> str:
        modifier = match.group("modifier")
        if modifier.startswith((":-", "-")):
            return modifier.split("-", 1)[1]
        if modifier.startswith((":?", "?")):
            return f"__{match.group('name')}__"
        return ""

    return ANY_REF.sub(replace, value)


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """The service's `environment:` as a dict, whichever of the two compose syntaxes it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def env_files_of(service: dict[str, Any]) -> list[str]:
    """Paths listed under `env_file:` (string, list of strings or list of {path: ...})."""
    raw = service.get("env_file") or []
    items = [raw] if isinstance(raw, str | dict) else raw
    return [item["path"] if isinstance(item, dict) else item for item in items]


def depends_on_of(service: dict[str, Any]) -> dict[str, str]:
    """`depends_on:` as {target: condition}; the short list syntax means service_started."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def has_healthcheck(service: dict[str, Any]) -> bool:
    """True when the service defines an enabled healthcheck with a test command."""
    check = service.get("healthcheck") or {}
    test = check.get("test")
    if check.get("disable") or not test:
        return False
    if isinstance(test, str):
        return bool(test.strip())
    return test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1 and all(str(part).strip() for part in test)


def command_argv(service: dict[str, Any]) -> list[str]:
    """The service command as an argv list."""
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def option_value(argv: list[str], *names: str) -> str | None:
    """Value of a CLI option given as `--name value`, `--name=value` or `-n value`; last one wins."""
    found = None
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                found = argv[index + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                found = arg.split("=", 1)[1]
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle as a path of names, or None when the graph is acyclic."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "visiting"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "visiting":
                return [*path, node, target]
            if target not in state and (cycle := visit(target, [*path, node])):
                return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node, [])):
            return cycle
    return None


def secret_literals(text: str) -> list[str]:
    """Secret assignments or references that would put a real value in the file (must be ${X:?...})."""
    problems = []
    for match in SECRET_ASSIGNMENT.finditer(text):
        value = match.group("value").strip("\"'")
        if not value.startswith("${"):
            problems.append(f"{match.group('name')} assigned a literal: {value!r}")
    for match in ANY_REF.finditer(text):
        if match.group("name") in SECRETS and not match.group("modifier").startswith(":?"):
            problems.append(f"{match.group(0)} is not a required reference (${{NAME:?message}})")
    return problems


def volume_pairs(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) for each volume of a service, short or long syntax, defaults interpolated."""
    pairs = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            pairs.append((resolve_defaults(str(volume.get("source", ""))), str(volume["target"])))
        else:
            source, target = resolve_defaults(volume).split(":")[:2]
            pairs.append((source, target))
    return pairs


def split_image(image: str) -> tuple[str, str | None]:
    """(repository, tag) of an image reference; tag is None when absent."""
    image = resolve_defaults(image).split("@", 1)[0]
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag:
        return image, None
    return name, tag


def nginx_config_path(services: dict[str, Any]) -> Path:
    """Host path of the nginx .conf file mounted into the nginx service."""
    for source, target in volume_pairs(services["nginx"]):
        if target.startswith("/etc/nginx/") and target.endswith(".conf"):
            return (ROOT / source).resolve()
    pytest.fail("nginx mounts no *.conf file under /etc/nginx/")


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def compose_text() -> str:
    """Raw text of docker-compose.yml."""
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    """docker-compose.yml parsed with yaml.safe_load (anchors and merge keys resolved)."""
    document = yaml.safe_load(compose_text)
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    """The `services:` mapping."""
    return compose.get("services") or {}


@pytest.fixture(scope="module")
def nginx_conf(services: dict[str, Any]) -> str:
    """Text of the nginx config mounted by the nginx service."""
    path = nginx_config_path(services)
    assert path.is_file(), f"nginx config {path} referenced by docker-compose.yml does not exist"
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------- the helpers can fail


def test_cycle_detector_reports_a_cycle() -> None:
    """find_cycle finds a two-node cycle and accepts a chain."""
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_secret_scan_flags_literals_and_defaults() -> None:
    """secret_literals flags a literal value and a ${X:-default}, and accepts ${X:?message}."""
    assert secret_literals("SECRET_KEY: hunter2\n")
    assert secret_literals("- ENCRYPTION_KEY=abc\n")
    assert secret_literals("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n")
    assert not secret_literals("SECRET_KEY: ${SECRET_KEY:?set it in .env}\n")


def test_option_parser_reads_both_spellings() -> None:
    """option_value reads `--opt value`, `--opt=value` and short options."""
    argv = ["gunicorn", "-w", "4", "--threads=8", "--worker-class", "gthread"]
    assert option_value(argv, "--workers", "-w") == "4"
    assert option_value(argv, "--threads") == "8"
    assert option_value(argv, "--worker-class", "-k") == "gthread"
    assert option_value(argv, "--bind", "-b") is None


# ------------------------------------------------------------------------------------------ docker-compose


def test_expected_services_exist(services: dict[str, Any]) -> None:
    """Every process of the stack is a compose service."""
    assert set(services) >= EXPECTED_SERVICES, f"missing: {sorted(EXPECTED_SERVICES - set(services))}"


@pytest.mark.parametrize("name", MUST_HAVE_HEALTHCHECK)
def test_service_has_healthcheck(services: dict[str, Any], name: str) -> None:
    """Long-running services declare a healthcheck with a real test command."""
    assert has_healthcheck(services[name]), f"{name} has no usable healthcheck"


def test_depends_on_targets_and_conditions(services: dict[str, Any]) -> None:
    """depends_on names existing services with a condition that target can satisfy."""
    problems = []
    for name, service in services.items():
        for target, condition in depends_on_of(service).items():
            if target not in services:
                problems.append(f"{name} -> {target}: no such service")
            elif condition not in VALID_CONDITIONS:
                problems.append(f"{name} -> {target}: invalid condition {condition!r}")
            elif condition == "service_healthy" and not has_healthcheck(services[target]):
                problems.append(f"{name} -> {target}: service_healthy but {target} has no healthcheck")
            elif condition == "service_completed_successfully" and target != ONE_SHOT:
                problems.append(f"{name} -> {target}: only {ONE_SHOT} is a one-shot service")
    assert not problems, problems


def test_dependency_graph_is_acyclic(services: dict[str, Any]) -> None:
    """No service waits, directly or not, on itself."""
    graph = {name: set(depends_on_of(service)) for name, service in services.items()}
    assert find_cycle(graph) is None, f"dependency cycle: {find_cycle(graph)}"


def test_app_services_wait_for_migrations(services: dict[str, Any]) -> None:
    """web, the workers and dashboards start only after migrate succeeded, with their stores healthy."""
    migrate_deps = depends_on_of(services[ONE_SHOT])
    assert migrate_deps.get("postgres") == "service_healthy"
    assert migrate_deps.get("redis") == "service_healthy"
    for name in ("web", *WORKER_SERVICES, "dashboards"):
        deps = depends_on_of(services[name])
        assert deps.get(ONE_SHOT) == "service_completed_successfully", name
        assert deps.get("redis") == "service_healthy" or name == "dashboards", name
    assert depends_on_of(services["web"]).get("postgres") == "service_healthy"
    nginx_deps = depends_on_of(services["nginx"])
    assert nginx_deps.get("web") == "service_healthy"
    assert nginx_deps.get("dashboards") == "service_healthy"


def test_restart_policies(services: dict[str, Any]) -> None:
    """Long-running services restart unless stopped; migrate runs once and never restarts."""
    for name in LONG_RUNNING:
        assert services[name].get("restart") == "unless-stopped", name
    assert services[ONE_SHOT].get("restart") == "no"
    assert command_argv(services[ONE_SHOT])[-2:] == ["niochat", "migrate"]


def test_every_worker_group_has_a_service(services: dict[str, Any]) -> None:
    """Each RQ worker group in jobs.queues runs in exactly one worker service."""
    from jobs.queues import WORKER_GROUPS

    groups = []
    for name in WORKER_SERVICES:
        argv = command_argv(services[name])
        assert argv[:2] == ["niochat", "worker"], argv
        groups.append(option_value(argv, "--group") or "live")
    assert sorted(groups) == sorted(WORKER_GROUPS), groups


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment(services: dict[str, Any], name: str) -> None:
    """App services read .env, run in production mode and reach the compose postgres and redis."""
    service = services[name]
    env = environment_of(service)
    assert ".env" in env_files_of(service), f"{name} does not load .env"
    assert env.get("NIOCHAT_ENV") == "production"

    database = urlsplit(resolve_defaults(env.get("DATABASE_URL", "")))
    assert database.scheme == "postgresql+psycopg", env.get("DATABASE_URL")
    assert database.hostname == "postgres" and "postgres" in services
    assert database.port == 5432
    assert database.password == "__POSTGRES_PASSWORD__", "DATABASE_URL password must be the required ref"

    cache = urlsplit(env.get("REDIS_URL", ""))
    assert cache.scheme == "redis", env.get("REDIS_URL")
    assert cache.hostname == "redis" and "redis" in services


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secrets_are_required_references(services: dict[str, Any], name: str) -> None:
    """SECRET_KEY and ENCRYPTION_KEY are ${X:?...} in environment, or left to env_file."""
    env = environment_of(services[name])
    for key in ("SECRET_KEY", "ENCRYPTION_KEY"):
        if key not in env:
            assert ".env" in env_files_of(services[name]), f"{name}: {key} has no source"
            continue
        match = REQUIRED_REF.match(env[key])
        assert match and match.group("name") == key, f"{name}: {key}={env[key]!r}"


def test_postgres_password_is_a_required_reference(services: dict[str, Any]) -> None:
    """The postgres container gets its password from a ${POSTGRES_PASSWORD:?...} reference."""
    value = environment_of(services["postgres"]).get("POSTGRES_PASSWORD", "")
    match = REQUIRED_REF.match(value)
    assert match and match.group("name") == "POSTGRES_PASSWORD", value


def test_no_secret_literal_in_compose_file(compose_text: str) -> None:
    """Nothing in docker-compose.yml assigns a secret a literal or defaulted value."""
    assert secret_literals(compose_text) == []


def test_web_runs_one_gthread_worker(services: dict[str, Any]) -> None:
    """gunicorn runs exactly one worker with many threads (Flask-SocketIO threading mode)."""
    argv = command_argv(services["web"])
    assert argv and Path(argv[0]).name == "gunicorn", argv
    assert option_value(argv, "--worker-class", "-k") == "gthread"
    assert option_value(argv, "--workers", "-w") == "1"
    threads = option_value(argv, "--threads")
    assert threads is not None and int(threads) > 1
    assert option_value(argv, "--bind", "-b") == f"{ALL_INTERFACES}:8000"
    assert argv[-1] == "web.wsgi:app"


def test_web_healthcheck_hits_healthz_without_curl(services: dict[str, Any]) -> None:
    """The web healthcheck uses python urllib against /healthz (slim image has no curl)."""
    test = " ".join(str(part) for part in services["web"]["healthcheck"]["test"])
    assert "urllib" in test and "http://127.0.0.1:8000/healthz" in test
    assert "curl" not in test


def test_media_volume_shared_by_web_and_worker(compose: dict[str, Any], services: dict[str, Any]) -> None:
    """web and the workers mount the same named `media` volume at /app/instance."""
    assert "media" in (compose.get("volumes") or {})
    for name in ("web", *WORKER_SERVICES):
        assert ("media", "/app/instance") in volume_pairs(services[name]), name


def test_only_nginx_publishes_ports(services: dict[str, Any]) -> None:
    """Databases and apps stay on the internal network; nginx publishes 80 and 443."""
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    ports = {str(port).split(":")[-1] for port in services["nginx"]["ports"]}
    assert ports == {"80", "443"}


def test_images_are_pinned(services: dict[str, Any]) -> None:
    """Every image has an explicit tag, never `latest`; third-party images pin a major version."""
    problems = []
    for name, service in services.items():
        if "image" not in service:
            if "build" not in service:
                problems.append(f"{name}: neither image nor build")
            continue
        repository, tag = split_image(str(service["image"]))
        if tag is None or tag == "latest":
            problems.append(f"{name}: {service['image']!r} is not pinned")
        elif "build" not in service and not re.match(r"^\d+", tag):
            problems.append(f"{name}: {repository}:{tag} does not pin a major version")
    assert not problems, problems


def test_dashboards_base_path_is_consistent(services: dict[str, Any], nginx_conf: str) -> None:
    """Streamlit's base path, bind address, healthcheck URL and the nginx location agree."""
    dashboards = services["dashboards"]
    env = environment_of(dashboards)
    assert env.get("DASHBOARDS_BASE_PATH") == STREAMLIT_BASE_PATH
    assert env.get("DASHBOARDS_HOST") == ALL_INTERFACES
    assert env.get("DASHBOARDS_PORT") == "8501"
    test = " ".join(str(part) for part in dashboards["healthcheck"]["test"])
    assert f"http://127.0.0.1:8501/{STREAMLIT_BASE_PATH}/_stcore/health" in test
    assert re.search(rf"location\s+/{STREAMLIT_BASE_PATH}/\s*\{{", nginx_conf)


# ------------------------------------------------------------------------------------------------- nginx


def test_nginx_config_carries_socketio(nginx_conf: str) -> None:
    """The nginx config has sticky upstreams, a /socket.io/ location and WebSocket upgrade headers."""
    assert re.search(r"^\s*ip_hash;", nginx_conf, re.MULTILINE)
    assert re.search(r"location\s+/socket\.io/\s*\{", nginx_conf)
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", nginx_conf)
    assert re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade;", nginx_conf)
    assert re.search(r"client_max_body_size\s+64m;", nginx_conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", nginx_conf)


def test_nginx_upstreams_are_compose_services(services: dict[str, Any], nginx_conf: str) -> None:
    """Every upstream server in the nginx config is a compose service on the port it listens on."""
    servers = re.findall(r"^\s*server\s+([A-Za-z0-9_.-]+):(\d+)", nginx_conf, re.MULTILINE)
    assert set(servers) == {("web", "8000"), ("webhooks", "8000"), ("dashboards", "8501")}, servers
    assert all(host in services for host, _ in servers)


def test_webhooks_have_their_own_processes(services: dict[str, Any], nginx_conf: str) -> None:
    """/webhooks/ goes to a multi-process service without stickiness; Socket.IO stays on web."""
    assert re.search(r"location\s+/webhooks/\s*\{\s*proxy_pass\s+http://niochat_webhooks;", nginx_conf)
    block = nginx_conf[nginx_conf.index("upstream niochat_webhooks") :].split("}", 1)[0]
    assert "ip_hash" not in block
    command = [str(part) for part in services["webhooks"]["command"]]
    assert command[command.index("--workers") + 1] != "1"
    # granian serving the same WSGI app (bench/webhook_ingest.py measures it against gunicorn)
    assert command[0] == "granian" and command[command.index("--interface") + 1] == "wsgi", command
    assert command[-1] == "web.wsgi:app" and int(command[command.index("--blocking-threads") + 1]) > 1


def test_nginx_certificates_come_from_a_mount(services: dict[str, Any], nginx_conf: str) -> None:
    """ssl_certificate paths live under /etc/nginx/certs, which compose mounts into nginx."""
    paths = re.findall(r"^\s*ssl_certificate(?:_key)?\s+(\S+);", nginx_conf, re.MULTILINE)
    assert len(paths) == 2 and all(path.startswith("/etc/nginx/certs/") for path in paths), paths
    assert "/etc/nginx/certs" in {target for _, target in volume_pairs(services["nginx"])}
