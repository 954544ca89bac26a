# kto backup while submissions arrive, kto check on sound and broken
# databases, and /metrics: format, counters, who may read it (ops.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
PYTHONPATH=$HERE "$PYTHON" "$HERE/ops.py" || fail "ops.py failed"
