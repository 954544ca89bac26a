#!/bin/sh
# Per-account sign-in limit and the audit log reader (signin_audit.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/signin_audit.py" "$KTO"
