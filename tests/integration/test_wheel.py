"""The wheel carries what a server needs besides its dependencies: the migrations and the
front-end code from the npm registry. Built with one command from the files a fresh clone
has (no node_modules: the build hook runs `npm ci`), unpacked into a new virtual
environment outside the checkout (the dependencies borrowed from the test environment, the
checkout itself out of reach), it migrates a new database and serves the demo event."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx

from tests.fixtures import loopback
from tests.fixtures.servers import ROOT
from tests.fixtures.services import free_port
from tests.fixtures.timing import eventually, seconds


def fresh_clone(folder: Path) -> Path:
    """The checkout's files as a clone has them (tracked or not ignored): no node_modules,
    no .make stamps."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source, target = ROOT / name, folder / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return folder


def test_a_wheel_from_a_fresh_clone_serves_the_demo(tmp_path):
    clone = fresh_clone(tmp_path / "clone")
    assert not (clone / "node_modules").exists()
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(clone), "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=seconds(300))
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("worldcafe-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "app/migrations/versions/0006_change_seq.py" in names
    assert {"app/static/vendor/htmx.min.js", "app/static/vendor/ws.js"} <= set(names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv),
                                                     "platbase": str(venv)}))
    zipfile.ZipFile(wheel).extractall(site)
    # the dependencies, from the test environment; its .pth files (the editable checkout)
    # are not read from a directory named in a .pth file
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = venv / "bin" / "python"
    # a PYTHONPATH naming the checkout (as a developer's shell may have) would reach it
    outside = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import app; print(app.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True,
                           env=outside)
    assert where.stdout.startswith(str(site)), where.stdout

    port = free_port()
    folder = tmp_path / "hall"
    folder.mkdir()
    with (folder / "demo.log").open("wb") as log:
        demo = subprocess.Popen([str(python), "-m", "app.cli", "demo", "--port", str(port)],
                                cwd=folder, env=outside, stdout=log, stderr=subprocess.STDOUT)

    def healthy() -> bool:
        try:
            return loopback.get(f"http://127.0.0.1:{port}/healthz",
                                timeout=seconds(10)).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        eventually(healthy, 60, "the demo answering", interval=0.1)
        printed = (folder / "demo.log").read_text()
        join = next(line.split(": ", 1)[1].split()[0] for line in printed.splitlines()
                    if "participants join" in line)
        page = loopback.get(join.replace("localhost", "127.0.0.1"), timeout=seconds(10))
        assert page.status_code == 200 and "参加" in page.text
        script = loopback.get(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js",
                              timeout=seconds(10))
        assert script.status_code == 200 and "htmx" in script.text
        assert (folder / "worldcafe-demo.db").exists()  # the demo's own database
    finally:
        demo.terminate()
        demo.wait(timeout=seconds(20))
