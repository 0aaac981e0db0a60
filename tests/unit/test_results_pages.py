"""Results pages, their CSV and chart, and the published summary, with the FakeRpc
answering results the real counting code (services.surveys.tally) computed."""

import base64
import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from gateway.results_chart import results_svg
from gateway.results_csv import results_csv
from services.surveys import entries, tally
from shared.contracts.surveys import (
    Channel,
    DecisionRecord,
    MeetingRecord,
    PaperTally,
    Poll,
    PollResults,
    SignOff,
)
from shared.errors import Forbidden
from tests.unit.gateway_support import sign_in

COMPUTED = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
SIGNED = datetime(2026, 3, 16, 2, 30, tzinfo=UTC)
ONLINE, PAPER, MEETING = Channel.ONLINE, Channel.PAPER, Channel.MEETING


def poll(kind: str, status: str, by_unit: dict[str, int], **extra) -> Poll:
    names = {"tdp-1": "Tổ dân phố 1", "tdp-2": "Tổ dân phố 2"}
    fields = {
        "id": f"poll-{kind}",
        "kind": kind,
        "commune_id": "huong-an",
        "unit_id": "tdp-1" if len(by_unit) == 1 else "huong-an",
        "unit_name": "Tổ dân phố 1" if len(by_unit) == 1 else "Phường Hương An",
        "title": "Làm đường bê tông kiệt 12",
        "description": "",
        "matter": None,
        "channels": ["online", "paper", "meeting"],
        "secret": False,
        "public_results": True,
        "questions": [],
        "deciding_options": [],
        "noticed_on": None,
        "opens_at": "2026-03-01T01:00:00Z",
        "closes_at": "2026-03-15T10:00:00Z",
        "online_opt_in": None,
        "meeting_fell_short": False,
        "status": status,
        "created_by": "minh",
        "created_at": "2026-02-20T01:00:00Z",
        "electorate": {
            "as_of": "2026-03-01",
            "total": sum(by_unit.values()),
            "by_unit": by_unit,
            "unit_names": {unit: names[unit] for unit in by_unit},
        },
    }
    return Poll.model_validate({**fields, **extra})


def decision(agree_online: int, status: str = "open") -> PollResults:
    """A thôn of 600 households deciding a money matter (2/3 of ALL households,
    Art 21.1): online, 100 paper ballots (90 agree) and a meeting of 12 (10 agree)."""
    the_poll = poll(
        "decision",
        status,
        {"tdp-1": 600},
        matter="infrastructure",
        title="Đóng góp làm đường bê tông kiệt 12, mức 500.000 đồng mỗi hộ",
        questions=[
            {
                "id": "q",
                "type": "single",
                "text": "Ông/bà có tán thành chủ trương làm đường?",
                "options": [
                    {"id": "agree", "label": "Tán thành"},
                    {"id": "disagree", "label": "Không tán thành"},
                ],
            }
        ],
        deciding_options=["agree"],
        noticed_on="2026-02-25",
    )
    online = [("tdp-1", {"q": ["agree"]})] * agree_online
    online += [("tdp-1", {"q": ["disagree"]})] * (300 - agree_online)
    tallies = tally.Tallies(
        online=online,
        participated={"tdp-1": {ONLINE: 300, PAPER: 100, MEETING: 12}},
        paper=[
            PaperTally(
                unit_id="tdp-1",
                minutes_number="03/BB-KP",
                counted_at=datetime(2026, 3, 15, 11, 0, tzinfo=UTC),
                returned=100,
                valid=98,
                invalid=2,
                counts={"q": {"agree": 90, "disagree": 8}},
                recorded_by="minh",
                photo_id="photo-1",
            )
        ],
        meetings=[
            MeetingRecord(
                unit_id="tdp-1",
                held_at=datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
                present=12,
                counts={"q": {"agree": 10, "disagree": 2}},
                quorum_reached=False,
                recorded_by="minh",
            )
        ],
    )
    return tally.results(the_poll, tallies, COMPUTED, frozen=status != "open")


SCRIPT_LABEL = "<script>alert(1)</script> Lát gạch"


