"""gunicorn's settings for the portal behind nginx (deploy/systemd/portal.service runs
`gunicorn -c deploy/gunicorn.conf.py wsgi:app`; tests/deploy and bench/load.py start it the same way).
Options given on the command line (--bind, --workers) take precedence over this file.

Why gthread workers (issue 20). nginx buffers every request before it reaches gunicorn and every response before
it leaves (deploy/nginx/portal-site.conf), so a slow or half-open client never holds a worker: that, not the worker
class, is what stopped two half-open connections from stalling the site for 30 s. What remains: time a request
spends waiting rather than computing (the database, Redis, the search index's files), and the odd long request (an
agency's credit report takes about a second of PDF layout): with a few threads per worker, other requests go on
meanwhile instead of queueing behind it. gthread also keeps nginx's idle keep-alive
connections in the worker's event loop, not in a thread. gevent or eventlet would need monkey-patching of psycopg,
redis and the index's flock (a blocking flock would stop every greenlet of the worker); the page work itself is
Python holding the GIL: 4 threads per worker cover the waits, more would only queue for the GIL.
"""

import os

bind = "127.0.0.1:8000"  # one node; with several, the node's private address (the nginx upstream's servers)
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)  # one per core: the work is CPU-bound
threads = 4
timeout = 60  # a worker whose event loop is silent this long is restarted (a request in a thread may take longer)
graceful_timeout = 30  # on restart/stop, requests under way get this long to finish
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s): nginx, not gunicorn, closes idle connections
worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files: memory, never a slow or read-only disk
# gunicorn 25+ opens a control socket in $HOME/.gunicorn/ (read-only under the unit's ProtectSystem=strict, and shared
# by every gunicorn of the user): off. Older versions ignore the setting.
control_socket_disable = True
accesslog = "-"  # journald (systemd) or the terminal
# the client's address as nginx saw it, the scheme and host it was asked for, and the time taken (µs)
access_log_format = (
    "%(h)s xff=%({x-forwarded-for}i)s proto=%({x-forwarded-proto}i)s host=%({x-forwarded-host}i)s "
    '"%(r)s" %(s)s %(B)s %(D)sus'
)
