# HARDENING B1: a full database (max_page_count, always) and a full disk
# (tmpfs, where mounting is allowed): 503 "probeer het later opnieuw" with
# the answers kept, imports and sends fail clearly, nothing acknowledged
# lost, everything works again with room (disk_full.py).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    { echo "disk_full needs aiosmtpd (Debian python3-aiosmtpd)" >&2; exit 2; }
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE "$PYTHON" "$HERE/disk_full.py" || fail "disk_full.py failed"
