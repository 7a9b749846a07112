#!/bin/sh
# kioskd-set-tokens: give every terminal a random token in place of the
# example's REPLACE-ME placeholders (installed as /usr/sbin/kioskd-set-tokens).
#
#   kioskd-set-tokens [CONFIG [TERMINAL_ENV]]
#       default /etc/kioskd/kioskd.toml and /etc/kioskd/terminal.env
#
# One placeholder gets the same token in both files, so terminal.env's
# REPLACE-ME-kiosk-1-token becomes kiosk-1's token. Commented-out lines are
# left alone. A token is 32 hex digits (openssl rand -hex 16). Afterwards it
# prints each terminal's page address (keep that list: it holds the tokens).
set -eu
# SPDX-License-Identifier: AGPL-3.0-or-later

case ${1:-} in
-h | --help)
	# the comment above (the manual page is made from it too)
	sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//; s/^#$//'
	exit 0
	;;
esac

conf=${1:-/etc/kioskd/kioskd.toml}
envf=${2:-/etc/kioskd/terminal.env}
[ -f "$conf" ] || { echo "kioskd-set-tokens: $conf: no such file" >&2; exit 1; }
[ -f "$envf" ] || envf=

newtoken() {
	openssl rand -hex 16 2>/dev/null || od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

placeholders=$(cat "$conf" ${envf:+"$envf"} | grep -v '^[[:space:]]*#' | grep -o 'REPLACE-ME-[A-Za-z0-9._-]*' | sort -u || true)
n=0
for p in $placeholders; do
	tok=$(newtoken)
	[ ${#tok} -eq 32 ] || { echo "kioskd-set-tokens: cannot make a random token" >&2; exit 1; }
	for f in "$conf" $envf; do
		sed -i "/^[[:space:]]*#/!s/$p\([^A-Za-z0-9._-]\|\$\)/$tok\1/g" "$f"
	done
	n=$((n + 1))
done
echo "kioskd-set-tokens: $n token(s) set in $conf${envf:+ and $envf}"

# the terminals and their pages: lines with id, role and token
host=$(sed -n 's/^[[:space:]]*public_url[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$conf" | head -n 1)
[ -n "$host" ] || host=http://HOST:8080
grep -v '^[[:space:]]*#' "$conf" | grep -E '\bid[[:space:]]*=.*\btoken[[:space:]]*=' |
	sed -n 's/.*\bid[[:space:]]*=[[:space:]]*"\([^"]*\)".*\brole[[:space:]]*=[[:space:]]*"\([^"]*\)".*\btoken[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1 \2 \3/p' |
	while read -r id role tok; do
		printf '  %-12s %s/%s?token=%s\n' "$id" "$host" "$role" "$tok"
	done
