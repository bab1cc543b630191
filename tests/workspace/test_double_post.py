"""A double click for real: the same upload form posted twice at the same moment to gunicorn (2 workers, SQLite)
makes one draft, and both posts land on it."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from portal.demo.operations import DEMO_PASSWORD
from portal.demo.pdf import one_page_pdf
from tests.forms import hidden_fields, multipart
from tests.review.test_journeys import commitment_fields


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())


def post(
    opener: urllib.request.OpenerDirector,
    url: str,
    data: bytes,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as answer:  # 3xx (redirects are not followed) and 4xx/5xx
        answer.close()
        return answer.code, answer.headers.get("Location", "")


def test_the_same_report_posted_twice_at_once_is_kept_once(live_server: str) -> None:
    opener = browser()
    login = opener.open(f"{live_server}/login", timeout=30).read().decode()
    login_fields = {**hidden_fields(login), "username": "demo-officer-department", "password": DEMO_PASSWORD}
    assert post(opener, f"{live_server}/login", urllib.parse.urlencode(login_fields).encode())[0] == 303

    form_url = f"{live_server}/workspace/commitments/new"
    title = f"双击测试 {time.time_ns()}"
    fields: dict[str, Any] = {
        **hidden_fields(opener.open(form_url, timeout=30).read().decode()),
        **commitment_fields(title=title),
    }
    body, content_type = multipart(fields, {"letter": [(one_page_pdf([title.encode().hex()]), "letter.pdf")]})

    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def double_click() -> None:
        barrier.wait()
        answers.append(post(opener, form_url, body, content_type))

    threads = [threading.Thread(target=double_click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in answers] == [303, 303], answers
    assert answers[0][1] == answers[1][1]
    drafts = opener.open(f"{live_server}/workspace/commitments/", timeout=30).read().decode()
    assert drafts.count(title) == 1
