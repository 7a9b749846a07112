#!/bin/sh
# Enables SANE's "test" backend (a virtual scanner) for the scanner tests:
# Debian ships it commented out in /etc/sane.d/dll.conf.
set -e
conf=/etc/sane.d/dll.conf
[ -f "$conf" ] || exit 0
if ! grep -Eq '^[[:space:]]*test[[:space:]]*$' "$conf"; then
	sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
	if grep -Eq '^#[[:space:]]*test[[:space:]]*$' "$conf"; then
		$sudo sed -i -E 's/^#[[:space:]]*test[[:space:]]*$/test/' "$conf"
	else
		echo test | $sudo tee -a "$conf" >/dev/null
	fi
fi
