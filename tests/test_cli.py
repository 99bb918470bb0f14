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


def test_analyse_names_an_unknown_centre_and_contradicting_values_in_one_line(case_build) -> None:
    """The command line answers as the API does (404 / 422 there): exit 3 for a centre not in the graph, exit 2 for
    thresholds that contradict each other; one line each, no traceback, nothing on stdout."""
    store = str(case_build[0])
    unknown = _graphkit("--store-path", store, "analyse", "interdependence", "--as-of", "2018-06-30",
                        "-p", "centre=ZZF-NOPE")
    assert unknown.returncode == 3 and unknown.stdout == "", unknown.stderr
    assert unknown.stderr.strip() == "graphkit: error: 'ZZF-NOPE' is not in the graph as of 2018-06-30"
    both = _graphkit("--store-path", store, "analyse", "style", "--as-of", "2018-06-30", "-p", "centre=ZZF-EXPANDING",
                     "-p", "tau=0.2", "-p", "tau_low=0.4")
    assert both.returncode == 2 and both.stdout == "" and len(both.stderr.strip().splitlines()) == 1, both.stderr
    assert "analysis 'style'" in both.stderr and "tau_low" in both.stderr
    ok = _graphkit("--store-path", store, "analyse", "interdependence", "--as-of", "2018-06-30",
                   "-p", "centre=ZZF-EXPANDING")
    assert ok.returncode == 0 and json.loads(ok.stdout)["classification"] == "pluricentric", ok.stderr


@pytest.mark.integration
def test_export_an_area_as_a_data_package_and_jsonld(seed_store, tmp_path) -> None:
    """`graphkit export --within --as-of`: a data package as a directory or a zip (the API's bytes) that
    frictionless validates; JSON-LD holding its context, which `graphkit validate` reads without fetching."""
    import zipfile

    from frictionless import validate

    env = {"GRAPHKIT_STORE_PATH": str(seed_store)}
    area = ["export", "--within", "u89141", "--as-of", "2024-10-01"]
    out = _graphkit(*area, "--format", "datapackage", "-o", str(tmp_path / "pkg"), env=env)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == [
        "datapackage.json", "organisations.csv", "sources.csv", "ties.csv"]
    assert validate(str(tmp_path / "pkg" / "datapackage.json")).valid
    out = _graphkit(*area, "--format", "datapackage", "-o", str(tmp_path / "pkg.zip"), env=env)
    assert out.returncode == 0, out.stderr
    api = get(create_app(Settings(store_path=seed_store)), "/export",
              params={"format": "datapackage", "within": "U89141", "as_of": "2024-10-01"})
    assert (tmp_path / "pkg.zip").read_bytes() == api.content
    with zipfile.ZipFile(tmp_path / "pkg.zip") as z:
        assert z.read("ties.csv") == (tmp_path / "pkg" / "ties.csv").read_bytes()
    out = _graphkit(*area, "--format", "jsonld", "-o", str(tmp_path / "u.jsonld"), env=env)
    assert out.returncode == 0, out.stderr
    assert isinstance(json.loads((tmp_path / "u.jsonld").read_text(encoding="utf-8"))["@context"], dict)
    checked = _graphkit("validate", str(tmp_path / "u.jsonld"))
    assert checked.returncode == 0 and checked.stderr.endswith("u.jsonld: conforms (83 warnings)\n"), checked.stderr
    # the warnings are the Turtle export's: each source a tie names is not described in the file
    assert {line.rsplit("[", 1)[-1] for line in checked.stdout.splitlines()} == {"FactProvenanceQualityShape class]"}
    refused = _graphkit(*area, "--format", "datapackage", env=env)
    assert refused.returncode == 2 and "needs -o DIR or -o FILE.zip" in refused.stderr
    whole_store = _graphkit("export", "--within", "U89141", "--format", "trig", env=env)
    assert whole_store.returncode == 2 and "an area is exported as turtle" in whole_store.stderr
