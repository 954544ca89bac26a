# HARDENING B3 HARDENING B4: kto serve killed with SIGKILL 20 times under a
# load of complete submissions; every acknowledged submission is there
# once, integrity_check ok after every kill (crash_serve.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE "$PYTHON" "$HERE/crash_serve.py" || fail "crash_serve.py failed"
