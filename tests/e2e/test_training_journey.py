"""Training through the whole stack, as the clerk's, the trainer's and the
participants' browsers send it: the year's plan, a course with two sessions, a
board member with no account invited to her household's inbox and registering
through her personal link, two group heads signed in, the first session full and a
waiting list formed, a cancellation moving the next in line (told in his inbox),
attendance by the trainer's tap and by the room's QR code, certificates checked on
the public page, and the year's coverage against the target."""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests

from shared.calendar import VIETNAM
from tests.e2e.browsing import PASSWORD, WARD, add_staff, csrf, signed_in
from tests.support import Stack, fresh_vhost, stack_env, start_stack, wait_until


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_vhost() as amqp_uri:
        var_dir = tmp_path_factory.mktemp("var")
        running = start_stack(
            stack_env(amqp_uri, var_dir, PASSWORD, 5),
            var_dir,
            "--no-restart",
            "--instances",
            "training=2",  # two processes share the seats: still never one too many
        )
        yield running
        if running.process.poll() is None:
            running.stop()


def request_id(html: str) -> str:
    return re.search(r'name="request_id" value="([0-9a-f]{32})"', html).group(1)


def first_session_times() -> tuple[datetime, datetime]:
    """A session starting in a few minutes, so attendance can be taken now (from half
    an hour before), and ending the same day."""
    start = (datetime.now(VIETNAM) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    if (start + timedelta(minutes=20)).date() != start.date():
        start = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), VIETNAM)
        start += timedelta(minutes=1)
    return start, start + timedelta(minutes=20)


def add_session(clerk, course_url: str, start: datetime, end: datetime, capacity: int) -> None:
    page = clerk.get(course_url).text
    added = clerk.post(
        f"{course_url}/buoi",
        data={
            "csrf_token": csrf(page),
            "request_id": request_id(page),
            "day": start.date().isoformat(),
            "starts": f"{start:%H:%M}",
            "ends": f"{end:%H:%M}",
            "place": "Hội trường UBND phường Hương An",
            "trainer": "Bà Nguyễn Thị Hương",
            "capacity": str(capacity),
        },
    )
    assert added.status_code == 200, added.text[:2000]


def register(phone: requests.Session, stack: Stack, session_id: str) -> str:
    """Register from the "my training" page; the page it lands on."""
    mine = phone.get(f"{stack.base_url}/tap-huan/cua-toi").text
    done = phone.post(
        f"{stack.base_url}/tap-huan/buoi/{session_id}/dang-ky", data={"csrf_token": csrf(mine)}
    )
    return done.text


