# The municipalities' portal in a real browser (portal.mjs): sign-in by
# keyboard, a manager's upload, new wave, sample, results and letter, the
# team's overview, at 360x640 and at 1280 wide, JavaScript off, and
# axe-core's WCAG 2.1 A and AA rules on every portal page type.  Needs
# Debian's chromium and the npm packages of tests/browser
# (scripts/install-deps.sh installs both).  Screenshots are kept in
# $KTO_PORTAL_ARTIFACTS (default: browser-portal-artifacts in the working
# directory ctest gives, i.e. the build tree; apart from browser.sh's, as
# each script empties its own).
HERE=$(cd "$(dirname "$0")" && pwd)
ARTIFACTS=${KTO_PORTAL_ARTIFACTS:-$(pwd)/browser-portal-artifacts}
. "$HERE/../integration/lib.sh"
. "$HERE/../integration/smtp_lib.sh"     # free_port; servers stopped on exit

[ -x /usr/bin/chromium ] || fail "chromium is missing: run scripts/install-deps.sh"
[ -d "$HERE/node_modules/playwright-core" ] && [ -d "$HERE/node_modules/axe-core" ] ||
	fail "the npm packages are missing: run scripts/install-deps.sh"

# The demo's waves run to 20 November; the portal is used on 5 December,
# when a new wave of 1 to 4 December can be sampled (contacts at most a
# week old) without the demo's contacts in it.
KTO_NOW=2026-11-20T12:00:00
export KTO_NOW
from=2026-12-01
to=2026-12-04
DB=$T/portal.db
k() {
	timeout 60 "$KTO" --db "$DB" "$@"
}
# The demo's municipalities, 40 synthetic responses per channel and wave
# (the overall mark, three areas and a norm, so that every chart and table
# of the results page is there), and a computed result set.
expect_exit 0 k demo
sqlite3 "$DB" <<'EOF' || fail "synthetic responses"
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 40)
INSERT INTO response (wave_id, municipality_id, channel, def_version_id, state,
                      completed_at)
SELECT w.id, w.municipality_id, wc.channel, wc.def_version_id, 'complete',
       '2026-11-20T10:00:00Z'
FROM wave w JOIN wave_channel wc ON wc.wave_id = w.id, k;
CREATE TEMP TABLE item (channel TEXT, item TEXT, shift INTEGER);
INSERT INTO item VALUES
  ('counter', 'B18', 0), ('counter', 'B10', 1), ('counter', 'B12', 0), ('counter', 'B09', -1),
  ('phone', 'T15', 0), ('phone', 'T09', 1), ('phone', 'T10', 0), ('phone', 'T08', -1),
  ('email', 'E14', 0), ('email', 'E12', 1), ('email', 'E09', 0), ('email', 'E08', -1);
INSERT INTO answer (response_id, item, value_num)
SELECT r.id, it.item,
       max(1, min(10, 5 + (r.id * 7 + r.municipality_id) % 5 +
                      CASE WHEN it.shift = 0 THEN 0 ELSE it.shift * (r.id % 3) END))
FROM response r JOIN item it ON it.channel = r.channel;
INSERT INTO answer (response_id, item, value_text)
SELECT id, 'B17', CASE WHEN id % 5 = 0 THEN 'terugkomen' ELSE 'opgelost' END
FROM response WHERE channel = 'counter';
EOF
year=$(sqlite3 "$DB" 'SELECT min(substr(period_from, 1, 4)) FROM wave')
expect_exit 0 k results compute --year "$year"
# A manager of GM0375 and the team; their generated passwords.
for who in "beheer@example.org --role manager --municipality GM0375" \
	"team@example.org --role team"; do
	# shellcheck disable=SC2086
	expect_exit 0 k user add $who --json
	"$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["password"])' \
		"$OUT" >>passwords || fail "no password in kto user add --json"
done

KTO_NOW=2026-12-05T12:00:00
port=$(free_port)
start_serve "$DB" "$port"
rm -rf "$ARTIFACTS"
timeout 300 node "$HERE/portal.mjs" "http://127.0.0.1:$port" passwords "$ARTIFACTS" "$from" "$to" ||
	fail "the portal's browser checks failed (screenshots in $ARTIFACTS)"
