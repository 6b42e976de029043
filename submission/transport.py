"""Outbound SMTP transports, chosen by ``MAILYARD_SMTP_TRANSPORT`` (STYLE §6).

A transport takes one message and a batch of recipients and returns one SMTP reply per
recipient: the RCPT reply, or the end-of-DATA reply for those accepted (RFC 8621 §7
``smtpReply``). Failures that end the session for everyone (no connection, a refused MAIL FROM)
give every recipient the same reply; a reply code of 4xx is retried, 5xx is final.

- ``SmarthostTransport`` hands everything to one relay (RFC 6409 submission: STARTTLS or
  implicit TLS, SMTP AUTH).
- ``MXTransport`` delivers straight to each recipient domain's MX hosts (RFC 5321 §5.1, RFC 7505
  null MX), in preference order, with opportunistic STARTTLS (RFC 3207, RFC 7435).
"""

from __future__ import annotations

import random
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.module_loading import import_string

from submission import message
from submission.envelope import smtp_params, split_address


@dataclass(frozen=True, slots=True)
class Rcpt:
    pk: int
    address: str
    params: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    code: int
    text: str  # the reply as RFC 8621 §7 smtpReply: "550 5.1.1 No such user"
    host: str = ""


class SessionFailed(Exception):
    """The session ended before recipients got replies of their own."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


def smtp_reply(code: int, raw: bytes | str) -> str:
    """One line for a (multi-line) reply, as RFC 8621 §7 describes for ``smtpReply``: lines
    joined by spaces, each later line without the prefix it shares with the first."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    if not lines:
        return str(code)
    first, rest = lines[0], []
    for line in lines[1:]:
        common = 0
        while common < min(len(first), len(line)) and first[common] == line[common]:
            common += 1
        rest.append(line[common:].strip() or line)
    return " ".join([str(code), first, *rest])


@dataclass(frozen=True, slots=True)
class Hop:
    """One SMTP server to try: where to connect and how."""

    host: str  # the name, for messages and TLS
    address: str  # where to connect
    port: int
    security: str  # "none", "starttls", "tls", or "opportunistic"
    verify: bool
    user: str = ""
    password: str = ""


class Transport:
    """Base class: how a batch of recipients of one message is sent."""

    def batches(self, rcpts: Sequence[Rcpt]) -> list[list[Rcpt]]:
        """Recipients that share one SMTP transaction."""
        return [list(rcpts)] if rcpts else []

    def send(
        self, mail_from: str, mail_params: dict[str, str | None], rcpts: list[Rcpt], data: bytes
    ) -> dict[int, Reply]:
        raise NotImplementedError


def get_transport() -> Transport:
    name = settings.MAILYARD_SMTP_TRANSPORT
    if name == "mx":
        return MXTransport()
    if name == "smarthost":
        return SmarthostTransport()
    cls = import_string(name)
    return cls()  # type: ignore[no-any-return]


class SmarthostTransport(Transport):
    def send(
        self, mail_from: str, mail_params: dict[str, str | None], rcpts: list[Rcpt], data: bytes
    ) -> dict[int, Reply]:
        host = settings.MAILYARD_SMTP_HOST
        if not host:
            reply = Reply(451, "451 4.3.5 No smarthost configured (MAILYARD_SMTP_HOST)")
            return dict.fromkeys((r.pk for r in rcpts), reply)
        hop = Hop(
            host=host,
            address=host,
            port=settings.MAILYARD_SMTP_PORT,
            security=settings.MAILYARD_SMTP_SECURITY,
            verify=True,
            user=settings.MAILYARD_SMTP_USER,
            password=settings.MAILYARD_SMTP_PASSWORD,
        )
        try:
            return session(hop, mail_from, mail_params, rcpts, data)
        except SessionFailed as failed:
            return dict.fromkeys((r.pk for r in rcpts), failed.reply)


def make_resolver() -> dns.resolver.Resolver:
    """The DNS resolver (from /etc/resolv.conf); tests replace DNS answers here."""
    resolver = dns.resolver.Resolver()
    resolver.lifetime = min(10.0, float(settings.MAILYARD_SMTP_TIMEOUT))
    return resolver


class MXTransport(Transport):
    def batches(self, rcpts: Sequence[Rcpt]) -> list[list[Rcpt]]:
        by_domain: dict[str, list[Rcpt]] = {}
        for rcpt in rcpts:
            by_domain.setdefault(split_address(rcpt.address)[1].lower(), []).append(rcpt)
        return list(by_domain.values())

    def send(
        self, mail_from: str, mail_params: dict[str, str | None], rcpts: list[Rcpt], data: bytes
    ) -> dict[int, Reply]:
        domain = split_address(rcpts[0].address)[1].lower()
        resolver = make_resolver()
        hosts = mx_hosts(resolver, domain)
        if isinstance(hosts, Reply):
            return dict.fromkeys((r.pk for r in rcpts), hosts)
        last = Reply(451, f"451 4.4.4 No reachable mail server for {domain}")
        for host in hosts:
            for address in host_addresses(resolver, host):
                hop = Hop(host, address, settings.MAILYARD_SMTP_MX_PORT, "opportunistic", False)
                try:
                    return session(hop, mail_from, mail_params, rcpts, data)
                except SessionFailed as failed:
                    last = failed.reply
                    if last.code >= 500:  # a refusal, not an outage: other MX hosts agree
                        return dict.fromkeys((r.pk for r in rcpts), last)
        return dict.fromkeys((r.pk for r in rcpts), last)


