"""The ASGI application: HTTP through Django, WebSocket and EventSource through Channels.

Served in production by ``daphne config.asgi:application``.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from config.embedded import start_if_needed  # noqa: E402

start_if_needed()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

application = ProtocolTypeRouter({"http": django_asgi})
