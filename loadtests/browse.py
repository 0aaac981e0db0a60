"""Residents opening the ward's pages: a first, small load scenario.

    .venv/bin/pip install -e '.[load]'
    ./dev run &            # in another terminal
    .venv/bin/locust -f loadtests/browse.py --headless -u 50 -r 10 -t 30s \
        --host http://127.0.0.1:8000

Only loopback addresses are ever targets. The ward-wide poll scenario and the
benchmark against the bare-HTTP limit come with the surveys service (issue #6).
"""

from locust import HttpUser, between, task

WARD = "/communes/demo-huong-an"


class Resident(HttpUser):
    wait_time = between(1, 3)

    @task(5)
    def open_the_ward_page(self) -> None:
        with self.client.get(WARD, catch_response=True) as response:
            if "Tổ dân phố 1" not in response.text:
                response.failure("the ward page does not list its residential groups")

    @task(1)
    def open_the_home_page(self) -> None:
        self.client.get("/")
