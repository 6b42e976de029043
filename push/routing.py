"""ASGI routes of the push app: the event source over HTTP, JMAP over WebSocket.

``config.asgi`` puts ``http_routes`` in front of Django's HTTP application (everything not
listed here goes to Django) and serves ``websocket_routes`` for WebSocket connections.
"""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path

from push.consumers.eventsource import EventSourceConsumer
from push.consumers.websocket import JmapWebSocketConsumer

EVENTSOURCE_PATH = "jmap/eventsource/"  # the session's eventSourceUrl (jmap_core.session)


def http_routes(django_app: Any) -> list[Any]:
    return [
        path(EVENTSOURCE_PATH, EventSourceConsumer.as_asgi()),
        re_path(r"", django_app),
    ]


websocket_routes: list[Any] = [path("jmap/ws/", JmapWebSocketConsumer.as_asgi())]
