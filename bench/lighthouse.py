"""Lighthouse scores of the public site on a phone: home, a list, a record and a search.

    npm install --prefix /tmp/lh lighthouse        # once (npm's `lighthouse` CLI; needs node and npm)
    .venv/bin/python bench/lighthouse.py [--url http://127.0.0.1:8000] [--lighthouse PATH] [--json-dir DIR]

Without --url it serves the portal itself as `make run` does — migrations, the demo county (--size records), the
search index, then gunicorn (2 workers) on a free port — in a fresh instance directory, and stops it at the end.
Lighthouse runs Debian's chromium (CHROME_PATH, default /usr/bin/chromium; --headless=new --no-sandbox
--disable-background-networking) in its default mobile mode (an emulated phone, throttled network and CPU).

Prints the four category scores (performance, accessibility, best-practices, seo) per page as a table, then for each
page and category the failing audits that cost the most points — id, score, weight, and the elements or resources
each names — so they can be fixed. Target: 95 or more in every category. Exit status 1 when a score is below
--target.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from common import start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-background-networking"
SEARCH = "拖欠"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="", help="a running portal (default: serve one with demo data)")
    parser.add_argument("--size", type=int, default=300, help="demo records when serving one (default 300)")
    parser.add_argument("--lighthouse", default="", help="the lighthouse CLI (default: on PATH or /tmp/lh)")
    parser.add_argument("--json-dir", default="", help="keep each page's Lighthouse JSON report here")
    parser.add_argument("--audits", type=int, default=5, help="failing audits shown per page and category")
    parser.add_argument("--target", type=int, default=95)
    return parser.parse_args()


def lighthouse_cli(given: str) -> str:
    for candidate in (given, shutil.which("lighthouse") or "", "/tmp/lh/node_modules/.bin/lighthouse"):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("lighthouse not found: npm install --prefix /tmp/lh lighthouse (or pass --lighthouse PATH)")


@contextmanager
def served(size: int) -> Iterator[str]:
    """The portal as `make run` serves it, with its own database and index in a temporary directory."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as tmp:
        instance = Path(tmp)
        env = {
            **os.environ,
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_DATABASE_URL": f"sqlite:///{instance / 'lighthouse.db'}",
            "PORTAL_SEARCH_INDEX_DIR": str(instance / "search_index"),
        }
        flask = [str(bin_dir / "flask"), "--app", "portal"]
        for command in (["db", "upgrade"], ["demo", "load", "--size", str(size)], ["search", "rebuild"]):
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        for command in (["supervision", "run"], ["evaluation", "run"]):  # as `make run`: the ledger, the scores
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=False, capture_output=True)
        server, base = start_gunicorn(env, "--workers", "2")
        try:
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def pages(base: str) -> list[tuple[str, str]]:
    """(name, URL) of the four pages: the record is the first one the records list links."""
    with urllib.request.urlopen(f"{base}/records/", timeout=30) as response:
        listing = response.read().decode()
    found = re.search(r'href="(/records/\d+)"', listing)
    if found is None:
        sys.exit("the records list links no record: is demo data loaded?")
    return [
        ("home", f"{base}/"),
        ("list", f"{base}/records/"),
        ("record", f"{base}{found.group(1)}"),
        ("search", f"{base}/search?q={urllib.parse.quote(SEARCH)}"),
    ]


