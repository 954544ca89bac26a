# Helpers of the mail tests (send.sh, send_faults.sh), sourced after
# lib.sh: real SMTP servers on 127.0.0.1 (scripts/smtpd.py, aiosmtpd) that
# are always stopped by their PID, background `kto send` processes that
# are killed by theirs, a settings file of our own, and the parsed mail.
#
#     HERE=$(cd "$(dirname "$0")" && pwd)
#     . "$HERE/lib.sh"
#     . "$HERE/smtp_lib.sh"

[ -n "$KTO_SOURCE_DIR" ] || { echo "set KTO_SOURCE_DIR" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "the mail tests need the sqlite3 CLI" >&2; exit 2; }
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    { echo "the mail tests need aiosmtpd (Debian python3-aiosmtpd)" >&2; exit 2; }

MAILCHECK=$HERE/mailcheck.py

# Nothing from the caller's environment or machine may change the
# settings: an empty settings file of our own (so that neither ./kto.conf
# nor /etc/kto/kto.conf is read) and no KTO_* overrides.
for v in KTO_SMTP_URL KTO_SMTP_TLS KTO_SMTP_USER KTO_SMTP_PASSWORD_FILE \
    KTO_SMTP_PASSWORD KTO_SMTP_CONNECTIONS KTO_SMTP_RATE \
    KTO_SMTP_CONNECT_TIMEOUT KTO_SMTP_TIMEOUT KTO_SMTP_CA_FILE KTO_PUBLIC_URL \
    KTO_OPTOUT_MAILTO KTO_MAIL_RETRY_MAX_HOURS; do
	unset "$v"
done
: >"$T/kto.conf"
KTO_CONFIG=$T/kto.conf
export KTO_CONFIG


SERVER_PIDS=""
SENDER_PIDS=""
TIMEOUT_PIDS=""
# On exit: stop our servers (SIGTERM), senders (SIGKILL) and senders run
# by timeout(1) (SIGTERM, which timeout passes on), by PID only.
smtp_cleanup() {
	for _p in $SENDER_PIDS; do
		kill -9 "$_p" 2>/dev/null
	done
	for _p in $TIMEOUT_PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _p in $SERVER_PIDS; do
		kill "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
}
trap 'smtp_cleanup; cd / && rm -rf "$T"' EXIT

# start_smtpd NAME [smtpd.py OPTION...]: a server that stores its mail in
# $T/NAME; waits (at most 20 s) until it listens.  Sets PORT, SMTP (the
# URL) and SMTPD_PID.  --port P reuses a port (the server down, then up).
start_smtpd() {
	_name=$1
	shift
	rm -f "$T/$_name.port"
	"$PYTHON" "$KTO_SOURCE_DIR/scripts/smtpd.py" --dir "$T/$_name" \
	    --port-file "$T/$_name.port" "$@" >"$T/$_name.log" 2>&1 &
	SMTPD_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SMTPD_PID"
	_i=0
	while [ ! -s "$T/$_name.port" ]; do
		if ! kill -0 "$SMTPD_PID" 2>/dev/null; then
			cat "$T/$_name.log" >&2
			fail "the SMTP server $_name did not start"
		fi
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || fail "the SMTP server $_name is not listening after 20 s"
		sleep 0.1
	done
	PORT=$(cat "$T/$_name.port")
	SMTP=smtp://127.0.0.1:$PORT
}

# stop_smtpd PID: stops one server and waits for it.
stop_smtpd() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	_rest=""
	for _p in $SERVER_PIDS; do
		[ "$_p" = "$1" ] || _rest="$_rest $_p"
	done
	SERVER_PIDS=$_rest
}

# start_serve DB PORT [kto serve OPTION...]: kto serve on 127.0.0.1:PORT,
# its log in serve.log; waits (at most 10 s) until /healthz answers.
# Sets SERVE_PID; stopped on exit like the other servers.
start_serve() {
	_db=$1 _port=$2
	shift 2
	"$KTO" --db "$_db" serve --listen "127.0.0.1:$_port" "$@" >serve.out 2>serve.log &
	SERVE_PID=$!
	SERVER_PIDS="$SERVER_PIDS $SERVE_PID"
	_i=0
	until curl -s -o /dev/null "http://127.0.0.1:$_port/healthz"; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || { cat serve.log >&2; fail "kto serve did not start"; }
		sleep 0.1
	done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (now).
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# mail_count DIR: how many messages the server in DIR accepted.
mail_count() {
	if [ -d "$1" ]; then
		find "$1" -name '*.eml' | wc -l | tr -d ' '
	else
		echo 0
	fi
}

# read_mail DIR: parses the messages of DIR (mailcheck.py) into
# $T/DIR.json, with the links to $BASE_URL picked out, for expect_mail.
read_mail() {
	MAIL_JSON=$T/$1.json
	"$PYTHON" "$MAILCHECK" messages "$T/$1" "$BASE_URL" >"$MAIL_JSON" ||
	    fail "cannot parse the messages in $1"
}

# expect_mail PYTHON [ARG...]: as expect_json, with `d` the messages that
# read_mail parsed last (a list, in the order the server took them).
expect_mail() {
	_code=$1
	shift
	"$PYTHON" -c 'import json, os, sys
d = json.load(open(sys.argv[1], "rb"))
args = [os.fsencode(a) for a in sys.argv[3:]]
exec(sys.argv[2])' "$MAIL_JSON" "$_code" "$@" || fail "mail check failed: $_code"
}

# json_get EXPR: a value of the JSON on stdout (d is the document).
json_get() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1], "rb"))
print(eval(sys.argv[2]))' "$OUT" "$1" || fail "cannot read $1 from the JSON"
}

# q SQL: the sqlite3 CLI on $DB.
q() {
	sqlite3 "$DB" "$1" || fail "sqlite3: $1"
}
