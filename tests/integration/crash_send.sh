# HARDENING B3: kto send killed with SIGKILL while kto serve takes
# submissions: integrity ok, no invitation lost, duplicates only among the
# messages in flight (crash_send.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    { echo "crash_send needs aiosmtpd (Debian python3-aiosmtpd)" >&2; exit 2; }
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE "$PYTHON" "$HERE/crash_send.py" || fail "crash_send.py failed"
