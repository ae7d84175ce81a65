"""The wheel carries what a source checkout finds beside app/: the Alembic migrations
(kept at the top of the repository) and htmx with its ws extension from the npm registry
(never committed: when node_modules lacks them, the build runs `npm ci` first, so a fresh
clone builds with one command). app/store/migrate.py and app/main.py look inside the package
first. An editable install reads them from the checkout instead."""

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

INTO_THE_WHEEL = {
    "migrations": "app/migrations",
    "node_modules/htmx.org/dist/htmx.min.js": "app/static/vendor/htmx.min.js",
    "node_modules/htmx-ext-ws/ws.js": "app/static/vendor/ws.js",
}

NPM_CI = ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]
"""package-lock.json's versions; from npm's cache when it has them."""


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        if not all((root / source).exists() for source in INTO_THE_WHEEL):
            install_front_end(root)
        missing = [source for source in INTO_THE_WHEEL if not (root / source).exists()]
        if missing:
            raise FileNotFoundError(f"`npm ci` left these missing: {missing}")
        for source, target in INTO_THE_WHEEL.items():
            build_data["force_include"][str(root / source)] = target


def install_front_end(root: Path) -> None:
    """`npm ci` in the checkout (node_modules from package-lock.json)."""
    if shutil.which("npm") is None:
        raise FileNotFoundError("the wheel needs htmx from the npm registry: install npm "
                                "(apt-get install npm) or run `npm ci` before building")
    finished = subprocess.run(NPM_CI, cwd=root, capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"`npm ci` failed:\n{finished.stdout}{finished.stderr}")
