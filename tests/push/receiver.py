"""A real push service stand-in on loopback (RFC 8030 §5) that checks what a push server sends.

It plays both the push service and the user agent: it checks the VAPID token of every request
(RFC 8292 §2: an ES256 JWT whose ``aud`` is this origin, unexpired, with a ``sub``, signed by
the key in ``k``) and decrypts RFC 8291 ``aes128gcm`` bodies with the subscription's private key.
Answers can be scripted (``statuses``) to test retries and removal.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Push:
    """One request as received, checked and decrypted."""

    path: str
    headers: dict[str, str]
    body: bytes
    vapid_key: str  # the ``k`` of the Authorization header
    claims: dict[str, Any]
    payload: Any  # the decrypted (or plain) JSON


@dataclass
class UserAgent:
    """The subscription's key pair and auth secret (RFC 8291 §3)."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def keys(self) -> dict[str, str]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}


class Receiver:
    def __init__(self) -> None:
        self.pushes: queue.Queue[Push] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.statuses: list[int] = []  # answered in order, then 201
        self.retry_after = ""  # sent with a 429
        self.agents: dict[str, UserAgent] = {}  # by path
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                if status == 429 and receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, agent: UserAgent | None = None) -> str:
        if agent is not None:
            self.agents[path] = agent
        return f"{self.origin}{path}"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        try:
            key, claims = self._check_vapid(headers)
            payload = self._decode(path, headers, body)
            assert headers.get("TTL", "").isdigit(), "TTL header missing (RFC 8030 §5.2)"
            self.pushes.put(Push(path, headers, body, key, claims, payload))
        except Exception as exc:
            self.errors.put(f"{type(exc).__name__}: {exc}")
            return 400
        with self._lock:
            return self.statuses.pop(0) if self.statuses else 201

    def _check_vapid(self, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
        scheme, _, params = headers.get("Authorization", "").partition(" ")
        assert scheme == "vapid", f"not a VAPID Authorization: {scheme!r}"
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        assert json.loads(unb64url(header_b64))["alg"] == "ES256"
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature_b64)
        signature = encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        try:
            public.verify(
                signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            raise AssertionError("bad VAPID signature") from None
        claims = json.loads(unb64url(claims_b64))
        assert claims["aud"] == self.origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims.get("sub"), claims
        return key, claims

    def _decode(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        agent = self.agents.get(path)
        if agent is None:
            assert headers.get("Content-Type") == "application/json", headers
            return json.loads(body)
        assert headers.get("Content-Encoding") == "aes128gcm", headers
        plain = http_ece.decrypt(
            body,
            private_key=agent.private_key,
            auth_secret=agent.auth_secret,
            version="aes128gcm",
        )
        return json.loads(plain)

    def next(self, timeout: float = 10.0) -> Push:
        try:
            return self.pushes.get(timeout=timeout)
        except queue.Empty:
            errors = []
            while not self.errors.empty():
                errors.append(self.errors.get())
            raise AssertionError(f"no push arrived; receiver errors: {errors}") from None

    def nothing(self, wait: float) -> bool:
        try:
            self.pushes.get(timeout=wait)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
