"""The delivery channels against real local servers (tests/providers.py), in this
folder's eventlet-patched process, as the notifications service runs them."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from services.notifications import channels as channels_module
from services.notifications.channels import DeliveryFailed, Outgoing, send
from tests.providers import LocalSmtp, RecordingProvider

SUBJECT = "Lấy ý kiến: giờ thu gom rác"
TEXT = "Kính gửi hộ ông Nguyễn Văn Đức,\nxin cho biết ý kiến <trước 20/12>.\n\nTrân trọng."
LINK = "https://danban.example.vn/p/HA7K2M"


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


@pytest.fixture
def sms() -> Iterator[RecordingProvider]:
    with RecordingProvider("sms") as provider:
        yield provider


@pytest.fixture
def zalo() -> Iterator[RecordingProvider]:
    with RecordingProvider("zalo") as provider:
        yield provider


@pytest.fixture
def channels(smtp: LocalSmtp, sms: RecordingProvider, zalo: RecordingProvider) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_sender": "DânBàn <thong-bao@danban.example.vn>",
        "smtp_user": "",
        "smtp_password": "",
        "smtp_starttls": False,
        "sms_url": sms.url,
        "sms_token": "sms-secret",
        "zalo_url": zalo.url,
        "zalo_token": "zalo-secret",
    }


def to(address: str, delivery_id: str = "dlv-1") -> Outgoing:
    return Outgoing(delivery_id=delivery_id, address=address, subject=SUBJECT, text=TEXT, link=LINK)


def failure_of(channel: str, channels: dict[str, Any], message: Outgoing) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failure:
        send(channel, channels, message)
    return failure.value


def test_an_email_arrives_with_its_vietnamese_subject_and_body_and_an_escaped_html_part(
    channels, smtp
):
    message_id = send("email", channels, to("duc@example.vn"))

    [email] = smtp.messages
    assert message_id == "<dlv-1@danban.example.vn>"
    assert email["Message-ID"] == message_id
    assert email["Subject"] == SUBJECT
    assert email["From"] == "DânBàn <thong-bao@danban.example.vn>"
    assert email["To"] == "duc@example.vn"
    # the wire has CRLF line ends; quoted-printable keeps them in the decoded text
    plain = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain == f"{TEXT}\n\n{LINK}\n"
    page = email.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "Kính gửi hộ ông Nguyễn Văn Đức,<br>\nxin cho biết ý kiến &lt;trước 20/12&gt;." in page
    assert "<p>Trân trọng.</p>" in page
    assert "<trước" not in page


def test_an_email_while_the_smtp_server_is_down_fails_for_now_and_goes_once_it_is_back(
    channels, smtp
):
    smtp.stop()

    failure = failure_of("email", channels, to("duc@example.vn"))

    assert failure.temporary is True
    assert "refused" in failure.reason.lower()
    smtp.start()
    send("email", channels, to("duc@example.vn"))
    assert len(smtp.messages) == 1


def test_an_smtp_451_fails_for_now(channels, smtp):
    smtp.busy_for(1)

    failure = failure_of("email", channels, to("duc@example.vn"))

    assert failure.temporary is True
    assert failure.reason.startswith("SMTP 451")
    send("email", channels, to("duc@example.vn"))
    assert len(smtp.messages) == 1


def test_a_recipient_the_smtp_server_refuses_fails_for_good(channels, smtp):
    smtp.refused_recipients.add("ghost@example.vn")

    failure = failure_of("email", channels, to("ghost@example.vn"))

    assert failure.temporary is False
    assert failure.reason.startswith("SMTP 550")
    assert smtp.messages == []


def test_an_sms_carries_the_token_the_idempotency_key_and_unaccented_text(channels, sms):
    provider_id = send("sms", channels, to("+84 912 345 678", delivery_id="dlv-7"))

    [request] = sms.requests
    assert provider_id == "1"
    assert request.headers["Authorization"] == "Bearer sms-secret"
    assert request.headers["Idempotency-Key"] == "dlv-7"
    assert request.body["to"] == "0912345678"
    assert request.body["idempotency_key"] == "dlv-7"
    assert request.body["text"].startswith("DanBan: Lay y kien: gio thu gom rac - Kinh gui ho ong")
    assert "Nguyen Van Duc" in request.body["text"]
    assert request.body["text"].endswith(LINK)
    assert request.body["text"].isascii()


@pytest.mark.parametrize(("status", "temporary"), [(500, True), (503, True), (429, True)])
def test_an_sms_provider_error_or_rate_limit_fails_for_now(channels, sms, status, temporary):
    sms.fail_next(status)

    failure = failure_of("sms", channels, to("0912345678"))

    assert failure.temporary is temporary
    assert failure.reason.startswith(f"HTTP {status}")


def test_an_sms_the_provider_rejects_as_a_bad_request_fails_for_good(channels, sms):
    sms.fail_next(400)

    failure = failure_of("sms", channels, to("0912345678"))

    assert failure.temporary is False
    assert failure.reason.startswith("HTTP 400")


@pytest.mark.parametrize(
    ("answer", "said"), [(b"<html>Bad Gateway</html>", "not JSON"), ({"ok": True}, "no message id")]
)
def test_a_malformed_sms_answer_fails_for_now_and_says_what_was_wrong(channels, sms, answer, said):
    sms.answer_next(answer)

    failure = failure_of("sms", channels, to("0912345678"))

    assert failure.temporary is True
    assert said in failure.reason


def test_an_sms_while_the_provider_is_down_fails_for_now_and_goes_once_it_is_back(channels, sms):
    sms.stop()

    failure = failure_of("sms", channels, to("0912345678"))

    assert failure.temporary is True
    sms.start()
    assert send("sms", channels, to("0912345678")) == "1"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("channel", "address"), [("email", "duc@example.vn"), ("sms", "0912345678")]
)
def test_a_provider_that_never_answers_times_out_and_fails_for_now(
    channels, channel, address, silent_port, monkeypatch
):
    monkeypatch.setattr(channels_module, "TIMEOUT_SECONDS", 0.3)
    silent = {"smtp_port": silent_port, "sms_url": f"http://127.0.0.1:{silent_port}/"}

    failure = failure_of(channel, {**channels, **silent}, to(address))

    assert failure.temporary is True
    assert "timed out" in failure.reason


def test_an_sms_to_an_invalid_number_fails_for_good_without_calling_the_provider(channels, sms):
    failure = failure_of("sms", channels, to("12345"))

    assert failure.temporary is False
    assert sms.requests == []


def test_a_zalo_message_is_shaped_like_the_official_account_api_and_keeps_diacritics(
    channels, zalo
):
    message_id = send("zalo", channels, to("8412345678901234567"))

    [request] = zalo.requests
    assert message_id == "1"
    assert request.headers["access_token"] == "zalo-secret"
    assert request.body == {
        "recipient": {"user_id": "8412345678901234567"},
        "message": {"text": f"{SUBJECT}\n\n{TEXT}\n\n{LINK}"},
    }


def test_a_long_zalo_message_is_capped_and_keeps_its_link(channels, zalo):
    long_text = "ý kiến " * 500
    message = Outgoing(delivery_id="d", address="84123", subject="Họp", text=long_text, link=LINK)

    send("zalo", channels, message)

    text = zalo.requests[0].body["message"]["text"]
    assert len(text) <= 2000
    assert text.endswith(f"...\n\n{LINK}")


@pytest.mark.parametrize(
    ("error", "temporary"), [(-32, True), (-216, True), (-213, False), (-201, False)]
)
def test_a_zalo_error_fails_for_now_only_when_it_is_a_limit_or_the_token(
    channels, zalo, error, temporary
):
    zalo.answer_next({"error": error, "message": "scripted"})

    failure = failure_of("zalo", channels, to("84123"))

    assert failure.temporary is temporary
    assert failure.reason == f"Zalo error {error}: scripted"


@pytest.mark.parametrize("answer", [b"oops", {"message": "Success"}, {"error": 0, "data": {}}])
def test_a_malformed_zalo_answer_fails_for_now(channels, zalo, answer):
    zalo.answer_next(answer)

    failure = failure_of("zalo", channels, to("84123"))

    assert failure.temporary is True
    assert "malformed" in failure.reason


@pytest.mark.parametrize(("channel", "setting"), [("email", "smtp_host"), ("sms", "sms_url")])
def test_a_channel_that_is_not_configured_fails_for_good(channels, channel, setting, sms):
    failure = failure_of(channel, {**channels, setting: ""}, to("0912345678"))

    assert failure.temporary is False
    assert "not configured" in failure.reason
    assert sms.requests == []
