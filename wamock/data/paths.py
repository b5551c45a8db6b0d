"""Where the spec and the default fixtures live, in a source checkout and in an installed wheel.

The wheel carries copies of `spec/` and `fixtures/` inside the package (see pyproject.toml);
a source checkout or an editable install reads them beside the package instead.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # wamock/, where the wheel puts spec/ and fixtures/


def _data_file(folder: str, name: str) -> Path:
    packaged = _PACKAGE_DIR / folder / name
    if packaged.is_file():
        return packaged
    return _PACKAGE_DIR.parent / folder / name


SPEC_FILE = _data_file("spec", "openapi.yaml")
DEFAULT_FIXTURES = _data_file("fixtures", "chats.json")
CONTROL_SPEC_FILE = _data_file("spec", "control.yaml")
