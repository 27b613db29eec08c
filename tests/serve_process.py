"""`vitd-kg serve` as a real process on a free loopback port, for the tests of the Linked Data server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx

from servers import free_port


class Served:
    """``python -m vitd_kg serve --port P [args]``; stopped (SIGINT, then SIGKILL) on exit."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.args = args
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Served":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vitd_kg", "serve", "--port", str(self.port), *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        line = self.process.stdout.readline()  # printed once the port is bound
        if not line.startswith("SPARQL endpoint: "):
            self.__exit__()
            raise RuntimeError(f"serve did not start: {line!r} {self.process.stderr.read()}")
        self.client = httpx.Client(base_url=self.base, timeout=120)
        return self

    def get(self, path: str, accept: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Accept": accept} if accept is not None else {}
        return self.client.get(path, headers=headers, **kwargs)

    def follow(self, path: str, accept: str | None) -> tuple[list[httpx.Response], httpx.Response]:
        """GET ``path`` and follow redirects on this server: (the redirects, the final answer)."""
        hops = []
        response = self.get(path, accept)
        while response.status_code in (301, 302, 303, 307, 308):
            hops.append(response)
            assert len(hops) < 5, [h.headers["location"] for h in hops]
            location = httpx.URL(response.headers["location"])
            assert location.host in ("", "127.0.0.1"), f"a redirect off this server: {location}"
            response = self.get(location.raw_path.decode(), accept)
        return hops, response

    def __exit__(self, *exc) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
