#!/bin/sh
# kto results compute / show against kto stats estimate (tests/integration/results.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/results.py" "$KTO"
