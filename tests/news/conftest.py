"""A content directory a test may change: a copy of content/ put in place of PORTAL_CONTENT_DIR."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ROOT


def news_file(title: str, day: str, kind: str = "信用动态", summary: str = "测试摘要。", body: str = "正文。") -> str:
    return f"---\ntitle: {title}\ndate: {day}\nkind: {kind}\nsummary: {summary}\n---\n{body}\n"


@pytest.fixture
def content(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, content_dir=copy))
    return copy
