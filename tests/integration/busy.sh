# HARDENING B2: a busy database -- writers wait a bounded time, then fail
# clearly (exit 4, 503); long reads and exports do not block (busy.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    { echo "busy needs aiosmtpd (Debian python3-aiosmtpd)" >&2; exit 2; }
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE "$PYTHON" "$HERE/busy.py" || fail "busy.py failed"
