"""The commendation pages (gateway/routes/commendations_staff.py, recognition.py and
gateway/recognition_pdf.py) with a fake recognition service in the FakeRpc port; each
command the pages send is validated by its own contract."""

import base64
import re
from datetime import date

import pytest
import segno

from gateway.pdf_kit import QR_BORDER
from gateway.recognition_pdf import certificate_pdf, check_url
from gateway.training_pdf import QR_LEFT, QR_SIZE, QR_TOP
from shared.config import Settings
from shared.contracts.feedback import StoredFile
from shared.contracts.recognition import (
    CertificateQuery,
    CommendationCertificate,
    CommentOnNominees,
    CommentReceipt,
    DecideCommendation,
    HonourBoard,
    HonourQuery,
    ListNominations,
    Nomination,
    NominationRef,
    OpenPostings,
    PhotoRef,
    Posting,
    PostingComments,
    PostingRef,
    PostNominees,
    ProposeCommendation,
    ReasonedChange,
    RecordCouncilVote,
    SetPhoto,
)
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.unit.fake_rpc import FakeRpc
from tests.unit.gateway_support import ACCOUNTS, csrf_of, sign_in
from tests.unit.test_ballot_cards import page_image, pdf_text

YEAR_PAGE = "/can-bo/xa/huong-an/khen-thuong"
NOMINATION_PAGE = "/can-bo/khen-thuong/n1"
DECIDED_PAGE = "/can-bo/khen-thuong/n2"
COMMENTS_PAGE = "/can-bo/khen-thuong/dot/p1/y-kien"
BOARD = "/vinh-danh/huong-an"
COMMENT = "/khen-thuong/huong-an/lay-y-kien"
CODE = "KT-7K2M9QXB"
MINUTES = b"%PDF-1.4 bien ban hop xet de nghi khen thuong"
PNG = b"\x89PNG\r\n\x1a\n fake but served as stored"

PROPOSED = {
    "nomination_id": "n1",
    "commune_id": "huong-an",
    "year": 2026,
    "title": "lao_dong_tien_tien",
    "recipient": {"kind": "individual", "name": "Lê Thị Hoa", "unit": "Tổ dân phố 1"},
    "achievement": "Hoàn thành xuất sắc nhiệm vụ tổ trưởng năm 2026.",
    "proposed_by": "commune",
    "status": "proposed",
    "minutes_filename": "bien-ban.pdf",
    "history": [{"at": "2026-11-02T02:00:00Z", "actor": "minh", "action": "proposed"}],
}
POSTED = {
    **PROPOSED,
    "status": "posted",
    "posting_id": "p1",
    "comment_until": "2026-11-20",
    "comments": 2,
}
DECIDED = {
    **POSTED,
    "nomination_id": "n2",
    "title": "giay_khen",
    "recipient": {
        "kind": "household",
        "name": "Hộ ông Trần Văn Bình",
        "unit": "Tổ dân phố 2",
        "household": "HA7K2M",
    },
    "status": "decided",
    "council": {
        "met_on": "2026-12-01",
        "members": 7,
        "present": 6,
        "votes_for": 6,
        "votes_against": 0,
    },
    "authority": "Chủ tịch UBND phường Hương An",
    "decision_number": "25/QĐ-UBND",
    "decided_on": "2026-12-20",
    "award": {"multiple": 0.3, "base_salary": 2_340_000, "amount": 702_000},
    "certificate_code": CODE,
    "has_photo": True,
}
ENTRY = {
    "nomination_id": "n2",
    "year": 2026,
    "title": "giay_khen",
    "recipient_kind": "household",
    "name": "Hộ ông Trần Văn Bình",
    "unit": "Tổ dân phố 2",
    "achievement": "Hiến 50 m² đất làm đường kiệt.",
    "decision_number": "25/QĐ-UBND",
    "decided_on": "2026-12-20",
    "authority": "Chủ tịch UBND phường Hương An",
    "has_photo": True,
}
POSTING = {
    "posting_id": "p1",
    "commune_id": "huong-an",
    "year": 2026,
    "posted_on": "2026-11-05",
    "comment_until": "2026-11-20",
    "nominations": [POSTED],
}
COMMENTS = {
    "posting_id": "p1",
    "comments": [
        {
            "receipt": "YK-7K2M9QXB",
            "nomination_id": "n1",
            "name": "Nguyễn Văn An",
            "contact": "0912345678",
            "text": "Chị Hoa rất nhiệt tình.",
            "received_at": "2026-11-06T03:00:00Z",
        },
        {
            "receipt": "YK-3F9Q2XK7",
            "nomination_id": None,
            "name": "Phạm Thị Lan",
            "contact": "",
            "text": "Đồng ý với cả danh sách.",
            "received_at": "2026-11-07T03:00:00Z",
        },
    ],
}
# A group head of the fake directory's Tổ dân phố 1, for this file's tests.
GROUP_HEAD = {
    "username": "binh",
    "full_name": "Binh",
    "roles": [{"role": "group_head", "unit_id": "tổ-dân-phố-1"}],
}


