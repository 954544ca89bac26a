# The questionnaire in a real browser (questionnaire.mjs): keyboard only,
# JavaScript off, at 360x640, in Dutch and English, and axe-core's WCAG
# 2.1 A and AA rules on every page type.  Needs Debian's chromium and the
# npm packages of tests/browser (scripts/install-deps.sh installs both).
# Screenshots are kept in $KTO_ARTIFACTS (default: browser-artifacts in
# the working directory ctest gives, i.e. the build tree).
HERE=$(cd "$(dirname "$0")" && pwd)
ARTIFACTS=${KTO_ARTIFACTS:-$(pwd)/browser-artifacts}
. "$HERE/../integration/lib.sh"
. "$HERE/../integration/smtp_lib.sh"     # free_port; servers stopped on exit

[ -x /usr/bin/chromium ] || fail "chromium is missing: run scripts/install-deps.sh"
[ -d "$HERE/node_modules/playwright-core" ] && [ -d "$HERE/node_modules/axe-core" ] ||
	fail "the npm packages are missing: run scripts/install-deps.sh"

KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
DB=$T/browser.db
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}
expect_exit 0 k municipality add GM0001 --name Vragendorp
expect_exit 0 k municipality add GM0002 --name Geslotendorp
# A house colour, logo and privacy statement on the pages axe-core checks.
"$PYTHON" "$HERE/../integration/make_png.py" logo.png
expect_exit 0 k municipality set GM0001 --colour '#00529B' --privacy-url https://www.vragendorp.example/privacy --logo logo.png
expect_exit 0 k def load "$HERE/../integration/fixtures/web.kto"
printf 'contact_id,channel,contact_at,email\n' >c.csv
for i in 1 2 3 4; do
	echo "c$i,counter,2026-11-19,burger$i@example.org" >>c.csv
done
printf 'contact_id,channel,contact_at,email\nd1,counter,2026-11-19,d1@example.org\n' >d.csv
expect_exit 0 k contacts import --municipality GM0001 c.csv
expect_exit 0 k contacts import --municipality GM0002 d.csv
expect_exit 0 k wave create --municipality GM0001 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 1
expect_exit 0 k wave sample 1
expect_exit 0 k wave create --municipality GM0002 --from 2026-11-01 --to 2026-11-20 --channels counter --seed 1
expect_exit 0 k wave sample 2
# The tokens as the mail would carry them; closing erases wave 2's.
sqlite3 "$DB" 'SELECT mail_token FROM invitation ORDER BY wave_id, id' >tokens
expect_exit 0 k wave close 2

port=$(free_port)
start_serve "$DB" "$port"
rm -rf "$ARTIFACTS"
timeout 300 node "$HERE/questionnaire.mjs" "http://127.0.0.1:$port" tokens "$ARTIFACTS" ||
	fail "the browser checks failed (screenshots in $ARTIFACTS)"
