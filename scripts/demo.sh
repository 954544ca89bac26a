#!/bin/sh
# make demo: builds the demo database, mails the invitations to a local SMTP
# server, and serves the web pages.  Usage: scripts/demo.sh KTO BUILD_DIR
set -eu
kto=$1
dir=$2/demo
db=$dir/kto-demo.db
src=$(cd "$(dirname "$0")/.." && pwd)
listen=${KTO_LISTEN:-127.0.0.1:8080}

mkdir -p "$dir"
"$kto" --db "$db" demo

echo
echo "5. The invitations, delivered to a local SMTP server (scripts/smtpd.py)"
rm -f "$dir/smtp.port"
/usr/bin/python3 "$src/scripts/smtpd.py" --dir "$dir/mail" \
    --port-file "$dir/smtp.port" >"$dir/smtpd.log" 2>&1 &
smtpd=$!
trap 'kill $smtpd 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do [ -s "$dir/smtp.port" ] && break; sleep 0.1; done
if [ ! -s "$dir/smtp.port" ]; then
  echo "demo: the local SMTP server did not start; see $dir/smtpd.log" >&2
  exit 1
fi
KTO_PUBLIC_URL="http://$listen" "$kto" --db "$db" send \
    --smtp "smtp://127.0.0.1:$(cat "$dir/smtp.port")"
kill $smtpd 2>/dev/null || true
trap - EXIT INT TERM
echo "   The mails are in $dir/mail/: one .eml file per message, which any"
echo "   mail program opens (the .env file beside it has the envelope)."
echo "   Their opt-out links work while the server below runs."

echo
echo "6. Synthetic citizens answer through the web form (scripts/demo_respond.py)"
"$kto" --db "$db" serve --listen "$listen" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
  curl -s -o /dev/null "http://$listen/healthz" && break
  sleep 0.1
done
/usr/bin/python3 "$src/scripts/demo_respond.py" "http://$listen" "$dir/mail" 0.4

echo
echo "7. The report marks of Kring C (kto results compute, kto results show)"
year=$(date -d "13 days ago" +%Y)   # the demo waves start 13 days back
"$kto" --db "$db" results compute --year "$year"
"$kto" --db "$db" results show --year "$year" --circle kring-c --variable TOT
echo "   Everything, with % voldoende, norms, comparisons and drivers:"
echo "   $kto --db $db results show --year $year --municipality GM0375 [--json]"

echo
echo "8. Demo logins for the portal (a new password on every run)"
demo_login() {   # EMAIL ROLE [CODE]: the account's password, made or renewed
  if "$kto" --db "$db" user add "$1" --role "$2" ${3:+--municipality "$3"} --json \
      >"$dir/login.json" 2>/dev/null; then :; else
    "$kto" --db "$db" user reset "$1" | sed -n 's/.*shown only now: //p' |
        awk '{ printf "{\"password\": \"%s\"}", $1 }' >"$dir/login.json"
  fi
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["password"])' \
      "$dir/login.json"
}
team_pw=$(demo_login team@kto-demo.nl team)
town_pw=$(demo_login beheer@beverwijk.kto-demo.nl manager GM0375)
rm -f "$dir/login.json"
echo "   The team (every municipality):   team@kto-demo.nl / $team_pw"
echo "   Beverwijk (GM0375, a manager):   beheer@beverwijk.kto-demo.nl / $town_pw"

echo
echo "9. kto serve goes on at http://$listen (Ctrl-C stops the demo)"
echo "   The portal: http://$listen/portal"
echo "   The server's access log: $dir/serve.log"
wait $server
