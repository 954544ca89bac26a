#!/bin/sh
# kto report letter / letters / overview, read back with pdftotext
# (tests/integration/report.py).
set -eu
exec /usr/bin/python3 "$KTO_SOURCE_DIR/tests/integration/report.py" "$KTO"
