#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# scripts/deploy_test.sh: checks of the packaging (deploy/, kioskd.example.toml,
# scripts/dist.sh). Fast with a warm Go build cache; no network once the nfpm
# module is in the module cache. Exits non-zero when a check fails; a check
# whose tool is missing is skipped with a message.
#
#   1. kioskd.example.toml passes `kioskd serve --config ... --check`, and so
#      does it after deploy/kioskd-set-tokens.sh replaced its placeholders
#   2. the systemd units: systemd-analyze verify (no warning allowed), and
#      `systemd-analyze security --offline`: kioskd-chromium's exposure at
#      most 4, kioskd's at most 2
#   3. the udev rules: `udevadm verify` (systemd >= 254), else `udevadm test`
#      in a private mount namespace (fresh /dev, /run, /etc/udev/rules.d, so
#      this machine is not touched) with the fake USB devices of
#      deploy/testdata/*.umockdev (needs root, unshare and umockdev-run)
#   4. the shell scripts parse (bash -n / sh -n; shellcheck when installed)
#   5. the .deb: scripts/dist.sh --deb for this machine's arch, then
#      dpkg-deb -I/-c, SHA256SUMS, the package unpacked into a throwaway root
#      (a stripped PIE whose debug info is in kioskd-dbgsym; manual pages;
#      a DEP-5 copyright file naming every module the binary links, and a
#      check that the check fails when one is missing), lintian (when
#      installed: no error, no warning that is not overridden), and that
#      dist.sh refuses an arch it cannot build before building any
#      (skipped when nfpm cannot be run: not in the module cache, no network)
#   6. the maintainer scripts: dpkg -i, upgrade, remove, purge in a chroot on
#      an overlay of / (changes go to a tmpfs, in a private mount namespace;
#      needs root, unshare and overlayfs)
#
# Environment: GO (default go), KEEP=1 keeps the temporary folder, OFFLINE=1
# never fetches nfpm.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD
# the toolchain go.mod names (the go command fetches it from the module proxy once)
export GOTOOLCHAIN=go1.27.3
GO=${GO:-go}
NFPM_VERSION=${NFPM_VERSION:-v2.45.2}
export NFPM_VERSION

tmp=$(mktemp -d)
if [ "${KEEP:-}" = 1 ]; then trap 'echo "kept $tmp"' EXIT; else trap 'rm -rf "$tmp"' EXIT; fi

