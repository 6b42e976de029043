"""The ASGI application: HTTP through Django, WebSocket and EventSource through Channels.

Served in production by ``daphne config.asgi:application``.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from config.embedded import start_if_needed  # noqa: E402

start_if_needed()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import re_path  # noqa: E402

from jmap_core.asgi import JMAP_PATHS, jmap_asgi_application  # noqa: E402
from push.routing import http_routes, websocket_routes  # noqa: E402

django_asgi = get_asgi_application()

# The event source (RFC 8620 §7.3) and JMAP over WebSocket (RFC 8887) are Channels consumers;
# the JMAP HTTP endpoints go to Django without middleware (jmap_core.asgi); every other HTTP
# request (admin, health) goes to Django with its middleware.
http = http_routes(django_asgi)
http.insert(len(http) - 1, re_path(JMAP_PATHS, jmap_asgi_application()))  # type: ignore[arg-type]
application = ProtocolTypeRouter(
    {"http": URLRouter(http), "websocket": URLRouter(websocket_routes)}
)

# Everything loaded so far (Django, the apps, their modules) lives as long as the process: move
# it out of the garbage collector's generations, so that the collections requests trigger
# only walk what requests allocate, and collect the youngest generation less often.
gc.collect()
gc.freeze()
gc.set_threshold(2_000, 10, 10)
