"""The app as deployed: gunicorn from wsgi.py, over HTTP."""

from __future__ import annotations

import urllib.request


def test_gunicorn_serves_the_home_page(live_server: str) -> None:
    with urllib.request.urlopen(f"{live_server}/", timeout=10) as response:
        body = response.read().decode()
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>" in body
    assert "政务诚信公示平台" in body
    assert "演示数据" in body  # the demo banner