failures=0
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
skip() { echo "skip  $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# --- 1. the example config -----------------------------------------------------
bin=$tmp/kioskd
# built as scripts/dist.sh builds it (a PIE with a GNU build ID), which packages this binary in 5.
if ! $GO build -trimpath -buildmode=pie -ldflags "-X main.version=v1.2.3-4-gabcdef0 -X main.commit=abcdef0 -B gobuildid -extldflags=-Wl,-z,now" -o "$bin" ./cmd/kioskd 2>"$tmp/build.log"; then
	cat "$tmp/build.log"
	fail "go build ./cmd/kioskd"
	echo "deploy_test: $failures check(s) failed"
	exit 1
fi
if out=$("$bin" serve --config kioskd.example.toml --check 2>&1); then
	pass "kioskd serve --config kioskd.example.toml --check: $out"
else
	fail "kioskd.example.toml: $out"
fi
cp kioskd.example.toml "$tmp/kioskd.toml"
cp deploy/terminal.env "$tmp/terminal.env"
if ! sh deploy/kioskd-set-tokens.sh "$tmp/kioskd.toml" "$tmp/terminal.env" >"$tmp/tokens.out" 2>&1; then
	fail "kioskd-set-tokens: $(cat "$tmp/tokens.out")"
elif grep -q '^[^#]*REPLACE-ME' "$tmp/kioskd.toml" "$tmp/terminal.env"; then
	fail "kioskd-set-tokens left REPLACE-ME tokens: $(grep -n '^[^#]*REPLACE-ME' "$tmp/kioskd.toml" "$tmp/terminal.env" | head -3)"
elif ! out=$("$bin" serve --config "$tmp/kioskd.toml" --check 2>&1); then
	fail "the example after kioskd-set-tokens: $out"
else
	kiosk_tok=$(sed -n 's/.*id = "kiosk-1".*token = "\([^"]*\)".*/\1/p' "$tmp/kioskd.toml")
	if [ ${#kiosk_tok} -eq 32 ] && grep -qx "TERMINAL_TOKEN=$kiosk_tok" "$tmp/terminal.env"; then
		pass "kioskd-set-tokens: random tokens, still valid, terminal.env has kiosk-1's"
	else
		fail "kioskd-set-tokens: terminal.env does not hold kiosk-1's token"
	fi
fi

# --- 2. systemd units -------------------------------------------------------------
if have systemd-analyze; then
	mkdir -p "$tmp/units"
	for u in deploy/systemd/*.service; do
		# verify checks that the programs exist: point them at this tree
		sed -e "s#/usr/bin/kioskd #$bin #; s#/usr/lib/kioskd/kiosk-browser.sh#$repo/deploy/kiosk-browser.sh#" \
			"$u" >"$tmp/units/${u##*/}"
	done
	if out=$(systemd-analyze verify "$tmp"/units/*.service 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify $(cd deploy/systemd && echo *.service)"
	else
		fail "systemd-analyze verify: $out"
	fi
	# exposure: UNIT MAX
	for um in kioskd-chromium.service:4.0 kioskd.service:2.0; do
		u=${um%%:*} max=${um#*:}
		if ! out=$(systemd-analyze security --offline=true "$tmp/units/$u" 2>&1); then
			skip "systemd-analyze security $u: $(tail -1 <<<"$out")"
			continue
		fi
		level=$(sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' <<<"$out")
		if [ -z "$level" ]; then
			fail "systemd-analyze security $u: no exposure level in: $(tail -2 <<<"$out")"
		elif awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }'; then
			pass "systemd-analyze security $u: exposure $level (at most $max)"
		else
			fail "systemd-analyze security $u: exposure $level, more than $max"
		fi
	done
else
	skip "systemd units: systemd-analyze not installed (apt install systemd)"
fi

# --- 3. udev rules ------------------------------------------------------------------
rules=deploy/udev/60-kioskd.rules
# a lint that needs no udev: every rule line is KEY[{attr}]OP"value" pairs
# separated by commas, and every GOTO has its LABEL
if out=$(awk '
	/^[ \t]*(#|$)/ { next }
	{
		line = $0; sub(/[ \t]+$/, "", line)
		while (line != "") {
			if (!match(line, /^[A-Z_]+(\{[^}]+\})?[ \t]*(==|!=|\+=|-=|:=|=)[ \t]*"[^"]*"/)) { printf "line %d: cannot parse: %s\n", NR, line; bad = 1; break }
			tok = substr(line, 1, RLENGTH); line = substr(line, RLENGTH + 1)
			if (tok ~ /^GOTO/) { g = tok; sub(/^[^"]*"/, "", g); sub(/"$/, "", g); gotos[g] = NR }
			if (tok ~ /^LABEL/) { l = tok; sub(/^[^"]*"/, "", l); sub(/"$/, "", l); labels[l] = 1 }
			if (line == "") break
			if (!match(line, /^[ \t]*,[ \t]*/)) { printf "line %d: missing comma before: %s\n", NR, line; bad = 1; break }
			line = substr(line, RLENGTH + 1)
		}
	}
	END {
		for (g in gotos) if (!(g in labels)) { printf "line %d: GOTO \"%s\" has no LABEL\n", gotos[g], g; bad = 1 }
		exit bad
	}' "$rules"); then
	pass "udev rules lint ($rules)"
else
	fail "udev rules lint: $out"
fi

if have udevadm && udevadm verify --help >/dev/null 2>&1; then
	if out=$(udevadm verify "$rules" 2>&1); then pass "udevadm verify $rules"; else fail "udevadm verify: $out"; fi
fi