def run_lighthouse(cli: str, url: str) -> dict[str, Any]:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    completed = subprocess.run(
        [
            cli,
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            "--form-factor=mobile",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if completed.returncode != 0 or not completed.stdout.strip():
        sys.exit(f"lighthouse failed on {url}:\n{completed.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def score(report: dict[str, Any], category: str) -> int | None:
    value = report["categories"][category]["score"]
    return None if value is None else round(value * 100)


def costly_audits(report: dict[str, Any], category: str) -> list[tuple[float, dict[str, Any], int]]:
    """The category's failing audits, the ones that cost the most points first: (points lost, audit, weight)."""
    refs = report["categories"][category]["auditRefs"]
    total = sum(ref["weight"] for ref in refs) or 1
    failing = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        if audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative") or audit.get("score") is None:
            continue
        if audit["score"] >= 1:
            continue
        lost = 100 * ref["weight"] * (1 - audit["score"]) / total
        if lost > 0:  # an audit of weight 0 (performance's insights) costs no point
            failing.append((lost, audit, ref["weight"]))
    return sorted(failing, key=lambda item: -item[0])


def items(audit: dict[str, Any], most: int = 4) -> list[str]:
    """The elements (selector and snippet) or resources (URL) an audit names."""
    found: list[str] = []
    listed = (audit.get("details") or {}).get("items")
    if not isinstance(listed, list):  # the newer "insight" audits nest their items differently
        return found
    for item in listed[:most]:
        if not isinstance(item, dict):
            continue
        node = item.get("node") if isinstance(item.get("node"), dict) else None
        if node is None and item.get("type") == "node":
            node = item
        if node:
            snippet = " ".join(str(node.get("snippet", "")).split())[:110]
            found.append(f"{node.get('selector', '')}  {snippet}".strip())
        elif item.get("url"):
            found.append(str(item["url"]))
        elif item.get("source") and isinstance(item["source"], dict):
            found.append(str(item["source"].get("url", "")))
        elif item.get("description"):
            found.append(str(item["description"])[:110])
    return found


def display_value(audit: dict[str, Any]) -> str:
    return f" — {audit['displayValue']}" if audit.get("displayValue") else ""


def main() -> None:
    args = arguments()
    cli = lighthouse_cli(args.lighthouse)
    with served(args.size) if not args.url else nullcontext(args.url.rstrip("/")) as base:
        reports = {}
        for name, url in pages(base):
            print(f"lighthouse {name}: {url}", file=sys.stderr)
            reports[name] = (url, run_lighthouse(cli, url))
            if args.json_dir:
                Path(args.json_dir).mkdir(parents=True, exist_ok=True)
                Path(args.json_dir, f"{name}.json").write_text(json.dumps(reports[name][1]), encoding="utf-8")
    print(f"\n{'page':8} {'performance':>12} {'accessibility':>14} {'best-practices':>15} {'seo':>5}  url")
    below = False
    for name, (url, report) in reports.items():
        scores = [score(report, c) for c in CATEGORIES]
        below = below or any(s is None or s < args.target for s in scores)
        shown = [("—" if s is None else str(s)) for s in scores]
        print(f"{name:8} {shown[0]:>12} {shown[1]:>14} {shown[2]:>15} {shown[3]:>5}  {url.split('/', 3)[-1] or '/'}")
    print(f"\nfailing audits, most points lost first (target {args.target} in every category):")
    if not any(costly_audits(report, c) for _, report in reports.values() for c in CATEGORIES):
        print("  none: every audit that carries weight passed")
    for name, (_, report) in reports.items():
        for category in CATEGORIES:
            costly = costly_audits(report, category)[: args.audits]
            if not costly:
                continue
            print(f"\n{name} · {category} ({score(report, category)})")
            for lost, audit, weight in costly:
                cost = f"score {audit['score']:.2f}, weight {weight}, ~{lost:.1f} points"
                print(f"  {audit['id']}: {cost}{display_value(audit)}")
                for line in items(audit):
                    print(f"      {line}")
    print("\nflagged without weight (no points lost, worth a look):")
    for name, (_, report) in reports.items():
        flagged = sorted(
            f"{audit['id']}{display_value(audit)}"
            for audit in report["audits"].values()
            if audit.get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") not in ("notApplicable", "manual", "informative")
            and all(audit not in [a for _, a, _ in costly_audits(report, c)] for c in CATEGORIES)
        )
        print(f"  {name}: {'; '.join(flagged) or 'none'}")
    sys.exit(1 if below else 0)


if __name__ == "__main__":
    main()
