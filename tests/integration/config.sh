# kto config show and the settings file: where it is looked for, --config
# and $KTO_CONFIG, the environment over the file, every kind of mistake
# reported as FILE:LINE, the password (never printed, never from a file
# others can read), and --json.
. "$(dirname "$0")/lib.sh"

# Nothing from the caller's environment may leak into these checks.
for v in KTO_CONFIG KTO_SMTP_URL KTO_SMTP_TLS KTO_SMTP_USER \
    KTO_SMTP_PASSWORD_FILE KTO_SMTP_PASSWORD KTO_SMTP_CONNECTIONS KTO_SMTP_RATE \
    KTO_SMTP_CONNECT_TIMEOUT KTO_SMTP_TIMEOUT KTO_SMTP_CA_FILE KTO_PUBLIC_URL \
    KTO_OPTOUT_MAILTO KTO_MAIL_RETRY_MAX_HOURS; do
	unset "$v"
done

# --help: the root documents --config, the command every key.
expect_exit 0 "$KTO" --help
expect_stdout_contains "--config FILE"
expect_stdout_contains "config"
expect_exit 0 "$KTO" config --help
expect_stdout_contains "show"
expect_exit 0 "$KTO" config show --help
expect_stdout_contains "Usage: kto config show"
for key in smtp_url smtp_tls smtp_user smtp_password_file smtp_connections \
    smtp_rate_per_minute smtp_connect_timeout_seconds smtp_timeout_seconds \
    smtp_ca_file public_url optout_mailto mail_retry_max_hours KTO_SMTP_URL \
    KTO_SMTP_PASSWORD KTO_PUBLIC_URL KTO_SMTP_RATE; do
	expect_stdout_contains "$key"
done
expect_exit 2 "$KTO" --config
expect_stderr_contains "'--config' needs a value"
expect_exit 2 "$KTO" config show extra
expect_stderr_contains "unexpected argument"

# No file (unless this machine has a system one): the defaults.
if [ ! -e /etc/kto/kto.conf ]; then
	expect_exit 0 "$KTO" config show
	expect_stdout_contains "Settings file: none"
	expect_stdout_contains "smtp_connections"
	expect_exit 0 "$KTO" config show --json
	expect_json '
assert d["file"] is None, d
s = d["settings"]
assert s["smtp_url"] is None and s["smtp_tls"] == "none", s
assert s["smtp_connections"] == 4 and s["smtp_rate_per_minute"] == 0, s
assert s["smtp_connect_timeout_seconds"] == 10 and s["smtp_timeout_seconds"] == 60, s
assert s["mail_retry_max_hours"] == 72, s
assert s["public_url"] is None and s["optout_mailto"] is None, s
assert s["smtp_password"] == "(not set)", s
assert all(v == "default" for k, v in d["sources"].items() if k != "smtp_password"), d
'
fi

# ./kto.conf in the working directory.
cat >kto.conf <<'EOF'
# the local relay
smtp_url = smtp://127.0.0.1:2525
smtp_connections = 8      # more than the default
public_url = http://127.0.0.1:8080/
EOF
expect_exit 0 "$KTO" config show
expect_stdout_contains "Settings file: /"
expect_stdout_contains "/kto.conf"
expect_stdout_contains "smtp://127.0.0.1:2525"
expect_stdout_contains "kto.conf:2"
expect_exit 0 "$KTO" config show --json
expect_json '
assert d["file"].endswith("/kto.conf"), d
assert d["settings"]["smtp_url"] == "smtp://127.0.0.1:2525", d
assert d["settings"]["smtp_connections"] == 8, d
assert d["settings"]["public_url"] == "http://127.0.0.1:8080", d
assert d["sources"]["smtp_url"] == "file:2", d
assert d["sources"]["smtp_connections"] == "file:3", d
assert d["sources"]["smtp_rate_per_minute"] == "default", d
'

# $KTO_CONFIG over ./kto.conf, --config over both (before or after the command).
mkdir etc
cat >etc/named.conf <<'EOF'
smtp_url = smtps://mail.example.nl
smtp_connections = 3
EOF
cat >etc/other.conf <<'EOF'
smtp_connections = 5
EOF
KTO_CONFIG=$T/etc/named.conf
export KTO_CONFIG
expect_exit 0 "$KTO" config show --json
expect_json '
assert d["file"].endswith("/etc/named.conf"), d
assert d["settings"]["smtp_connections"] == 3, d
assert d["settings"]["smtp_tls"] == "implicit", d
assert d["sources"]["smtp_tls"] == "implied", d
'
expect_exit 0 "$KTO" --config etc/other.conf config show --json
expect_json 'assert d["settings"]["smtp_connections"] == 5 and d["file"].endswith("/etc/other.conf"), d'
expect_exit 0 "$KTO" config show --config "$T/etc/other.conf" --json
expect_json 'assert d["settings"]["smtp_connections"] == 5, d'
expect_exit 0 "$KTO" --config="$T/etc/other.conf" config show --json
expect_json 'assert d["settings"]["smtp_connections"] == 5, d'
# A named file must exist.
expect_exit 1 "$KTO" --config "$T/missing.conf" config show
expect_stdout_empty
expect_stderr_contains "missing.conf"
expect_stderr_contains "does not exist"
expect_exit 1 env KTO_CONFIG="$T/missing.conf" "$KTO" config show
expect_stderr_contains "\$KTO_CONFIG"
unset KTO_CONFIG