def test_a_course_fills_a_waiting_list_moves_and_certificates_and_coverage_follow(stack):
    base = stack.base_url
    today = datetime.now(VIETNAM).date()
    admin = signed_in(stack, "admin")
    add_staff(admin, stack, "canbo", "commune_staff")
    add_staff(admin, stack, "totruonga", "group_head", f"{WARD}-tdp-1")
    add_staff(admin, stack, "totruongb", "group_head", f"{WARD}-tdp-2")
    clerk = signed_in(stack, "canbo")

    # The clerk makes the year's plan and a course of it with two sessions.
    plan_url = f"{base}/can-bo/xa/{WARD}/tap-huan"
    page = clerk.get(plan_url).text
    saved = clerk.post(
        f"{plan_url}/ke-hoach?nam={today.year}",
        data={"csrf_token": csrf(page), "title": f"Kế hoạch tập huấn năm {today.year}"},
    )
    assert saved.status_code == 200 and f"Kế hoạch tập huấn năm {today.year}" in saved.text
    page = clerk.get(plan_url).text
    created = clerk.post(
        f"{plan_url}/khoa-moi?nam={today.year}",
        data={
            "csrf_token": csrf(page),
            "request_id": request_id(page),
            "title": "Giám sát đầu tư của cộng đồng",
            "description": "Luật 10/2022 Điều 41-45; Nghị định 59/2023 Điều 16-19.",
            "positions": ["group_head", "investment_supervision"],
            "completion": "at_least",
            "minimum": "1",
            "registration_opens_on": today.isoformat(),
            "registration_closes_on": (today + timedelta(days=7)).isoformat(),
            "cancel_hours_before": "0",
        },
        allow_redirects=False,
    )
    assert created.status_code == 303, created.text[:2000]
    course_url = base + created.headers["location"]
    start, end = first_session_times()
    add_session(clerk, course_url, start, end, capacity=2)
    later = datetime.combine(today + timedelta(days=3), datetime.min.time(), VIETNAM)
    add_session(clerk, course_url, later + timedelta(hours=8), later + timedelta(hours=11), 30)
    course_page = clerk.get(course_url).text
    first, _ = re.findall(r"/can-bo/tap-huan/buoi/([0-9a-f]{32})", course_page)[:2]

    # A board member with no account is entered with her household, and invited.
    household = next(
        line.rsplit("/", 1)[1].split("-")[0]
        for line in stack.output
        if "vote as a demo household" in line
    )
    holders_url = f"{base}/can-bo/xa/{WARD}/chuc-danh"
    page = clerk.get(holders_url).text
    entered = clerk.post(
        holders_url,
        data={
            "csrf_token": csrf(page),
            "request_id": request_id(page),
            "position": "investment_supervision",
            "full_name": "Nguyễn Thị Lan",
            "unit_id": f"{WARD}-tdp-1",
            "household": household,
            "starts_on": (today - timedelta(days=30)).isoformat(),
        },
    )
    assert entered.status_code == 200 and "Nguyễn Thị Lan" in entered.text
    invited = clerk.post(f"{course_url}/moi", data={"csrf_token": csrf(clerk.get(course_url).text)})
    assert invited.status_code == 200, invited.text[:2000]

    # Her personal link reaches her household's inbox; she registers through it.
    lan = requests.Session()
    lan.post(
        f"{base}/hop-thu",
        data={"code": household, "csrf_token": csrf(lan.get(f"{base}/hop-thu").text)},
    )

    def invitation() -> str | None:
        inbox = lan.get(f"{base}/hop-thu").text
        found = re.search(r'href="(/hop-thu/tin/[^"]+)"[^>]*>.*?Mời đăng ký tập huấn', inbox, re.S)
        return found.group(1) if found else None

    message = lan.get(base + wait_until(invitation, timeout=60)).text
    link = re.search(r"/tap-huan/ma/(TH-[0-9A-Z]{8})", message).group(0)
    mine = lan.get(base + link)
    assert "Nguyễn Thị Lan" in mine.text and link not in mine.url  # the code left the URL
    seated = register(lan, stack, first)
    assert "Bạn đã có chỗ" in seated
    lan_registration = re.search(r"DK-[0-9A-Z]{8}", seated).group(0)

    # Two group heads sign in and register: the session is full, the second waits.
    head_a, head_b = signed_in(stack, "totruonga"), signed_in(stack, "totruongb")
    assert "Bạn đã có chỗ" in register(head_a, stack, first)
    waiting = register(head_b, stack, first)
    assert "danh sách chờ" in waiting and "vị trí 1" in waiting
    assert "đã đăng ký" in register(lan, stack, first)  # not twice  # not twice

    # Lan cannot come after all: the first in line moves in and is told.
    receipt = lan.get(f"{base}/tap-huan/dang-ky/{lan_registration}").text
    cancelled = lan.post(
        f"{base}/tap-huan/dang-ky/{lan_registration}/huy", data={"csrf_token": csrf(receipt)}
    )
    assert cancelled.status_code == 200 and "hủy" in cancelled.text
    wait_until(
        lambda: "Đã có chỗ trong lớp" in head_b.get(f"{base}/can-bo/hop-thu").text, timeout=60
    )
    session_url = f"{base}/can-bo/tap-huan/buoi/{first}"
    roster = clerk.get(session_url).text
    assert "Totruonga" in roster and "Totruongb" in roster and "Nguyễn Thị Lan" not in roster

    # The trainer taps one present; the other checks in with the room's QR code.
    tapped = clerk.post(
        f"{session_url}/diem-danh",
        data={"csrf_token": csrf(roster), "person_id": "account:totruonga", "present": "yes"},
        allow_redirects=False,
    )
    assert tapped.status_code == 303 and tapped.headers["location"].endswith("#p-account:totruonga")
    qr = clerk.get(f"{session_url}/qr").text
    assert "<svg" in qr
    check_in = re.search(r"https?://[^\s<\"]+/tap-huan/diem-danh/[0-9a-f]{32}/[0-9a-f]{20}", qr)
    check_in_path = "/tap-huan/" + check_in.group(0).split("/tap-huan/", 1)[1]
    form = head_b.get(base + check_in_path).text
    checked = head_b.post(base + check_in_path, data={"csrf_token": csrf(form)})
    assert "Đã điểm danh" in checked.text
    forged = head_b.post(base + check_in_path[:-4] + "0000", data={"csrf_token": csrf(form)})
    assert "không đúng" in forged.text

    # Both completed the course ("at least one session"): anyone can check their
    # certificates on the public page.
    roster = clerk.get(session_url).text
    codes = re.findall(
        r'href="/chung-nhan/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"', roster
    )
    assert len(set(codes)) == 2
    anyone = requests.get(f"{base}/chung-nhan/{codes[0]}").text
    assert "Giám sát đầu tư của cộng đồng" in anyone and "Totruong" in anyone
    assert requests.get(f"{base}/chung-nhan/AAAA-BBBB-CCCC-DDDD").status_code == 404
    mine = head_a.get(f"{base}/tap-huan/cua-toi").text
    pdf_path = re.search(r'href="(/tap-huan/chung-nhan/[^"]+\.pdf)"', mine).group(1)
    pdf = head_a.get(base + pdf_path)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"

    # The year's coverage: 2 of the ward's 7 group heads trained, against 100%.
    coverage_url = f"{base}/can-bo/xa/{WARD}/tap-huan/bao-phu"
    coverage = clerk.get(f"{coverage_url}?nam={today.year}").text
    assert "<svg" in coverage and "Cách tính" in coverage
    assert re.search(r"2/7 người · chỉ tiêu 100%", coverage), coverage[:3000]
    table = clerk.get(f"{coverage_url}.csv?nam={today.year}").text
    assert "Trưởng thôn, tổ trưởng tổ dân phố" in table and "Totruonga" not in table
