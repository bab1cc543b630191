"""E-mail alerts for followers (issue 18), as GOV.UK's: anyone may follow by e-mail anything that has a feed — an
agency's 诚信档案, a list with its filters, a search. Double opt-in, daily or immediate, a one-click unsubscribe in
every message (RFC 8058) that deletes the address; addresses are shown nowhere. What is new in a followed feed is
computed by the feeds' own code (portal/feeds/views.py `resolve_feed`), never through HTTP or a copy of a query."""