def consultation(status: str = "open") -> PollResults:
    """A ward-wide consultation of 1.234 households in two groups, with a choice, a
    rating and free text; one option's label holds markup."""
    the_poll = poll(
        "consultation",
        status,
        {"tdp-1": 34, "tdp-2": 1200},
        title="Lấy ý kiến về phương án chỉnh trang vỉa hè",
        questions=[
            {
                "id": "plan",
                "type": "single",
                "text": "Phương án nào phù hợp?",
                "options": [
                    {"id": "widen", "label": "Mở rộng vỉa hè"},
                    {"id": "tiles", "label": SCRIPT_LABEL},
                ],
            },
            {"id": "stars", "type": "rating", "text": "Mức độ hài lòng với vỉa hè hiện nay"},
            {"id": "other", "type": "text", "text": "Ý kiến khác", "required": False},
        ],
        channels=["online", "paper"],
    )
    online = [("tdp-1", {"plan": ["widen"], "stars": ["4"], "other": ["Nên thêm đèn đường"]})] * 3
    online += [("tdp-2", {"plan": ["tiles"], "stars": ["2"]})] * 5
    online += [("tdp-2", {"plan": ["widen"], "stars": ["5"], "other": ["Trồng thêm cây xanh"]})]
    tallies = tally.Tallies(
        online=online,
        participated={"tdp-1": {ONLINE: 3}, "tdp-2": {ONLINE: 6, PAPER: 1000}},
        paper=[
            PaperTally(
                unit_id="tdp-2",
                minutes_number="07/BB",
                counted_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
                returned=1000,
                valid=1000,
                invalid=0,
                counts={"plan": {"widen": 700, "tiles": 300}},
                recorded_by="minh",
                photo_id="photo-7",
            )
        ],
    )
    return tally.results(the_poll, tallies, COMPUTED, frozen=status != "open")


def serve(rpc, staff_results: PollResults) -> list[dict]:
    """The surveys service as the page sees it: staff get everything at any time;
    anyone else a public poll after closing, without free text."""
    calls: list[dict] = []

    def get_results(query: dict) -> dict:
        calls.append(query)
        if query["actor"]:
            return staff_results.model_dump(mode="json")
        if staff_results.poll.status in ("scheduled", "open"):
            raise Forbidden("Kết quả được công bố sau khi kết thúc.")
        return tally.public_view(staff_results).model_dump(mode="json")

    rpc.answer("surveys", "get_results", get_results)
    return calls


