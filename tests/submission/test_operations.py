"""Operator tools: DKIM keys in admin and on the command line (RFC 6376 §3.6), the queue
listing, and the inbound server command."""

from __future__ import annotations

import base64
import io
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.test import Client

from accounts.models import Account
from submission.models import DkimKey
from tests.submission.peers import free_port


@pytest.fixture
def admin_client(db: None, django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_dkimkey_makes_a_key_and_prints_the_record_to_publish(account: Account) -> None:
    out = io.StringIO()
    call_command("dkimkey", account.domain.name, "--selector", "s2025", stdout=out)
    key = DkimKey.objects.get(domain=account.domain)
    assert out.getvalue() == f'{key.dns_name}. IN TXT "v=DKIM1; k=rsa; p={key.public_key}"\n'
    assert key.dns_name == f"s2025._domainkey.{account.domain.name}"
    public = serialization.load_der_public_key(base64.b64decode(key.public_key))
    assert public.key_size == 2048  # type: ignore[union-attr]


def test_admin_creates_a_key_and_shows_the_dns_record(
    admin_client: Client, account: Account
) -> None:
    response = admin_client.post(
        "/admin/submission/dkimkey/add/",
        {"domain": account.domain.pk, "selector": "mailyard"},
    )
    assert response.status_code == 302, response.content
    key = DkimKey.objects.get(domain=account.domain)
    page = admin_client.get(f"/admin/submission/dkimkey/{key.pk}/change/").content.decode()
    assert f"mailyard._domainkey.{account.domain.name}" in page
    assert key.public_key in page
    assert "PRIVATE KEY" not in page


def test_admin_lists_the_outbound_queue(admin_client: Client) -> None:
    assert admin_client.get("/admin/submission/outboundmessage/").status_code == 200


def test_mailq_lists_waiting_recipients(account: Account) -> None:
    from submission import queue

    queue.enqueue(
        account,
        b"Subject: x\r\n\r\nx\r\n",
        mail_from=account.address,
        recipients=[("far@elsewhere.example", {})],
    )
    out = io.StringIO()
    call_command("mailq", stdout=out)
    assert f"<{account.address}>\tfar@elsewhere.example\tqueued\ttries=0" in out.getvalue()


def test_the_inbound_command_serves_lmtp_until_terminated() -> None:
    """``manage.py inbound`` as an operator runs it: a process that stops on SIGTERM."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "inbound", "--host", "127.0.0.1", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        client = None
        for _ in range(200):
            try:
                client = smtplib.LMTP("127.0.0.1", port)
                break
            except OSError:
                time.sleep(0.05)
        assert client is not None, process.stderr.read() if process.stderr else ""
        client.ehlo_or_helo_if_needed()
        assert client.docmd("LHLO", "front.example")[0] == 250
        assert client.mail("a@example.com") == (250, b"2.1.0 Sender OK")
        client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert f"LMTP on 127.0.0.1:{port}".encode() in out


def test_finished_queue_entries_are_purged_after_the_retry_period(
    account: Account, settings: Any
) -> None:
    """Waiting messages stay; finished ones go once old enough."""
    import datetime

    from django.utils import timezone

    from submission import queue
    from submission.models import OutboundMessage, OutboundRecipient
    from submission.tasks import purge_outbound

    settings.MAILYARD_OUTBOUND_RETRY_PERIOD = 60
    old = timezone.now() - datetime.timedelta(days=2)
    done = queue.enqueue(
        account, b"x\r\n", mail_from=account.address, recipients=[("a@b.example", {})]
    )
    waiting = queue.enqueue(
        account, b"y\r\n", mail_from=account.address, recipients=[("c@d.example", {})]
    )
    OutboundRecipient.objects.filter(message=done).update(state="relayed")
    OutboundMessage.objects.update(created_at=old)
    assert purge_outbound() > 0
    assert list(OutboundMessage.objects.values_list("pk", flat=True)) == [waiting.pk]