def mx_hosts(resolver: dns.resolver.Resolver, domain: str) -> list[str] | Reply:
    """MX hosts of ``domain`` by preference (RFC 5321 §5.1), or the failure reply."""
    try:
        answer = resolver.resolve(domain, "MX")
    except dns.resolver.NXDOMAIN:
        return Reply(550, f"550 5.1.2 Domain {domain} does not exist")
    except dns.resolver.NoAnswer:
        return [domain]  # no MX: the domain itself is the implicit MX (§5.1)
    except dns.exception.DNSException as error:
        return Reply(451, f"451 4.4.3 DNS lookup for {domain} failed: {type(error).__name__}")
    records = sorted(answer, key=lambda r: (r.preference, random.random()))  # noqa: S311
    names = [str(r.exchange).rstrip(".") for r in records]
    if names == [""]:
        return Reply(556, f"556 5.1.10 Domain {domain} accepts no mail (null MX, RFC 7505)")
    return [n for n in names if n]


def host_addresses(resolver: dns.resolver.Resolver, host: str) -> list[str]:
    found: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            found.extend(str(r.address) for r in resolver.resolve(host, rdtype))
        except dns.exception.DNSException:
            continue
    return found


def _connect(hop: Hop) -> smtplib.SMTP:
    timeout = float(settings.MAILYARD_SMTP_TIMEOUT)
    helo = message.hostname()
    if hop.security == "tls":
        return smtplib.SMTP_SSL(
            hop.address, hop.port, local_hostname=helo, timeout=timeout, context=_context(hop)
        )
    return smtplib.SMTP(hop.address, hop.port, local_hostname=helo, timeout=timeout)


def _context(hop: Hop) -> ssl.SSLContext:
    if not hop.verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=settings.MAILYARD_SMTP_CA_FILE or None)


def _start(client: smtplib.SMTP, hop: Hop) -> None:
    """EHLO, STARTTLS and AUTH as the hop requires."""
    client.ehlo_or_helo_if_needed()
    if hop.security in ("starttls", "opportunistic") and client.has_extn("starttls"):
        client._host = hop.host  # type: ignore[attr-defined]  # the name for SNI: we connected by address
        client.starttls(context=_context(hop))
        client.ehlo()
    elif hop.security == "starttls":
        raise SessionFailed(Reply(451, f"451 4.7.0 {hop.host} does not offer STARTTLS", hop.host))
    if hop.user:
        try:
            _login(client, hop)
        except smtplib.SMTPAuthenticationError as error:
            text = smtp_reply(error.smtp_code, error.smtp_error)
            raise SessionFailed(
                Reply(451, f"451 4.7.0 {hop.host} refused our login: {text}", hop.host)
            ) from None


def _login(client: smtplib.SMTP, hop: Hop) -> None:
    """SMTP AUTH (RFC 4954): PLAIN when offered (RFC 4616, inside TLS), else what smtplib picks."""
    if "PLAIN" in client.esmtp_features.get("auth", "").upper().split():
        client.user, client.password = hop.user, hop.password
        client.auth("PLAIN", client.auth_plain)
    else:
        client.login(hop.user, hop.password)


def _mail_options(
    client: smtplib.SMTP,
    params: dict[str, str | None],
    rcpts: list[Rcpt],
    mail_from: str,
    data: bytes,
) -> list[str]:
    options: list[str] = []
    if client.has_extn("size"):
        options.append(f"SIZE={len(data)}")
    if message.is_eight_bit(data) and client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    if not all(a.isascii() for a in [mail_from, *(r.address for r in rcpts)]):
        if not client.has_extn("smtputf8"):
            raise SessionFailed(Reply(553, "553 5.6.7 The server cannot take non-ASCII addresses"))
        options.append("SMTPUTF8")
    if client.has_extn("dsn"):
        options += smtp_params({k: v for k, v in params.items() if k in ("ENVID", "RET")})
    return options


def session(
    hop: Hop, mail_from: str, params: dict[str, str | None], rcpts: list[Rcpt], data: bytes
) -> dict[int, Reply]:
    """One SMTP transaction (RFC 5321 §3.3): MAIL, a RCPT per recipient, DATA.

    Raises SessionFailed when it ends before the recipients got replies of their own.
    """
    try:
        client = _connect(hop)
    except (OSError, smtplib.SMTPException) as error:
        raise SessionFailed(
            Reply(451, f"451 4.4.1 Cannot connect to {hop.host}: {error}", hop.host)
        ) from None
    try:
        return _transaction(client, hop, mail_from, params, rcpts, data)
    except (OSError, smtplib.SMTPException) as error:
        raise SessionFailed(
            Reply(451, f"451 4.4.2 Connection to {hop.host} failed: {error}", hop.host)
        ) from None
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _transaction(
    client: smtplib.SMTP,
    hop: Hop,
    mail_from: str,
    params: dict[str, str | None],
    rcpts: list[Rcpt],
    data: bytes,
) -> dict[int, Reply]:
    _start(client, hop)
    options = _mail_options(client, params, rcpts, mail_from, data)
    code, text = client.mail(mail_from, options)
    if code >= 300:
        raise SessionFailed(Reply(code, smtp_reply(code, text), hop.host))
    dsn = client.has_extn("dsn")
    replies: dict[int, Reply] = {}
    accepted: list[Rcpt] = []
    for rcpt in rcpts:
        code, text = client.rcpt(rcpt.address, smtp_params(rcpt.params) if dsn else [])
        replies[rcpt.pk] = Reply(code, smtp_reply(code, text), hop.host)
        if 200 <= code < 300:
            accepted.append(rcpt)
    if not accepted:
        client.rset()
        return replies
    reply: bytes | str
    try:
        code, reply = client.data(data)
    except smtplib.SMTPDataError as error:
        code, reply = error.smtp_code, error.smtp_error
    for rcpt in accepted:
        replies[rcpt.pk] = Reply(code, smtp_reply(code, reply), hop.host)
    return replies
