# HARDENING B3: kto contacts import killed with SIGKILL again and again:
# whole transactions or nothing, integrity ok, the same file again completes
# it (crash_import.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE "$PYTHON" "$HERE/crash_import.py" || fail "crash_import.py failed"
