"""Socket.IO in one place. Threading mode (gunicorn gthread + simple-websocket) with a Redis message
queue, so workers and every web instance can emit to the rooms of the browsers connected elsewhere."""

from __future__ import annotations

import socketio as sio
from flask import Flask
from flask_socketio import SocketIO

CHANNEL = "niochat-socketio"
socketio = SocketIO()


def redis_manager(redis_url: str, *, write_only: bool = False) -> sio.RedisManager:
    """Built explicitly because Flask-SocketIO only recognises redis:// URLs, not the embedded unix://."""
    return sio.RedisManager(redis_url, channel=CHANNEL, write_only=write_only)


def init_app(app: Flask, redis_url: str) -> None:
    socketio.init_app(
        app,
        async_mode="threading",
        client_manager=redis_manager(redis_url),
        cors_allowed_origins=[app.config["PUBLIC_URL"]],
        logger=False,
        engineio_logger=False,
        ping_interval=20,
        ping_timeout=20,
    )
