"""A lean ASGI handler for the JMAP HTTP endpoints.

Django's middleware (sessions, CSRF, messages, static files) serves the admin, not JMAP: JMAP
authenticates every request itself and answers JSON. Under ASGI each piece of sync middleware
also costs a hop to Django's single sync thread, which would serialise every request, so the JMAP
paths are served by a handler without middleware; their views run in the worker thread pool.
"""

from __future__ import annotations

from typing import Any

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response

JMAP_PATHS = r"^(jmap/(session|api|upload|download)/|\.well-known/jmap$)"


class JmapASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        """What Django's own handler does with an empty MIDDLEWARE setting."""
        handler: Any = self
        handler._view_middleware = []
        handler._template_response_middleware = []
        handler._exception_middleware = []
        get_response = handler._get_response_async if is_async else handler._get_response
        handler._middleware_chain = convert_exception_to_response(get_response)


def jmap_asgi_application() -> JmapASGIHandler:
    get_asgi_application()  # sets Django up exactly as for the main handler
    return JmapASGIHandler()
