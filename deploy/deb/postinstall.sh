#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# kioskd postinst: group memberships, file modes, reload systemd and udev,
# enable and (re)start kioskd (deb-systemd-helper, deb-systemd-invoke).
set -e

case "${1:-}" in
configure | abort-upgrade | abort-deconfigure | abort-remove) ;;
*) exit 0 ;;
esac
previous=${2:-}

# device groups: serial ports (dialout), usblp printers (lp), the udev rules'
# HID devices (plugdev), USB scanners (scanner, when sane-utils made it)
for g in dialout lp plugdev scanner; do
	if getent group "$g" >/dev/null; then usermod -a -G "$g" kioskd; fi
done
# the browser: display and input (logind grants them too, on the seat)
for g in video input render audio; do
	if getent group "$g" >/dev/null; then usermod -a -G "$g" kioskd-ui; fi
done

# the config holds tokens
if [ -f /etc/kioskd/kioskd.toml ]; then
	chown root:kioskd /etc/kioskd/kioskd.toml
	chmod 0640 /etc/kioskd/kioskd.toml
fi
if [ -f /etc/kioskd/terminal.env ]; then
	chown root:root /etc/kioskd/terminal.env
	chmod 0600 /etc/kioskd/terminal.env
fi

# udev: the rules and the drivers
if [ -d /run/udev ] && command -v udevadm >/dev/null; then
	udevadm control --reload || true
	udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usbmisc \
		--subsystem-match=hidraw --subsystem-match=usb || true
fi

# systemd, as debhelper's dh_installsystemd writes it: deb-systemd-helper
# records what the package enabled (kioskd.service on the first install;
# kioskd-chromium.service only where it was enabled by hand, so it is kept
# enabled across upgrades), deb-systemd-invoke starts and restarts (and
# honours policy-rc.d)
case "$1" in
configure | abort-upgrade | abort-deconfigure | abort-remove)
	deb-systemd-helper unmask kioskd.service >/dev/null || true
	if deb-systemd-helper --quiet was-enabled kioskd.service; then
		deb-systemd-helper enable kioskd.service >/dev/null || true
	else
		deb-systemd-helper update-state kioskd.service >/dev/null || true
	fi
	if deb-systemd-helper debian-installed kioskd-chromium.service; then
		deb-systemd-helper unmask kioskd-chromium.service >/dev/null || true
		if deb-systemd-helper --quiet was-enabled kioskd-chromium.service; then
			deb-systemd-helper enable kioskd-chromium.service >/dev/null || true
		fi
	fi
	deb-systemd-helper update-state kioskd-chromium.service >/dev/null || true

	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		# the drivers of deploy/modules-load (kioskd.conf), now rather than at the next boot
		deb-systemd-invoke restart systemd-modules-load.service >/dev/null 2>&1 || true
		if [ -z "$previous" ]; then
			# skipped, not failed, while the config has REPLACE-ME tokens
			deb-systemd-invoke start kioskd.service || true
		else
			deb-systemd-invoke try-restart kioskd.service || true
		fi
	fi
	;;
esac

if grep -q '^[^#]*REPLACE-ME' /etc/kioskd/kioskd.toml 2>/dev/null; then
	cat <<'MSG'
kioskd: /etc/kioskd/kioskd.toml still has the example's REPLACE-ME tokens, so
kioskd will not start. Edit it (terminals, devices), then:
    sudo kioskd-set-tokens          # random tokens; prints every terminal's address
    sudo kioskd serve --config /etc/kioskd/kioskd.toml --check
    sudo systemctl start kioskd
    sudo systemctl enable --now kioskd-chromium   # the touch screen (apt install cage chromium)
MSG
fi
exit 0
