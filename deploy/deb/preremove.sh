#!/bin/sh
# kioskd prerm: stop the services on removal (an upgrade restarts them in postinst).
set -e
case "${1:-remove}" in
remove | deconfigure)
	if command -v systemctl >/dev/null; then
		if [ -d /run/systemd/system ]; then
			systemctl stop kioskd-chromium.service kioskd.service || true
		fi
		systemctl disable kioskd-chromium.service kioskd.service >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
