"""The training pages in English (danban_lang=en): a person's pages, the check-in,
the public certificate check and the certificate PDF; the staff plan, course,
session, QR, coverage pages and the coverage CSV. Their fakes are those of
tests/unit/test_training_pages.py and tests/unit/test_training_staff_pages.py."""

import csv
import io

import pytest

import tests.unit.test_training_pages as resident_pages
import tests.unit.test_training_staff_pages as staff_pages
from shared import i18n
from tests.unit.gateway_support import sign_in
from tests.unit.test_ballot_cards import pdf_text


@pytest.fixture
def resident(rpc):
    """The fake training service of the person's pages."""
    return resident_pages.training.__wrapped__(rpc)


@pytest.fixture
def staff(rpc):
    """The fake training service of the staff pages."""
    return staff_pages.training.__wrapped__(rpc)


def english(client):
    client.cookies.set("danban_lang", "en")


def absent(page: str, *words: str) -> None:
    for word in words:
        assert word not in page, word


# --- a person's pages -----------------------------------------------------------


def test_the_training_home_page_is_in_english(client, resident):
    english(client)
    page = client.get("/tap-huan").text
    assert "Training in grassroots democracy" in page
    assert "Invited: enter your personal code" in page and "Personal code" in page
    assert 'placeholder="For example: TH-7K2M9QXB"' in page
    assert "Open my training page" in page and "Check a training certificate" in page
    absent(page, "Tập huấn thực hiện", "Mã cá nhân", "Người được mời", "Kiểm tra giấy")


def test_a_malformed_code_is_refused_in_english(client, resident):
    english(client)
    page = resident_pages.post(client, "/tap-huan", page="/tap-huan", code="xyz").text
    assert "Could not open the training page." in page
    assert "The personal code is not right" in page
    absent(page, "Mã cá nhân chưa đúng", "Chưa mở được")


def test_my_training_page_is_in_english(client, resident):
    english(client)
    resident_pages.open_link(client)
    page = client.get("/tap-huan/cua-toi").text
    assert "<h1>My training</h1>" in page and "Full name" in page
    assert "Classes open for you to register" in page and "Trainer" in page
    assert "<strong>Full</strong> – register to join the waiting list" in page
    assert "Register for this session" in page and "Join the waiting list" in page
    assert "My certificates" in page and "Download the certificate (PDF)" in page
    assert "Completed on 5 Jun 2026" in page and "Completed by attending every session." in page
    assert "Leave (forget the personal code on this device)" in page
    absent(page, "Tập huấn của tôi", "Giảng viên", "Đã đủ chỗ", "Vào danh sách chờ", "Tải giấy")


def test_a_registration_receipt_is_in_english(client, resident):
    english(client)
    resident_pages.open_link(client)
    response = resident_pages.post(client, "/tap-huan/buoi/s-full/dang-ky")
    page = client.get(response.headers["location"]).text
    assert "You are on the waiting list" in page and "Your registration is recorded." in page
    assert "you are number 2 on the waiting list" in page and "Waiting list (number 2)" in page
    assert "Registration code:" in page and "Leave the waiting list" in page
    absent(page, "Bạn đang ở danh sách chờ", "Đã ghi nhận", "Mã đăng ký", "Rời danh sách")
    refused = resident_pages.post(client, "/tap-huan/dang-ky/r1/huy")  # after the cut-off
    assert refused.status_code == 422 and "Could not cancel." in refused.text
    resident_pages.post(client, "/tap-huan/buoi/s-open/dang-ky")
    cancelled = resident_pages.post(client, "/tap-huan/dang-ky/r2/huy")
    page = client.get(cancelled.headers["location"]).text
    assert "Registration cancelled" in page and "Your registration is cancelled." in page


def test_the_check_in_page_is_in_english(client, resident):
    english(client)
    resident_pages.open_link(client)
    here = f"/tap-huan/diem-danh/s-open/{resident_pages.TOKEN}"
    page = client.get(here).text
    assert "Check in to a training session" in page and "I am here" in page
    assert "Check in the person with personal code" in page
    done = resident_pages.post(client, here, page=here).text
    assert "Checked in" in done
    assert "Trần Thị Bình: your attendance at the session is recorded." in done
    assert "You have completed the training course." in done
    absent(done, "Đã điểm danh", "đã ghi nhận có mặt", "Bạn đã hoàn thành")


def test_the_public_certificate_check_is_in_english(client, resident):
    english(client)
    page = client.get(f"/chung-nhan/{resident_pages.CERTIFICATE_CODE}").text
    assert "Valid certificate" in page and "belongs to a training certificate that is valid" in page
    assert "Awarded to" in page and "Completed on" in page and "5 Jun 2026" in page
    absent(page, "Giấy chứng nhận hợp lệ", "Cấp cho", "Ngày hoàn thành", "05/06/2026")
    revoked = client.get(f"/chung-nhan/{resident_pages.REVOKED_CODE}").text
    assert "Certificate revoked" in revoked and "Reason: Cấp nhầm người" in revoked
    wrong = client.get("/chung-nhan/ABC").text
    assert "The certificate code is not right" in wrong


