"""A lean ASGI handler for the JMAP HTTP endpoints.

Django's middleware (sessions, CSRF, messages, static files) serves the admin, not JMAP: JMAP
authenticates every request itself and answers JSON. Under ASGI each piece of sync middleware
also costs a hop to Django's single sync thread, which would serialise every request, so the JMAP
paths are served by a handler without middleware; their views run in the worker thread pool.

Django's ASGI handler also wraps every request in a thread-sensitive context and sends the
``request_started`` signal through it, which starts a new OS thread per request (and another to
join it) for receivers that only tidy the database connections of that fresh thread. The JMAP
views tidy their own connections in the thread that uses them (``jmap_core.views.offloaded``),
so this handler skips that: on a small machine it is a millisecond of every request.
"""

from __future__ import annotations

from typing import Any

from django.core.asgi import get_asgi_application
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.exception import convert_exception_to_response
from django.urls import set_script_prefix

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

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Read the body, run the view, send the response: ``ASGIHandler.handle`` without the
        per-request thread-sensitive context, signals and disconnect watcher. The views answer
        with complete (not streaming) responses, and a view already running in a worker thread
        could not be cancelled by a disconnect anyway."""
        if scope["type"] != "http":
            raise ValueError(f"the JMAP handler serves HTTP, not {scope['type']}")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            request, error = self.create_request(scope, body_file)
            response = error if request is None else await self.run_get_response(request)
            assert response is not None  # create_request gives a request or an error response
            try:
                await self.send_response(response, send)
            finally:
                # Sends request_finished here, on the event loop's thread, where no database
                # connection is ever opened, so its receivers have nothing to do.
                response.close()
        finally:
            body_file.close()


def jmap_asgi_application() -> JmapASGIHandler:
    get_asgi_application()  # sets Django up exactly as for the main handler
    return JmapASGIHandler()