# udevtest DEVPATH FIXTURE [LOCAL_RULES]: `udevadm test` in a sandbox
udevtest() {
	local devpath=$1 fixture=$2 local_rules=${3:-}
	unshare -m --propagation private bash -c '
		set -e
		d=$1 rules=$2 local_rules=$3 fixture=$4 devpath=$5
		mkdir -p "$d"
		mount -t tmpfs tmpfs "$d"
		for n in null zero full random urandom tty; do touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"; done
		mkdir "$d/pts"; mount --bind /dev/pts "$d/pts"; ln -s pts/ptmx "$d/ptmx"
		mount --rbind "$d" /dev
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs /etc/udev/rules.d
		cp "$rules" /etc/udev/rules.d/
		if [ -n "$local_rules" ]; then cp "$local_rules" /etc/udev/rules.d/61-kioskd-local.rules; fi
		if [ -n "$fixture" ]; then
			SYSTEMD_LOG_LEVEL=debug umockdev-run --device "$fixture" -- udevadm test --action=add "$devpath"
		else
			SYSTEMD_LOG_LEVEL=debug udevadm test --action=add "$devpath"
		fi
	' _ "$tmp/dev" "$repo/$rules" "$local_rules" "$fixture" "$devpath" 2>&1
}

if ! have udevadm; then
	skip "udev rules: udevadm not installed"
elif [ "$(id -u)" != 0 ] || ! have unshare || ! unshare -m true 2>/dev/null; then
	skip "udev rules under udevadm test: needs root and unshare -m (a private mount namespace)"
else
	# every rule loads (udevadm logs a bad line when it reads the rules)
	out=$(udevtest /sys/class/net/lo "")
	errs=$(grep '60-kioskd.rules' <<<"$out" | grep -v 'Reading rules file')
	if grep -q 'Reading rules file: /etc/udev/rules.d/60-kioskd.rules' <<<"$out" && [ -z "$errs" ]; then
		pass "udevadm test loads $rules without a complaint"
	else
		fail "udevadm test: $errs$(grep -q 'Reading rules file' <<<"$out" || echo "$out" | tail -5)"
	fi

	if ! have umockdev-run; then
		skip "udev rules against fake devices: umockdev-run not installed (apt install umockdev)"
	else
		# the worked example of the rules' "how to add a model", as a local rules file
		sed -n 's/^#[[:space:]]*\(SUBSYSTEM=="tty", ENV{ID_VENDOR_ID}=="1a86", ENV{ID_MODEL_ID}=="5523".*\)$/\1/p' "$rules" >"$tmp/61-local.rules"
		[ -s "$tmp/61-local.rules" ] || fail "udev: the worked example (1a86:5523) is gone from $rules"
		td=$repo/deploy/testdata
		# expect NAME DEVPATH FIXTURE LOCAL_RULES PATTERN... (each a grep -E that must match; !PATTERN must not)
		expect() {
			local name=$1 devpath=$2 fixture=$3 local_rules=$4 out p missing=""
			shift 4
			out=$(udevtest "$devpath" "$fixture" "$local_rules")
			for p in "$@"; do
				if [ "${p#!}" != "$p" ]; then
					! grep -Eq -- "${p#!}" <<<"$out" || missing="$missing [unexpected ${p#!}]"
				else
					grep -Eq -- "$p" <<<"$out" || missing="$missing [$p]"
				fi
			done
			if [ -z "$missing" ]; then pass "udev: $name"; else fail "udev: $name: missing$missing"; echo "$out" | grep -E 'kioskd|DEVLINKS|KIOSKD|rror' | head -20; fi
		}
		expect "CH340 reader -> /dev/kiosk-idcard, dialout 0660, ModemManager off" \
			/sys/class/tty/ttyUSB0 "$td/tty-ch340.umockdev" "" \
			'^DEVLINKS=.*/dev/kiosk-idcard' '^KIOSKD_ROLE=idcard$' '^ID_MM_DEVICE_IGNORE=1$' \
			'60-kioskd.rules:[0-9]+ MODE 0660' '60-kioskd.rules:[0-9]+ GROUP '"$(getent group dialout | cut -d: -f3)"'$'
		expect "unknown bridge 1234:5678 -> no kiosk name" \
			/sys/class/tty/ttyUSB0 "$td/tty-unknown.umockdev" "" \
			'^DEVPATH=' '!/dev/kiosk-' '!KIOSKD_ROLE'
		expect "CH341 1a86:5523 unlisted -> no name" \
			/sys/class/tty/ttyUSB0 "$td/tty-ch341-serialmode.umockdev" "" \
			'^DEVPATH=' '!/dev/kiosk-'
		expect "CH341 1a86:5523 + the worked example in 61-kioskd-local.rules -> /dev/kiosk-idcard" \
			/sys/class/tty/ttyUSB0 "$td/tty-ch341-serialmode.umockdev" "$tmp/61-local.rules" \
			'^DEVLINKS=.*/dev/kiosk-idcard' '61-kioskd-local.rules:[0-9]+ LINK .kiosk-idcard'
		expect "POS-58 0416:5011 usblp -> /dev/kiosk-printer, lp 0660" \
			/sys/class/usbmisc/lp0 "$td/usblp-pos58.umockdev" "" \
			'^DEVLINKS=.*/dev/kiosk-printer' '^KIOSKD_ROLE=printer$' '60-kioskd.rules:[0-9]+ MODE 0660' \
			'60-kioskd.rules:[0-9]+ GROUP '"$(getent group lp | cut -d: -f3)"'$'
		expect "Newland 1eab:0110 hidraw -> /dev/kiosk-qr, plugdev 0660" \
			/sys/class/hidraw/hidraw0 "$td/hidraw-newland.umockdev" "" \
			'^DEVLINKS=.*/dev/kiosk-qr' '^KIOSKD_ROLE=qr$' '60-kioskd.rules:[0-9]+ MODE 0660' \
			'60-kioskd.rules:[0-9]+ GROUP '"$(getent group plugdev | cut -d: -f3)"'$'
		expect "Newland 1eab:0110 USB device (libusb) -> plugdev 0660" \
			/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5 "$td/hidraw-newland.umockdev" "" \
			'^KIOSKD_ROLE=qr$' '60-kioskd.rules:[0-9]+ MODE 0660' \
			'60-kioskd.rules:[0-9]+ GROUP '"$(getent group plugdev | cut -d: -f3)"'$'
	fi
