"""The package as an operator installs it: `python -m build --wheel` makes the wheel,
it installs into a fresh virtualenv, and the installed `firebell` runs from there, with
its playbooks and migrations read from the wheel, not this checkout.

Dependencies: the fresh venv gets only the wheel (`--no-deps`) and sees the libraries
this suite runs on through a .pth line (the same versions, no download); its `bot`,
`storage` and `sandbox` come from the wheel alone (checked below), which is what the
test is about.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def run(*command: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    found = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )
    assert found.returncode == 0, f"{command}: {found.returncode}\n{found.stdout}{found.stderr}"
    return found.stdout


def test_the_wheel_installs_and_runs_from_a_fresh_virtualenv(tmp_path: Path) -> None:
    try:
        import build  # noqa: F401
    except ImportError:
        raise AssertionError("`build` is in the dev extras: pip install -e '.[dev]'") from None
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources, and
    # the SQLite and PostgreSQL lanes of `make test` run this test at the same time.
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        copy = source / name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(ROOT / name, copy)
    for package in ("bot", "storage", "sandbox"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    dist = tmp_path / "dist"
    # The wheel only: an sdist first would double the time (a second isolated build).
    run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source)
    (wheel,) = dist.glob("firebell-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "bot/playbooks/default.yml",
        "storage/alembic/env.py",
        "storage/alembic/script.py.mako",
        "storage/alembic/versions/0001_initial.py",
        "bot/web/static/charts.js",
        "bot/web/static/embed.js",  # read when the web app starts (bot/web/status_link.py)
        "bot/web/templates/status_link.html",
        "bot/web/static/vendor/uplot-1.6.32.min.js",
        "bot/web/static/vendor/uplot-LICENSE",
        "sandbox/playground/static/index.html",  # `firebell playground` serves these
        "sandbox/playground/static/app.js",
    } <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not any(name.startswith("tests/") for name in names)

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    # --ignore-installed: pip runs from the suite's site-packages, where an editable
    # firebell 0.1.0 would count as "already installed".
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
        "--quiet", "--no-deps", "--ignore-installed", wheel)  # fmt: skip
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    (site / "suite-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    # Nothing of this checkout: no PYTHONPATH, run from an empty directory.
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "SLACK_BOT_TOKEN": "xoxb-1-wheel",
        "SLACK_SIGNING_SECRET": "a-signing-secret",
        "DATABASE_URL": f"sqlite:///{home}/firebell.db",
    }
    firebell = venv / "bin" / "firebell"
    where = run(venv / "bin" / "python", "-c",
                "import bot.playbooks.loader, storage.migrate; "
                "print(bot.playbooks.loader.BUILTIN_DIR); print(storage.migrate.SCRIPT_LOCATION)",
                env=env, cwd=home)  # fmt: skip
    assert all(line.startswith(str(site)) for line in where.splitlines()), where

    assert run(firebell, "--version", env=env, cwd=home).strip() == "firebell 0.1.0"
    checked = run(firebell, "check-config", env=env, cwd=home)
    assert "playbooks: bug, default, outage, security: ok" in checked
    # The migrations in the wheel make a database.
    assert "database is up to date" in run(firebell, "migrate", env=env, cwd=home)
    assert (home / "firebell.db").stat().st_size > 0
