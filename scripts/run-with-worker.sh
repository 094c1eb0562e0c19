#!/usr/bin/env bash
# Serve the portal with its background worker beside it (what `make run` calls).
#
# The worker (`manage.py db_worker`, from django-tasks-db) writes the large
# assessment workbooks; the development server runs in the foreground. When the
# server stops (Ctrl+C, SIGTERM or an error) the worker is stopped too: it is
# asked to finish the job in hand, and only after WORKER_GRACE seconds is the job
# interrupted (its export is then marked failed, never left "being generated").
#
# The worker runs with --no-reload: Django's autoreloader answers SIGTERM by
# killing its child outright, which would leave a job half done. After changing
# task code, restart this script (the web server itself still reloads).
#
#   HOST, PORT        where to serve (default 127.0.0.1:8000)
#   PYTHON            the interpreter (default .venv/bin/python)
#   WORKER_INTERVAL   seconds between looks at an empty queue (default 1)
#   WORKER_GRACE      seconds a running job may take to finish on shutdown (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PYTHON="${PYTHON:-.venv/bin/python}"
WORKER_INTERVAL="${WORKER_INTERVAL:-1}"
WORKER_GRACE="${WORKER_GRACE:-30}"

worker_pid=""

alive() {
    # The worker runs in a process group of its own.
    kill -0 -- "-$worker_pid" 2>/dev/null
}

wait_gone() {
    local tenths=$(($1 * 10))
    while [ "$tenths" -gt 0 ] && alive; do
        sleep 0.1
        tenths=$((tenths - 1))
    done
    ! alive
}

stop_worker() {
    [ -n "$worker_pid" ] || return 0
    if alive; then
        echo "Stopping the background worker…" >&2
        kill -TERM -- "-$worker_pid" 2>/dev/null || true
        if ! wait_gone "$WORKER_GRACE"; then
            # A second SIGTERM makes db_worker abandon the job in hand.
            kill -TERM -- "-$worker_pid" 2>/dev/null || true
            wait_gone 5 || kill -KILL -- "-$worker_pid" 2>/dev/null || true
        fi
    fi
    worker_pid=""
}

trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Job control on just long enough to start the worker in a process group of its own:
# Ctrl+C then reaches the server only, and the worker is stopped by stop_worker.
set -m
"$PYTHON" manage.py db_worker --no-reload --queue-name default --interval "$WORKER_INTERVAL" &
worker_pid=$!
set +m

"$PYTHON" manage.py runserver "$HOST:$PORT"