@pytest.fixture
def recognition(rpc: FakeRpc) -> dict:
    """A fake recognition service: answers with valid contracts, keeps the commands."""
    sent: dict = {}
    nominations = {"n1": POSTED, "n2": DECIDED}

    def answer(method, contract, reply):
        def handler(payload: dict):
            sent[method] = contract.model_validate(payload)
            return reply(sent[method]) if callable(reply) else reply

        rpc.answer("recognition", method, handler)

    def get(ref: NominationRef) -> dict:
        if ref.nomination_id not in nominations:
            raise NotFound("Không tìm thấy đề nghị khen thưởng này.")
        return nominations[ref.nomination_id]

    listed = {"nominations": [PROPOSED, {**POSTED, "nomination_id": "n3"}, DECIDED]}
    answer("list_nominations", ListNominations, listed)
    answer("propose", ProposeCommendation, PROPOSED)
    answer("get_nomination", NominationRef, get)
    stored = {"content_type": "application/pdf", "data_base64": base64.b64encode(MINUTES).decode(),
              "filename": "biên bản.pdf"}  # fmt: skip
    answer("nomination_minutes", NominationRef, stored)
    answer("post_nominees", PostNominees, POSTING)
    answer("posting_comments", PostingRef, COMMENTS)
    answer("record_council_vote", RecordCouncilVote, {**POSTED, "status": "reviewed"})
    answer("decide", DecideCommendation, DECIDED)
    answer("reject", ReasonedChange, {**POSTED, "status": "rejected"})
    answer("revoke", ReasonedChange, {**DECIDED, "status": "revoked"})
    answer("set_photo", SetPhoto, DECIDED)
    answer("open_postings", OpenPostings, {"postings": [POSTING]})
    receipt = {"receipt": "YK-7K2M9QXB", "posting_id": "p1", "received_at": "2026-11-06T03:00:00Z"}
    answer("comment", CommentOnNominees, receipt)
    board = {"commune_id": "huong-an", "year": 2026, "years": [2026, 2025],
             "units": ["Tổ dân phố 1", "Tổ dân phố 2"], "entries": [ENTRY]}  # fmt: skip
    answer("honour_board", HonourQuery, board)
    photo = {"content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}
    answer("honour_photo", PhotoRef, photo)

    def certificate(query: CertificateQuery) -> dict:
        found = {"entry": ENTRY, "commune_id": "huong-an", "award": DECIDED["award"], "code": CODE}
        if query.code == CODE:
            return found
        if query.code == "KT-REVOKED":
            return {**found, "code": query.code, "revoked_reason": "Hồ sơ kê khai sai."}
        raise NotFound("Không có giấy khen mang mã này.")

    answer("certificate", CertificateQuery, certificate)
    # Every reply above is what its contract says the service answers.
    for model, reply in (
        (Nomination, PROPOSED),
        (Nomination, DECIDED),
        (StoredFile, stored),
        (Posting, POSTING),
        (PostingComments, COMMENTS),
        (CommentReceipt, receipt),
        (HonourBoard, board),
        (CommendationCertificate, certificate(CertificateQuery(code=CODE))),
    ):
        model.model_validate(reply)
    return sent


@pytest.fixture
def group_head(monkeypatch):
    monkeypatch.setitem(ACCOUNTS, "binh", GROUP_HEAD)


def request_id_of(html: str) -> str:
    return re.search(r'name="request_id" value="([0-9a-f]{32})"', html).group(1)


def post(client, url: str, page: str, **data):
    """A form of `page` sent to `url`, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_of(client.get(page).text), **data})


def proposal(client, page: str = YEAR_PAGE + "?nam=2026", **fields) -> dict:
    html = client.get(page).text
    return {
        "csrf_token": csrf_of(html),
        "request_id": request_id_of(html),
        "title": "lao_dong_tien_tien",
        "recipient.kind": "individual",
        "recipient.name": "Lê Thị Hoa",
        "recipient.unit": "Tổ dân phố 1",
        "recipient.household": "",
        "recipient.username": "",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ tổ trưởng năm 2026.",
        "proposed_by": "year_end_conference",
        **fields,
    }


def send_proposal(client, data: dict, minutes: bytes | None = MINUTES):
    files = {"minutes": ("biên bản.pdf", minutes, "application/pdf")} if minutes else None
    return client.post(YEAR_PAGE + "/de-nghi?nam=2026", data=data, files=files)


# --- the year's nominations -----------------------------------------------------


def test_the_year_page_groups_the_nominations_by_status(client, recognition):
    sign_in(client)
    page = client.get(YEAR_PAGE + "?nam=2026").text
    assert "Thi đua, khen thưởng năm 2026" in page
    assert "Đã đề nghị (1)" in page and 'name="nomination_ids" value="n1"' in page
    assert "Đang lấy ý kiến (1)" in page and "Đã quyết định khen thưởng (1)" in page
    assert 'href="/can-bo/khen-thuong/n2"' in page and "Quyết định số 25/QĐ-UBND" in page
    assert "Lao động tiên tiến (cá nhân)" in page  # the title with whom it is for
    assert "Giấy khen (cá nhân, hộ gia đình, tập thể)" in page
    assert 'name="minutes" type="file"' in page and 'enctype="multipart/form-data"' in page
    sent = recognition["list_nominations"]
    assert (sent.actor, sent.commune_id, sent.year) == ("minh", "huong-an", 2026)


def test_the_proposed_nominees_are_chosen_with_checkboxes_and_posted(client, recognition):
    sign_in(client)
    page = client.get(YEAR_PAGE + "?nam=2026").text
    response = client.post(
        YEAR_PAGE + "/lay-y-kien?nam=2026",
        data={
            "csrf_token": csrf_of(page),
            "request_id": request_id_of(page),
            "nomination_ids": ["n1"],
            "days": "15",
            "posted_on": "05/11/2026",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == YEAR_PAGE + "?nam=2026"
    sent = recognition["post_nominees"]
    assert (sent.nomination_ids, sent.days, sent.commune_id) == (["n1"], 15, "huong-an")
    assert sent.posted_on == date(2026, 11, 5)  # a list already up on paper
    assert "lấy ý kiến đến hết ngày 20/11/2026" in client.get(YEAR_PAGE + "?nam=2026").text


def test_posting_with_nobody_chosen_is_refused_beside_the_list(client, recognition, rpc):
    sign_in(client)
    response = post(client, YEAR_PAGE + "/lay-y-kien?nam=2026", YEAR_PAGE, days="")
    assert response.status_code == 422
    assert 'id="post-nomination_ids-error">Vui lòng chọn ít nhất một người' in response.text
    assert not rpc.calls_to("recognition", "post_nominees")


def test_the_propose_form_sends_the_recipient_and_the_minutes_in_base64(client, recognition):
    sign_in(client)
    data = proposal(client, **{"recipient.household": "ha7k2m"})
    response = send_proposal(client, data)
    assert response.status_code == 303 and response.headers["location"] == NOMINATION_PAGE
    sent = recognition["propose"]
    assert (sent.actor, sent.commune_id, sent.year, sent.request_id) == (
        "minh",
        "huong-an",
        2026,
        data["request_id"],
    )
    assert (sent.title, sent.proposed_by) == ("lao_dong_tien_tien", "year_end_conference")
    assert (sent.recipient.name, sent.recipient.unit) == ("Lê Thị Hoa", "Tổ dân phố 1")
    assert (sent.recipient.household, sent.recipient.username) == ("HA7K2M", None)
    assert sent.minutes.filename == "biên bản.pdf"
    assert base64.b64decode(sent.minutes.data_base64) == MINUTES


def test_a_refused_proposal_is_shown_beside_its_field_keeping_what_was_typed(
    client, recognition, rpc
):
    def refuse(payload: dict):
        raise InvalidInput(fields={"achievement": "Thành tích này đã được khen thưởng năm 2025."})

    rpc.answer("recognition", "propose", refuse)
    sign_in(client)
    data = proposal(client)
    response = send_proposal(client, data)
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page and 'href="#propose-achievement"' in page
    assert 'id="propose-achievement-error">Thành tích này đã được khen thưởng năm 2025.' in page
    assert 'value="Lê Thị Hoa"' in page and "Hoàn thành xuất sắc nhiệm vụ tổ trưởng" in page
    assert f'value="{data["request_id"]}"' in page  # a second try still makes one
    assert 'id="propose-minutes-error">Các tệp đã chọn chưa được gửi' in page  # choose again


def test_a_title_not_for_the_recipient_and_missing_minutes_are_refused_here(
    client, recognition, rpc
):
    sign_in(client)
    data = proposal(client, title="gia_dinh_van_hoa", **{"recipient.name": ""})
    response = send_proposal(client, data, minutes=None)
    assert response.status_code == 422
    page = response.text
    assert 'id="propose-title-error">Danh hiệu “Gia đình văn hóa” dành cho hộ gia đình.' in page
    assert 'id="propose-minutes-error">Vui lòng chọn tệp biên bản họp xét' in page
    assert 'id="propose-recipient-name-error">Vui lòng điền mục này.' in page
    assert not rpc.calls_to("recognition", "propose")


def test_an_inspector_reads_and_proposes_for_the_inspection_board_only(client, recognition):
    sign_in(client, "hoa")
    page = client.get(YEAR_PAGE + "?nam=2026").text
    assert "Đang lấy ý kiến (1)" in page and 'name="nomination_ids"' not in page
    assert 'action="/can-bo/xa/huong-an/khen-thuong/lay-y-kien' not in page
    assert 'name="proposed_by" value="inspection_board"' in page
    assert "Ban Thanh tra nhân dân (khoản 5 Điều 38 Luật 10/2022)" in page
    send_proposal(client, proposal(client, proposed_by="commune"))
    assert recognition["propose"].proposed_by == "inspection_board"


def test_a_group_head_proposes_for_the_conference_and_sees_no_list(
    client, recognition, rpc, group_head
):
    sign_in(client, "binh")
    page = client.get(YEAR_PAGE + "?nam=2026").text
    assert "Hội nghị cộng đồng dân cư cuối năm" in page and 'name="minutes"' in page
    assert not rpc.calls_to("recognition", "list_nominations")
    response = send_proposal(client, proposal(client, proposed_by="commune"))
    assert response.headers["location"] == YEAR_PAGE + "?nam=2026"
    assert recognition["propose"].proposed_by == "year_end_conference"
    assert "Đã ghi đề nghị khen thưởng Lê Thị Hoa." in client.get(YEAR_PAGE + "?nam=2026").text


def test_a_proposal_the_service_forbids_is_said_beside_the_form(client, recognition, rpc):
    def forbid(payload: dict):
        raise Forbidden("Bạn không có quyền đề nghị khen thưởng thay cho nơi này.")

    rpc.answer("recognition", "propose", forbid)
    sign_in(client)
    response = send_proposal(client, proposal(client))
    assert response.status_code == 403
    assert 'role="alert"' in response.text and 'value="Lê Thị Hoa"' in response.text
    assert "Bạn không có quyền đề nghị khen thưởng thay cho nơi này." in response.text


# --- a nomination -----------------------------------------------------------------


def test_a_decided_nomination_shows_its_award_history_and_links(client, recognition):
    sign_in(client)
    page = client.get(DECIDED_PAGE).text
    assert "Hộ ông Trần Văn Bình" in page and "Đã quyết định khen thưởng" in page
    assert "<strong>702.000 đ</strong>" in page
    assert "0,3 × mức lương cơ sở 2.340.000 đ" in page
    assert "Số 25/QĐ-UBND ngày 20/12/2026" in page
    assert "6/7 thành viên có mặt, 6 đồng ý, 0 không đồng ý" in page
    assert 'href="/can-bo/khen-thuong/n2/bien-ban"' in page
    assert f'href="{COMMENTS_PAGE}"' in page and "2 ý kiến" in page
    assert 'href="/can-bo/khen-thuong/n2/giay-khen.pdf"' in page
    assert f'href="/vinh-danh/giay-khen/{CODE}"' in page
    assert 'action="/can-bo/khen-thuong/n2/huy-bo"' in page
    assert 'action="/can-bo/khen-thuong/n2/anh"' in page and 'src="/vinh-danh/anh/n2"' in page
    assert "Đề nghị khen thưởng</strong> · 02/11/2026 09:00 · minh" in page
    assert 'action="/can-bo/khen-thuong/n2/hoi-dong"' not in page


def test_the_council_vote_is_sent_and_the_page_says_so(client, recognition):
    sign_in(client)
    response = post(
        client,
        NOMINATION_PAGE + "/hoi-dong",
        NOMINATION_PAGE,
        met_on="2026-12-01",
        members="7",
        present="6",
        votes_for="5",
        votes_against="1",
        notes="",
    )
    assert response.status_code == 303 and response.headers["location"] == NOMINATION_PAGE
    vote = recognition["record_council_vote"].vote
    assert (vote.met_on, vote.members, vote.present, vote.votes_for) == (
        date(2026, 12, 1),
        7,
        6,
        5,
    )
    assert "Đã ghi kết quả họp Hội đồng" in client.get(NOMINATION_PAGE).text


def test_council_counts_that_do_not_add_up_are_explained_beside_them(client, recognition, rpc):
    sign_in(client)
    response = post(
        client,
        NOMINATION_PAGE + "/hoi-dong",
        NOMINATION_PAGE,
        met_on="01/12/2026",
        members="5",
        present="6",
        votes_for="6",
        votes_against="1",
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="vote-present-error">Số thành viên có mặt không được nhiều hơn' in page
    assert 'id="vote-votes_for-error">Số phiếu đồng ý và không đồng ý' in page
    assert "Giá trị không hợp lệ" not in page
    assert 'value="01/12/2026"' in page and 'value="6"' in page
    assert not rpc.calls_to("recognition", "record_council_vote")


def test_the_decision_day_is_read_as_vietnamese_write_it(client, recognition, rpc):
    rpc.answer("recognition", "get_nomination", lambda ref: {**POSTED, "status": "reviewed"})
    sign_in(client)
    response = post(
        client,
        NOMINATION_PAGE + "/quyet-dinh",
        NOMINATION_PAGE,
        decision_number="25/QĐ-UBND",
        decided_on="20/12/2026",
    )
    assert response.status_code == 303
    sent = recognition["decide"]
    assert (sent.decision_number, sent.decided_on) == ("25/QĐ-UBND", date(2026, 12, 20))


def test_a_reason_too_short_is_refused_beside_it(client, recognition, rpc):
    sign_in(client)
    response = post(client, NOMINATION_PAGE + "/khong-khen", NOMINATION_PAGE, reason="x")
    assert response.status_code == 422
    assert 'id="reject-reason-error">Quá ngắn: ít nhất 3 ký tự.' in response.text
    assert not rpc.calls_to("recognition", "reject")


def test_a_decision_is_revoked_with_its_reason(client, recognition):
    sign_in(client)
    response = post(client, DECIDED_PAGE + "/huy-bo", DECIDED_PAGE, reason="Hồ sơ kê khai sai.")
    assert response.status_code == 303
    sent = recognition["revoke"]
    assert (sent.nomination_id, sent.reason, sent.actor) == ("n2", "Hồ sơ kê khai sai.", "minh")


def test_a_photo_is_uploaded_or_removed(client, recognition):
    sign_in(client)
    token = csrf_of(client.get(DECIDED_PAGE).text)
    response = client.post(
        DECIDED_PAGE + "/anh",
        data={"csrf_token": token},
        files={"photo": ("anh.png", PNG, "image/png")},
    )
    assert response.status_code == 303
    assert base64.b64decode(recognition["set_photo"].photo.data_base64) == PNG
    post(client, DECIDED_PAGE + "/anh", DECIDED_PAGE, remove="yes")
    assert recognition["set_photo"].photo is None
    missing = post(client, DECIDED_PAGE + "/anh", DECIDED_PAGE)
    assert missing.status_code == 422 and 'id="photo-photo-error">Vui lòng chọn một ảnh' in (
        missing.text
    )


def test_the_minutes_are_saved_never_opened_in_the_page(client, recognition):
    sign_in(client)
    response = client.get(NOMINATION_PAGE + "/bien-ban")
    assert response.status_code == 200 and response.content == MINUTES
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "UTF-8''bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["content-disposition"]
    assert recognition["nomination_minutes"].actor == "minh"


def test_the_comments_on_a_posting_name_the_nominee(client, recognition):
    sign_in(client)
    page = client.get(COMMENTS_PAGE).text
    assert "2 ý kiến đã nhận." in page
    assert 'Về <a href="/can-bo/khen-thuong/n1">Lê Thị Hoa</a>' in page
    assert "Về cả danh sách" in page and "Đồng ý với cả danh sách." in page
    assert "0912345678" in page  # staff see the contact
    assert recognition["posting_comments"].posting_id == "p1"


# --- the certificate as a PDF -----------------------------------------------------


def test_the_certificate_pdf_says_who_for_what_and_by_which_decision(client, recognition):
    sign_in(client)
    response = client.get(DECIDED_PAGE + "/giay-khen.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 841.89 595.28]" in response.content  # A4 landscape
    text = pdf_text(response.content)
    shown = ("GIẤY KHEN", "Hộ ông Trần Văn Bình", "Tổ dân phố 2", "25/QĐ-UBND", "702.000",
             "20/12/2026", "PHƯỜNG HƯƠNG AN", CODE, "Chủ tịch UBND phường Hương An")  # fmt: skip
    assert [words for words in shown if words not in text] == []
    assert f"{Settings().public_url}/vinh-danh/giay-khen" in text


def test_only_a_decided_commendation_has_a_certificate(client, recognition):
    sign_in(client)
    assert client.get(NOMINATION_PAGE + "/giay-khen.pdf").status_code == 409


def test_the_qr_code_opens_the_public_check_of_the_code():
    site = "https://danban.example.vn"
    nomination = Nomination.model_validate(DECIDED)
    pdf = certificate_pdf(nomination, "Phường Hương An", site, Settings().pdf_font_dir)
    url = check_url(site, CODE)
    assert url == f"{site}/vinh-danh/giay-khen/{CODE}"
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


# --- who may ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        YEAR_PAGE,
        NOMINATION_PAGE,
        NOMINATION_PAGE + "/bien-ban",
        COMMENTS_PAGE,
        DECIDED_PAGE + "/giay-khen.pdf",
    ],
)
def test_the_staff_pages_send_visitors_to_sign_in(client, recognition, rpc, url):
    response = client.get(url)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")
    assert not [call for call in rpc.calls if call[0] == "recognition"]


@pytest.mark.parametrize("url", [YEAR_PAGE, NOMINATION_PAGE, DECIDED_PAGE + "/giay-khen.pdf"])
def test_an_official_of_another_commune_is_refused(client, recognition, url):
    sign_in(client, "tuan")
    assert client.get(url).status_code == 403


def test_an_inspector_may_not_decide(client, recognition, rpc):
    sign_in(client, "hoa")
    page = client.get(NOMINATION_PAGE).text
    assert 'action="/can-bo/khen-thuong/n1/hoi-dong"' not in page
    response = post(client, NOMINATION_PAGE + "/khong-khen", NOMINATION_PAGE, reason="Không đạt.")
    assert response.status_code == 403 and not rpc.calls_to("recognition", "reject")


def test_the_commune_page_links_the_commendation_pages(client, recognition):
    public = client.get("/communes/huong-an").text
    assert 'href="/vinh-danh/huong-an"' in public and f'href="{COMMENT}"' in public
    assert f'href="{YEAR_PAGE}"' not in public
    sign_in(client)
    assert f'href="{YEAR_PAGE}"' in client.get("/communes/huong-an").text
    assert 'href="/vinh-danh/giay-khen"' in client.get("/").text


# --- the honour board -------------------------------------------------------------


def test_the_honour_board_shows_each_commendation_as_a_card(client, recognition):
    page = client.get(BOARD).text
    assert "Bảng vinh danh năm 2026" in page
    assert "Hộ ông Trần Văn Bình" in page and "Hiến 50 m² đất làm đường kiệt." in page
    assert "Quyết định số 25/QĐ-UBND ngày 20/12/2026 của Chủ tịch UBND phường Hương An" in page
    assert '<img src="/vinh-danh/anh/n2"' in page and "max-width:100%" in page
    assert 'href="/vinh-danh/huong-an?nam=2025"' in page
    assert '<option value="Tổ dân phố 2">' in page
    assert "HA7K2M" not in page
    sent = recognition["honour_board"]
    assert (sent.year, sent.title, sent.unit) == (None, None, None)


def test_the_honour_board_filters_send_the_query(client, recognition):
    client.get(BOARD, params={"nam": "2025", "danh-hieu": "giay_khen", "don-vi": "Tổ dân phố 2"})
    sent = recognition["honour_board"]
    assert (sent.commune_id, sent.year, sent.title, sent.unit) == (
        "huong-an",
        2025,
        "giay_khen",
        "Tổ dân phố 2",
    )
    assert client.get(BOARD, params={"nam": "abc", "danh-hieu": "x"}).status_code == 200
    assert (recognition["honour_board"].year, recognition["honour_board"].title) == (None, None)


def test_a_photo_is_served_so_that_it_can_never_run(client, recognition):
    response = client.get("/vinh-danh/anh/n2")
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert recognition["honour_photo"].nomination_id == "n2"


# --- the certificate's public check -----------------------------------------------


def test_a_valid_certificate_code_shows_the_commendation(client, recognition):
    page = client.get(f"/vinh-danh/giay-khen/{CODE}")
    assert page.status_code == 200 and "Giấy khen hợp lệ" in page.text
    for shown in ("Hộ ông Trần Văn Bình", "Giấy khen (năm 2026)", "25/QĐ-UBND", "Phường Hương An"):
        assert shown in page.text


def test_a_revoked_certificate_says_so_with_the_reason(client, recognition):
    page = client.get("/vinh-danh/giay-khen/KT-REVOKED").text
    assert "Khen thưởng đã bị hủy bỏ" in page and "Lý do: Hồ sơ kê khai sai." in page


def test_an_unknown_or_malformed_code_is_said_so(client, recognition, rpc):
    unknown = client.get("/vinh-danh/giay-khen/KT-ZZZZZZZZ")
    assert unknown.status_code == 404 and "Mã không đúng hoặc không tồn tại." in unknown.text
    calls = len(rpc.calls_to("recognition", "certificate"))
    malformed = client.get("/vinh-danh/giay-khen", params={"code": "AB"})
    assert malformed.status_code == 422 and "Mã giấy khen chưa đúng" in malformed.text
    assert len(rpc.calls_to("recognition", "certificate")) == calls
    typed = client.get("/vinh-danh/giay-khen", params={"code": f" {CODE.lower()} "})
    assert typed.headers["location"] == f"/vinh-danh/giay-khen/{CODE}"
    lower = client.get(f"/vinh-danh/giay-khen/{CODE.lower()}")
    assert lower.headers["location"] == f"/vinh-danh/giay-khen/{CODE}"


# --- comments on a posted list ----------------------------------------------------


def test_the_open_lists_show_their_nominees_and_until_when(client, recognition):
    page = client.get(COMMENT).text
    assert "Lê Thị Hoa" in page and "Nhận ý kiến đến hết ngày <strong>20/11/2026</strong>" in page
    assert '<option value="n1">Lê Thị Hoa (Lao động tiên tiến)</option>' in page
    assert 'name="posting_id" value="p1"' in page and 'name="csrf_token"' not in page
    assert recognition["open_postings"].commune_id == "huong-an"


def test_a_comment_is_answered_with_a_receipt(client, recognition):
    page = client.get(COMMENT).text
    response = client.post(
        COMMENT,
        data={
            "request_id": request_id_of(page),
            "posting_id": "p1",
            "nomination_id": "n1",
            "name": "Nguyễn Văn An",
            "contact": "",
            "text": "Chị Hoa rất nhiệt tình.",
        },
    )
    assert response.status_code == 200
    assert 'class="receipt-code">YK-7K2M9QXB<' in response.text
    assert "Nhận lúc 10:00 ngày 06/11/2026" in response.text
    sent = recognition["comment"]
    assert (sent.posting_id, sent.nomination_id, sent.name) == ("p1", "n1", "Nguyễn Văn An")
    assert sent.request_id == request_id_of(page)


def test_a_refused_comment_is_explained_in_vietnamese_keeping_what_was_typed(
    client, recognition, rpc
):
    page = client.get(COMMENT).text
    data = {"request_id": request_id_of(page), "posting_id": "p1", "nomination_id": "",
            "name": "", "text": "Tôi không đồng ý vì lý do sau."}  # fmt: skip
    response = client.post(COMMENT, data=data)
    assert response.status_code == 422
    assert 'id="name-error">Vui lòng cho biết họ tên của bạn.' in response.text
    assert "Tôi không đồng ý vì lý do sau." in response.text
    assert f'value="{data["request_id"]}"' in response.text
    assert not rpc.calls_to("recognition", "comment")

    def closed(payload: dict):
        raise InvalidInput("Danh sách này đã hết thời hạn lấy ý kiến.")

    rpc.answer("recognition", "comment", closed)
    response = client.post(COMMENT, data={**data, "name": "An"})
    assert response.status_code == 422
    assert "Danh sách này đã hết thời hạn lấy ý kiến." in response.text
