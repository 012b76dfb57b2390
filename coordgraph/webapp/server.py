"""Run the app: bind policy, warm-up, and a server that tests can start and stop."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server

from coordgraph.webapp.auth import check_bind


class AppServer:
    """The app on a werkzeug threaded server in a background thread (tests, ``serve``)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 8050, quiet: bool = True):
        import logging

        if quiet:  # one line per request drowns the useful output
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.app = app
        self.httpd = make_server(host, port, app.server, threaded=True)
        self.host, self.port = host, self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "AppServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)


def serve(store, host: str = "127.0.0.1", port: int = 8050, password: str | None = None,
          run_id: str | None = None, store_uri: str | None = None, on_ready=None) -> None:
    """Check the bind address, load the run's snapshot, and serve until interrupted."""
    from coordgraph.webapp.app import create_app

    check_bind(host, password)
    app = create_app(store, run_id=run_id, password=password, store_uri=store_uri, bind_host=host)
    try:
        app.state.warm_up(run_id)
    except Exception:  # noqa: BLE001 - the page itself shows what is wrong with the store
        pass
    server = AppServer(app, host, port)
    if on_ready:
        on_ready(server.url)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