def numbers_in(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the results page -----------------------------------------------------------


def test_staff_see_live_results_that_refresh_every_30_seconds_if_asked_with_free_text(client, rpc):
    calls = serve(rpc, consultation("open"))
    sign_in(client)
    asked = client.get("/polls/poll-consultation/results")
    assert "refresh" not in asked.text  # reloading by itself only when asked (WCAG 2.2.1)
    assert 'href="/polls/poll-consultation/results?tu-tai-lai"' in asked.text
    response = client.get("/polls/poll-consultation/results?tu-tai-lai")
    assert response.status_code == 200
    html = response.text
    assert calls[-1] == {"poll_id": "poll-consultation", "actor": "minh"}
    assert '<meta http-equiv="refresh" content="30">' in html
    assert "Dừng tự tải lại" in html
    assert "Đang diễn ra — số liệu trực tiếp" in html
    assert "Kết quả chính thức" not in html
    assert "Nên thêm đèn đường" in html and "Trồng thêm cây xanh" in html
    assert "<script" not in html


def test_residents_see_published_results_without_free_text_or_refresh(client, rpc):
    calls = serve(rpc, consultation("closed"))
    html = client.get("/polls/poll-consultation/results").text
    assert calls[-1]["actor"] is None
    assert "refresh" not in html
    assert "Kết quả chính thức" in html
    assert "Nên thêm đèn đường" not in html and "Trồng thêm cây xanh" not in html
    assert "Mở rộng vỉa hè" in html


def test_results_not_yet_public_show_a_plain_page(client, rpc):
    serve(rpc, consultation("open"))
    response = client.get("/polls/poll-consultation/results")
    assert response.status_code == 403
    assert "Kết quả được công bố sau khi kết thúc." in response.text
    assert "<svg" not in response.text and "Tải CSV" not in response.text
    assert client.get("/polls/poll-consultation/results.csv").status_code == 403


def test_turnout_counts_against_all_households_in_vietnamese_numbers(client, rpc):
    serve(rpc, consultation("closed"))
    text = numbers_in(client.get("/polls/poll-consultation/results").text)
    assert "Đã tham gia: 1.009/1.234 hộ (81,8%)" in text
    assert "Điểm trung bình: 3,0 / 5" in text  # (3×4 + 5×2 + 5) / 9


def test_a_decision_fails_below_two_thirds_of_all_households_whoever_took_part(client, rpc):
    # 350 agree of the 412 who took part (85%), but 2/3 is of all 600 households
    serve(rpc, decision(agree_online=250, status="closed"))
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert "Đã tham gia: 412/600 hộ (68,7%)" in text
    assert (
        "Không thông qua: 350 hộ tán thành, cần ít nhất 400 trên tổng số 600 hộ "
        "(ít nhất 2/3 tổng số hộ gia đình)." in text
    )


def test_a_decision_passes_at_exactly_two_thirds_of_all_households(client, rpc):
    serve(rpc, decision(agree_online=300, status="closed"))
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert "Thông qua: 400 hộ tán thành, cần ít nhất 400 trên tổng số 600 hộ" in text


def test_while_a_vote_is_open_the_outcome_says_how_it_stands_not_how_it_ended(client, rpc):
    serve(rpc, decision(agree_online=250, status="open"))
    sign_in(client)
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert "Đến lúc này chưa đủ tỷ lệ: 350 hộ tán thành, cần ít nhất 400" in text
    assert "Không thông qua" not in text


def test_frozen_results_show_the_seal_and_who_signed_them_off(client, rpc):
    results = decision(agree_online=300, status="finalised")
    signed = results.model_copy(update={"signed_off_by": "lan", "signed_off_at": SIGNED})
    serve(rpc, signed)
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert f"Mã niêm phong: {results.seal[:16]}" in text
    assert results.seal[:17] not in text
    assert "Ký xác nhận: lan, lúc 16/03/2026 09:30" in text


def test_the_page_shows_paper_count_minutes_and_the_meeting_with_its_quorum(client, rpc):
    serve(rpc, decision(agree_online=300, status="closed"))
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert "biên bản số 03/BB-KP" in text
    assert "Thu về 100 phiếu: hợp lệ 98, không hợp lệ 2." in text
    assert "Có mặt 12/600 hộ (2,0%): chưa đủ số hộ dự họp (cần trên 50%)." in text


def test_the_option_table_gives_each_channel_and_the_total(client, rpc):
    serve(rpc, decision(agree_online=250, status="closed"))
    text = numbers_in(client.get("/polls/poll-decision/results").text)
    assert "Tán thành 250 90 10 350" in text
    assert "Không tán thành 50 8 2 60" in text


# --- CSV ------------------------------------------------------------------------


def test_the_csv_has_a_bom_a_row_per_unit_and_option_and_totals_that_add_up(client, rpc):
    results = consultation("closed")
    serve(rpc, results)
    sign_in(client)
    response = client.get("/polls/poll-consultation/results.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Thôn, tổ dân phố" and header[-1] == "Tổng"
    options = 2 + 5  # the choice and the five rating levels; free text has no rows
    assert len(body) == 3 * options  # two units and the totals
    totals = [row for row in body if row[0] == "Tổng cộng"]
    assert len(totals) == options
    for total in totals:
        same = [row for row in body if row[5:7] == total[5:7] and row is not total]
        for column in range(7, 11):
            assert int(total[column]) == sum(int(row[column]) for row in same)
    widen = next(row for row in totals if row[6] == "Mở rộng vỉa hè")
    assert widen[1:5] == ["1234", "9", "1000", "0"]
    assert widen[7:] == ["4", "700", "0", "704"]
    page = numbers_in(client.get("/polls/poll-consultation/results").text)
    assert "Mở rộng vỉa hè 4 700 704" in page  # the table shows the same totals


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted():
    results = consultation("closed")
    question = results.poll.questions[0]
    option = question.options[0].model_copy(update={"label": "=HYPERLINK(1)"})
    changed = question.model_copy(update={"options": [option, question.options[1]]})
    poll_ = results.poll.model_copy(update={"questions": [changed, *results.poll.questions[1:]]})
    text = results_csv(results.model_copy(update={"poll": poll_}))
    assert ",'=HYPERLINK(1)," in text
    assert ",=HYPERLINK" not in text


# --- the chart ------------------------------------------------------------------


def test_the_chart_is_an_accessible_svg_that_escapes_labels():
    svg = results_svg(consultation("closed"), "plan")
    assert "<script" not in svg
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
    assert root.find(f"{ns}title").text == "Phương án nào phù hợp?"
    desc = root.find(f"{ns}desc").text
    assert "Mở rộng vỉa hè: 704 (trực tuyến 4, phiếu giấy 700)" in desc
    labels = [text.text for text in root.iter(f"{ns}text")]
    assert SCRIPT_LABEL in labels  # shown as text, escaped in the markup


def test_the_chart_stacks_channels_with_patterns_and_marks_the_threshold():
    svg = results_svg(decision(agree_online=250, status="closed"), "q")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    fills = {rect.get("fill") for rect in root.iter(f"{ns}rect")}
    assert {"url(#chart-q-online)", "url(#chart-q-paper)", "url(#chart-q-meeting)"} <= fills
    assert len(root.findall(f".//{ns}pattern")) == 3
    assert "cần 400 hộ để thông qua" in [text.text for text in root.iter(f"{ns}text")]
    needed = [line for line in root.iter(f"{ns}line") if line.get("stroke") == "#b00020"]
    full = int(root.find(f".//{ns}text[@text-anchor='end']").get("x"))  # "600 hộ"
    assert float(needed[0].get("x1")) == pytest.approx(full * 400 / 600, abs=0.1)


def test_the_results_page_inlines_the_chart_without_javascript(client, rpc):
    serve(rpc, consultation("closed"))
    html = client.get("/polls/poll-consultation/results").text
    assert html.count('<svg class="chart" role="img"') == 2  # the choice and the rating
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lát gạch" in html
    assert "<script" not in html
    assert 'href="/polls/poll-consultation/results.csv"' in html and "Tải CSV" in html


# --- the summary ----------------------------------------------------------------


def record(results: PollResults) -> DecisionRecord:
    """The biên bản as the service makes it at sign-off, from the results."""
    sign_off = SignOff(
        actor="lan",
        poll_id=results.poll.id,
        head_name="Nguyễn Văn Bình",
        front_head_name="Trần Thị Cúc",
        household_representatives=["Lê Văn Dũng", "Phạm Thị Hoa"],
    )
    return entries.decision_record(sign_off, results.poll, results)


def test_the_summary_of_a_decision_shows_every_field_of_the_record(client, rpc):
    results = decision(agree_online=300, status="finalised")
    the_record = record(results)
    rpc.answer(
        "surveys",
        "get_summary",
        lambda ref: {
            "poll": results.poll.model_dump(mode="json"),
            "results": tally.public_view(results).model_dump(mode="json"),
            "explanations": [],
            "decision_record": the_record.model_dump(mode="json"),
        },
    )
    response = client.get("/polls/poll-decision/summary")
    assert response.status_code == 200
    text = numbers_in(response.text)
    for label, value in [
        ("Thời gian", "15/03/2026 17:00"),
        ("Nội dung", the_record.content),
        ("Hình thức", the_record.form),
        ("Tổng số hộ", "600"),
        ("Số hộ tham gia", "412"),
        ("Số hộ không tham gia", "188"),
        ("Kết quả", the_record.result),
        ("Quyết định", "Thông qua"),
        ("Trưởng thôn, tổ trưởng tổ dân phố", "Nguyễn Văn Bình"),
        ("Trưởng ban công tác Mặt trận", "Trần Thị Cúc"),
        ("Đại diện hộ gia đình", "Lê Văn Dũng, Phạm Thị Hoa"),
    ]:
        assert f"{label} {value}" in text
    # Art 20.3: 5 working days after Sunday 15/03/2026
    assert "Ban công tác Mặt trận trước ngày 20/03/2026" in text
    assert "Thông qua: 400 hộ tán thành" in text


def test_the_summary_of_a_consultation_shows_how_each_opinion_was_answered(client, rpc):
    results = consultation("finalised")
    groups = [
        {
            "question_id": "other",
            "summary": "Lắp thêm đèn đường",
            "count": 1,
            "acceptance": "accepted",
            "explanation": "Đưa vào kế hoạch năm 2026.",
        },
        {
            "question_id": "other",
            "summary": "Trồng cây xanh",
            "count": 1,
            "acceptance": "not_accepted",
            "explanation": "Vỉa hè hẹp, không đủ chỗ trồng cây.",
        },
    ]
    rpc.answer(
        "surveys",
        "get_summary",
        lambda ref: {
            "poll": results.poll.model_dump(mode="json"),
            "results": tally.public_view(results).model_dump(mode="json"),
            "explanations": groups,
            "decision_record": None,
        },
    )
    text = numbers_in(client.get("/polls/poll-consultation/summary").text)
    assert "Điều 28" in text
    assert "Lắp thêm đèn đường Ý kiến khác 1 Tiếp thu Đưa vào kế hoạch năm 2026." in text
    assert "Trồng cây xanh Ý kiến khác 1 Không tiếp thu, giải trình Vỉa hè hẹp" in text
    assert "Biên bản biểu quyết" not in text
    assert "Trồng thêm cây xanh" not in text  # the residents' own words stay private


def test_a_summary_not_published_shows_a_plain_page(client, rpc):
    def refuse(ref: dict) -> dict:
        raise Forbidden("Kết quả của cuộc này không được công bố.")

    rpc.answer("surveys", "get_summary", refuse)
    response = client.get("/polls/poll-consultation/summary")
    assert response.status_code == 403
    assert "Kết quả của cuộc này không được công bố." in response.text


def test_staff_open_the_photo_of_the_count_minutes(client, rpc):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
    asked = []

    def photo(ref: dict) -> dict:
        asked.append(ref)
        return {"content_type": "image/png", "data_base64": base64.b64encode(png).decode()}

    rpc.answer("surveys", "get_minutes_photo", photo)
    assert client.get("/polls/p1/photos/ph1").status_code == 303  # sign in first
    sign_in(client)
    response = client.get("/polls/p1/photos/ph1")
    assert (response.headers["content-type"], response.content) == ("image/png", png)
    assert asked == [{"actor": "minh", "poll_id": "p1", "photo_id": "ph1"}]