# The environment wins over the file, and says so.
# (Through env(1): whether VAR=x before a shell function exports it is
# unspecified in POSIX sh.)
expect_exit 0 env KTO_SMTP_URL=smtp://127.0.0.1:2626 KTO_SMTP_CONNECTIONS=2 \
    KTO_SMTP_RATE=120 KTO_PUBLIC_URL=https://kto.example.nl/ \
    KTO_OPTOUT_MAILTO=afmelden@example.nl KTO_SMTP_TIMEOUT=30 \
    KTO_SMTP_CONNECT_TIMEOUT=4 KTO_MAIL_RETRY_MAX_HOURS=12 \
    "$KTO" config show --json
expect_json '
s, src = d["settings"], d["sources"]
assert s["smtp_url"] == "smtp://127.0.0.1:2626" and src["smtp_url"] == "env:KTO_SMTP_URL", d
assert s["smtp_connections"] == 2 and src["smtp_connections"] == "env:KTO_SMTP_CONNECTIONS", d
assert s["smtp_rate_per_minute"] == 120 and src["smtp_rate_per_minute"] == "env:KTO_SMTP_RATE", d
assert s["public_url"] == "https://kto.example.nl", d
assert s["optout_mailto"] == "afmelden@example.nl", d
assert s["smtp_timeout_seconds"] == 30 and s["smtp_connect_timeout_seconds"] == 4, d
assert s["mail_retry_max_hours"] == 12, d
'
expect_exit 0 env KTO_SMTP_URL=smtp://127.0.0.1:2626 "$KTO" config show
expect_stdout_contains "\$KTO_SMTP_URL"
# An empty variable counts as unset.
expect_exit 0 env KTO_SMTP_URL= "$KTO" config show --json
expect_json 'assert d["settings"]["smtp_url"] == "smtp://127.0.0.1:2525", d'
# A bad value in the environment: exit 1, naming the variable.
expect_exit 1 env KTO_SMTP_CONNECTIONS=0 "$KTO" config show
expect_stdout_empty
expect_stderr_contains "\$KTO_SMTP_CONNECTIONS: smtp_connections must be a whole number from 1 to 32"
expect_exit 1 env KTO_PUBLIC_URL="$(printf 'https://kto.example.nl\r\nX-Evil: 1')" "$KTO" config show
expect_stderr_contains "\$KTO_PUBLIC_URL"
expect_stderr_contains "line break"
expect_stderr_lacks "X-Evil"
expect_exit 1 env KTO_SMTP_TLS=sometimes "$KTO" config show
expect_stderr_contains "none, starttls or implicit"

# Every mistake in the file, each with its line, all in one run.
printf '%s\n' \
    'smtp_url = ftp://mail.example.nl' \
    'smtp_conections = 3' \
    'smtp_connections = lots' \
    'smtp_connections = 4' \
    'public_url = http://kto.example.nl' \
    'no equals sign here' \
    'smtp_password = hunter2' \
    'smtp_rate_per_minute = -5' \
    'smtp_url = smtp://user:pw@mail.example.nl' \
    'mail_retry_max_hours = 10000' >bad.conf
printf 'smtp_user = a\001b\n' >>bad.conf
printf 'smtp_user = caf\351\n' >>bad.conf
expect_exit 1 "$KTO" --config bad.conf config show
expect_stdout_empty
expect_stderr_contains "bad.conf:1: the smtp_url 'ftp://mail.example.nl' must start with smtp:// or smtps://"
expect_stderr_contains "bad.conf:2: unknown key 'smtp_conections'; did you mean 'smtp_connections'?"
expect_stderr_contains "bad.conf:3: smtp_connections must be a whole number from 1 to 32, not 'lots'"
expect_stderr_contains "bad.conf:4: smtp_connections is given twice; it was first set on line 3"
expect_stderr_contains "bad.conf:5: the public_url 'http://kto.example.nl' must start with https://"
expect_stderr_contains "bad.conf:6: expected 'key = value'"
expect_stderr_contains "bad.conf:7: the SMTP password does not go in this file"
expect_stderr_contains "bad.conf:8: smtp_rate_per_minute must be a whole number from 0 to 1000000"
expect_stderr_contains "bad.conf:9: smtp_url is given twice"
expect_stderr_contains "bad.conf:10: mail_retry_max_hours must be a whole number from 1 to 720"
expect_stderr_contains "bad.conf:11: the value of smtp_user contains a line break, a tab or another control character"
expect_stderr_contains "bad.conf:12: the line is not valid UTF-8"
expect_stderr_lacks "hunter2"
[ "$(wc -l <"$ERR")" -eq 12 ] || fail "expected exactly 12 problems"