def test_the_certificate_pdf_is_in_english(client, resident):
    english(client)
    resident_pages.open_link(client)
    text = pdf_text(client.get("/tap-huan/chung-nhan/c1.pdf").content)
    assert "CERTIFICATE" in text and "Has completed the training course" in text
    assert "SOCIALIST REPUBLIC OF VIET NAM" in text and "Independence - Freedom - Happiness" in text
    assert "Completed on: 5 Jun 2026 · Sessions attended: 2" in text
    assert "Phường Hương An, 5 Jun 2026" in text and "Verification code:" in text
    absent(text, "GIẤY CHỨNG NHẬN", "CỘNG HÒA", "Cấp cho", "Mã xác minh", "tháng")


def test_the_certificate_pdf_stays_vietnamese_by_default(client, resident):
    resident_pages.open_link(client)
    text = pdf_text(client.get("/tap-huan/chung-nhan/c1.pdf").content)
    assert "Phường Hương An, ngày 05 tháng 06 năm 2026" in text
    assert "Ngày hoàn thành: 05/06/2026 · Số buổi đã tham dự: 2" in text


# --- the staff pages --------------------------------------------------------------


def test_the_staff_plan_page_is_in_english(client, staff):
    sign_in(client)
    english(client)
    page = client.get(staff_pages.PLAN + "?nam=2026").text
    assert "Training in grassroots democracy, 2026" in page and "Plan for 2026" in page
    assert "Registration from 1 Mar 2026 to 20 Mar 2026" in page
    assert "Trainer: Nguyễn Văn Bình" in page and "Create a training course" in page
    assert "Completion rule" in page and "Attend every session" in page
    absent(page, "Tập huấn dân chủ", "Kế hoạch năm", "Giảng viên", "Tạo khóa", "Dự đủ")


def test_the_staff_course_page_is_in_english(client, staff):
    sign_in(client)
    english(client)
    page = client.get(staff_pages.COURSE).text
    assert "Sessions (1)" in page and "Add a session" in page and "Vietnam time." in page
    assert "Send personal registration links" in page and "Register from a list" in page
    assert 'placeholder="People\'s Committee hall"' in page
    absent(page, "Các buổi học", "Thêm buổi học", "Gửi đường dẫn", "Đăng ký theo danh sách")
    invited = client.post(
        staff_pages.COURSE + "/moi",
        data={"csrf_token": staff_pages.csrf_of(page)},
    ).text
    assert "Each person receives a personal registration link" in invited


def test_the_staff_session_page_and_qr_are_in_english(client, staff):
    sign_in(client)
    english(client)
    page = client.get(staff_pages.SESSION).text
    assert "Session of 25 Mar 2026, 08:00–11:00" in page and "Present 1/2" in page
    assert "Waiting list (1)" in page and "(number 1)" in page and "Certificates" in page
    assert "Revoke a certificate" in page and "Change the number of seats" in page
    absent(page, "Buổi học 25", "Có mặt 1/2", "Danh sách chờ", "Thu hồi", "Đổi số chỗ")
    qr = client.get(staff_pages.SESSION + "/qr").text
    assert "Open your phone's camera and scan the code to check in." in qr
    assert "07:30, 25 Mar 2026" in qr and "Back to the attendance list" in qr
    absent(qr, "Mở camera", "Mã dùng được", "ngày 25/03/2026")


def test_the_coverage_page_chart_and_csv_are_in_english(client, staff):
    sign_in(client)
    english(client)
    page = client.get(staff_pages.COVERAGE + "?nam=2026").text
    assert "Training coverage by position, 2026" in page and "How it is counted:" in page
    assert "Share trained by position, 2026" in page  # the chart's title
    assert "Completed training" in page and "target 80%: not met" in page
    assert "Targets by position (%)" in page and "Download CSV" in page
    absent(page, "Tỷ lệ tập huấn", "Cách tính", "chỉ tiêu 80%", "chưa đạt", "Tải CSV")
    response = client.get(staff_pages.COVERAGE + ".csv?nam=2026")
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Unit",
        "Position",
        "Number of holders",
        "Completed",
        "Rate %",
        "Target %",
        "Not yet trained",
    ]


def test_a_staff_form_refusal_is_in_english(client, staff):
    sign_in(client)
    english(client)
    page = client.get(staff_pages.PLAN + "?nam=2026").text
    data = {"csrf_token": staff_pages.csrf_of(page), "title": "", "completion": "at_least"}
    refused = client.post(staff_pages.PLAN + "/khoa-moi?nam=2026", data=data).text
    assert "Please choose at least one position." in refused
    assert "Please enter the minimum number of sessions to attend." in refused
    absent(refused, "Vui lòng chọn ít nhất một chức danh.", "Vui lòng nhập số buổi")


# --- counts (plural entries) ------------------------------------------------------


def _plurals_filled() -> bool:
    seats = "Còn %(count)s chỗ"
    return i18n.catalog("en").ngettext(seats, seats, 2) != seats


@pytest.mark.skipif(
    not _plurals_filled(),
    reason="the English catalog has no plural entries yet (deploy.i18n fill sets singular ones)",
)
def test_counts_are_in_english(client, resident, rpc):
    english(client)
    resident_pages.open_link(client)
    page = client.get("/tap-huan/cua-toi").text
    assert "18 seats left" in page and "1 person waiting" in page
    assert "you can cancel up to 24 hours before the session" in page
    absent(page, "Còn 18 chỗ", "người đang chờ", "giờ trước buổi học")
