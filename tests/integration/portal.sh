#!/bin/sh
# The portal and the API over HTTP (tests/integration/portal.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/portal.py" "$KTO"
