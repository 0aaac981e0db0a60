"""Delivering one message to a resident by email, SMS or Zalo.

One function per channel, each given the `CHANNELS` settings (see
`shared.config.Settings.nameko_config`) and an `Outgoing` message, each returning the
provider's id for it or raising `DeliveryFailed`. Only the standard library: the
nameko workers are eventlet-patched, so its blocking sockets yield to other greenlets.
Every network call has a timeout so a hung provider cannot hold a worker forever.
"""

import html
import http.client
import json
import re
import smtplib
import ssl
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from shared.contracts.households import normalize_phone

TIMEOUT_SECONDS = 10.0
ELLIPSIS = "..."
SMS_PREFIX = "DanBan: "
SMS_LIMIT = 306  # two concatenated GSM-7 segments of 153 characters
ZALO_LIMIT = 2000  # characters of one Zalo OA text message

Channels = Mapping[str, Any]


class DeliveryFailed(Exception):
    """A message was not delivered. `temporary`: the same message may succeed later
    (the provider is down, busy or answered nonsense); otherwise retrying is useless
    (refused recipient, bad request, channel not configured)."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str  # the provider's idempotency key and the email's Message-ID
    address: str  # email address, phone number or Zalo user id, by channel
    subject: str
    text: str
    link: str | None = None  # where to read it online


def send_email(channels: Channels, message: Outgoing) -> str:
    """Send a text + HTML email through the configured SMTP server; returns its Message-ID."""
    host = _setting(channels, "smtp_host", "email")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", message.address):
        raise DeliveryFailed(f"invalid email address {message.address!r}", temporary=False)
    sender = channels["smtp_sender"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "danban.invalid"
    message_id = f"<{message.delivery_id}@{domain}>"
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.address
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id
    plain = f"{message.text}\n\n{message.link}" if message.link else message.text
    # quoted-printable keeps the Vietnamese text 7-bit clean for any relay on the way
    email.set_content(plain, cte="quoted-printable")
    email.add_alternative(email_html(message), subtype="html", cte="quoted-printable")
    try:
        with smtplib.SMTP(host, int(channels["smtp_port"]), timeout=TIMEOUT_SECONDS) as smtp:
            if channels.get("smtp_starttls"):
                smtp.starttls(context=ssl.create_default_context())
            if channels.get("smtp_user"):
                smtp.login(channels["smtp_user"], channels.get("smtp_password", ""))
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()))
        raise _smtp_failure(code, answer) from exc
    except smtplib.SMTPResponseException as exc:
        raise _smtp_failure(exc.smtp_code, exc.smtp_error) from exc
    except OSError as exc:  # refused, timed out, disconnected (SMTPException is an OSError)
        raise DeliveryFailed(f"SMTP {host}: {exc}", temporary=True) from exc
    return message_id


def email_html(message: Outgoing) -> str:
    """The HTML part: the plain text escaped, blank lines as paragraphs, line breaks kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", message.text) if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace('\n', '<br>\n')}</p>\n" for p in paragraphs)
    if message.link:
        link = html.escape(message.link)
        body += f'<p><a href="{link}">{link}</a></p>\n'
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(message.subject)}</title></head>\n<body>\n{body}</body></html>\n"
    )


def send_sms(channels: Channels, message: Outgoing) -> str:
    """POST the SMS to the provider's JSON API; returns the provider's message id."""
    url = _setting(channels, "sms_url", "sms")
    try:
        phone = normalize_phone(message.address)
    except ValueError as exc:
        raise DeliveryFailed(f"invalid phone number {message.address!r}", temporary=False) from exc
    answer = _post_json(
        url,
        {
            "to": phone,
            "text": sms_text(message.subject, message.text, message.link),
            "idempotency_key": message.delivery_id,
        },
        {
            "Authorization": f"Bearer {channels.get('sms_token', '')}",
            "Idempotency-Key": message.delivery_id,
        },
    )
    provider_id = answer.get("id") if isinstance(answer, dict) else None
    if isinstance(provider_id, bool) or not isinstance(provider_id, str | int):
        raise DeliveryFailed(
            f"malformed SMS answer, no message id: {answer!r:.100}", temporary=True
        )
    return str(provider_id)


# Zalo answers HTTP 200 with an error code in the body, and does not say which errors
# pass. Our choice: rate limits and quotas (-32, -211, -223) and an expired or revoked
# access token (-216, -220: an operator renews it) are temporary; every other code
# (unknown parameter, user not following the OA, user blocked it...) is permanent, so a
# request Zalo will never accept is not retried for a day.
ZALO_TEMPORARY_ERRORS = frozenset({-32, -211, -216, -220, -223})


