"""Static checks of the production image: the Dockerfile and .dockerignore, parsed without a Docker engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        pairs.append((keyword.upper(), args.strip()))
    return pairs


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Instructions of the last build stage (from its FROM on)."""
    starts = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :] if starts else []


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """Parsed Dockerfile instructions."""
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def test_dockerfile_is_multistage_python_slim(dockerfile: list[tuple[str, str]]) -> None:
    """The Dockerfile has a builder stage and a final stage, both python:3.11-slim."""
    bases = [args.split()[0] for keyword, args in dockerfile if keyword == "FROM"]
    assert len(bases) >= 2, bases
    assert all(base == "python:3.11-slim" for base in bases), bases
    final = final_stage(dockerfile)
    assert any(keyword == "COPY" and args.startswith("--from=") for keyword, args in final)


def test_dockerfile_installs_requirements(dockerfile: list[tuple[str, str]]) -> None:
    """requirements.txt is installed with pip, and the project itself after it."""
    runs = [args for keyword, args in dockerfile if keyword == "RUN"]
    assert any(re.search(r"pip install\b[^&;]*-r\s+requirements\.txt", run) for run in runs), runs
    assert any(re.search(r"pip install\b[^&;]*--no-deps\b[^&;]*(-e\s+)?\.(\s|$)", run) for run in runs)


def test_dockerfile_runs_as_non_root(dockerfile: list[tuple[str, str]]) -> None:
    """The final stage switches to a non-root USER."""
    users = [args for keyword, args in final_stage(dockerfile) if keyword == "USER"]
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_runtime_settings(dockerfile: list[tuple[str, str]]) -> None:
    """The final stage sets the Python env flags, exposes 8000 and 8501 and defaults to web."""
    final = final_stage(dockerfile)
    env = " ".join(args for keyword, args in final if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    exposed = {port for keyword, args in final if keyword == "EXPOSE" for port in args.split()}
    assert {"8000", "8501"} <= exposed
    cmd = [args for keyword, args in final if keyword == "CMD"]
    assert cmd and "gunicorn" in cmd[-1] and "web.wsgi:app" in cmd[-1]


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    """.dockerignore excludes .env, the venv, instance data and VCS metadata."""
    assert DOCKERIGNORE.is_file()
    patterns = {line.strip().rstrip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert {".env", ".venv", "instance", ".git", "**/__pycache__", "node_modules"} <= patterns
