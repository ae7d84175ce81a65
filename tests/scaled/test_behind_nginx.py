"""Behind nginx (Debian's, started here on loopback) in front of two workers sharing Redis:
with WORLDCAFE_FORWARDED_ALLOW_IPS naming the proxy, honest joins from many phones are
paced per phone, not as one address; without it, the whole hall is the proxy's address
and the same joins are answered as a flood."""

import shutil
import subprocess

import httpx
import pytest

from tests.fixtures import loopback
from tests.fixtures.api import create_event, join
from tests.fixtures.services import free_port
from tests.fixtures.timing import eventually, seconds

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.9"
"""nginx talks to the workers from here: a proxy on "another machine" (the workers
trust 127.0.0.1 by default)."""
PACED = {"WORLDCAFE_JOIN_BURST": "3", "WORLDCAFE_JOINS_PER_MINUTE": "2"}
"""Three joins at once per address and event, then one each 30 s: a fourth from one
address is a flood (its turn is beyond the 15 s a join waits)."""


def nginx_in_front_of(folder, upstream_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream worldcafe {{ server 127.0.0.1:{upstream_port}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://worldcafe;
            proxy_bind {PROXY_ADDRESS};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }}
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)],
                               stderr=subprocess.PIPE)
    def answers() -> bool:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            loopback.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.HTTPError:
            return False
        return True

    eventually(answers, 10, "nginx answering")
    return process, port


def joins_from_many_phones(proxy_url: str, phones: int) -> list[int]:
    """Each phone joins once, from an address of its own (127.0.0.x, as the hall's phones
    reach the proxy)."""
    with loopback.Client(base_url=proxy_url, timeout=seconds(30)) as organiser:
        event = create_event(organiser)
    statuses = []
    for phone in range(phones):
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{phone + 1}")
        with loopback.Client(base_url=proxy_url, timeout=seconds(30),
                             transport=transport) as own:
            statuses.append(join(own, event, f"参加者{phone}").status_code)
    return statuses


@pytest.mark.skipif(not shutil.which(NGINX), reason="nginx is not installed (make system)")
@pytest.mark.parametrize("trusted", [True, False], ids=["proxy trusted", "proxy not trusted"])
def test_honest_joins_through_nginx_are_no_flood(make_server, tmp_path, trusted):
    env = {**PACED, **({"WORLDCAFE_FORWARDED_ALLOW_IPS": PROXY_ADDRESS} if trusted else {})}
    workers = make_server(redis=True, workers=2, env=env)
    proxy, port = nginx_in_front_of(tmp_path, workers.port)
    try:
        statuses = joins_from_many_phones(f"http://127.0.0.1:{port}", 8)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    if trusted:
        assert statuses == [201] * 8
    else:  # one address: the fourth join is a flood, answered with a new join code
        assert statuses[:3] == [201] * 3 and 403 in statuses[3:]
