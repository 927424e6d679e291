"""A real load balancer for the replica tests: nginx on a free loopback port in front of
several app replicas, WebSockets passed through.

The test decides where each browser goes with a ``replica`` cookie (its value is the
replica's index; no cookie means the first), so a test can move one browser from one
replica to the other as a restart or a rebalancing would. Every replica sees one origin,
the balancer's, which is what Streamlit's sign-in cookie is bound to.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port

START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class LoadBalancer:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _config(folder: Path, port: int, backends: Sequence[int]) -> str:
    routes = "\n".join(f"    {i} 127.0.0.1:{backend};" for i, backend in enumerate(backends))
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    return f"""
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {temp["body"]};
  proxy_temp_path {temp["proxy"]};
  fastcgi_temp_path {temp["fastcgi"]};
  uwsgi_temp_path {temp["uwsgi"]};
  scgi_temp_path {temp["scgi"]};
  client_max_body_size 12m;
  map $cookie_replica $backend {{
    default 127.0.0.1:{backends[0]};
{routes}
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://$backend;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_buffering off;
      # Uploads stream through to the replica: buffered, a body over 16 KiB would go to
      # a temporary file the unprivileged worker may not write (a 500 for the browser).
      proxy_request_buffering off;
    }}
  }}
}}
"""


@contextmanager
def running_load_balancer(
    backends: Sequence[int], *, port: int | None = None
) -> Iterator[LoadBalancer]:
    """nginx on ``port`` (a free one if not given) in front of the replicas listening on
    ``backends`` (loopback ports), which must be up already."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is not installed: run scripts/bootstrap --test")
    folder = Path(tempfile.mkdtemp(prefix="coach-nginx-"))
    port = port or free_port()
    config = folder / "nginx.conf"
    config.write_text(_config(folder, port, backends))
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    balancer = LoadBalancer(port)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{balancer.url}/_stcore/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "error.log").read_text(errors="replace")
                    raise RuntimeError(f"nginx did not start:\n{log}") from None
                time.sleep(0.1)
        yield balancer
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: finishes open requests
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
