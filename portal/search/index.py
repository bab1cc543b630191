"""The live index of one engine on disk, and the only code that writes it.

Layout under PORTAL_SEARCH_INDEX_DIR (default search_index/):

    tantivy -> tantivy-20261122T101500Z-4242/    the live build (a symlink, swapped atomically by `rebuild`)
    tantivy-20261122T101500Z-4242/data/          the engine's files
    tantivy-20261122T101500Z-4242/words.txt      agency names the analyzer keeps whole (index and queries agree)
    tantivy-20261122T101500Z-4242/spellings.tsv  their pinyin and initials (and their short names'), for the look-up
    tantivy-20261122T101500Z-4242/sounds.tsv     every CJK character's sound, for near-sound typos (财正局)
    tantivy-20261122T101500Z-4242/outbox_mark    the last search_outbox id applied to this build
    tantivy-20261122T101500Z-4242/content_stamp  the content files (pages, news) it holds: a stamp, then their keys
    tantivy.lock                                the single-writer lock (flock), shared by every process

Writers (sync, rebuild's swap) hold the lock; readers never need it. Re-applying an outbox entry is harmless
(an item is re-read from the database and replaced), so a crash between an index commit and the mark costs only
a repeat; a crash between the database commit and the index leaves the entry for the next sync.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from portal.core.content import content_stamp
from portal.outbox import OutboxEntry
from portal.search.analyzer import Analyzer, normalise
from portal.search.documents import (
    SearchDoc,
    agency_names,
    agency_short_names,
    all_docs,
    content_docs,
    load_doc,
)
from portal.search.engine import Engine, SearchRequest, SearchResult, SearchUnavailableError
from portal.search.suggest import character_sounds, remember_sounds_file, remember_spellings, spellings
from portal.search.tantivy_engine import TantivyEngine
from portal.search.whoosh_engine import WhooshEngine

log = logging.getLogger(__name__)

ENGINE_CLASSES: dict[str, type[TantivyEngine] | type[WhooshEngine]] = {
    "tantivy": TantivyEngine,
    "whoosh": WhooshEngine,
}
SYNC_BATCH = 500
REBUILD_BATCH = 5000


@lru_cache(maxsize=4)
def analyzer_for(words: tuple[str, ...]) -> Analyzer:
    return Analyzer(words)


class SearchIndex:
    def __init__(self, root: Path, engine: str, content_dir: Path) -> None:
        if engine not in ENGINE_CLASSES:
            raise ValueError(f"unknown search engine {engine!r}")
        self.root = root
        self.engine_name = engine
        self.content_dir = content_dir
        self.link = root / engine
        self._opened: tuple[Path, Engine, Analyzer] | None = None

    # -- reading ---------------------------------------------------------------------------------------------

    def _build_dir(self) -> Path:
        try:
            return self.link.resolve(strict=True)
        except (FileNotFoundError, RuntimeError) as exc:
            raise SearchUnavailableError(
                f"no {self.engine_name} index at {self.link}: run `flask search rebuild`"
            ) from exc

    def current(self) -> tuple[Engine, Analyzer]:
        """The live build, opened once per process and again after a swap."""
        build = self._build_dir()
        if self._opened is None or self._opened[0] != build:
            try:
                words = tuple((build / "words.txt").read_text(encoding="utf-8").splitlines())
                spelled = (build / "spellings.tsv").read_text(encoding="utf-8").splitlines()
                remember_spellings({name: (full, initials) for name, full, initials in map(_three, spelled)})
                remember_sounds_file(build / "sounds.tsv")
            except OSError as exc:
                raise SearchUnavailableError(f"the index at {build} is incomplete: {exc}") from exc
            engine = ENGINE_CLASSES[self.engine_name].open(build / "data")
            if self._opened is not None:
                self._opened[1].close()
            self._opened = (build, engine, analyzer_for(words))
        return self._opened[1], self._opened[2]

    def analyzer(self) -> Analyzer:
        return self.current()[1]

    def search(self, request: SearchRequest) -> SearchResult:
        engine, _ = self.current()
        return engine.search(request)

    def mark(self) -> int:
        """The last outbox entry applied to the live build."""
        try:
            return int((self._build_dir() / "outbox_mark").read_text())
        except (OSError, ValueError) as exc:
            raise SearchUnavailableError(f"the index's outbox mark cannot be read: {exc}") from exc

    # -- writing ---------------------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, wait: float) -> Iterator[bool]:
        """Hold the single-writer lock, waiting up to `wait` seconds; yields False if it could not be had."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{self.engine_name}.lock", "a+") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.01)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def sync(self, session: Session | scoped_session[Any], today: date, wait: float = 10.0) -> int | None:
        """Apply the outbox entries the live build has not seen; returns how many, or None if another process
        held the lock for longer than `wait` (it applies them, or the next sync does)."""
        with self.writer_lock(wait) as locked:
            if not locked:
                return None
            engine, analyzer = self.current()
            self._apply_content(engine, analyzer)
            mark = self.mark()
            applied = 0
            while True:
                rows = session.execute(
                    select(OutboxEntry.id, OutboxEntry.item_key)
                    .where(OutboxEntry.id > mark)
                    .order_by(OutboxEntry.id)
                    .limit(SYNC_BATCH)
                ).all()
                if not rows:
                    return applied
                docs: list[SearchDoc] = []
                deleted: list[str] = []
                for key in dict.fromkeys(key for _, key in rows):
                    doc = load_doc(session, key, today, self.content_dir)
                    if doc is None:
                        deleted.append(key)
                    else:
                        docs.append(doc)
                engine.apply(docs, deleted, analyzer)
                mark = rows[-1][0]
                _write_atomically(self._build_dir() / "outbox_mark", str(mark))
                applied += len(rows)

    def _apply_content(self, engine: Engine, analyzer: Analyzer) -> None:
        """Pages and news are files (content/), which the outbox never hears of: when any was added, changed or
        removed since this build last looked, all their documents are applied again (a few dozen) and those of the
        files gone are deleted. So a news item put in place is found after the next sync (`flask search sync`, from
        cron every minute, or any publishing request), without a rebuild."""
        stamp_file = self._build_dir() / "content_stamp"
        stamp = content_stamp(self.content_dir)
        try:
            known = stamp_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            known = []
        if known[:1] == [stamp]:
            return
        docs = content_docs(self.content_dir)
        keys = {doc.key for doc in docs}
        engine.apply(docs, sorted(set(known[1:]) - keys), analyzer)
        _write_atomically(stamp_file, "\n".join([stamp, *sorted(keys)]))

    def pending(self, session: Session | scoped_session[Any]) -> bool:
        """Whether the outbox holds entries the live build has not applied (one index look-up)."""
        newest = session.scalar(select(func.max(OutboxEntry.id))) or 0
        return newest > self.mark()

    def rebuild(self, session: Session | scoped_session[Any], today: date) -> int:
        """Build a fresh index beside the live one from the database, swap it in atomically, then apply what
        changed meanwhile. Returns the number of documents. Searches go on against the old build until the swap."""
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
        content_state = content_stamp(self.content_dir)  # before the files are read: sync applies a change meanwhile
        words = tuple(agency_names(session))
        analyzer = analyzer_for(words)
        stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{secrets.token_hex(3)}"
        build = self.root / f"{self.engine_name}-{stamp}"
        engine = ENGINE_CLASSES[self.engine_name].create(build / "data")
        count = 0
        try:
            docs = all_docs(session, today, self.content_dir)
            while batch := list(islice(docs, REBUILD_BATCH)):
                engine.apply(batch, [], analyzer)
                count += len(batch)
            engine.close()
            (build / "words.txt").write_text("\n".join(words), encoding="utf-8")
            names = {normalise(w) for w in (*words, *agency_short_names(session))}
            spelled = ["\t".join((plain, *spellings(plain))) for plain in sorted(names)]
            (build / "spellings.tsv").write_text("\n".join(spelled), encoding="utf-8")
            (build / "sounds.tsv").write_text("\n".join(character_sounds()), encoding="utf-8")
            _write_atomically(build / "outbox_mark", str(mark))
            content_keys = sorted(doc.key for doc in content_docs(self.content_dir))
            (build / "content_stamp").write_text("\n".join([content_state, *content_keys]), encoding="utf-8")
            with self.writer_lock(wait=60) as locked:
                if not locked:
                    raise SearchUnavailableError("another process held the index lock for a minute; try again")
                temporary = self.root / f".{stamp}.link"
                temporary.symlink_to(build.name)
                os.replace(temporary, self.link)
                self._remove_old_builds(keep=build)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        self.sync(session, today)
        return count

    def _remove_old_builds(self, keep: Path) -> None:
        """Earlier builds go once the link points past them (a process still reading one keeps its open files)."""
        for path in self.root.glob(f"{self.engine_name}-*"):
            if path.is_dir() and path.resolve() != keep.resolve():
                shutil.rmtree(path, ignore_errors=True)


def _three(line: str) -> tuple[str, str, str]:
    name, full, initials = [*line.split("\t"), "", ""][:3]
    return name, full, initials


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text)
    os.replace(temporary, path)
