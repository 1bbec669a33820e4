"""The desktop entries and the bundle's entry script, checked without building a bundle
(packaging/smoke checks a built one)."""

from __future__ import annotations

import configparser
import os
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from imgcast.engine.cli.main import build_parser

TOP = Path(__file__).resolve().parent.parent
KIOSK_DESKTOP = TOP / "resources" / "imgcast-kiosk.desktop"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in .desktop files
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_kiosk_entry_runs_img_in_kiosk_mode() -> None:
    entry = desktop_entry(KIOSK_DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Icon"] == "imgcast"
    program, *arguments = shlex.split(entry["Exec"])
    assert program == "img"
    args = build_parser().parse_args(arguments)
    assert args.kiosk is True and args.command is None  # the wizard, full screen


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_kiosk_entry_passes_desktop_file_validate() -> None:
    done = subprocess.run(["desktop-file-validate", str(KIOSK_DESKTOP)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def load_entry_script() -> dict:
    return runpy.run_path(str(TOP / "packaging" / "entry.py"), run_name="imgcast_bundle_entry")


def test_bundle_gives_child_processes_the_users_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    restore = load_entry_script()["give_children_the_system_libraries"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/imgcast/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    restore()
    assert os.environ["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in os.environ


def test_bundle_drops_its_library_path_when_the_user_had_none(monkeypatch: pytest.MonkeyPatch) -> None:
    restore = load_entry_script()["give_children_the_system_libraries"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/imgcast/_internal")
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)
    restore()
    assert "LD_LIBRARY_PATH" not in os.environ


def test_entry_script_leaves_a_venv_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    restore = load_entry_script()["give_children_the_system_libraries"]
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/somewhere")
    restore()
    assert os.environ["LD_LIBRARY_PATH"] == "/somewhere"


def test_entry_script_is_the_img_command() -> None:
    """The bundle's entry runs the same main as the `img` console script."""
    done = subprocess.run([sys.executable, str(TOP / "packaging" / "entry.py"), "address", "doug"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "231.200.152.171"


def qt_modules_imported(folders: list[Path]) -> set[str]:
    """Every PySide6 module the code imports ("QtCore", ...), read from the source (ast)."""
    import ast

    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                        found.add(parts[1])
    return found


def test_the_qt_modules_used_all_come_with_pyside6_essentials_so_addons_are_not_installed() -> None:
    """PySide6-Addons is 3x the download of Essentials; it is a dependency only if a module of
    it is really imported (by the app, or by the tests through pytest-qt)."""
    import importlib.metadata as metadata
    import tomllib

    essentials = {str(f).split("/")[1].split(".")[0] for f in metadata.files("PySide6-Essentials") or []
                  if str(f).startswith("PySide6/Qt") and str(f).endswith(".so")}
    used = qt_modules_imported([TOP / "app", TOP / "engine", TOP / "tests", TOP / "packaging"])
    assert used and used <= essentials, f"not in PySide6-Essentials: {sorted(used - essentials)}"
    dependencies = tomllib.loads((TOP / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any(d.lower().startswith("pyside6-addons") for d in dependencies)
