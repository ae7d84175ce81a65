"""The wheel carries what a source checkout finds beside app/: the Alembic migrations
(kept at the top of the repository) and htmx with its ws extension from the npm registry
(`npm ci` first; never committed). app/migrate.py and app/main.py look inside the package
first. An editable install reads them from the checkout instead."""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

INTO_THE_WHEEL = {
    "migrations": "app/migrations",
    "node_modules/htmx.org/dist/htmx.min.js": "app/static/vendor/htmx.min.js",
    "node_modules/htmx-ext-ws/ws.js": "app/static/vendor/ws.js",
}


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        missing = [source for source in INTO_THE_WHEEL if not (root / source).exists()]
        if missing:
            raise FileNotFoundError(f"run `npm ci` before building the wheel: {missing}")
        for source, target in INTO_THE_WHEEL.items():
            build_data["force_include"][str(root / source)] = target
