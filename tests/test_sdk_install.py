"""``pip install hushbook`` (no extras) in a fresh virtual environment gives the
SDK alone: requests and pycryptodome, no Flask, peewee or Huey; typed (PEP 561)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # a new virtual environment, pip, mypy
REPO = Path(__file__).resolve().parents[1]
TYPED_USE = """\
import hushbook

def names(client: hushbook.Client) -> list[str]:
    return [s.display_name for s in client.staff.list(active=True)]

def first_offer(visitor: hushbook.PublicBooking) -> hushbook.Offer | None:
    offers = visitor.offers(1, "2030-06-03", "2030-06-09")
    return offers[0] if offers else None
"""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A new virtual environment with the project installed from a clean copy."""
    root = tmp_path_factory.mktemp("sdk-install")
    source = root / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("sdk", "service"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return python


def run(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)


def test_plain_install_is_the_sdk_alone(fresh):
    ok = run(
        fresh,
        "import hushbook, pathlib; "
        "print(hushbook.Client.__name__, hushbook.PublicBooking.__name__, "
        "(pathlib.Path(hushbook.__file__).parent / 'py.typed').exists())",
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["Client", "PublicBooking", "True"]
    for server_part in ("flask", "peewee", "huey", "flask_smorest", "marshmallow"):
        missing = run(fresh, f"import {server_part}")
        assert missing.returncode != 0 and "ModuleNotFoundError" in missing.stderr, server_part
    listed = subprocess.run(
        [fresh, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout.lower()
    assert "requests==" in listed and "pycryptodome==" in listed
    assert "flask" not in listed and "peewee" not in listed and "huey" not in listed


def test_installed_package_is_typed_for_mypy(fresh, tmp_path):
    mypy = pytest.importorskip("mypy.api")
    script = tmp_path / "use_sdk.py"
    script.write_text(TYPED_USE)
    out, err, status = mypy.run(
        ["--strict", "--no-incremental", "--python-executable", str(fresh), str(script)]
    )
    assert status == 0, out + err
    wrong = tmp_path / "wrong.py"
    wrong.write_text("import hushbook\nx: int = hushbook.Client('http://x').tenant.get().slug\n")
    out, _, status = mypy.run(
        ["--strict", "--no-incremental", "--python-executable", str(fresh), str(wrong)]
    )
    assert status == 1 and "incompatible types" in out.lower()  # real types, not Any
    assert sys.version_info >= (3, 11)
