import pytest

from services.notifications.channels import (
    SMS_LIMIT,
    DeliveryFailed,
    Outgoing,
    email_html,
    send,
    sms_text,
)

GSM7_ASCII = set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()*+,-./:;<=>?@_"
)
LINK = "https://danban.example.vn/p/HA7K2M"


def test_an_sms_is_unaccented_vietnamese_with_the_sender_first():
    text = sms_text("Lấy ý kiến", "Giờ thu gom rác ở tổ dân phố Ngũ Hành Sơn", None)

    assert text == "DanBan: Lay y kien - Gio thu gom rac o to dan pho Ngu Hanh Son"


def test_an_sms_spells_d_with_stroke_as_d():
    assert sms_text("Đã mở", "Đường đê đoạn Đông", None) == "DanBan: Da mo - Duong de doan Dong"


def test_an_sms_keeps_only_the_gsm7_basic_set_and_collapses_whitespace():
    text = sms_text("Thông báo “Họp”", "Giá: 50€ [xem]\n\n\tnhé 😀 ~ {ok}", None)

    assert set(text) <= GSM7_ASCII
    assert text == 'DanBan: Thong bao "Hop" - Gia: 50? ?xem? nhe ? ? ?ok?'


def test_an_sms_of_decomposed_text_is_unaccented_too():
    decomposed = "Nghi\u0323\u0302 quyê\u0301t"  # "Nghị quyết" as NFD

    assert sms_text("Thông báo", decomposed, None) == "DanBan: Thong bao - Nghi quyet"


def test_a_short_sms_ends_with_the_link():
    assert sms_text("Họp", "Tối nay", LINK) == f"DanBan: Hop - Toi nay {LINK}"


def test_a_long_sms_is_cut_at_a_word_within_two_segments_and_keeps_the_whole_link():
    long_text = " ".join(["nghị quyết"] * 60)

    text = sms_text("Thông báo", long_text, LINK)

    assert len(text) <= SMS_LIMIT
    assert text.endswith(f"... {LINK}")
    kept = text.removesuffix(f"... {LINK}")
    assert kept.startswith("DanBan: Thong bao - nghi quyet")
    assert kept.endswith(("nghi", "quyet"))  # a whole word, never "quy..."


def test_a_long_sms_of_one_endless_word_is_cut_inside_it_rather_than_emptied():
    text = sms_text("Thông báo", "x" * 400, None)

    assert len(text) == SMS_LIMIT
    assert text.endswith("xxx...")


def test_the_html_part_of_an_email_escapes_markup_and_keeps_paragraphs():
    message = Outgoing(
        delivery_id="d1",
        address="an@example.vn",
        subject="Họp <b>",
        text="Xin chào <script>alert(1)</script>\ndòng hai\n\nĐoạn hai & hết",
        link="https://danban.example.vn/p?a=1&b=2",
    )

    page = email_html(message)

    assert "<script>" not in page
    assert "Xin chào &lt;script&gt;alert(1)&lt;/script&gt;<br>\ndòng hai</p>" in page
    assert "<p>Đoạn hai &amp; hết</p>" in page
    assert '<a href="https://danban.example.vn/p?a=1&amp;b=2">' in page
    assert "<title>Họp &lt;b&gt;</title>" in page


@pytest.mark.parametrize("channel", ["email", "sms", "zalo", "fax"])
def test_a_channel_without_a_host_or_url_fails_for_good(channel):
    message = Outgoing(delivery_id="d1", address="an@example.vn", subject="s", text="t")
    channels = {"smtp_host": "", "smtp_port": 25, "smtp_sender": "x@y.vn", "sms_url": ""}

    with pytest.raises(DeliveryFailed) as failure:
        send(channel, channels, message)

    assert failure.value.temporary is False
    assert channel in failure.value.reason
