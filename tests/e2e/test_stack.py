"""The whole stack, started by the runner that `./dev run` uses, driven over HTTP
as a clerk's browser would: real RabbitMQ (a vhost of its own), the embedded
MongoDB-protocol server on disk, every service and the gateway."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from tests.providers import LocalSmtp
from tests.support import (
    ROOT,
    ServiceProcess,
    Stack,
    fresh_vhost,
    stack_env,
    start_stack,
    wait_until,
)

PASSWORD = "mật-khẩu-e2e-đủ-dài"
CHILDREN = ("mongo", "directory", "surveys", "notifications", "feedback", "gateway")
RPC_TIMEOUT = 3


@pytest.fixture(scope="module")
def amqp_uri() -> Iterator[str]:
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture(scope="module")
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


@pytest.fixture(scope="module")
def stack(
    amqp_uri: str, smtp: LocalSmtp, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("var")
    env = stack_env(amqp_uri, var_dir, PASSWORD, RPC_TIMEOUT)
    env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), DELIVERY_RETRY_SECONDS="1")
    running = start_stack(env, var_dir, "--no-restart")
    yield running
    if running.process.poll() is None:
        running.stop()


def signed_in(stack: Stack, username: str = "admin") -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.base_url}/staff/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{stack.base_url}/staff/sign-in",
        allow_redirects=False,
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303
    return session


def add_group(session: requests.Session, stack: Stack, name: str) -> requests.Response:
    form_url = f"{stack.base_url}/communes/demo-huong-an/units/new"
    page = session.get(form_url).text
    data = {
        field: re.search(rf'name="{field}"[^>]*value="([^"]*)"', page).group(1)
        for field in ("csrf_token", "request_id", "valid_from")
    }
    return session.post(
        form_url, allow_redirects=False, data={**data, "kind": "residential_group", "name": name}
    )


def group_count(stack: Stack) -> int:
    overview = requests.get(f"{stack.base_url}/api/communes/demo-huong-an").json()
    return len(overview["residential_units"])


def test_the_demo_ward_is_served_and_everything_is_healthy(stack):
    health = requests.get(f"{stack.base_url}/healthz").json()
    assert health["status"] == "ok", health
    assert "Phường Hương An" in requests.get(f"{stack.base_url}/").text
    overview = requests.get(f"{stack.base_url}/api/communes/demo-huong-an").json()
    assert (len(overview["residential_units"]), overview["household_count"]) == (5, 170)


def test_a_clerk_adds_a_group_and_the_commune_staff_are_notified(stack):
    session = signed_in(stack)

    refused = add_group(session, stack, "   ")
    assert refused.status_code == 422
    assert "Vui lòng điền mục này." in refused.text
    assert group_count(stack) == 5

    accepted = add_group(session, stack, "Tổ dân phố 6")
    assert accepted.status_code == 303
    page = session.get(f"{stack.base_url}/communes/demo-huong-an").text
    assert "Đã thêm “Tổ dân phố 6” vào Phường Hương An." in page
    assert group_count(stack) == 6

    wait_until(
        lambda: (
            "Đã thêm tổ dân phố “Tổ dân phố 6”"
            in session.get(f"{stack.base_url}/communes/demo-huong-an").text
        ),
        timeout=15,
    )

    again = add_group(session, stack, "tổ dân phố 6")
    assert again.status_code == 422
    assert "Đã có đơn vị tên" in again.text

    audit = session.get(f"{stack.base_url}/communes/demo-huong-an/audit").text
    assert "<strong>Thêm thôn, tổ dân phố</strong>" in audit
    assert "tên: Tổ dân phố 6" in audit


def test_a_clerk_finds_a_household_and_reads_its_history(stack):
    session = signed_in(stack)
    found = session.get(f"{stack.base_url}/communes/demo-huong-an/households", params={"q": "thị"})
    codes = re.findall(r'href="/households/([A-Z2-9]+)"', found.text)
    assert len(codes) > 10
    page = session.get(f"{stack.base_url}/households/{codes[0]}")
    assert page.status_code == 200
    assert "Đang cư trú tại <strong>Tổ dân phố" in page.text
    assert (
        requests.get(f"{stack.base_url}/households/{codes[0]}", allow_redirects=False).status_code
        == 303
    )  # not for visitors


def test_an_inspector_created_by_the_admin_reads_but_cannot_change(stack):
    admin = signed_in(stack)
    page = admin.get(f"{stack.base_url}/communes/demo-huong-an/staff").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    created = admin.post(
        f"{stack.base_url}/communes/demo-huong-an/staff",
        data={
            "csrf_token": token,
            "full_name": "Trần Thị Kiểm",
            "username": "kiemtra",
            "password": PASSWORD,
            "role": "inspector",
            "unit_id": "",
        },
        allow_redirects=False,
    )
    assert created.status_code == 303

    inspector = signed_in(stack, "kiemtra")
    assert inspector.get(f"{stack.base_url}/communes/demo-huong-an/audit").status_code == 200
    assert "Tạo tài khoản" in inspector.get(f"{stack.base_url}/communes/demo-huong-an/audit").text
    refused = add_group(inspector, stack, "Tổ dân phố 99")
    assert refused.status_code == 403


def demo_ballot_link(stack: Stack) -> str:
    return next(
        line.rsplit(" ", 1)[1] for line in stack.output if "vote as a demo household" in line
    )


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_a_household_votes_from_its_card_link_once_and_staff_see_it_counted(stack):
    link = demo_ballot_link(stack)
    phone = requests.Session()
    assert "Chuyển giờ thu gom rác" in phone.get(link).text

    refused = phone.post(f"{link}/confirm", data={"q-q1": "opt9"})  # not an option
    assert refused.status_code == 422
    assert "Vui lòng chọn một phương án trong danh sách." in refused.text
    confirm = phone.post(f"{link}/confirm", data={"q-q1": "opt1"})
    ballot = hidden_fields(confirm.text)
    cast = phone.post(f"{link}/cast", data=ballot, allow_redirects=False)
    assert cast.status_code == 303
    resent = phone.post(f"{link}/cast", data=ballot, allow_redirects=False)  # double tap
    assert resent.headers["location"] == cast.headers["location"]
    receipt = phone.get(stack.base_url + cast.headers["location"])
    assert "Phiếu của hộ đã được ghi nhận" in receipt.text

    second = phone.post(f"{link}/cast", data={**ballot, "submission_id": "b" * 32})
    assert second.status_code == 409
    assert "đã tham gia trực tuyến" in second.text
    # the live count is made in the background, within seconds
    staff = signed_in(stack)
    wait_until(
        lambda: (
            "Đã tham gia: <strong>1/170 hộ"
            in staff.get(f"{stack.base_url}/polls/{1:032x}/results").text
        ),
        timeout=30,
    )
    assert requests.get(f"{stack.base_url}/polls/{1:032x}/results").status_code == 403  # open


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|request_id)" value="([^"]*)"', html))


def test_a_household_chooses_email_reads_the_wards_message_and_its_disclosure(stack, smtp):
    code = demo_ballot_link(stack).rsplit("/", 1)[1].split("-")[0]
    phone = requests.Session()
    entered = phone.post(
        f"{stack.base_url}/hop-thu",
        data={"code": code.lower(), **form_fields(phone.get(f"{stack.base_url}/hop-thu").text)},
    )
    assert f"Hộp thư của hộ {code}" in entered.text
    settings = f"{stack.base_url}/hop-thu/cai-dat"
    saved = phone.post(
        settings,
        data={"channels": "email", "email": "ho@example.test", "language": "vi",
              **form_fields(phone.get(settings).text)},
    )  # fmt: skip
    assert "Đã lưu cách nhận thông báo." in saved.text

    clerk = signed_in(stack)
    write = f"{stack.base_url}/communes/demo-huong-an/thong-bao/moi"
    sent = clerk.post(
        write,
        data={"kind": "unit", "unit_id": "demo-huong-an", "title": "Lịch tiêm phòng",
              "body": "Sáng Chủ nhật 06/12 tại trạm y tế.", **form_fields(clerk.get(write).text)},
    )  # fmt: skip
    assert "Đã gửi vào 170 hộp thư, 1 lượt gửi" in sent.text

    def unread() -> int:
        page = phone.get(f"{stack.base_url}/hop-thu").text
        return int(re.search(r"<strong>(\d+)</strong> tin chưa đọc", page).group(1))

    inbox = phone.get(f"{stack.base_url}/hop-thu").text
    newest, title = re.search(
        r'href="(/hop-thu/tin/[^"]+)"><span class="sr-only">Chưa đọc: </span>([^<]+)', inbox
    ).groups()
    assert title == "Lịch tiêm phòng"  # the demo polls' openings came before it
    before = unread()
    assert "trạm y tế" in phone.get(stack.base_url + newest).text
    assert unread() == before - 1
    wait_until(lambda: smtp.messages, timeout=20)
    assert smtp.messages[-1]["Subject"] == "Lịch tiêm phòng"
    assert smtp.messages[-1]["To"] == "ho@example.test"

    today = time.strftime("%Y-%m-%d")
    board = f"{stack.base_url}/communes/demo-huong-an/cong-khai/moi"
    page = clerk.get(board).text
    posted = clerk.post(
        board,
        data={**hidden_fields(page), "category": "12", "title": "Mức thu phí vệ sinh năm 2027",
              "summary": "20.000 đồng mỗi hộ mỗi tháng.", "decision_ref": "Quyết định 40/QĐ-UBND",
              "decision_date": today, "posted_from": today,
              "posted_to": time.strftime("%Y-%m-%d", time.localtime(time.time() + 29 * 86400)),
              "forms": ["posting", "loudspeaker", "via_group_head"], "loudspeaker_days": "3"},
    )  # fmt: skip
    assert posted.status_code == 200 and "Mức thu phí vệ sinh năm 2027" in posted.text
    wait_until(
        lambda: (
            "Công khai: Mức thu phí vệ sinh năm 2027" in phone.get(f"{stack.base_url}/hop-thu").text
        ),
        timeout=20,
    )


def test_a_second_runner_on_the_same_data_refuses_and_leaves_the_first_alone(stack):
    second = subprocess.run(
        [sys.executable, "-m", "deploy.run"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert "already running" in second.stdout
    assert stack.pid("runner") == stack.process.pid
    assert requests.get(f"{stack.base_url}/healthz").status_code == 200


def test_a_killed_service_loses_no_event_and_the_pages_stay_up(stack, tmp_path):
    session = signed_in(stack)
    os.kill(stack.pid("notifications"), signal.SIGKILL)

    page = session.get(f"{stack.base_url}/communes/demo-huong-an")
    assert page.status_code == 200
    assert "dịch vụ thông báo đang tạm ngừng" in page.text
    health = requests.get(f"{stack.base_url}/healthz")
    assert health.status_code == 503
    assert health.json()["services"]["notifications"]["status"] == "down"

    assert add_group(session, stack, "Tổ dân phố 7").status_code == 303  # event waits in RabbitMQ

    restarted = ServiceProcess(
        "notifications", {**stack.env, "MONGO_URL": stack.mongo_url}, tmp_path / "notifications.log"
    ).start()
    try:
        wait_until(
            lambda: (
                "Đã thêm tổ dân phố “Tổ dân phố 7”"
                in session.get(f"{stack.base_url}/communes/demo-huong-an").text
            ),
            timeout=15,
        )
    finally:
        restarted.stop()


def test_a_stopped_directory_gives_residents_a_clear_message(stack):
    os.kill(stack.pid("directory"), signal.SIGKILL)
    started = time.monotonic()
    response = requests.get(f"{stack.base_url}/")
    assert response.status_code == 503
    assert "Dịch vụ tạm ngừng" in response.text
    assert time.monotonic() - started < RPC_TIMEOUT + 2  # an answer, not a hang


def test_ctrl_c_stops_everything_and_the_data_survives_a_restart(tmp_path):
    with fresh_vhost() as amqp_uri:
        env = stack_env(amqp_uri, tmp_path, PASSWORD, RPC_TIMEOUT)
        first = start_stack(env, tmp_path)
        try:
            assert add_group(signed_in(first), first, "Tổ dân phố 6").status_code == 303
            children = [first.pid(name) for name in CHILDREN]
        finally:
            assert first.stop() == 0
        assert first.output[-1] == "[danban] stopped"
        for pid in children:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)

        again = start_stack(env, tmp_path)
        try:
            overview = requests.get(f"{again.base_url}/api/communes/demo-huong-an").json()
        finally:
            assert again.stop() == 0
    names = [item["unit"]["name"] for item in overview["residential_units"]]
    assert names == [f"Tổ dân phố {n}" for n in range(1, 7)]  # the demo was not loaded twice
    assert overview["household_count"] == 170


def test_a_stop_during_start_up_stops_what_was_already_started(tmp_path):
    with fresh_vhost() as amqp_uri:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.run"],
            cwd=ROOT,
            env=stack_env(amqp_uri, tmp_path, PASSWORD, RPC_TIMEOUT),
            stdout=subprocess.PIPE,
            text=True,
        )
        first_line = process.stdout.readline()  # printed once MongoDB is up, before services
        assert "embedded MongoDB-protocol server" in first_line
        mongo = int((tmp_path / "run" / "mongo.pid").read_text())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 130
        assert "start-up interrupted" in process.stdout.read()
        process.stdout.close()
    with pytest.raises(ProcessLookupError):
        os.kill(mongo, 0)