# The user and password in the URL are refused even when alone.
printf 'smtp_url = smtp://kto:geheim@mail.example.nl\n' >userinfo.conf
expect_exit 1 "$KTO" --config userinfo.conf config show
expect_stderr_contains "userinfo.conf:1: the smtp_url must not contain a user name or password"
expect_stderr_lacks "geheim"

# TLS that contradicts the URL.
printf 'smtp_url = smtps://mail.example.nl\nsmtp_tls = starttls\n' >tls.conf
expect_exit 1 "$KTO" --config tls.conf config show
expect_stderr_contains "tls.conf:2: smtp_tls is 'starttls', but an smtps:// URL"
printf 'smtp_url = smtp://mail.example.nl:587\nsmtp_tls = starttls\n' >tls.conf
expect_exit 0 "$KTO" --config tls.conf config show --json
expect_json 'assert d["settings"]["smtp_tls"] == "starttls" and d["sources"]["smtp_tls"] == "file:2", d'

# The password: from a private file, relative to the settings file.
printf 'smtp_url = smtp://mail.example.nl:587\nsmtp_tls = starttls\n' >etc/auth.conf
printf 'smtp_user = kto\nsmtp_password_file = smtp.secret\n' >>etc/auth.conf
printf 'Geheim-wachtwoord-42\n' >etc/smtp.secret
chmod 600 etc/smtp.secret
expect_exit 0 "$KTO" --config etc/auth.conf config show
expect_stdout_contains "(set)"
expect_stdout_contains "/etc/smtp.secret"
expect_stdout_lacks "Geheim"
expect_stderr_empty
expect_exit 0 "$KTO" --config etc/auth.conf config show --json
expect_json '
assert d["settings"]["smtp_password"] == "(set)", d
assert d["settings"]["smtp_password_file"].endswith("/etc/smtp.secret"), d
assert d["sources"]["smtp_password"] == "smtp_password_file", d
'
expect_stdout_lacks "Geheim"
# Readable by others: refused, saying how to fix it; never printed.
chmod 644 etc/smtp.secret
expect_exit 1 "$KTO" --config etc/auth.conf config show
expect_stderr_contains "can be read or written by other users (mode 0644)"
expect_stderr_contains "chmod 600"
expect_stdout_lacks "Geheim"
expect_stderr_lacks "Geheim"
chmod 640 etc/smtp.secret
expect_exit 1 "$KTO" --config etc/auth.conf config show --json
expect_stderr_contains "mode 0640"
chmod 600 etc/smtp.secret
# The environment's password wins over the file's.
expect_exit 0 env KTO_SMTP_PASSWORD=uit-de-omgeving "$KTO" --config etc/auth.conf config show --json
expect_json 'assert d["sources"]["smtp_password"] == "env:KTO_SMTP_PASSWORD", d'
expect_stdout_lacks "uit-de-omgeving"
# A missing password file.
rm etc/smtp.secret
expect_exit 1 "$KTO" --config etc/auth.conf config show
expect_stderr_contains "cannot open the password file"
# Without TLS to another machine: a warning, not an error.
printf 'smtp_url = smtp://mail.example.nl\nsmtp_user = kto\n' >plain.conf
expect_exit 0 env KTO_SMTP_PASSWORD=x "$KTO" --config plain.conf config show
expect_stderr_contains "plain.conf:2: warning: the SMTP password would travel unencrypted to mail.example.nl"

# A CRLF file (written on Windows) reads like an LF one.
printf 'smtp_url = smtp://127.0.0.1:25\r\nsmtp_connections = 6\r\n' >crlf.conf
expect_exit 0 "$KTO" --config crlf.conf config show --json
expect_json 'assert d["settings"]["smtp_connections"] == 6 and d["settings"]["smtp_url"] == "smtp://127.0.0.1:25", d'

# Commands that do not need the settings ignore a broken file.
expect_exit 0 "$KTO" --db "$T/x.db" --config bad.conf circle list
