"""The main journeys in real Chromium (Debian's, driven by playwright; never a
downloaded browser), at 360 and 1280 px, in Vietnamese and English, with axe-core
run on every page visited: no violation of serious or critical impact (WCAG 2.1
A and AA, which take in labels and contrast) and nothing wider than the screen;
errors named next to their field and
in a summary; a ballot cast with the keyboard alone (issue #17, point 2)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.browsing import PASSWORD, WARD
from tests.support import Stack, fresh_vhost, stack_env, start_stack

CHROMIUM = "/usr/bin/chromium"
# As the machine's notes say: no sandbox as root, and no calls home it would wait on.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_vhost() as amqp_uri:
        var_dir = tmp_path_factory.mktemp("var")
        running = start_stack(stack_env(amqp_uri, var_dir, PASSWORD, 3), var_dir, "--no-restart")
        yield running
        if running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: ./dev test installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def demo_ballot_path(stack: Stack) -> str:
    line = next(line for line in stack.output if "vote as a demo household" in line)
    return "/b/" + line.rsplit("/b/", 1)[1].strip()


class Visit:
    """A browser tab in one language and width that runs axe on every page it opens."""

    def __init__(self, browser: Browser, stack: Stack, language: str, width: str) -> None:
        self.stack, self.language = stack, language
        self.width = WIDTHS[width]["width"]
        self.context = browser.new_context(viewport=WIDTHS[width], base_url=stack.base_url)
        self.context.add_cookies(
            [{"name": "danban_lang", "value": language, "url": stack.base_url}]
        )
        self.page: Page = self.context.new_page()
        self.axe = Axe()
        self.problems: list[str] = []

    def open(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.status < 500, (path, response and response.status)
        self.check()
        return self.page

    def check(self) -> None:
        """axe on the page as it is now, and the page's language as chosen."""
        where = self.page.url.removeprefix(self.stack.base_url)
        assert self.page.get_attribute("html", "lang") == self.language, where
        # WCAG 1.4.10: nothing wider than the screen, so no sideways scrolling
        wide = self.page.evaluate("() => document.documentElement.scrollWidth")
        if wide > self.width:
            self.problems.append(f"{where}: {wide} px wide on a {self.width} px screen")
        violations = self.axe.run(self.page, options=AXE_OPTIONS).response["violations"]
        for violation in violations:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:3]
                found = f"{violation['id']} ({violation['impact']}) {targets}"
                self.problems.append(f"{where}: {found}")

    def sign_in(self, username: str = "admin") -> None:
        self.open("/staff/sign-in")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.check()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visits(browser: Browser, stack: Stack) -> Iterator[list[Visit]]:
    opened: list[Visit] = []
    yield opened
    for visit in opened:
        visit.close()


COMBINATIONS = [(lang, width) for lang in ("vi", "en") for width in WIDTHS]


@pytest.mark.parametrize(("language", "width"), COMBINATIONS)
def test_a_residents_pages_pass_axe(browser, stack, visits, language, width):
    visit = Visit(browser, stack, language, width)
    visits.append(visit)
    visit.open("/")
    visit.open(f"/communes/{WARD}")
    ballot = visit.open(demo_ballot_path(stack))
    ballot.locator("input[type=radio]").first.check()
    ballot.locator("main form button[type=submit]").first.click()  # the confirmation page
    visit.check()
    visit.open("/b")  # typing a card code
    visit.open("/r")  # checking a receipt
    visit.open("/hop-thu")  # the inbox's code
    visit.open(f"/communes/{WARD}/cong-khai")  # the notice board
    first_notice = visit.page.locator("ul.disclosures a").first
    assert first_notice.count(), "the demo ward's board has notices"
    first_notice.click()
    visit.check()
    visit.open(f"/communes/{WARD}/feedback/new")
    visit.page.click("main form button[type=submit]")  # nothing filled in: errors
    visit.check()
    visit.open(f"/communes/{WARD}/feedback")
    visit.open("/tap-huan")
    visit.open(f"/vinh-danh/{WARD}")
    assert not visit.problems, "\n".join(visit.problems)


@pytest.mark.parametrize(("language", "width"), COMBINATIONS)
def test_a_clerks_pages_pass_axe(browser, stack, visits, language, width):
    visit = Visit(browser, stack, language, width)
    visits.append(visit)
    visit.sign_in()
    visit.open(f"/communes/{WARD}/polls")
    new_poll = visit.open(f"/communes/{WARD}/polls/new")
    new_poll.click("main form button[type=submit]")  # nothing filled in: errors
    visit.check()
    first_poll = f"/polls/{1:032x}"
    poll = visit.open(first_poll)
    cards = poll.locator("a[href$='.pdf']").first
    assert cards.count(), "the poll page links the ballot cards to print"
    assert visit.page.request.get(cards.get_attribute("href")).ok
    visit.open(first_poll + "/results")
    visit.open(f"/staff/communes/{WARD}/feedback")
    assert not visit.problems, "\n".join(visit.problems)


def test_errors_are_named_next_to_their_field_and_in_a_summary(browser, stack, visits):
    visit = Visit(browser, stack, "en", "phone")
    visits.append(visit)
    page = visit.open(f"/communes/{WARD}/feedback/new")
    page.click("main form button[type=submit]")
    summary = page.locator(".error-summary[role=alert]")
    assert summary.count() == 1
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    for index in range(invalid.count()):
        field = invalid.nth(index)
        described = field.get_attribute("aria-describedby") or ""
        messages = [page.locator(f"#{name}").inner_text() for name in described.split()]
        assert any(text.strip() for text in messages), field.get_attribute("name")
        # the summary links to the field
        assert summary.locator(f"a[href='#{field.get_attribute('id')}']").count() == 1
    assert "Please" in summary.inner_text()  # in the reader's language


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", target):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
            )
            assert outline, f"{selector} shows no focus"
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_a_household_votes_with_the_keyboard_alone(browser, stack, visits):
    """Last, because it casts the demo household's one ballot."""
    visit = Visit(browser, stack, "en", "phone")
    visits.append(visit)
    page = visit.open(demo_ballot_path(stack))
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("dl.review").count() == 1  # the review before casting
    visit.check()
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation(url=re.compile(r"/r/")):
        page.keyboard.press("Enter")
    visit.check()
    assert not visit.problems, "\n".join(visit.problems)


def test_the_checks_find_an_unlabelled_field_and_grey_on_grey(browser):
    """The suite's own check fails where it should (else a pass would prove nothing)."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><body><main><p style="color:#aaa;background:#bbb">Faint</p>'
        '<input name="unlabelled"></main></body></html>'
    )
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    found = {v["id"] for v in violations if v["impact"] in BLOCKING}
    assert {"label", "color-contrast"} <= found, found
    page.close()
