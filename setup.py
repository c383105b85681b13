"""The two build steps ``pyproject.toml`` cannot declare (everything else is there).

1. **Browser assets from npm, at build time.** The query editor (YASGUI) and the
   API docs (Swagger UI) run in the browser; their files come from the npm
   registry at the versions locked in ``ui/package-lock.json`` (``npm ci
   --ignore-scripts``) and are copied, with their licences, into
   ``server/kgpub/static/vendor/``, which the wheel ships as package data. A
   user who installs the wheel needs neither Node nor the network: nothing is
   fetched from npm or a CDN at install or run time. Unchanged assets (the lock's
   hash in ``.package-lock.sha256``) are not fetched again.
2. **The shipped story.** ``data/``, ``articles/``, ``ontology/``, ``shapes/`` and ``queries/``
   are copied whole into the wheel as ``kgpub/story/``: ``kgpub`` run outside any
   project serves it (``kgpub.config.shipped_story``). An editable install reads
   them from the checkout instead.

``scripts/setup-ui`` runs step 1 alone (``python setup.py build_ui``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from setuptools import Command, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
UI = ROOT / "ui"
VENDOR = ROOT / "server" / "kgpub" / "static" / "vendor"
STAMP = ".package-lock.sha256"
NOTICE = "THIRD-PARTY.md"
# (npm package, file in it, name in static/vendor/): what the pages load, and the licences.
ASSETS = (
    ("@zazuko/yasgui", "build/yasgui.min.js", "yasgui.min.js"),
    ("@zazuko/yasgui", "build/yasgui.min.css", "yasgui.min.css"),
    ("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    ("swagger-ui-dist", "swagger-ui.css", "swagger-ui.css"),
    ("swagger-ui-dist", "favicon-32x32.png", "swagger-ui-favicon.png"),
    ("swagger-ui-dist", "LICENSE", "swagger-ui-dist.LICENSE"),
    ("swagger-ui-dist", "NOTICE", "swagger-ui-dist.NOTICE"),
    (
        "swagger-ui-dist",
        "swagger-ui-bundle.js.LICENSE.txt",
        "swagger-ui-bundle.js.LICENSE.txt",
    ),
)
# The shipped story: whole folders, so a new layout under them ships too; those a
# project layout lacks (articles/ before the many-article layout) are skipped.
STORY = ("data", "articles", "ontology", "shapes", "queries")


def _lock_hash() -> str:
    return hashlib.sha256((UI / "package-lock.json").read_bytes()).hexdigest()


def _assets_current() -> bool:
    stamp = VENDOR / STAMP
    present = all((VENDOR / name).is_file() for _, _, name in ASSETS)
    return present and stamp.is_file() and stamp.read_text().strip() == _lock_hash()


def _notice(modules: Path) -> str:
    """Which package each asset comes from, its version and licence."""
    lines = [
        "# Third-party browser assets",
        "",
        "Copied from the npm registry at build time (ui/package-lock.json); kgpub serves",
        "them itself, so its pages load nothing from a CDN.",
        "",
        "| file | npm package | version | licence |",
        "|---|---|---|---|",
    ]
    for package, _, name in ASSETS:
        meta = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))
        lines.append(f"| {name} | {package} | {meta['version']} | {meta.get('license', '?')} |")
    return "\n".join(lines) + "\n"


def build_ui_assets(*, required: bool) -> None:
    """Fetch the locked npm packages and copy the assets into ``static/vendor/``.

    Without npm: a build that must ship the assets (a wheel) fails; an editable
    install warns and goes on (the query page then says the editor is missing).
    """
    if _assets_current():
        return
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is needed to build kgpub's browser assets (YASGUI, Swagger UI)"
        if required:
            raise SystemExit(message)
        print(f"warning: {message}; the query editor and /docs will lack them")
        return
    # --ignore-scripts: only files are needed, no package may run code at install.
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=UI,
        check=True,
    )
    modules = UI / "node_modules"
    VENDOR.mkdir(parents=True, exist_ok=True)
    for package, path, name in ASSETS:
        shutil.copyfile(modules / package / path, VENDOR / name)
    (VENDOR / NOTICE).write_text(_notice(modules), encoding="utf-8")
    (VENDOR / STAMP).write_text(_lock_hash() + "\n")
    print(f"built the browser assets into {VENDOR}")


class BuildUi(Command):
    """``python setup.py build_ui``: only the browser assets (``scripts/setup-ui``)."""

    description = "fetch the locked npm packages and copy the browser assets"
    user_options: list[tuple[str, str | None, str]] = []  # noqa: RUF012 - distutils' API

    def initialize_options(self) -> None:
        pass

    def finalize_options(self) -> None:
        pass

    def run(self) -> None:
        build_ui_assets(required=True)


class BuildPy(build_py):
    """setuptools' ``build_py`` with the browser assets and the shipped story."""

    def run(self) -> None:
        editable = bool(getattr(self, "editable_mode", False))
        build_ui_assets(required=not editable)
        super().run()
        if editable:
            return
        package = Path(self.build_lib) / "kgpub"
        vendor = package / "static" / "vendor"
        vendor.mkdir(parents=True, exist_ok=True)
        for _, _, name in ASSETS:
            shutil.copyfile(VENDOR / name, vendor / name)
        shutil.copyfile(VENDOR / NOTICE, vendor / NOTICE)
        story = package / "story"
        shutil.rmtree(story, ignore_errors=True)
        for folder in STORY:
            if (ROOT / folder).is_dir():
                shutil.copytree(ROOT / folder, story / folder)


setup(cmdclass={"build_py": BuildPy, "build_ui": BuildUi})
