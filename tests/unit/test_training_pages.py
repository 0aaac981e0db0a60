"""A person's training pages, the QR check-in, the public certificate check and the
certificate PDF (gateway/routes/training.py, gateway/training_pdf.py) with a fake
training service in the FakeRpc port."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import segno

from gateway.pdf_kit import QR_BORDER
from gateway.training_pdf import QR_LEFT, QR_SIZE, QR_TOP, certificate_pdf, check_url
from shared.config import Settings
from shared.contracts.training import Certificate
from shared.errors import InvalidInput, NotFound
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import csrf_of, sign_in
from tests.unit.test_ballot_cards import page_image, pdf_text

CODE = "TH-7K2M9QXB"
TOKEN, FORGED = "a" * 20, "b" * 20
CERTIFICATE_CODE = "7K2M-9QXB-3F9Q-2XK7"
REVOKED_CODE = "2222-3333-4444-5555"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
PERSON = {"person_id": "p-0123456789abcdef", "full_name": "Trần Thị Bình"}
OFFICIAL = {"person_id": "account:minh", "full_name": "Minh", "username": "minh"}


def session(session_id: str, capacity: int, taken: int, waiting: int = 0, days: int = 0) -> dict:
    starts = SOON + timedelta(days=days)
    return {
        "session_id": session_id,
        "course_id": "k1",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "place": "Hội trường UBND phường",
        "online_link": None,
        "trainer": "Lê Văn Tâm",
        "capacity": capacity,
        "seats_taken": taken,
        "waiting": waiting,
    }


COURSE = {
    "course_id": "k1",
    "commune_id": "huong-an",
    "year": 2026,
    "title": "Thực hiện dân chủ ở cơ sở năm 2026",
    "description": "",
    "positions": ["group_head", "inspection_board"],
    "completion": {"kind": "all_sessions"},
    "registration_opens_on": "2026-01-01",
    "registration_closes_on": "2099-12-31",
    "cancel_hours_before": 24,
    "sessions": [session("s-open", 30, 12), session("s-full", 2, 2, waiting=1, days=1)],
    "completed": 0,
}
CERTIFICATE = {
    "certificate_id": "c1",
    "code": CERTIFICATE_CODE,
    "commune_id": "huong-an",
    "commune_name": "Phường Hương An",
    "course_id": "k1",
    "course_title": COURSE["title"],
    "year": 2026,
    "person": PERSON,
    "completed_on": "2026-06-05",
    "sessions_attended": 2,
}


@pytest.fixture
def training(rpc: FakeRpc) -> dict:
    """A fake training service: the personal code CODE and the official minh; a course
    with a session with seats and a full one; one certificate, one revoked."""
    state: dict = {"registrations": []}

    def person_of(who: dict) -> dict:
        if who.get("code") not in (None, CODE):
            raise NotFound("Không tìm thấy người có mã này.")
        return PERSON if who.get("code") else OFFICIAL

    def my_training(query: dict) -> dict:
        person = person_of(query["who"])
        return {
            "person": person,
            "commune_id": "huong-an",
            "positions": ["group_head"],
            "registrations": [r for r in state["registrations"] if r["person"] == person],
            "certificates": [CERTIFICATE] if person == PERSON else [],
            "open_courses": [COURSE],
        }

    def register(command: dict) -> dict:
        person = person_of(command["who"])
        if command["session_id"] == "s-started":
            raise InvalidInput("Buổi học này đã bắt đầu hoặc đã qua: không đăng ký được nữa.")
        waiting = command["session_id"] == "s-full"
        registration = {
            "registration_id": f"r{len(state['registrations']) + 1}",
            "session_id": command["session_id"],
            "course_id": "k1",
            "person": person,
            "status": "waiting" if waiting else "seated",
            "place_in_line": 2 if waiting else None,
            "registered_at": "2026-05-20T02:00:00Z",
        }
        state["registrations"].append(registration)
        return {"person": person, "registration": registration}

    def cancel(command: dict) -> dict:
        found = next(
            r for r in state["registrations"] if r["registration_id"] == command["registration_id"]
        )
        if found["session_id"] == "s-full":
            raise InvalidInput(
                "Đã quá hạn hủy đăng ký (chậm nhất 24 giờ trước khi buổi học bắt đầu)."
            )
        found.update(status="cancelled", place_in_line=None)
        return found

    def check_in(command: dict) -> dict:
        person = person_of(command["who"])
        if command["token"] != TOKEN:
            raise InvalidInput("Mã QR điểm danh không đúng: hãy quét lại mã đang chiếu trong lớp.")
        return {"session_id": command["session_id"], "person": person, "attended": True,
                "completed": True, "certificate_code": CERTIFICATE_CODE}  # fmt: skip

    def verify(query: dict) -> dict:
        if query["code"] == CERTIFICATE_CODE:
            return {"code": query["code"], "valid": True, "certificate": CERTIFICATE}
        if query["code"] == REVOKED_CODE:
            revoked = {**CERTIFICATE, "code": REVOKED_CODE, "revoked": True,
                       "revoked_reason": "Cấp nhầm người"}  # fmt: skip
            return {"code": query["code"], "valid": False, "certificate": revoked,
                    "why_not": "Đã thu hồi"}  # fmt: skip
        return {"code": query["code"], "valid": False, "why_not": "Không có"}

    def get_certificate(ref: dict) -> dict:
        staff = ref["who"].get("actor") == "minh"
        if not (staff or person_of(ref["who"]) == PERSON) or ref["certificate_id"] != "c1":
            raise NotFound("Không tìm thấy giấy chứng nhận này.")
        return CERTIFICATE

    rpc.answer("training", "my_training", my_training)
    rpc.answer("training", "register", register)
    rpc.answer("training", "cancel_registration", cancel)
    rpc.answer("training", "check_in", check_in)
    rpc.answer("training", "verify_certificate", verify)
    rpc.answer("training", "get_certificate", get_certificate)
    rpc.answer("training", "get_course", lambda ref: COURSE)
    return state


def open_link(client, code: str = CODE.lower()):
    return client.get(f"/tap-huan/ma/{code}")


def post(client, url: str, page: str = "/tap-huan/cua-toi", **data):
    """Send a form of `page` (for its CSRF token) to `url`."""
    return client.post(url, data={"csrf_token": csrf_of(client.get(page).text), **data})


# --- who is asking --------------------------------------------------------------


def test_the_personal_link_keeps_the_code_and_no_url_carries_it_further(client, training, rpc):
    response = open_link(client)
    assert response.status_code == 303 and response.headers["location"] == "/tap-huan/cua-toi"

    page = client.get("/tap-huan/cua-toi").text
    assert "Trần Thị Bình" in page and "Trưởng thôn, tổ trưởng tổ dân phố" in page
    assert rpc.calls_to("training", "my_training")[-1][0]["who"] == {"actor": None, "code": CODE}
    links = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert links and not [link for link in links if "7K2M9QXB" in link.upper()]


def test_a_malformed_link_is_refused_in_vietnamese_without_asking_the_service(
    client, training, rpc
):
    response = open_link(client, "TH-12")
    assert response.status_code == 422 and "Mã cá nhân chưa đúng" in response.text
    assert rpc.calls_to("training", "my_training") == []
    assert client.get("/tap-huan/cua-toi").headers["location"] == "/tap-huan"


def test_an_unknown_typed_code_is_refused_and_forgotten(client, training):
    response = post(client, "/tap-huan", page="/tap-huan", code="th-22223333")
    assert response.headers["location"] == "/tap-huan/cua-toi"
    refused = client.get("/tap-huan/cua-toi")
    assert refused.status_code == 404 and "Không tìm thấy mã cá nhân TH-22223333" in refused.text
    assert 'id="code-error"' in refused.text and 'value="TH-22223333"' in refused.text
    assert client.get("/tap-huan/cua-toi").headers["location"] == "/tap-huan"


def test_leaving_forgets_the_code(client, training):
    open_link(client)
    post(client, "/tap-huan/thoat")
    assert client.get("/tap-huan/cua-toi").headers["location"] == "/tap-huan"


def test_a_signed_in_official_is_known_by_their_account(client, training, rpc):
    assert "/staff/sign-in?next=/tap-huan/cua-toi" in client.get("/tap-huan").text
    sign_in(client, "minh")
    assert "Minh" in client.get("/tap-huan/cua-toi").text
    assert rpc.calls_to("training", "my_training")[-1][0]["who"] == {"actor": "minh", "code": None}


# --- registering and cancelling -------------------------------------------------


def test_open_sessions_show_the_seats_left_or_the_waiting_list(client, training):
    open_link(client)
    page = client.get("/tap-huan/cua-toi").text
    assert "Còn 18 chỗ" in page
    assert "Đã đủ chỗ</strong> – đăng ký để vào danh sách chờ" in page
    assert 'action="/tap-huan/buoi/s-open/dang-ky"' in page


def test_registering_with_a_seat_shows_a_receipt(client, training, rpc):
    open_link(client)
    response = post(client, "/tap-huan/buoi/s-open/dang-ky")
    assert response.headers["location"] == "/tap-huan/dang-ky/r1?da=dang-ky"
    assert rpc.calls_to("training", "register")[0][0] == {
        "who": {"actor": None, "code": CODE},
        "session_id": "s-open",
    }
    receipt = client.get(response.headers["location"]).text
    assert "Bạn đã có chỗ" in receipt and "Đã ghi nhận đăng ký của bạn." in receipt
    assert 'class="receipt-code">r1<' in receipt and "Hội trường UBND phường" in receipt


def test_registering_for_a_full_session_says_the_place_in_line(client, training):
    open_link(client)
    response = post(client, "/tap-huan/buoi/s-full/dang-ky")
    receipt = client.get(response.headers["location"]).text
    assert (
        "Buổi học đã đủ chỗ: bạn ở vị trí 2 trong danh sách chờ; khi có người hủy, "
        "bạn được chuyển vào và nhận tin báo" in receipt
    )
    mine = client.get("/tap-huan/cua-toi").text
    assert "Đang chờ (thứ tự 2)" in mine and "Rời danh sách chờ" in mine


def test_a_refused_registration_is_said_in_vietnamese_beside_the_session(client, training):
    open_link(client)
    refused = post(client, "/tap-huan/buoi/s-started/dang-ky")
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and 'href="#buoi-s-started"' in refused.text
    assert "Buổi học này đã bắt đầu hoặc đã qua: không đăng ký được nữa." in refused.text


def test_a_form_without_its_token_does_nothing(client, training, rpc):
    open_link(client)
    response = client.post("/tap-huan/buoi/s-open/dang-ky", data={"csrf_token": "forged"})
    assert response.status_code == 403 and rpc.calls_to("training", "register") == []


def test_cancelling_gives_up_the_place_and_says_so(client, training, rpc):
    open_link(client)
    post(client, "/tap-huan/buoi/s-open/dang-ky")
    response = post(client, "/tap-huan/dang-ky/r1/huy")
    assert response.headers["location"] == "/tap-huan/dang-ky/r1?da=huy"
    assert rpc.calls_to("training", "cancel_registration")[0][0] == {
        "who": {"actor": None, "code": CODE},
        "registration_id": "r1",
    }
    receipt = client.get(response.headers["location"]).text
    assert "Đã hủy đăng ký của bạn." in receipt and "Đăng ký đã hủy" in receipt
    assert "/huy" not in receipt  # nothing left to cancel


def test_a_refused_cancellation_is_said_in_vietnamese(client, training):
    open_link(client)
    post(client, "/tap-huan/buoi/s-full/dang-ky")
    refused = post(client, "/tap-huan/dang-ky/r1/huy")
    assert refused.status_code == 422 and "Chưa hủy được" in refused.text
    assert "Đã quá hạn hủy đăng ký" in refused.text


def test_someone_elses_registration_is_not_found(client, training):
    open_link(client)
    assert client.get("/tap-huan/dang-ky/r99").status_code == 404


# --- the QR check-in ------------------------------------------------------------

CHECK_IN = f"/tap-huan/diem-danh/s-open/{TOKEN}"


def test_opening_the_check_in_page_changes_nothing(client, training, rpc):
    open_link(client)
    page = client.get(CHECK_IN)
    assert page.status_code == 200 and "Tôi có mặt" in page.text and CODE in page.text
    assert rpc.calls_to("training", "check_in") == []

    done = post(client, CHECK_IN, page=CHECK_IN)
    assert done.status_code == 200 and "Đã điểm danh" in done.text
    assert rpc.calls_to("training", "check_in")[0][0] == {
        "who": {"actor": None, "code": CODE},
        "session_id": "s-open",
        "token": TOKEN,
    }
    assert f'href="/chung-nhan/{CERTIFICATE_CODE}"' in done.text  # the course is completed


def test_someone_not_known_here_types_their_code_which_is_kept(client, training, rpc):
    page = client.get(CHECK_IN).text
    assert 'name="code"' in page and '<label for="code">Mã cá nhân</label>' in page
    malformed = post(client, CHECK_IN, page=CHECK_IN, code="12")
    assert malformed.status_code == 422 and 'id="code-error"' in malformed.text
    assert rpc.calls_to("training", "check_in") == []

    done = post(client, CHECK_IN, page=CHECK_IN, code=f" {CODE.lower()} ")
    assert "Đã điểm danh" in done.text
    assert "Trần Thị Bình" in client.get("/tap-huan/cua-toi").text  # the code is kept


def test_an_unknown_code_typed_at_check_in_is_refused_beside_its_field(client, training):
    refused = post(client, CHECK_IN, page=CHECK_IN, code="TH-22223333")
    assert refused.status_code == 404 and 'id="code-error"' in refused.text
    assert "Không tìm thấy người có mã này." in refused.text
    assert 'value="TH-22223333"' in refused.text
    assert client.get("/tap-huan/cua-toi").headers["location"] == "/tap-huan"


def test_a_forged_check_in_code_is_refused_in_vietnamese(client, training):
    open_link(client)
    forged = f"/tap-huan/diem-danh/s-open/{FORGED}"
    refused = post(client, forged, page=forged)
    assert refused.status_code == 422 and "Chưa điểm danh được" in refused.text
    assert "Mã QR điểm danh không đúng" in refused.text


# --- the public check of a certificate ------------------------------------------


def test_a_valid_certificate_shows_whose_it_is(client, training):
    page = client.get(f"/chung-nhan/{CERTIFICATE_CODE}")
    assert page.status_code == 200 and "Giấy chứng nhận hợp lệ" in page.text
    for shown in ("Trần Thị Bình", COURSE["title"], "Phường Hương An", "05/06/2026"):
        assert shown in page.text


def test_a_typed_code_is_read_in_any_case_and_spacing(client, training):
    typed = client.get("/chung-nhan", params={"code": " 7k2m-9qxb-3f9q-2xk7 "})
    assert typed.headers["location"] == f"/chung-nhan/{CERTIFICATE_CODE}"
    lower = client.get(f"/chung-nhan/{CERTIFICATE_CODE.lower()}")
    assert lower.headers["location"] == f"/chung-nhan/{CERTIFICATE_CODE}"


def test_a_revoked_certificate_says_so_with_the_reason(client, training):
    page = client.get(f"/chung-nhan/{REVOKED_CODE}")
    assert "Giấy chứng nhận đã bị thu hồi" in page.text and "Lý do: Cấp nhầm người" in page.text


def test_an_unknown_certificate_code_is_not_found(client, training):
    page = client.get("/chung-nhan/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert page.status_code == 404 and "Mã không đúng hoặc không tồn tại" in page.text


def test_a_malformed_certificate_code_is_refused_without_asking_the_service(client, training, rpc):
    page = client.get("/chung-nhan", params={"code": "ABC"})
    assert page.status_code == 422 and "Mã giấy chứng nhận chưa đúng" in page.text
    assert client.get("/chung-nhan/ABC").status_code == 422
    assert rpc.calls_to("training", "verify_certificate") == []


# --- the certificate as a PDF ---------------------------------------------------


def test_the_holder_downloads_the_certificate_as_a_pdf(client, training):
    open_link(client)
    response = client.get("/tap-huan/chung-nhan/c1.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 841.89 595.28]" in response.content  # A4 landscape
    text = pdf_text(response.content)
    for shown in ("GIẤY CHỨNG NHẬN", "Trần Thị Bình", CERTIFICATE_CODE, "Phường Hương An"):
        assert shown in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"{Settings().public_url}/chung-nhan" in text


def test_a_signed_in_official_asks_for_a_pdf_as_such_even_with_a_code_kept(client, training, rpc):
    open_link(client)
    sign_in(client, "minh")
    open_link(client)
    assert client.get("/tap-huan/chung-nhan/c1.pdf").status_code == 200
    assert rpc.calls_to("training", "get_certificate")[0][0]["who"] == {
        "actor": "minh",
        "code": None,
    }


def test_nobody_known_is_sent_to_the_training_page_for_a_pdf(client, training, rpc):
    response = client.get("/tap-huan/chung-nhan/c1.pdf")
    assert response.headers["location"] == "/tap-huan"
    assert rpc.calls_to("training", "get_certificate") == []


def test_the_qr_code_opens_the_public_check_of_the_code():
    site = "https://danban.example.vn"
    certificate = Certificate.model_validate({**CERTIFICATE, "completed_on": date(2026, 6, 5)})
    pdf = certificate_pdf(certificate, site, Settings().pdf_font_dir)
    url = check_url(site, CERTIFICATE_CODE)
    assert url == f"{site}/chung-nhan/{CERTIFICATE_CODE}"
    dpi = 300
    image = page_image(pdf, dpi)
    expected = [segno.make_qr(url, error="m", mask=mask).matrix for mask in range(8)]
    size = len(expected[0])
    module = QR_SIZE / (size + 2 * QR_BORDER)
    to_pixels = dpi / 25.4

    def dark(row: int, column: int) -> bool:
        x = QR_LEFT + (column + QR_BORDER + 0.5) * module
        y = QR_TOP + (row + QR_BORDER + 0.5) * module
        return image.getpixel((int(x * to_pixels), int(y * to_pixels))) < 128

    drawn = [[dark(row, column) for column in range(size)] for row in range(size)]
    assert drawn in [[[bool(v) for v in row] for row in matrix] for matrix in expected]
