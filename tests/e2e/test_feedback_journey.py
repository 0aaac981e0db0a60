"""A resident's feedback through the whole stack, as their phone and the clerks'
browsers send it: filed with a photo and no account, split by a clerk into a
petition and a denunciation, triaged, transferred, extended and answered; rated,
reopened; a denouncer's identity viewed by the commune's head, and that view read
in the audit log by the People's Inspection Board."""

import io
import re
from collections.abc import Iterator

import pytest
import requests
from PIL import Image

from tests.e2e.browsing import PASSWORD, WARD, add_staff, csrf, signed_in
from tests.support import Stack, fresh_vhost, stack_env, start_stack, wait_until


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_vhost() as amqp_uri:
        var_dir = tmp_path_factory.mktemp("var")
        running = start_stack(stack_env(amqp_uri, var_dir, PASSWORD, 3), var_dir, "--no-restart")
        yield running
        if running.process.poll() is None:
            running.stop()


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (16.0, 27.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 90)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def act(session: requests.Session, stack: Stack, case_id: str, action: str, **data) -> str:
    """Press one of the staff case page's buttons; the page it lands on."""
    url = f"{stack.base_url}/staff/feedback/{case_id}"
    token = csrf(session.get(url).text)
    done = session.post(f"{url}/{action}", data={"csrf_token": token, **data})
    assert done.status_code == 200, done.text[:2000]
    return done.text


