"""A lean ASGI handler for the JMAP HTTP endpoints.

Django's middleware (sessions, CSRF, messages, static files) serves the admin, not JMAP: JMAP
authenticates every request itself and answers JSON. Under ASGI each piece of sync middleware
also costs a hop to Django's single sync thread, which would serialise every request, so the JMAP
paths are served by a handler without middleware; their views run in the worker thread pool.
"""

from __future__ import annotations

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response

JMAP_PATHS = r"^(jmap/(session|api|upload|download)/|\.well-known/jmap$)"


class JmapASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        """What Django's own handler does with an empty MIDDLEWARE setting."""
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        get_response = self._get_response_async if is_async else self._get_response
        self._middleware_chain = convert_exception_to_response(get_response)  # type: ignore[arg-type]


def jmap_asgi_application() -> JmapASGIHandler:
    get_asgi_application()  # sets Django up exactly as for the main handler
    return JmapASGIHandler()
