"""The command line: help lists the commands; `get` matches the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings


def _graphkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphkit.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_help_lists_the_commands() -> None:
    out = _graphkit("--help")
    assert out.returncode == 0
    for command in ("build", "serve", "get", "neo4j"):
        assert f"  {command}" in out.stdout


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/health", "/organisations/A81001?as_of=2026-08-01"])
def test_get_prints_the_same_json_as_the_api(seed_store, path: str) -> None:
    out = _graphkit("get", path, env={"GRAPHKIT_STORE_PATH": str(seed_store)})
    assert out.returncode == 0, out.stderr
    expected = get(create_app(Settings(store_path=seed_store)), path).json()
    assert json.loads(out.stdout) == expected


@pytest.mark.integration
def test_get_of_unknown_code_exits_non_zero_with_the_error_envelope(seed_store) -> None:
    out = _graphkit("get", "/organisations/ZZZ999", env={"GRAPHKIT_STORE_PATH": str(seed_store)})
    assert out.returncode == 1
    assert json.loads(out.stdout)["error"]["status"] == 404


def test_missing_store_is_one_line_error_not_a_traceback(tmp_path) -> None:
    out = _graphkit("get", "/health", env={"GRAPHKIT_STORE_PATH": str(tmp_path / "none")})
    assert out.returncode == 5
    assert out.stderr.strip().startswith("graphkit: error: no embedded store")
    assert "Traceback" not in out.stderr