def test_a_case_is_filed_handled_answered_rated_and_reopened_and_the_denouncer_kept_safe(stack):
    base = stack.base_url
    admin = signed_in(stack, "admin")
    for username, role in (("chutich", "commune_admin"), ("canbo", "commune_staff")):
        add_staff(admin, stack, username, role)
    add_staff(admin, stack, "thanhtra", "inspector")

    # A resident files from a phone: no account, a photo with GPS in its EXIF.
    phone = requests.Session()
    form = phone.get(f"{base}/communes/{WARD}/feedback/new").text
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', form).group(1)
    letter = {
        "request_id": request_id,
        "category": "lighting",
        "title": "Đèn hỏng và thu tiền sai",
        "text": "Đèn đường kiệt 3 hỏng hai tuần. Cán bộ thu phí vệ sinh thu tiền không có biên "
        "lai. Gọi tôi: 0912 345 678.",
        "contact.name": "Trần Thị Bình",
        "contact.phone": "0912345678",
    }
    refused = phone.post(f"{base}/communes/{WARD}/feedback/new", data={**letter, "title": ""})
    assert refused.status_code == 422 and "0912 345 678" in refused.text  # nothing lost
    filed = phone.post(
        f"{base}/communes/{WARD}/feedback/new",
        data=letter,
        files={"photos": ("den.jpg", photo_with_gps(), "image/jpeg")},
        allow_redirects=False,
    )
    assert filed.status_code == 303
    receipt = phone.get(base + filed.headers["location"])
    code = re.search(r"PA-[0-9A-Z]{8}", receipt.text).group(0)
    assert "Hãy ghi lại mã này" in receipt.text
    photo_url = re.search(rf'src="(/feedback/{code}/files/[0-9a-f]+)"', receipt.text).group(1)
    photo = phone.get(base + photo_url)
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert not Image.open(io.BytesIO(photo.content)).getexif()  # no GPS, no camera

    # A clerk finds it on the dashboard and splits the letter by legal type.
    clerk = signed_in(stack, "canbo")
    dashboard = clerk.get(f"{base}/staff/communes/{WARD}/feedback").text
    case_id = re.search(r'href="/staff/feedback/([0-9a-f]{32})"', dashboard).group(1)
    split = act(
        clerk,
        stack,
        case_id,
        "split",
        **{
            "parts.0.type": "feedback",
            "parts.0.title": "Đèn đường kiệt 3 hỏng",
            "parts.0.text": "Đèn đường kiệt 3 hỏng hai tuần, gọi 0912 345 678.",
            "parts.1.type": "denunciation",
            "parts.1.title": "Tố cáo thu phí không biên lai",
            "parts.1.text": "Cán bộ thu phí vệ sinh thu tiền không có biên lai.",
        },
    )
    lamp_id, fee_id = re.findall(r'href="/staff/feedback/([0-9a-f]{32}-\d)"', split)[:2]

    # The petition: accepted, sent to a group, handled, answered.
    act(clerk, stack, lamp_id, "triage", type="feedback", complexity="normal", accept="yes")
    act(clerk, stack, lamp_id, "transfer", to_unit_id="demo-huong-an-tdp-2", reason="Tổ 2 quản lý")
    act(clerk, stack, lamp_id, "start")
    act(clerk, stack, lamp_id, "answer", text="Đã thay bóng đèn ngày 04/12, gọi 0905 111 222.")

    # The denunciation: its denouncer is protected; it is extended once (complex).
    head = signed_in(stack, "chutich")
    act(head, stack, fee_id, "triage", type="denunciation", complexity="complex", accept="yes")
    extended = act(head, stack, fee_id, "extend", reason="Cần xác minh thêm tại tổ dân phố")
    assert "Gia hạn giải quyết lần 1" in extended
    url = f"{base}/staff/feedback/{fee_id}/identity"
    inspector = signed_in(stack, "thanhtra")
    token = csrf(inspector.get(f"{base}/staff/feedback/{fee_id}").text)
    assert inspector.post(url, data={"csrf_token": token}).status_code == 403
    token = csrf(head.get(f"{base}/staff/feedback/{fee_id}").text)
    identity = head.post(url, data={"csrf_token": token})
    assert "Trần Thị Bình" in identity.text
    assert "Trần Thị Bình" not in inspector.get(f"{base}/staff/feedback/{fee_id}").text

    # The resident follows the parts from the letter's page, rates and reopens.
    letter_page = phone.get(f"{base}/feedback/{code}").text
    lamp_code, fee_code = re.findall(r"PA-[0-9A-Z]{8}", letter_page.split("tách thành")[1])[:2]
    answered = phone.get(f"{base}/feedback/{lamp_code}").text
    assert "Đã thay bóng đèn" in answered and "0905 111 222" not in answered
    rated = phone.post(
        f"{base}/feedback/{lamp_code}/rate", data={"satisfied": "no", "reason": "Đèn lại tắt"}
    )
    assert rated.status_code == 200 and "Đề nghị xem xét lại" in rated.text
    reopened = phone.post(f"{base}/feedback/{lamp_code}/reopen", data={"reason": "Đèn lại tắt"})
    assert reopened.status_code == 200 and "Đang giải quyết" in reopened.text
    assert "Trần Thị Bình" not in phone.get(f"{base}/feedback/{fee_code}").text

    # Anyone reads the answered petition, masked; never the denunciation.
    public = requests.get(f"{base}/communes/{WARD}/feedback").text
    assert "Đèn đường kiệt 3 hỏng" in public and "0905" not in public
    assert "Tố cáo thu phí" not in public and lamp_code not in public

    # Nor does any other public surface: the case through Open311, the figures' CSV.
    for surface in (
        f"{base}/api/open311/v2/requests/{fee_code}.json",
        f"{base}/api/open311/v2/requests.json?jurisdiction_id={WARD}",
        f"{base}/communes/{WARD}/feedback/figures.csv",
    ):
        shown = requests.get(surface)
        assert shown.status_code == 200, surface
        assert "Trần Thị Bình" not in shown.text and "0912345678" not in shown.text

    # The inspection board reads who viewed the denouncer, and when.
    audit = wait_until(
        lambda: (
            text
            if "người tố cáo" in (text := inspector.get(f"{base}/communes/{WARD}/audit").text)
            else None
        ),
        timeout=15,
    )
    assert "chutich" in audit


def test_script_typed_into_a_case_is_shown_as_text_never_run(stack):
    base = stack.base_url
    phone = requests.Session()
    form = phone.get(f"{base}/communes/{WARD}/feedback/new").text
    filed = phone.post(
        f"{base}/communes/{WARD}/feedback/new",
        data={
            "request_id": re.search(r'name="request_id" value="([0-9a-f]{32})"', form).group(1),
            "category": "other",
            "title": "<script>alert(1)</script> cống tắc",
            "text": "Cống tắc <img src=x onerror=alert(2)> ở kiệt 5, nước tràn vào nhà.",
        },
        allow_redirects=False,
    )
    assert filed.status_code == 303
    page = phone.get(base + filed.headers["location"]).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page
