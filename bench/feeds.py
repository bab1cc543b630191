"""Feed response times with a large demo database, measured in-process with the Flask test client.

    .venv/bin/python bench/feeds.py [--records 100000] [--requests 200] [--database-url URL]

Prints p50 and p95 in milliseconds of full feed responses and of 304 answers to conditional requests, both when
the "latest change" look-up is reused (polls within PORTAL_FEED_FRESHNESS_SECONDS of each other) and when every
poll asks the database. Targets: a full feed under 50 ms at p95, and a 304 under a tenth of a full response.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

from common import arguments, prepared_app, report, timed


def main() -> None:
    args = arguments(__doc__)
    app = prepared_app(args)
    client = app.test_client()
    print(f"{'feed':58} {'p50 ms':>8} {'p95 ms':>8}")
    settings = app.config["PORTAL_SETTINGS"]
    every_poll_asks = replace(settings, feed_freshness_seconds=0)
    for path in ("/records/feed.atom", "/records/feed.rss?kind=arrears&status=public", "/outcomes/feed.atom"):
        full = timed(client, path, args.requests)
        report(f"{path} (200)", full)
        etag = {"If-None-Match": client.get(path).headers["ETag"]}
        reused = timed(client, path, args.requests, status=304, headers=etag)
        report(f"  304, latest change reused ({settings.feed_freshness_seconds:g} s)", reused)
        app.config["PORTAL_SETTINGS"] = every_poll_asks
        asked = timed(client, path, args.requests, status=304, headers=etag)
        app.config["PORTAL_SETTINGS"] = settings
        report("  304, every poll asks the database", asked)
        print(
            f"{'':2}304 costs {statistics.median(reused) / statistics.median(full):.1%} / "
            f"{statistics.median(asked) / statistics.median(full):.1%} of a full response"
        )


if __name__ == "__main__":
    main()
