from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

from accounts.models import Account
from tests.factories import make_account, make_token
from tests.push import server as servers
from tests.push.receiver import Receiver

LOCAL_REDIS = "redis://127.0.0.1:6379/15"


@dataclass
class LiveUser:
    account: Account
    token: str

    @property
    def auth(self) -> str:
        return f"Bearer {self.token}"


@pytest.fixture(scope="session")
def server(django_db_setup: None) -> Iterator[servers.Server]:
    """One daphne process for the session, on the test database."""
    with servers.running() as running:
        yield running


@pytest.fixture
def user(transactional_db: None) -> LiveUser:
    """A committed account and a Bearer token, visible to the server process."""
    account = make_account()
    return LiveUser(account, make_token(account))


@pytest.fixture
def other_user(transactional_db: None) -> LiveUser:
    account = make_account()
    return LiveUser(account, make_token(account))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis for cross-process tests: REDIS_URL, else the machine's local Redis."""
    import os

    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    redis.Redis.from_url(url).ping()
    return url


@pytest.fixture(scope="session")
def redis_servers(
    django_db_setup: None, redis_url: str
) -> Iterator[tuple[servers.Server, servers.Server]]:
    """Two daphne processes sharing a Redis channel layer."""
    with (
        servers.running(REDIS_URL=redis_url) as first,
        servers.running(REDIS_URL=redis_url) as second,
    ):
        yield first, second