fi

# --- 4. shell scripts -------------------------------------------------------------------
sh_ok=1
for f in deploy/kiosk-browser.sh scripts/dist.sh scripts/deploy_test.sh; do
	bash -n "$f" || { fail "bash -n $f"; sh_ok=0; }
done
for f in deploy/kioskd-set-tokens.sh deploy/deb/*.sh; do
	sh -n "$f" || { fail "sh -n $f"; sh_ok=0; }
done
[ $sh_ok = 0 ] || pass "shell scripts parse"
# the kiosk browser: kiosk mode, sound without a click (the display speaks its
# calls), and an unfilled terminal.env stops it with 78 instead of looping
out=$(TERMINAL_TOKEN=0123456789abcdef0123 bash deploy/kiosk-browser.sh --print 2>&1)
TERMINAL_TOKEN=REPLACE-ME-kiosk-1-token bash deploy/kiosk-browser.sh --print >/dev/null 2>&1
rc=$?
if grep -q -- '--kiosk ' <<<"$out" && grep -q -- '--autoplay-policy=no-user-gesture-required' <<<"$out" && [ $rc = 78 ]; then
	pass "kiosk-browser.sh: --kiosk, --autoplay-policy=no-user-gesture-required; exit 78 on a placeholder token"
else
	fail "kiosk-browser.sh --print (placeholder token: exit $rc): $out"
fi
if have shellcheck; then
	if out=$(shellcheck -S warning deploy/*.sh deploy/deb/*.sh scripts/dist.sh scripts/deploy_test.sh 2>&1); then
		pass "shellcheck"
	else
		fail "shellcheck: $out"
	fi
fi

# --- 5. the .deb --------------------------------------------------------------------------
arch=$($GO env GOARCH)
nfpm=github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION
# from the module cache (a file:// proxy: no network), else the proxy
if GOPROXY="file://$($GO env GOMODCACHE)/cache/download" $GO run "$nfpm" --version >/dev/null 2>&1; then
	nfpm_ok=1
elif [ "${OFFLINE:-}" != 1 ] && timeout 120 $GO run "$nfpm" --version >/dev/null 2>&1; then
	nfpm_ok=1
else
	nfpm_ok=0
	skip ".deb: cannot run nfpm $NFPM_VERSION (go run $nfpm: not in the module cache and no network?)"
fi
if [ $nfpm_ok = 1 ] && ! have dpkg-deb; then
	nfpm_ok=0
	skip ".deb: dpkg-deb not installed"
fi
if [ $nfpm_ok = 1 ]; then
	if ! VERSION=v1.2.3-4-gabcdef0 COMMIT=abcdef0 KIOSKD_BIN="$bin" DEB_COMPRESSION=gzip scripts/dist.sh --deb --arch "$arch" --out "$tmp/dist" >"$tmp/dist.log" 2>&1; then
		fail "scripts/dist.sh --deb: $(tail -5 "$tmp/dist.log")"
	else
		deb=$tmp/dist/kioskd_1.2.3+4.gabcdef0_${arch}.deb
		if [ ! -f "$deb" ]; then
			fail ".deb: $deb not made ($(ls "$tmp/dist"))"
		else
			pass "scripts/dist.sh --deb --arch $arch: $(cd "$tmp/dist" && echo *)"
			info=$(dpkg-deb -I "$deb")
			missing=""
			for p in '^ Package: kioskd$' "^ Architecture: $arch\$" '^ Version: 1.2.3\+4.gabcdef0$' '^ Pre-Depends: passwd' \
				'^ Depends: .*libc6 \(>= 2\.[0-9]+\)' '^ Depends: .*init-system-helpers' '^ Maintainer: [^<]+ <[^@]+@[^@>]+\.[a-z]+>$' \
				'conffiles' 'preinst' 'postinst' 'prerm' 'postrm'; do
				grep -Eq -- "$p" <<<"$info" || missing="$missing [$p]"
			done
			conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)
			for c in /etc/kioskd/kioskd.toml /etc/kioskd/terminal.env /etc/pam.d/kioskd-chromium; do
				grep -qx "$c" <<<"$conffiles" || missing="$missing [conffile $c]"
			done
			if [ -z "$missing" ]; then pass "dpkg-deb -I: control fields, conffiles, maintainer scripts"; else fail "dpkg-deb -I: missing$missing"; fi

			listing=$(dpkg-deb -c "$deb")
			missing=""
			for p in '-rwxr-xr-x root/root .* ./usr/bin/kioskd$' \
				'-rwxr-xr-x root/root .* ./usr/sbin/kioskd-set-tokens$' \
				'-rwxr-xr-x root/root .* ./usr/lib/kioskd/kiosk-browser.sh$' \
				'-rw-r--r-- root/root .* ./lib/systemd/system/kioskd.service$' \
				'-rw-r--r-- root/root .* ./lib/systemd/system/kioskd-chromium.service$' \
				'-rw-r--r-- root/root .* ./lib/udev/rules.d/60-kioskd.rules$' \
				'-rw-r--r-- root/root .* ./usr/lib/modules-load.d/kioskd.conf$' \
				'-rw-r----- root/kioskd .* ./etc/kioskd/kioskd.toml$' \
				'-rw------- root/root .* ./etc/kioskd/terminal.env$' \
				'-rw-r--r-- root/root .* ./etc/pam.d/kioskd-chromium$' \
				'./usr/share/doc/kioskd/README.md$' './usr/share/doc/kioskd/DEPLOY.md$' \
				'./usr/share/doc/kioskd/kioskd.example.toml$' \
				'-rw-r--r-- root/root .* ./usr/share/doc/kioskd/copyright$' \
				'-rw-r--r-- root/root .* ./usr/share/doc/kioskd/changelog.gz$' \
				'-rw-r--r-- root/root .* ./usr/share/man/man1/kioskd.1.gz$' \
				'-rw-r--r-- root/root .* ./usr/share/man/man8/kioskd-set-tokens.8.gz$' \
				'-rw-r--r-- root/root .* ./usr/share/lintian/overrides/kioskd$'; do
				grep -Eq -- "$p" <<<"$listing" || missing="$missing [$p]"
			done
			if grep -q testdata <<<"$listing"; then missing="$missing [no testdata]"; fi
			if [ -z "$missing" ]; then pass "dpkg-deb -c: paths, modes, owners"; else fail "dpkg-deb -c: missing$missing"; echo "$listing"; fi

			if (cd "$tmp/dist" && sha256sum --quiet -c SHA256SUMS) && [ "$(wc -l <"$tmp/dist/SHA256SUMS")" -eq 3 ]; then
				pass "SHA256SUMS: the archive and both .debs"
			else
				fail "SHA256SUMS: $(cat "$tmp/dist/SHA256SUMS" 2>&1)"
			fi

			root=$tmp/root
			mkdir -p "$root"
			dpkg-deb -x "$deb" "$root"

			# a stripped PIE; its debug info in kioskd-dbgsym under its build ID
			kb=$root/usr/bin/kioskd
			dbgsym=$tmp/dist/kioskd-dbgsym_1.2.3+4.gabcdef0_${arch}.deb
			build_id=$(readelf -n "$kb" | sed -n 's/^[[:space:]]*Build ID: \([0-9a-f]*\)$/\1/p' | head -1)
			problems=""
			readelf -h "$kb" | grep -q 'Type:[[:space:]]*DYN' || problems="$problems [not a PIE]"
			! readelf -S "$kb" | grep -Eq '\.(symtab|z?debug_info)\b' || problems="$problems [not stripped]"
			readelf -S "$kb" | grep -q '\.gnu_debuglink' || problems="$problems [no debuglink]"
			[ ${#build_id} -gt 2 ] || problems="$problems [no build ID]"
			if [ ! -f "$dbgsym" ]; then
				problems="$problems [no $(basename "$dbgsym")]"
			else
				mkdir -p "$tmp/dbgsym" && dpkg-deb -x "$dbgsym" "$tmp/dbgsym"
				dbg=$tmp/dbgsym/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
				if [ ! -f "$dbg" ] || ! readelf -S "$dbg" 2>/dev/null | grep -Eq '\.z?debug_info\b'; then
					problems="$problems [kioskd-dbgsym lacks .build-id/${build_id:0:2}/${build_id:2}.debug with .debug_info]"
				fi
				dpkg-deb -f "$dbgsym" Depends | grep -qx "kioskd (= 1.2.3+4.gabcdef0)" || problems="$problems [kioskd-dbgsym Depends]"
			fi
			if [ -z "$problems" ]; then pass "a stripped PIE; debug info in kioskd-dbgsym (build ID $build_id)"; else fail "binary:$problems"; fi

			# manual pages: from --help, and man reads them without a warning
			problems=""
			for m in man1/kioskd.1.gz man8/kioskd-set-tokens.8.gz; do
				f=$root/usr/share/man/$m
				[ -f "$f" ] || { problems="$problems [$m missing]"; continue; }
				if have man; then
					w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null)
					[ -z "$w" ] || problems="$problems [$m: $w]"
				fi
			done
			zcat "$root/usr/share/man/man1/kioskd.1.gz" 2>/dev/null | grep -q 'kioskd serve \[\\-\\-config FILE\] \[\\-\\-check\]' || problems="$problems [kioskd.1 lacks kioskd serve]"
			zcat "$root/usr/share/man/man8/kioskd-set-tokens.8.gz" 2>/dev/null | grep -q 'REPLACE\\-ME' || problems="$problems [kioskd-set-tokens.8 lacks its text]"
			if [ -z "$problems" ]; then pass "manual pages kioskd(1), kioskd-set-tokens(8)"; else fail "manual pages:$problems"; fi

			# the copyright file names every module the binary links
			copyright=$root/usr/share/doc/kioskd/copyright
			# copyright_missing BIN FILE: the modules BIN links that FILE has no paragraph for
			copyright_missing() {
				local m
				for m in $($GO version -m "$1" | awk '$1 == "dep" { print $2 }') std; do
					grep -qxF "Files: vendor/$m/*" "$2" || echo "$m"
				done
			}
			missing=$(copyright_missing "$kb" "$copyright")
			nmods=$($GO version -m "$kb" | awk '$1 == "dep"' | wc -l)
			if [ ! -s "$copyright" ]; then
				fail "copyright: /usr/share/doc/kioskd/copyright is missing"
			elif [ -n "$missing" ]; then
				fail "copyright: no paragraph for $(echo $missing)"
			elif [ "$nmods" -lt 10 ]; then
				fail "copyright: go version -m lists $nmods modules only"
			elif ! grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/$' "$copyright" ||
				! grep -q '^License: AGPL-3+$' "$copyright" || ! grep -q '^ *GNU AFFERO GENERAL PUBLIC LICENSE$' "$copyright"; then
				fail "copyright: not DEP-5 with the AGPL-3+ text"
			else
				# the check itself: the file less go-fitz's paragraph must fail it
				awk 'BEGIN { RS = ""; ORS = "\n\n" } !/^Files: vendor\/github.com\/gen2brain\/go-fitz\//' "$copyright" >"$tmp/copyright-less"
				if [ "$(copyright_missing "$kb" "$tmp/copyright-less")" = github.com/gen2brain/go-fitz ]; then
					pass "copyright: DEP-5, all $nmods modules and the standard library, MuPDF's libraries (and a file without go-fitz fails)"
				else
					fail "copyright: the check does not notice a missing module"
				fi
			fi
			for c in freetype harfbuzz libjpeg lcms2 zlib openjpeg jbig2dec mujs gumbo-parser extract; do
				grep -qxF "Files: mupdf/thirdparty/$c/*" "$copyright" || fail "copyright: MuPDF's $c is not listed"
			done

			# lintian: no error, and every warning overridden with a reason
			if have lintian; then
				if out=$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" "$dbgsym" 2>&1); then
					pass "lintian: no error, no warning ($(grep -c '^[EW]:' <<<"$out") shown)"
				else
					fail "lintian: $out"
				fi
			else
				skip "lintian not installed (apt install lintian)"
			fi

			# an arch it cannot build is refused before anything is built, and SHA256SUMS is still written
			mkdir -p "$tmp/refused"
			if out=$(VERSION=v1.2.3 CC_ARM64=none KIOSKD_BIN= scripts/dist.sh --arch amd64,arm64 --out "$tmp/refused" 2>&1); then
				fail "dist.sh --arch amd64,arm64 without an arm64 C compiler succeeded"
			elif ! grep -q 'nothing was built' <<<"$out" || [ -n "$(find "$tmp/refused" -name '*.tar.gz')" ] || [ ! -f "$tmp/refused/SHA256SUMS" ]; then
				fail "dist.sh refusing arm64: $(tail -2 <<<"$out"; ls "$tmp/refused")"
			else
				pass "dist.sh refuses arm64 without its C compiler before building, and writes SHA256SUMS"
			fi
			if out=$("$root/usr/bin/kioskd" version 2>&1) && grep -q 'kioskd v1.2.3-4-gabcdef0 (commit abcdef0)' <<<"$out"; then
				pass "unpacked: $out"
			else
				fail "unpacked kioskd version: $out"
			fi
			if out=$("$root/usr/bin/kioskd" serve --config "$root/etc/kioskd/kioskd.toml" --check 2>&1); then
				pass "unpacked: kioskd serve --config etc/kioskd/kioskd.toml --check: $out"
			else
				fail "unpacked etc/kioskd/kioskd.toml: $out"
			fi
			if cmp -s "$root/lib/systemd/system/kioskd.service" deploy/systemd/kioskd.service &&
				cmp -s "$root/lib/udev/rules.d/60-kioskd.rules" "$rules" &&
				grep -q '^ExecStart=/usr/bin/kioskd serve --config /etc/kioskd/kioskd.toml$' "$root/lib/systemd/system/kioskd.service" &&
				grep -q '^ExecStart=/usr/lib/kioskd/kiosk-browser.sh$' "$root/lib/systemd/system/kioskd-chromium.service" &&
				[ -x "$root/usr/lib/kioskd/kiosk-browser.sh" ]; then
				pass "unpacked: the units name the installed paths"
			else
				fail "unpacked: unit or rules files differ from deploy/, or name paths the package does not install"
			fi

			# --- 6. maintainer scripts, in a chroot on an overlay of / ---------------------
			if [ "$(id -u)" != 0 ] || ! have unshare || ! have chroot; then
				skip "maintainer scripts: need root, unshare and chroot"
			else
				out=$(unshare -m --propagation private bash -c '
					set -e
					base=$1 deb=$2
					mkdir -p "$base"
					mount -t tmpfs tmpfs "$base"
					mkdir -p "$base/upper" "$base/work" "$base/root"
					mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
					mount --rbind /dev "$base/root/dev"
					mount -t proc proc "$base/root/proc" 2>/dev/null || mount --rbind /proc "$base/root/proc"
					mount -t tmpfs tmpfs "$base/root/run"
					mount -t tmpfs tmpfs "$base/root/tmp"
					cp "$deb" "$base/root/tmp/kioskd.deb"
					chroot "$base/root" /bin/bash -s <<'"'"'CHROOT'"'"'
						check() { if eval "$2" >/dev/null 2>&1; then echo "CHECK ok $1"; else echo "CHECK FAIL $1"; fi; }
						if getent passwd kioskd >/dev/null || dpkg -s kioskd >/dev/null 2>&1; then echo "CHECK skip (kioskd is installed on this machine)"; exit 0; fi
						dpkg -i /tmp/kioskd.deb >/tmp/dpkg.log 2>&1 || { echo "CHECK FAIL dpkg -i: $(tail -3 /tmp/dpkg.log)"; exit 0; }
						check "dpkg -i" true
						check "user kioskd in dialout, lp, plugdev" "id -nG kioskd | grep -qw dialout && id -nG kioskd | grep -qw lp && id -nG kioskd | grep -qw plugdev"
						check "user kioskd-ui" "getent passwd kioskd-ui"
						check "kioskd.toml root:kioskd 0640" "[ \"\$(stat -c %U:%G:%a /etc/kioskd/kioskd.toml)\" = root:kioskd:640 ]"
						check "terminal.env root:root 0600" "[ \"\$(stat -c %U:%G:%a /etc/kioskd/terminal.env)\" = root:root:600 ]"
						check "kioskd.service enabled" "[ \"\$(systemctl is-enabled kioskd.service)\" = enabled ]"
						check "kioskd-chromium.service not enabled" "[ \"\$(systemctl is-enabled kioskd-chromium.service)\" = disabled ]"
						check "the postinst says to set tokens" "grep -q kioskd-set-tokens /tmp/dpkg.log"
						cond=$(sed -n "s/^ExecCondition=//p" /lib/systemd/system/kioskd.service)
						check "ExecCondition skips with REPLACE-ME tokens" "! runuser -u kioskd -- $cond"
						check "kioskd-set-tokens" "kioskd-set-tokens"
						check "ExecCondition passes after kioskd-set-tokens" "runuser -u kioskd -- $cond"
						check "the kioskd user reads and validates the config" "runuser -u kioskd -- kioskd serve --config /etc/kioskd/kioskd.toml --check"
						sum=$(md5sum </etc/kioskd/kioskd.toml)
						check "upgrade (dpkg -i again)" "dpkg -i /tmp/kioskd.deb"
						check "upgrade keeps the edited config" "[ \"\$(md5sum </etc/kioskd/kioskd.toml)\" = \"$sum\" ]"
						mkdir -p /var/lib/kioskd && touch /var/lib/kioskd/kioskd.db
						check "dpkg -r" "dpkg -r kioskd"
						check "remove keeps /etc/kioskd/kioskd.toml" "[ -f /etc/kioskd/kioskd.toml ]"
						check "remove drops the binary" "[ ! -e /usr/bin/kioskd ]"
						check "dpkg -P" "dpkg -P kioskd"
						check "purge removes /etc/kioskd/kioskd.toml" "[ ! -e /etc/kioskd/kioskd.toml ]"
						check "purge keeps the database" "[ -f /var/lib/kioskd/kioskd.db ]"
CHROOT
				' _ "$tmp/chroot" "$deb" 2>&1)
				if ! grep -q '^CHECK ' <<<"$out"; then
					skip "maintainer scripts: no overlay chroot here ($(tail -1 <<<"$out"))"
				else
					while read -r _ res what; do
						case $res in
						ok) pass "maintainer scripts: $what" ;;
						skip) skip "maintainer scripts: $what" ;;
						*) fail "maintainer scripts: $what" ;;
						esac
					done < <(grep '^CHECK ' <<<"$out")
				fi
			fi
		fi
	fi
fi

if [ $failures -gt 0 ]; then
	echo "deploy_test: $failures check(s) failed"
	exit 1
fi
echo "deploy_test: all checks passed"
