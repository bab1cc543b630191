"""Full-text search with a large demo database: indexing, query latency, publish latency and a worker's memory.

    .venv/bin/python bench/search.py [--engines tantivy,whoosh] [--sizes 10000,100000]
        [--tantivy-sizes 10000,100000] [--whoosh-sizes 10000] [--rounds 4] [--publishes 50]
        [--database-url URL] [--instance DIR]

For each engine and size (by default tantivy at 10,000 and 100,000 records, whoosh at 10,000 only: pure Python, it
indexes a few hundred documents a second; `--whoosh-sizes 10000,100000` opts in to more, `--sizes` sets every
engine's sizes), on the bench database of that size (built once, then reused; see common.py) and an index of its
own under <instance>/<records>/search-<engine>/, it prints:

1. indexing: a full `rebuild` timed, in documents per second, and the size on disk of the build it made;
2. whole search: p50/p95 in ms of a fixed mix of 60 queries (terms, AND, phrases, an exclusion, facet filters, the
   date sort, exact document numbers from the database, and ten queries as residents type them) through run_search
   (the vocabulary, facets, the any-word fallback, the named agencies' counts) and the
   highlighting of the top 10 hits (snippet + mark), after one warm-up pass, --rounds passes;
3. the search page over HTTP: GET /search?q=... for the same mix, served by a real gunicorn (1 worker);
4. publish: p50/p95 of one record's status change (change_status, then search.operations.commit(): the database
   commit and the index write), --publishes times, on a copy of the SQLite database and of the index (on
   PostgreSQL the records are put back afterwards);
5. a query worker's peak memory: the max RSS (VmHWM on Linux, see peak_rss_mb) of a fresh process that opens the
   app and the index and runs the mix through the whole search path and the search page (Flask test client); and,
   for comparison, the peak RSS of the gunicorn worker of step 3.

A summary table and the targets follow. Targets: tantivy at 100,000 records: whole search p95 < 20 ms, search page
over HTTP p95 < 50 ms, publish p95 < 50 ms, query worker < 200 MB. whoosh at 10,000 records, no worse than before:
whole search p50/p95 54/235 ms, indexing >= 209 docs/s, publish median ~350 ms. Figures are printed, never asserted.
--database-url (an empty PostgreSQL database) holds one size only: give a single --sizes value with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO
from urllib.parse import urlencode
from urllib.request import urlopen

from common import TODAY, database_settings, percentile, prepared_app
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from portal import create_app
from portal.db import commit
from portal.extensions import db
from portal.outbox import ItemType, changed, item_key
from portal.records.models import Record
from portal.records.operations import change_status
from portal.records.rules import RecordStatus
from portal.search.highlight import mark, snippet
from portal.search.index import SearchIndex
from portal.search.operations import run_search, search_index

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
ENGINES = ("tantivy", "whoosh")
MIX_SIZE = 60
HIGHLIGHTED = 10  # hits per whole search: the top 10 are highlighted
PUBLISH_WARMUP = 3
PUBLISH_TRANSITIONS = (RecordStatus.RECTIFYING, RecordStatus.FULFILLED, RecordStatus.REVOKED)


# -- the query mix -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    group: str
    text: str
    filters: dict[str, str | int] = field(default_factory=dict)  # facet name -> value
    sort: str = "relevance"

    @property
    def path(self) -> str:
        """The search page asking the same thing."""
        params: dict[str, str] = {"q": self.text, **{name: str(value) for name, value in self.filters.items()}}
        if self.sort != "relevance":
            params["sort"] = self.sort
        return "/search?" + urlencode(params)


SINGLE_TERMS = (
    "财政局",
    "拖欠",
    "失信被执行人",
    "行政处罚",
    "信用修复",
    "被执行人",
    "招商引资",
    "工程款",
    "保证金",
    "人民法院",
    "罚款",
    "合同纠纷",
    "营商环境",
    "整改",
    "演示县财政局",
    "演示县教育局",
    "演示县人民医院",
    "城关镇人民政府",
    "演示县水务有限公司",
    "演示经济开发区管理委员会",
)
TWO_TERMS = (
    "财政局 拖欠",
    "教育局 行政处罚",
    "人民医院 判决",
    "拖欠 建筑",
    "公安局 罚款",
    "城关镇 招商引资",
    "失信被执行人 财政局",
    "合同 违约",
)
PHRASES = ('"失信被执行人"', '"拖欠 企业"', '"行政处罚"', '"拖欠企业账款"', '"未按期支付工程款"', '"招商引资 承诺"')
FILTERED: tuple[tuple[str, dict[str, str | int]], ...] = (
    ("拖欠", {"type": "record", "kind": "arrears"}),
    ("", {"kind": "arrears"}),  # a facet alone: every arrears record, counted and faceted
    ("财政局", {"type": "commitment"}),
    ("行政处罚", {"status": "public"}),
    ("招商引资", {"year": 2025}),
)
BY_DATE = ("财政局", "拖欠", "行政处罚", "失信被执行人", "公安局 罚款")
# How residents ask (issue 16): questions, everyday words, abbreviations, pinyin, a typo, traditional characters,
# curly quotes, a code in groups, and words that together find nothing (the any-word fallback runs a second search).
RESIDENTS = (
    "怎样才能修复信用",
    "欠钱",
    "拖欠工程款",
    "发改委",
    "czj",
    "财正局",
    "財政局 整改",
    "“演示县财政局”",
    "城关镇政府 欠钱",
    "老赖 罚款 招商 保证金",
)
CODES = 5  # document numbers of public records, evenly spread over the table


def query_mix(session: Session | scoped_session[Session], today: date) -> list[Query]:
    """The fixed mix of 60 queries; the exact codes are the same records' document numbers on every run."""
    numbers = session.scalars(
        select(Record.document_number).where(Record.public_clause(today)).order_by(Record.id)
    ).all()
    codes = [numbers[(2 * i + 1) * len(numbers) // (2 * CODES)] for i in range(CODES)]
    mix = [
        *(Query("single terms", text) for text in SINGLE_TERMS),
        *(Query("two terms (AND)", text) for text in TWO_TERMS),
        *(Query("quoted phrases", text) for text in PHRASES),
        Query("exclusion", "拖欠 -财政局"),
        *(Query("facet filters", text, filters) for text, filters in FILTERED),
        *(Query("date sort", text, sort="date") for text in BY_DATE),
        *(Query("exact document numbers", code) for code in codes),
        *(Query("residents (issue 16)", text) for text in RESIDENTS),
    ]
    assert len(mix) == MIX_SIZE, len(mix)
    return mix


def whole_search(index: SearchIndex, query: Query, today: date) -> int:
    """What the search page does for its results: run_search (the vocabulary, the query, facets, the any-word
    fallback, the named agencies' counts), then the highlighting of the hits. Returns the number of matches."""
    args = {"q": query.text, **{name: str(value) for name, value in query.filters.items()}, "sort": query.sort}
    with current_app.test_request_context():
        found = run_search(args, HIGHLIGHTED)
    assert found.result is not None, query
    result = found.result
    words = found.query.highlight_words
    for hit in result.hits:
        mark(hit.title, words)
        snippet(hit.body, words)
    return result.total


def timed_mix(mix: list[Query], run: Callable[[Query], object], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per query by group, over `rounds` passes after one warm-up pass."""
    for query in mix:
        run(query)
    samples: dict[str, list[float]] = {}
    for _ in range(rounds):
        for query in mix:
            started = time.perf_counter()
            run(query)
            samples.setdefault(query.group, []).append((time.perf_counter() - started) * 1000)
    return samples


def flat(samples: dict[str, list[float]]) -> list[float]:
    return [ms for group in samples.values() for ms in group]


# -- settings, processes, memory ---------------------------------------------------------------------------------


def size_args(args: argparse.Namespace, records: int) -> argparse.Namespace:
    """What common.prepared_app expects for one size."""
    return argparse.Namespace(
        records=records,
        requests=args.rounds * MIX_SIZE,
        warmup=MIX_SIZE,
        database_url=args.database_url,
        instance=args.instance,
    )


def index_settings(args: argparse.Namespace, engine: str) -> dict[str, str]:
    """An index directory per size and engine, beside that size's database."""
    index_dir = Path(args.instance) / str(args.records) / f"search-{engine}"
    return {"PORTAL_SEARCH_INDEX_DIR": str(index_dir), "PORTAL_SEARCH_ENGINE": engine}


def directory_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def high_water_mb(pid: int | str = "self") -> float | None:
    """A process's peak RSS so far (VmHWM in /proc: Linux only, None elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10
    except (OSError, ValueError):
        pass
    return None


def peak_rss_mb() -> float:
    """This process's max RSS so far: VmHWM on Linux, where getrusage's ru_maxrss would report the parent's peak
    instead (Linux carries the high-water mark over into the program that a vfork + exec starts, as subprocess
    does); ru_maxrss elsewhere (bytes on macOS)."""
    peak = high_water_mb()
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10


def gunicorn_worker_peak_mb(master: int) -> float | None:
    """The peak RSS of the gunicorn master's one worker (Linux only; None elsewhere)."""
    try:
        worker = Path(f"/proc/{master}/task/{master}/children").read_text().split()[0]
    except (OSError, IndexError):
        return None
    return high_water_mb(worker)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(url: str) -> None:
    """One whole response; urlopen raises on any status but 2xx/3xx."""
    with urlopen(url, timeout=60) as response:
        response.read()


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


@contextmanager
def gunicorn(settings: dict[str, str]) -> Iterator[tuple[str, int]]:
    """(base URL, master pid) of a gunicorn with one worker serving the app with `settings`, stopped afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **settings}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
                try:
                    get(base + "/search")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{_tail(log)}") from None
                    time.sleep(0.2)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def query_worker(args: argparse.Namespace) -> None:
    """Run in a fresh process (--query-worker): open the app and the index, run the mix through the whole search
    path twice and through the search page once, print the peak RSS (MB) as JSON."""
    settings = {**database_settings(args), **index_settings(args, args.query_worker)}
    today = date.fromisoformat(TODAY)
    app = create_app(settings)
    with app.app_context():
        index = search_index()
        index.analyzer()  # opens the live build
        mix = query_mix(db.session, today)
        opened = peak_rss_mb()
        for _ in range(2):
            for query in mix:
                whole_search(index, query, today)
        db.session.remove()
    client = app.test_client()
    for query in mix:
        assert client.get(query.path).status_code == 200, query.path
    print(json.dumps({"opened": opened, "peak": peak_rss_mb()}))


def measure_worker(args: argparse.Namespace, engine: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--query-worker", engine, "--records", str(args.records)]
    command += ["--instance", args.instance, "--database-url", args.database_url]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the query worker failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# -- publishing --------------------------------------------------------------------------------------------------


@contextmanager
def publish_copy(settings: dict[str, str]) -> Iterator[tuple[dict[str, str], bool]]:
    """(settings, copied): on SQLite, settings pointing at a copy of the database and of the index (removed
    afterwards), so that the bench database stays as loaded; elsewhere the settings themselves."""
    url = settings["PORTAL_DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        yield settings, False
        return
    source = Path(url.removeprefix("sqlite:///"))
    work = Path(tempfile.mkdtemp(prefix="publish-", dir=source.parent))
    try:
        with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(work / "bench.db")) as copy:
            original.backup(copy)  # consistent whatever the WAL holds
        shutil.copytree(settings["PORTAL_SEARCH_INDEX_DIR"], work / "search", symlinks=True)
        copied = {
            **settings,
            "PORTAL_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "PORTAL_SEARCH_INDEX_DIR": str(work / "search"),
        }
        yield copied, True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _item_keys(record: Record) -> list[str]:
    outcome = [item_key(ItemType.OUTCOME, record.rectification.id)] if record.rectification else []
    return [item_key(ItemType.RECORD, record.id), *outcome]


def publish_latencies(settings: dict[str, str], count: int) -> list[float]:
    """Milliseconds per publish: public records, evenly spread, move to rectifying, fulfilled or revoked (a
    changed document or a deleted one), each committed and indexed on its own, after a few warm-up ones."""
    today = date.fromisoformat(TODAY)
    with publish_copy(settings) as (publish_settings, copied):
        app = create_app(publish_settings)
        with app.app_context():
            index = search_index()
            ids = db.session.scalars(
                select(Record.id)
                .where(Record.public_clause(today), Record.status == RecordStatus.PUBLIC.value)
                .order_by(Record.id)
            ).all()
            total = count + PUBLISH_WARMUP
            chosen = [ids[i * len(ids) // total] for i in range(total)]
            notes = {record_id: db.session.get_one(Record, record_id).stop_note for record_id in chosen}
            samples = []
            for n, record_id in enumerate(chosen):
                record = db.session.get_one(Record, record_id)
                started = time.perf_counter()
                change_status(
                    record, PUBLISH_TRANSITIONS[n % len(PUBLISH_TRANSITIONS)], today, reason="性能测试", actor="bench"
                )
                commit()
                elapsed = (time.perf_counter() - started) * 1000
                if index.pending(db.session):  # commit() only logs a failed index write
                    raise RuntimeError(f"record {record_id} was committed but not indexed; see the log above")
                if n >= PUBLISH_WARMUP:
                    samples.append(elapsed)
            if not copied:  # put the records back as they were, index included
                for record_id in chosen:
                    record = db.session.get_one(Record, record_id)
                    record.status = RecordStatus.PUBLIC.value
                    record.stopped_on = None
                    record.stop_note = notes[record_id]
                    changed(*_item_keys(record))
                commit()
            db.session.remove()
            db.engine.dispose()
    return samples


# -- one engine at one size --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    engine: str
    records: int
    documents: int
    docs_per_s: float
    index_mb: float
    search: dict[str, list[float]]
    http: dict[str, list[float]]
    http_worker_mb: float | None
    publish: list[float]
    worker: dict[str, float]


def line(name: str, samples: list[float]) -> None:
    print(f"  {name:56} {statistics.median(samples):8.1f} {percentile(samples, 0.95):8.1f}")


def measure(args: argparse.Namespace, engine: str, records: int) -> Figures:
    sized = size_args(args, records)
    settings = {**database_settings(sized), **index_settings(sized, engine)}
    print(f"\n== {engine} at {records} records (index in {settings['PORTAL_SEARCH_INDEX_DIR']})")
    app = prepared_app(sized, index_settings(sized, engine))
    today = date.fromisoformat(TODAY)
    with app.app_context():
        index = search_index()
        started = time.perf_counter()
        documents = index.rebuild(db.session, today)
        seconds = time.perf_counter() - started
        index_mb = directory_mb(index.link.resolve())
        print(f"  {f'indexing: {documents} documents in {seconds:.1f} s':56} {documents / seconds:8.0f} docs/s")
        print(f"  {'index on disk':56} {index_mb:8.1f} MB")
        mix = query_mix(db.session, today)
        empty = [q.text or q.path for q in mix if whole_search(index, q, today) == 0]
        if empty:
            print(f"  warning: no hits for {', '.join(empty)}")
        search = timed_mix(mix, lambda q: whole_search(index, q, today), args.rounds)
        db.session.remove()
    print(f"  {'':56} {'p50 ms':>8} {'p95 ms':>8}")
    line(f"whole search, {MIX_SIZE} queries x {args.rounds}", flat(search))
    for group, samples in search.items():
        line(f"  {group} ({len(samples) // args.rounds})", samples)

    with gunicorn(settings) as (base, master):
        http = timed_mix(mix, lambda q: get(base + q.path), args.rounds)
        http_worker_mb = gunicorn_worker_peak_mb(master)
    line("search page over HTTP (gunicorn, 1 worker)", flat(http))
    for group, samples in http.items():
        line(f"  {group}", samples)

    publish = publish_latencies(settings, args.publishes)
    line(f"publish one record (change_status + commit + index) x {len(publish)}", publish)

    worker = measure_worker(sized, engine)
    print(f"  {'query worker peak RSS (fresh process)':56} {worker['peak']:8.1f} MB")
    print(f"  {'  of which after opening the app and the index':56} {worker['opened']:8.1f} MB")
    if http_worker_mb is not None:
        print(f"  {'gunicorn worker peak RSS after the HTTP passes':56} {http_worker_mb:8.1f} MB")
    return Figures(
        engine, records, documents, documents / seconds, index_mb, search, http, http_worker_mb, publish, worker
    )


# -- targets and the summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    figure: Callable[[Figures], float]
    limit: float
    at_least: bool = False  # a floor (throughput) rather than a ceiling

    def met(self, figures: Figures) -> bool:
        value = self.figure(figures)
        return value >= self.limit if self.at_least else value <= self.limit


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return percentile(samples, 0.95)


TARGETS: dict[tuple[str, int], tuple[Target, ...]] = {
    ("tantivy", 100_000): (
        Target("whole search p95 < 20 ms", lambda f: p95(flat(f.search)), 20),
        Target("search page over HTTP p95 < 50 ms", lambda f: p95(flat(f.http)), 50),
        Target("publish p95 < 50 ms", lambda f: p95(f.publish), 50),
        Target("query worker < 200 MB", lambda f: f.worker["peak"], 200),
    ),
    ("whoosh", 10_000): (
        Target("whole search p50 <= 54 ms", lambda f: p50(flat(f.search)), 54),
        Target("whole search p95 <= 235 ms", lambda f: p95(flat(f.search)), 235),
        Target("indexing >= 209 docs/s", lambda f: f.docs_per_s, 209, at_least=True),
        Target("publish median ~350 ms", lambda f: p50(f.publish), 350),
    ),
}


def summary(results: list[Figures]) -> None:
    print("\n== summary (ms: p50/p95)")
    print(
        f"{'engine':8} {'records':>8} {'docs/s':>7} {'index MB':>9} {'search':>13} {'HTTP page':>13} "
        f"{'publish':>13} {'worker MB':>10}"
    )
    for f in results:
        search, http = flat(f.search), flat(f.http)
        print(
            f"{f.engine:8} {f.records:8} {f.docs_per_s:7.0f} {f.index_mb:9.1f} "
            f"{f'{p50(search):.1f}/{p95(search):.1f}':>13} {f'{p50(http):.1f}/{p95(http):.1f}':>13} "
            f"{f'{p50(f.publish):.1f}/{p95(f.publish):.1f}':>13} {f.worker['peak']:10.1f}"
        )
    checked = [(f, t) for f in results for t in TARGETS.get((f.engine, f.records), ())]
    if checked:
        print("\ntargets")
        for f, target in checked:
            verdict = "met" if target.met(f) else "MISSED"
            print(f"  {f.engine} at {f.records}: {target.label:38} {target.figure(f):9.1f}  {verdict}")


# -- command line ------------------------------------------------------------------------------------------------


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def engines(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = set(names) - set(ENGINES)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine(s): {', '.join(sorted(unknown))}")
    return names


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", type=engines, default=list(ENGINES))
    parser.add_argument("--sizes", type=sizes, default=None, help="record counts for every engine")
    parser.add_argument("--tantivy-sizes", type=sizes, default=[10_000, 100_000])
    parser.add_argument("--whoosh-sizes", type=sizes, default=[10_000])
    parser.add_argument("--rounds", type=int, default=4, help="timed passes over the query mix")
    parser.add_argument("--publishes", type=int, default=50)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--instance", default=str(Path(tempfile.gettempdir()) / "portal-bench"))
    parser.add_argument("--query-worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--records", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.query_worker:
        query_worker(args)
        return
    per_engine = {"tantivy": args.tantivy_sizes, "whoosh": args.whoosh_sizes}
    runs = sorted(
        ((engine, records) for engine in args.engines for records in (args.sizes or per_engine[engine])),
        key=lambda run: (run[1], ENGINES.index(run[0])),
    )
    results = [measure(args, engine, records) for engine, records in runs]
    summary(results)


if __name__ == "__main__":
    main()
