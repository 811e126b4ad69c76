"""Serving the page with waitress, a production WSGI server, on a free loopback port by default."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
import webbrowser
from collections.abc import Callable

from .app import create_app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_app(host: str, port: int, open_browser: bool, threads: int, max_upload: int,
              plugins_dir: str | None, echo: Callable[..., None] = print) -> None:
    """Start the server and block. Beyond loopback every request needs the token printed here:
    a county intranet is not the clerk's own computer."""
    from waitress import create_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    token = None
    if not is_loopback(host):
        token = secrets.token_urlsafe(18)
        echo("警告：页面对网络上的其他电脑开放；每位用户需使用下面带令牌的网址。 / warning: the page "
             "is open to other computers on the network; everyone needs the address with the "
             "token below.", err=True)
    app = create_app(plugins_dir, access_token=token, max_upload=max_upload)
    server = create_server(app, host=host, port=port, threads=threads,
                           max_request_body_size=max_upload + 2**20)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown}:{server.effective_port}/" + (f"?token={token}" if token else "")
    echo(f"planforge 网页已启动 / planforge is serving at: {address}")
    echo("按 Ctrl+C 停止 / press Ctrl+C to stop")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(address,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["planforge"]["store"].close()
