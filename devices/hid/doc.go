// SPDX-License-Identifier: AGPL-3.0-or-later

// Package hid drives the counter's USB HID devices: the rating pad (评价器)
// at each window and the QR code reader that checks appointments in and
// scans tickets at a kiosk or a window.
//
// It has four parts, each usable alone:
//
//   - BootKeyboard decodes standard 8-byte boot keyboard reports (modifier
//     byte, reserved byte, up to six key codes) into key-down edges: a key
//     held down, however many reports repeat it, goes down once; ASCII maps
//     key codes through the US layout.
//   - KeyDecoder turns a rating pad's reports into Key events through a
//     KeyMap from config: either boot keyboard usages (cheap pads are 5-key
//     keypads typing 1..5) or report bytes (vendor pads). KeyMaps returns
//     the generic keyboard map and two example vendor maps; CodeKeys makes
//     a pad model's own map from config's short form (key code → level).
//   - ScanDecoder assembles a scan (a URL, a check-in code) from several
//     reports of a QR reader: POSDecoder for HID-POS mode (vendor "scanned
//     data" reports: report ID 0x02, a length byte, up to 56 data bytes and
//     a continuation flag, as Honeywell and Newland readers send them) and
//     KeyboardDecoder for keyboard emulation (boot keyboard reports, US
//     layout, the scan ending at Enter). Both drop a half-received scan after
//     a gap longer than their timeout.
//   - Dev reads one open Device (the transport) in a goroutine that ends
//     when the device is closed; WatchKeys and WatchScans run the decoders
//     on it; Run, RunPad and RunScanner find the device by VID:PID through a
//     Bus, re-enumerate with a backoff after an unplug, and report it online
//     and offline as devices.Status values, once per change.
//
// USB returns the real Bus: github.com/karalabe/usb, which vendors hidapi
// and libusb and builds them with cgo (on Linux: hidapi's libusb backend
// over usbfs, hotplug by netlink; no libudev or system libusb). Without cgo
// it enumerates nothing and USB's Enumerate fails with ErrUnsupported.
// Opening a device claims its interface and detaches the kernel's usbhid
// driver from it, so a reader or pad in keyboard mode stops typing into the
// focused window while kioskd holds it (and until it is replugged). The
// process needs write access to /dev/bus/usb/BBB/DDD, e.g. a udev rule:
//
//	SUBSYSTEM=="usb", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="e026", MODE="0660", GROUP="kioskd"
//
// The package never logs: errors carry the "hid: " prefix and wrap the
// sentinel errors below; problems a watch survives (a malformed report, a
// dropped half scan) go to Opts.Errors.
package hid
