"""Headless Chromium (Debian's package, never a downloaded browser) and axe-core, shared by the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install Debian's package `chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    """A visitor with JavaScript switched off: every page must work so."""
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
