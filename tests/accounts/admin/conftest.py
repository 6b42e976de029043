from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def operator(db: None) -> Client:
    """A browser logged in to the admin as a superuser."""
    user = get_user_model().objects.create_superuser("root", "root@ops.example", "unused-pw-123")
    client = Client()
    client.force_login(user)
    return client
