#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# kioskd postrm: forget the units and rules. Purge removes the browser's
# profile but never /var/lib/kioskd: the database holds the hall's tickets,
# cases and ratings (official records); delete it by hand if you mean it.
# The users kioskd and kioskd-ui are kept (files may still belong to them).
set -e
case "${1:-}" in
remove | purge)
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
	if [ -d /run/udev ] && command -v udevadm >/dev/null; then
		udevadm control --reload || true
	fi
	;;
esac
# deb-systemd-helper (as debhelper writes it): masked while only the
# configuration is left, forgotten (and unmasked) on purge
if command -v deb-systemd-helper >/dev/null; then
	case "${1:-}" in
	remove) deb-systemd-helper mask kioskd.service kioskd-chromium.service >/dev/null || true ;;
	purge)
		deb-systemd-helper purge kioskd.service kioskd-chromium.service >/dev/null || true
		deb-systemd-helper unmask kioskd.service kioskd-chromium.service >/dev/null || true
		;;
	esac
fi
if [ "${1:-}" = purge ]; then
	rm -rf /var/lib/kioskd-ui
	if [ -d /var/lib/kioskd ]; then
		echo "kioskd: kept /var/lib/kioskd (database, keys, materials); remove it by hand if it is no longer needed"
	fi
fi
exit 0
