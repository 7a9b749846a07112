#!/bin/sh
# kioskd postrm: forget the units and rules. Purge removes the browser's
# profile but never /var/lib/kioskd: the database holds the hall's tickets,
# cases and ratings (official records); delete it by hand if you mean it.
# The users kioskd and kioskd-ui are kept (files may still belong to them).
set -e
case "${1:-remove}" in
remove | purge)
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		systemctl daemon-reload || true
	fi
	if [ -d /run/udev ] && command -v udevadm >/dev/null; then
		udevadm control --reload || true
	fi
	;;
esac
if [ "${1:-}" = purge ]; then
	rm -rf /var/lib/kioskd-ui
	if [ -d /var/lib/kioskd ]; then
		echo "kioskd: kept /var/lib/kioskd (database, keys, materials); remove it by hand if it is no longer needed"
	fi
fi
exit 0
