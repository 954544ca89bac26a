#!/bin/sh
# Reports calls of libc functions kto bans because they cannot report
# errors or overflow their destination (STYLE.md, after curl's checksrc):
#
#   atoi atol atoll sprintf vsprintf strcpy strcat strtok sscanf gets
#
# Use kto_parse_i64/kto_parse_double, snprintf or a struct kto_buf, memcpy
# with a known length, and hand-written or PCRE2 parsing instead.
#
# Usage: scripts/check-banned.sh [SOURCE_DIR]   (default: the repository)
#
# Looks at every *.c and *.h under base engine stats report web cli.  A call is the
# name as a whole word followed by '('; comments and string and character
# literals are ignored.  Prints FILE:LINE: TEXT for each call and exits 1
# when there is any, 0 when there is none, 2 when it cannot check.
set -u

src=${1:-$(dirname "$0")/..}
if [ ! -d "$src" ]; then
	echo "check-banned: '$src' is not a directory" >&2
	exit 2
fi

set --
for d in base engine stats report web cli; do
	[ -d "$src/$d" ] && set -- "$@" "$src/$d"
done
if [ $# -eq 0 ]; then
	echo "check-banned: none of base engine stats report web cli under '$src'" >&2
	exit 2
fi

# Blanks out comments and literals (keeping line numbers), then matches.
prog='
FNR == 1 { incomment = 0 }
{
	line = $0
	out = ""
	n = length(line)
	i = 1
	while (i <= n) {
		c = substr(line, i, 1)
		c2 = substr(line, i, 2)
		if (incomment) {
			if (c2 == "*/") {
				incomment = 0
				out = out " "
				i += 2
			} else {
				i++
			}
			continue
		}
		if (c2 == "/*") {
			incomment = 1
			i += 2
			continue
		}
		if (c2 == "//")
			break
		if (c == "\"" || c == "\047") {
			q = c
			i++
			while (i <= n) {
				d = substr(line, i, 1)
				if (d == "\\") {
					i += 2
					continue
				}
				if (d == q)
					break
				i++
			}
			out = out q q
			i++
			continue
		}
		out = out c
		i++
	}
	if (out ~ /(^|[^A-Za-z0-9_])(atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|strtok|sscanf|gets)[ \t]*\(/)
		print FILENAME ":" FNR ": " line
}
'

hits=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) -exec awk "$prog" {} +)
status=$?
if [ $status -ne 0 ]; then
	echo "check-banned: the search failed (status $status)" >&2
	exit 2
fi
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sort
	count=$(printf '%s\n' "$hits" | wc -l | tr -d ' ')
	echo "check-banned: $count call(s) of banned functions; see scripts/check-banned.sh for what to use instead" >&2
	exit 1
fi
exit 0
