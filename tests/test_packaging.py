"""A plain `pip install .` gives a wamock that serves from any directory."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import AUTH, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )
    return next(out.glob("wamock-*.whl"))


def test_wheel_carries_spec_fixtures_and_handlers(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    assert {
        "wamock/spec/openapi.yaml",
        "wamock/spec/control.yaml",
        "wamock/fixtures/chats.json",
        "handlers/chats.py",
        "handlers/control.py",
        "wamock/cli.py",
        *(f"wamock/statics/media/sample.{ext}" for ext in ("jpg", "png", "webp", "mp4", "ogg", "pdf")),
    } <= names


def test_installed_wheel_serves_from_any_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    process = subprocess.Popen(
        [str(target / "bin" / "wamock"), "--port", "0", "--no-access-log"],
        cwd=elsewhere,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner = "".join(process.stdout.readline() for _ in range(5))
    try:
        base_url = re.search(r"serving (http://[^/\s]+)", banner).group(1)
        wait_until_answering(base_url)
        body = httpx.get(f"{base_url}/chats", auth=AUTH).json()
        assert body["results"]["pagination"]["total"] == 150
        assert f"data: {target}/wamock/fixtures/chats.json" in banner
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
