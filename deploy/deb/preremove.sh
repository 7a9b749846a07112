#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# kioskd prerm: stop the services on removal (an upgrade restarts them in
# postinst), as debhelper's dh_installsystemd writes it.
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ "${1:-}" = remove ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop kioskd-chromium.service kioskd.service >/dev/null || true
fi
exit 0
