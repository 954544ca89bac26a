#!/bin/sh
# Every route x every role x own and other municipality (authz_matrix.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/authz_matrix.py" "$KTO"
