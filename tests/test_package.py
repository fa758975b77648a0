"""The installable package: `python -m build` makes a wheel and an sdist; the wheel, installed into
a fresh venv, runs from another directory with rules, knowledge and examples as package data.

One module-scoped build and install (marked `package`; about 25 s: the build ~8 s, the install
from pip's cache ~15 s), then each test runs commands of the installed `greenpark` with a temporary
folder as its working directory, so nothing can come from the checkout by accident.
`pytest -m "not package"` leaves it out of a quick loop.
"""
from __future__ import annotations

import json
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[1]


def _version() -> str:
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The wheel and the sdist of `python -m build` (sdist first, the wheel built from it)."""
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    version = _version()
    wheel, sdist = out / f"greenpark-{version}-py3-none-any.whl", out / f"greenpark-{version}.tar.gz"
    assert wheel.is_file() and sdist.is_file(), sorted(p.name for p in out.iterdir())
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> dict[str, Path]:
    """A fresh venv (no pip of its own: this interpreter's pip installs into it, with pip's cache)
    holding the wheel and its dependencies, nothing from the checkout."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                        str(dist["wheel"])], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    return {"venv": venv, "python": python, "greenpark": venv / "bin" / "greenpark", "site": site,
            "package": site / "greenpark"}


@pytest.fixture()
def elsewhere(tmp_path) -> Path:
    """A working directory that is not the checkout, with its own cache folder and home."""
    (tmp_path / "cache").mkdir()
    return tmp_path


def _run(installed, elsewhere: Path, *args: str, command: str = "greenpark") -> subprocess.CompletedProcess:
    env = {"PATH": f"{installed['venv'] / 'bin'}:/usr/bin:/bin", "HOME": str(elsewhere),
           "XDG_CACHE_HOME": str(elsewhere / "cache"), "LANG": "C.UTF-8"}
    exe = [str(installed["greenpark"])] if command == "greenpark" else [str(installed["python"]), "-m", "greenpark"]
    return subprocess.run(exe + list(args), cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)


# --- what the archives hold ------------------------------------------------------------------

def test_wheel_holds_one_greenpark_package_with_its_data_and_licence(dist):
    names = zipfile.ZipFile(dist["wheel"]).namelist()
    version = _version()
    info = f"greenpark-{version}.dist-info"
    assert {n.split("/")[0] for n in names} == {"greenpark", info}        # no engine/, no cli.py at the top
    for folder in ("rules", "knowledge"):
        shipped = {n for n in names if n.startswith(f"greenpark/{folder}/") and n.endswith(".yaml")}
        in_checkout = {f"greenpark/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).rglob("*.yaml")}
        assert shipped == in_checkout and shipped, folder
    templates = {p.name for p in (ROOT / "engine" / "render" / "dossier" / "templates").iterdir() if p.is_file()}
    assert templates and {f"greenpark/engine/render/dossier/templates/{t}" for t in templates} <= set(names)
    assert {f"greenpark/examples/{p.name}" for p in (ROOT / "examples").glob("*.yaml")} <= set(names)
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(dist["wheel"]).read(f"{info}/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    entry_points = zipfile.ZipFile(dist["wheel"]).read(f"{info}/entry_points.txt").decode()
    assert "greenpark = greenpark.engine.cli:main" in entry_points
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_sdist_holds_the_build_inputs(dist):
    top = f"greenpark-{_version()}"
    names = set(tarfile.open(dist["sdist"]).getnames())
    for required in ("setup.py", "pyproject.toml", "LICENSE", "README.md", "rules/ruleset.yaml",
                     "knowledge/benchmarks.yaml", "greenpark/__init__.py", "engine/cli/__init__.py"):
        assert f"{top}/{required}" in names, required
    assert {f"{top}/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "rules").rglob("*.yaml")} <= names


# --- the installed package, run from elsewhere ------------------------------------------------

def test_installed_cli_assesses_reports_and_lints_from_another_directory(installed, elsewhere):
    example = installed["package"] / "examples" / "coal_chemical_park.yaml"
    r = _run(installed, elsewhere, "assess", str(example), "-f", "json", "-o", "result.json")
    assert r.returncode == 0, r.stderr
    result = json.loads((elsewhere / "result.json").read_text(encoding="utf-8"))
    assert result["park_id"] and result["findings"] and result["summary"]
    assert result["ruleset"]["versions"]["ruleset"] == yaml.safe_load((ROOT / "rules" / "ruleset.yaml").read_text())["version"]

    r = _run(installed, elsewhere, "rules", "lint")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok: greenpark ")

    r = _run(installed, elsewhere, "report", str(example), "-f", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"# {result['park_name']}")

    r = _run(installed, elsewhere, "--version", command="python -m greenpark")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"greenpark {_version()}"
    assert r.stdout.splitlines()[1].startswith("rulesets: 1.")


def test_golden_ir_says_it_needs_a_checkout(installed, elsewhere):
    r = _run(installed, elsewhere, "rules", "golden")
    assert r.returncode == 2
    assert "source checkout" in r.stderr and "Traceback" not in r.stderr


def test_service_examples_resolve_inside_the_installed_package(installed, elsewhere):
    code = ("from greenpark.engine.rules.packs import REPO_ROOT, DEFAULT_RULES; "
            "from greenpark.engine.knowledge.loader import DEFAULT_DIRECTORY; "
            "print(REPO_ROOT); print(DEFAULT_RULES); print(DEFAULT_DIRECTORY)")
    r = subprocess.run([str(installed["python"]), "-c", code], cwd=elsewhere, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    package = installed["package"].resolve()
    assert r.stdout.split() == [str(package), str(package / "rules"), str(package / "knowledge")]
    assert (package / "examples" / "typical_municipal_park.yaml").is_file()   # the service's warm-up and examples


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_runs_with_a_read_only_package_and_caches_in_the_users_cache(installed, elsewhere):
    package = installed["package"]
    before = _tree(package)
    modes = {p: p.stat().st_mode for p in [package, *package.rglob("*")]}
    try:
        for p in modes:
            p.chmod(stat.S_IMODE(modes[p]) & ~0o222)
        example = package / "examples" / "typical_municipal_park.yaml"
        for _ in range(2):                                    # a compile, then a cache hit
            r = _run(installed, elsewhere, "assess", str(example), "-f", "json", "-o", "r.json")
            assert r.returncode == 0, r.stderr
        assert list((elsewhere / "cache" / "greenpark").glob("*.pickle"))
    finally:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))
    # nothing written into site-packages (this also holds when the suite runs as root, for whom the
    # read-only bits do not stop a write)
    assert _tree(package) == before


def test_installed_version_comes_from_the_metadata(installed, elsewhere):
    r = subprocess.run([str(installed["python"]), "-c", "import greenpark; print(greenpark.__version__)"],
                       cwd=elsewhere, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == _version()
    r = _run(installed, elsewhere, "-V")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == f"greenpark {_version()}"
