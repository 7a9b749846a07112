#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# kioskd preinst: the system users exist before the files are unpacked, so
# /etc/kioskd/kioskd.toml can be root:kioskd.
set -e

nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/bin/false

# kioskd: the daemon (devices, database under /var/lib/kioskd)
if ! getent group kioskd >/dev/null; then
	groupadd --system kioskd
fi
if ! getent passwd kioskd >/dev/null; then
	useradd --system --gid kioskd --home-dir /var/lib/kioskd --no-create-home \
		--shell "$nologin" --comment "kioskd service hall daemon" kioskd
fi

# kioskd-ui: the touch screen's browser (kioskd-chromium.service); no device
# or database access beyond the display and input its logind session grants
if ! getent group kioskd-ui >/dev/null; then
	groupadd --system kioskd-ui
fi
if ! getent passwd kioskd-ui >/dev/null; then
	useradd --system --gid kioskd-ui --home-dir /var/lib/kioskd-ui --no-create-home \
		--shell "$nologin" --comment "kioskd touch screen browser" kioskd-ui
fi
exit 0
