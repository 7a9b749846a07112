#!/bin/sh
# kioskd postinst: group memberships, file modes, reload systemd and udev,
# enable and (re)start kioskd.
set -e

case "${1:-configure}" in
configure) ;;
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

if command -v systemctl >/dev/null; then
	if [ -z "$previous" ]; then
		# first install: start at boot (the touch screen unit is enabled by hand)
		systemctl enable kioskd.service >/dev/null 2>&1 || true
	fi
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
		systemctl restart systemd-modules-load.service >/dev/null 2>&1 || true
		if [ -z "$previous" ]; then
			# skipped, not failed, while the config has REPLACE-ME tokens
			systemctl start kioskd.service || true
		else
			systemctl try-restart kioskd.service || true
		fi
	fi
fi

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
