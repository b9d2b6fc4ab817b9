"""Serve LopHoc (HTTP + Socket.IO, threading mode, WebSocket via simple-websocket) on one port:
one server process of the scale-out test and of bench/live_room.py. Configuration from the
environment as in production (DATABASE_URL, REDIS_URL, SECRET_KEY, LOPHOC_SOCKETIO_CHANNEL).

    python bench/live_server.py --port 5001
"""

from __future__ import annotations

import argparse
import logging
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    from app import create_app
    from app.extensions import socketio

    overrides = {"RATELIMIT_STORAGE_URI": "memory://"}
    if os.environ.get("LOPHOC_SOCKETIO_CHANNEL"):
        overrides["SOCKETIO_CHANNEL"] = os.environ["LOPHOC_SOCKETIO_CHANNEL"]
    app = create_app(overrides)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    main()
