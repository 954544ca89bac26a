#!/bin/sh
# kto export results | responses, read back by Python's csv module and by
# R's haven and foreign or ReadStat (tests/integration/export.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/export.py" "$KTO"