def send_zalo(channels: Channels, message: Outgoing) -> str:
    """Send a text message through the Zalo Official Account API; returns Zalo's message id."""
    url = _setting(channels, "zalo_url", "zalo")
    if not message.address.strip():
        raise DeliveryFailed("no Zalo user id", temporary=False)
    tail = f"\n\n{message.link}" if message.link else ""
    # NFC: Zalo counts characters, and decomposed Vietnamese would count each mark
    text = unicodedata.normalize("NFC", f"{message.subject}\n\n{message.text}")
    answer = _post_json(
        url,
        {
            "recipient": {"user_id": message.address.strip()},
            "message": {"text": _fit(text, tail, ZALO_LIMIT)},
        },
        {"access_token": channels.get("zalo_token", "")},
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("error"), int):
        raise DeliveryFailed(f"malformed Zalo answer: {answer!r:.100}", temporary=True)
    if answer["error"] != 0:
        code = answer["error"]
        reason = f"Zalo error {code}: {answer.get('message', '')}"
        raise DeliveryFailed(reason, temporary=code in ZALO_TEMPORARY_ERRORS)
    data = answer.get("data")
    message_id = data.get("message_id") if isinstance(data, dict) else None
    if isinstance(message_id, bool) or not isinstance(message_id, str | int):
        raise DeliveryFailed(
            f"malformed Zalo answer, no message id: {answer!r:.100}", temporary=True
        )
    return str(message_id)


# Letters and digits plus the punctuation of the GSM 03.38 basic set that is ASCII. An
# SMS with any other character is sent as UCS-2, which cuts a segment from 153 to 67
# characters (70 unsplit), and many brandname routes in Vietnam take only unaccented text.
_GSM7_ASCII = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()*+,-./:;<=>?@_"
)
# Typography our notices use, kept readable instead of becoming "?"
_SMS_LOOKALIKES = str.maketrans(
    {
        "đ": "d",  # i18n-exempt: a letter to transliterate, not a message
        "Đ": "D",  # i18n-exempt: a letter to transliterate, not a message
        **{"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"},
    }
)


def sms_text(subject: str, text: str, link: str | None = None) -> str:
    """The message as one GSM-7 SMS of at most two segments: unaccented Vietnamese,
    whitespace collapsed, prefixed with the sender's name; a long text is cut at a word
    and the link, if any, always comes whole at the end."""
    # NFKD splits "ệ" into "e" + marks (and "…" into "..."); đ has no decomposition
    decomposed = unicodedata.normalize("NFKD", f"{subject} - {text}".translate(_SMS_LOOKALIKES))
    plain = "".join(
        char if char in _GSM7_ASCII else " " if char.isspace() else "?"
        for char in decomposed
        if not unicodedata.combining(char)
    )
    tail = f" {link.strip()}" if link else ""
    return _fit(SMS_PREFIX + " ".join(plain.split()), tail, SMS_LIMIT)


def _fit(body: str, tail: str, limit: int) -> str:
    """`body + tail` in at most `limit` characters: a long body is cut at the last word
    that fits and marked "...", the tail (a link) is never cut."""
    if len(body) + len(tail) <= limit:
        return body + tail
    room = max(limit - len(tail) - len(ELLIPSIS), 0)
    boundary = max(body.rfind(" ", 0, room + 1), body.rfind("\n", 0, room + 1))
    # a word that is longer than half the room (a pasted URL, say) is cut inside
    cut = body[:boundary] if boundary > room // 2 else body[:room]
    return cut.rstrip(" \n,;:-") + ELLIPSIS + tail


def _setting(channels: Channels, key: str, channel: str) -> str:
    value = str(channels.get(key) or "").strip()
    if not value:
        raise DeliveryFailed(f"channel {channel} is not configured", temporary=False)
    return value


def _smtp_failure(code: int, answer: bytes | str) -> DeliveryFailed:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return DeliveryFailed(f"SMTP {code} {text:.150}", temporary=400 <= code < 500)


def _post_json(url: str, payload: object, headers: dict[str, str]) -> Any:
    """POST JSON and return the decoded JSON answer of a 2xx response."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        # 408 and 429 ask to come back later; any other 4xx would be refused again
        temporary = not 400 <= exc.code < 500 or exc.code in (408, 429)
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}", temporary=temporary) from exc
    except (OSError, http.client.HTTPException) as exc:  # URLError and timeouts are OSErrors
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DeliveryFailed(f"cannot reach {url}: {reason}", temporary=True) from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise DeliveryFailed(f"malformed answer, not JSON: {body[:80]!r}", temporary=True) from exc


Sender = Callable[[Channels, Outgoing], str]
SENDERS: dict[str, Sender] = {"email": send_email, "sms": send_sms, "zalo": send_zalo}


# the setting that turns each channel on
CHANNEL_SETTINGS = {"email": "smtp_host", "sms": "sms_url", "zalo": "zalo_url"}


def available(channels: Channels) -> list[str]:
    """The channels this deployment can send by: those whose host or URL is set."""
    return [name for name, key in CHANNEL_SETTINGS.items() if str(channels.get(key) or "").strip()]


def send(channel: str, channels: Channels, message: Outgoing) -> str:
    """Deliver by the named channel; an unknown or unconfigured channel fails for good."""
    sender = SENDERS.get(channel)
    if sender is None:
        raise DeliveryFailed(f"unknown channel {channel!r}", temporary=False)
    return sender(channels, message)
