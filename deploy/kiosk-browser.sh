#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# kiosk-browser.sh: the terminal's touch screen, run by kioskd-chromium.service
# (installed as /usr/lib/kioskd/kiosk-browser.sh).
#
# Waits for kioskd's /healthz, then runs Chromium in kiosk mode inside cage, a
# Wayland compositor that shows one full-screen application and nothing else
# (no desktop, no window switching; `cage` and `chromium` from Debian). When
# Chromium exits, cage exits, and systemd starts both again (Restart=always).
#
# Environment (from /etc/kioskd/terminal.env):
#   TERMINAL_PAGE          kiosk | window | guide | display | admin (default kiosk)
#   TERMINAL_TOKEN         this terminal's token from /etc/kioskd/kioskd.toml (required)
#   KIOSKD_URL             default http://127.0.0.1:8080
#   CHROMIUM_EXTRA_FLAGS   more Chromium flags, e.g. --force-device-scale-factor=1.25
#   CAGE_FLAGS             cage flags (default -d: no client-side decorations)
# `kiosk-browser.sh --print` prints the command instead of running it.
set -euo pipefail

KIOSKD_URL=${KIOSKD_URL:-http://127.0.0.1:8080}
KIOSKD_URL=${KIOSKD_URL%/}
TERMINAL_PAGE=${TERMINAL_PAGE:-kiosk}
TERMINAL_TOKEN=${TERMINAL_TOKEN:-}

log() { echo "kiosk-browser: $*" >&2; }

case $TERMINAL_PAGE in
kiosk | window | guide | display | admin) ;;
*) log "TERMINAL_PAGE=$TERMINAL_PAGE is not kiosk, window, guide, display or admin (/etc/kioskd/terminal.env)"; exit 78 ;;
esac
if [ ${#TERMINAL_TOKEN} -lt 16 ] || [[ $TERMINAL_TOKEN == REPLACE-ME* ]] || [[ ! $TERMINAL_TOKEN =~ ^[A-Za-z0-9._~-]+$ ]]; then
	log "TERMINAL_TOKEN in /etc/kioskd/terminal.env is unset or not a token (16+ characters: letters, digits, . _ ~ -); copy this terminal's token from /etc/kioskd/kioskd.toml"
	exit 78
fi
url="$KIOSKD_URL/$TERMINAL_PAGE?token=$TERMINAL_TOKEN"

profile=${STATE_DIRECTORY:-${XDG_RUNTIME_DIR:-/tmp}}/chromium
# shellcheck disable=SC2206,SC2054 # the extra flags are split on purpose; commas are in values
flags=(
	--kiosk
	--incognito
	--user-data-dir="$profile"
	--ozone-platform=wayland
	--noerrdialogs
	--disable-translate
	--disable-features=Translate,TranslateUI,MediaRouter
	--disable-pinch
	--overscroll-history-navigation=0
	--autoplay-policy=no-user-gesture-required
	--disable-background-networking
	--disable-component-update
	--disable-sync
	--no-first-run
	--no-default-browser-check
	--password-store=basic
	--check-for-update-interval=31536000
	--disable-session-crashed-bubble
	--hide-crash-restore-bubble
	--lang=zh-CN
	${CHROMIUM_EXTRA_FLAGS:-}
)
# shellcheck disable=SC2206
cage_flags=(${CAGE_FLAGS:--d})

if [ "${1:-}" = --print ]; then
	printf '%q ' cage "${cage_flags[@]}" -- chromium "${flags[@]}" "${url%%\?*}?token=…"
	echo
	exit 0
fi

# healthy: GET $KIOSKD_URL/healthz answers 200
healthy() {
	if command -v curl >/dev/null; then
		curl -fsS -o /dev/null --max-time 3 "$KIOSKD_URL/healthz" 2>/dev/null
		return
	fi
	# no curl: bash's /dev/tcp (plain http only)
	local hostport=${KIOSKD_URL#http://} status
	hostport=${hostport%%/*}
	local host=${hostport%:*} port=${hostport##*:}
	[ "$host" != "$hostport" ] || port=80
	{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
	printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3
	IFS= read -r -t 3 status <&3 || status=
	exec 3>&-
	[[ $status == HTTP/1.?\ 200* ]]
}

waited=0
until healthy; do
	if [ $((waited % 30)) -eq 0 ]; then
		log "waiting for kioskd at $KIOSKD_URL/healthz"
	fi
	sleep 1
	waited=$((waited + 1))
done
[ "$waited" -eq 0 ] || log "kioskd answered after ${waited}s"

# a fresh profile each start: nothing of the last citizen survives a restart
rm -rf "$profile"
mkdir -p "$profile"

log "starting ${TERMINAL_PAGE} page on ${KIOSKD_URL}"
exec cage "${cage_flags[@]}" -- chromium "${flags[@]}" "$url"
