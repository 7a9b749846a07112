#!/usr/bin/env bash
# scripts/dist.sh: kioskd release archives (and .debs) for linux/amd64 and
# linux/arm64.
#
#   scripts/dist.sh [--deb] [--arch host|all|amd64,arm64] [--out DIR]
#
#   --deb     also a .deb per arch (and its -dbgsym .deb), made with nfpm
#             (deploy/nfpm.yaml, deploy/nfpm-dbgsym.yaml)
#   --arch    which architectures (default: host, this machine's; all: amd64,arm64)
#   --out     where to put them (default: dist)
#
# Environment: VERSION, COMMIT (stamped with -ldflags -X main.version/commit;
# the Makefile passes git's), GO (default go), CC_AMD64 / CC_ARM64 (the C
# compiler for that arch; "none": build it with CGO_ENABLED=0), NFPM_VERSION
# (default v2.45.2; NFPM_OFFLINE=1: only from the module cache),
# DEB_COMPRESSION (gzip, xz, zstd, none; default xz, as deploy/nfpm.yaml),
# ALLOW_PURE_GO_FITZ=1 (see CGO below), KIOSKD_BIN (package this binary
# instead of building one; one arch only: used by scripts/deploy_test.sh).
#
# DEB_MAINTAINER (the package's Maintainer field; default the project's
# placeholder address, see deploy/README.md).
#
# Output: OUT/kioskd_VERSION_linux_ARCH.tar.gz holding kioskd (a PIE,
# stripped), kioskd.debug (its debug info, found by gdb through the
# binary's debuglink), README.md, LICENSE, copyright, kioskd.example.toml,
# deploy/ and BUILDINFO; OUT/kioskd_DEBVERSION_ARCH.deb and
# OUT/kioskd-dbgsym_DEBVERSION_ARCH.deb (the debug info under
# /usr/lib/debug/.build-id); OUT/SHA256SUMS, written even when a build fails
# (of what OUT holds then). Every arch is checked for a C compiler before
# the first is built.
#
# The .deb: Depends computed from the binary (dpkg-shlibdeps for this
# machine's arch, else the C library's symbol versions the binary needs, read
# with readelf), the DEP-5 copyright generated from the modules the binary
# links (deploy/copyright), the changelog from git, manual pages made by
# `kioskd man` from the same text as --help, lintian overrides with a reason
# each (deploy/lintian-overrides). `make lint-deb` runs lintian on it.
#
# CGO. Each arch is built with cgo when a C compiler for it is at hand: gcc
# for the host's own arch, CC_<ARCH> or else the Debian cross compiler
# (aarch64-linux-gnu-gcc, x86_64-linux-gnu-gcc: apt install
# gcc-aarch64-linux-gnu) for the other; without one, CGO_ENABLED=0.
# Where a package kioskd links uses C, a CGO_ENABLED=0 build differs:
#   github.com/karalabe/usb (HID: rating pad, QR reader): a stub without cgo:
#     usb.Supported() is false and enumeration finds nothing.
#   github.com/gen2brain/go-fitz (MuPDF: PDF pages): without cgo it loads
#     libmupdf.so and libffi.so.8 with purego IN ITS init(), and panics when
#     they are missing, so kioskd does not even start (not even `version`).
#     Debian 12 ships no libmupdf.so (libmupdf-dev is static only), so this
#     script refuses such a build unless ALLOW_PURE_GO_FITZ=1.
# go-fitz's bundled arm64 MuPDF was built against glibc >= 2.38 (it calls
# __isoc23_strtol/strtoul); against an older C library (Debian 12: 2.36)
# this script links in two one-line shims that call strtol/strtoul (C23 only
# adds 0b prefixes), so the binary runs on Debian 12.
# SQLite (modernc.org), serial ports (tarm/serial) and usblp printers are
# pure Go and the same in both. BUILDINFO in each archive says what was built.
set -euo pipefail
# SPDX-License-Identifier: AGPL-3.0-or-later
cd "$(dirname "$0")/.."

# the toolchain go.mod names (the go command fetches it from the module proxy once)
export GOTOOLCHAIN=go1.27.3
GO=${GO:-go}
VERSION=${VERSION:-dev}
COMMIT=${COMMIT:-unknown}
NFPM_VERSION=${NFPM_VERSION:-v2.45.2}
NFPM_PKG=github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION

archs=host
out=dist
deb=0
while [ $# -gt 0 ]; do
	case $1 in
	--deb) deb=1 ;;
	--arch) archs=${2:?--arch needs a list}; shift ;;
	--arch=*) archs=${1#*=} ;;
	--out) out=${2:?--out needs a folder}; shift ;;
	--out=*) out=${1#*=} ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "dist.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

say() { echo "dist: $*" >&2; }
die() { echo "dist: $*" >&2; exit 1; }

host_arch=$($GO env GOHOSTARCH)
case $archs in
host) archs=$host_arch ;;
all) archs=amd64,arm64 ;;
esac
# this machine's arch first: its binary writes the manual pages
case ,$archs, in
*,"$host_arch",*)
	sorted=$host_arch
	for a in ${archs//,/ }; do [ "$a" = "$host_arch" ] || sorted=$sorted,$a; done
	archs=$sorted
	;;
esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)

# SHA256SUMS of what OUT holds, also when a build failed half-way
write_sums() {
	(
		cd "$out" || exit
		shopt -s nullglob
		files=(kioskd_*.tar.gz kioskd_*.deb kioskd-dbgsym_*.deb)
		if [ ${#files[@]} -gt 0 ]; then sha256sum -- "${files[@]}" >SHA256SUMS; else : >SHA256SUMS; fi
	)
}
trap 'rc=$?; write_sums; rm -rf "$work"; exit $rc' EXIT

# debversion turns a git-describe version into a Debian one: v1.2.3 -> 1.2.3,
# v1.2.3-4-gabc1234-dirty -> 1.2.3+4.gabc1234.dirty, dev -> 0.0.0~dev.
debversion() {
	local v=${1#v}
	v=$(printf %s "$v" | tr -c 'A-Za-z0-9.+~-' '.')
	case $v in [0-9]*) ;; *) v="0.0.0~$v" ;; esac
	printf %s "$v" | sed 's/-/+/; s/-/./g'
}

# cgo_for ARCH prints "1 CC" or "0 -"
cgo_for() {
	local arch=$1 cc_var cross
	cc_var=CC_$(printf %s "$arch" | tr a-z A-Z)
	case $arch in amd64) cross=x86_64-linux-gnu-gcc ;; arm64) cross=aarch64-linux-gnu-gcc ;; esac
	if [ "${!cc_var:-}" = none ]; then
		echo "0 -"
	elif [ -n "${!cc_var:-}" ]; then
		echo "1 ${!cc_var}"
	elif [ "$arch" = "$host_arch" ] && command -v "${CC:-gcc}" >/dev/null; then
		echo "1 ${CC:-gcc}"
	elif command -v "$cross" >/dev/null; then
		echo "1 $cross"
	else
		echo "0 -"
	fi
}

# isoc23_shim CC: when CC's C library lacks __isoc23_strtol (glibc < 2.38),
# prints CGO_LDFLAGS that link a shim for it and __isoc23_strtoul
isoc23_shim() {
	local cc=$1 dir=$work/isoc23-$2
	if printf 'long __isoc23_strtol(const char *, char **, int);\nint main(void) { return (int)__isoc23_strtol("1", 0, 10); }\n' |
		"$cc" -x c - -o /dev/null >/dev/null 2>&1; then
		return 0
	fi
	mkdir -p "$dir"
	cat >"$dir/isoc23.c" <<'C'
#include <stdlib.h>
long __isoc23_strtol(const char *s, char **end, int base) { return strtol(s, end, base); }
unsigned long __isoc23_strtoul(const char *s, char **end, int base) { return strtoul(s, end, base); }
C
	"$cc" -O2 -fPIC -c "$dir/isoc23.c" -o "$dir/isoc23.o"
	local ar=${cc%gcc}ar
	command -v "$ar" >/dev/null || ar="ar"
	"$ar" rcs "$dir/libisoc23.a" "$dir/isoc23.o"
	printf '%s' "-Wl,-u,__isoc23_strtol -Wl,-u,__isoc23_strtoul $dir/libisoc23.a"
}

# nfpm: from the module cache when it is there (no network), else the proxy
nfpm_go=()
if [ "$deb" = 1 ]; then
	nfpm_go=(GOPROXY="file://$($GO env GOMODCACHE)/cache/download")
	if ! env "${nfpm_go[@]}" $GO run "$NFPM_PKG" --version >/dev/null 2>&1; then
		[ "${NFPM_OFFLINE:-}" != 1 ] || die "nfpm $NFPM_VERSION is not in the module cache (NFPM_OFFLINE=1)"
		nfpm_go=()
		$GO run "$NFPM_PKG" --version >"$work/nfpm.log" 2>&1 ||
			{ cat "$work/nfpm.log" >&2; die "cannot run nfpm: go run $NFPM_PKG failed"; }
	fi
fi

# before building anything: can every arch be built?
for arch in ${archs//,/ }; do
	case $arch in amd64 | arm64) ;; *) die "unsupported arch $arch (amd64, arm64)" ;; esac
	read -r cgo _ < <(cgo_for "$arch")
	if [ "$cgo" = 0 ] && [ -z "${KIOSKD_BIN:-}" ] && [ "${ALLOW_PURE_GO_FITZ:-}" != 1 ]; then
		die "linux/$arch: no C compiler for it, and without cgo kioskd links go-fitz's purego MuPDF, which panics at start unless the box has libmupdf.so (MuPDF 1.24) and libffi.so.8. Install a cross compiler (apt install gcc-aarch64-linux-gnu libc6-dev-arm64-cross), or set CC_$(tr a-z A-Z <<<"$arch"), or set ALLOW_PURE_GO_FITZ=1 if the boxes have libmupdf.so; nothing was built"
	fi
done
if [ "$deb" = 1 ]; then
	for t in readelf objcopy gzip; do command -v "$t" >/dev/null || die "--deb needs $t (apt install binutils gzip)"; done
fi

# objcopy_for CC: the binutils of that C compiler, else this machine's
objcopy_for() {
	local cc=$1
	if [ -n "$cc" ] && command -v "${cc%gcc}objcopy" >/dev/null; then echo "${cc%gcc}objcopy"; else echo objcopy; fi
}

# split_debug BIN OBJCOPY: BIN.debug gets the debug info; BIN is stripped
# (as dh_strip does) and names BIN.debug in its .gnu_debuglink
split_debug() {
	local bin=$1 objcopy=$2
	"$objcopy" --only-keep-debug "$bin" "$bin.debug"
	chmod 0644 "$bin.debug"
	(cd "$(dirname "$bin")" && "$objcopy" --remove-section=.comment --remove-section=.note --strip-unneeded \
		--add-gnu-debuglink="$(basename "$bin").debug" "$(basename "$bin")")
}

# deb_depends BIN ARCH: the package's Depends for what BIN links, one per line
deb_depends() {
	local bin=$1 arch=$2 d=$work/shlibdeps-$2 deps
	if [ "$arch" = "$(dpkg --print-architecture 2>/dev/null)" ] && command -v dpkg-shlibdeps >/dev/null; then
		mkdir -p "$d/debian"
		printf 'Source: kioskd\n\nPackage: kioskd\nArchitecture: any\n' >"$d/debian/control"
		deps=$(cd "$d" && dpkg-shlibdeps -O -e"$bin" 2>"$d/err" | sed -n 's/^shlibs:Depends=//p') ||
			die "dpkg-shlibdeps $bin: $(cat "$d/err")"
		[ -n "$deps" ] || die "dpkg-shlibdeps $bin: no dependency found: $(cat "$d/err")"
		sed 's/, /\n/g' <<<"$deps"
		return
	fi
	# another arch: every library must be the C library's, and the highest
	# GLIBC_x.y symbol version it needs is the least libc6 that runs it
	local needed lib max
	needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	for lib in $needed; do
		case $lib in
		libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | libresolv.so.2 | ld-linux-*.so.*) ;;
		*) die "$bin needs $lib: its package is not known here (dpkg-shlibdeps runs only for $(dpkg --print-architecture 2>/dev/null || echo "this machine's arch"))" ;;
		esac
	done
	max=$(readelf -V "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
	[ -n "$max" ] || die "readelf -V $bin: no GLIBC symbol version"
	echo "libc6 (>= $max)"
}

dv=$(debversion "$VERSION")
date_epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
maintainer=${DEB_MAINTAINER:-yichuang maintainers <maintainers@yichuang.invalid>}

# the package's changelog: this build, then the commits since the last tag
# (at most 30); a native package's is /usr/share/doc/kioskd/changelog.gz
make_changelog() {
	local since subjects
	since=$(git describe --tags --abbrev=0 2>/dev/null || true)
	if [ -n "$since" ]; then
		subjects=$(git log --no-merges --format=%s -n 30 "$since..HEAD" 2>/dev/null || true)
	else
		subjects=$(git log --no-merges --format=%s -n 30 2>/dev/null || true)
	fi
	{
		echo "kioskd ($dv) stable; urgency=medium"
		echo
		echo "  * Built from commit $COMMIT (git describe: $VERSION)."
		if [ -n "$subjects" ]; then
			echo "  * Changes${since:+ since $since} (newest first, at most 30):"
			while IFS= read -r l; do
				fold -s -w 70 <<<"$l" | sed '1s/^/    - /; 2,$s/^/      /; s/[[:space:]]*$//'
			done <<<"$subjects"
		fi
		echo
		echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$date_epoch")"
	} | gzip -9n >"$work/changelog.gz"
}

summary=()
man_done=0
for arch in ${archs//,/ }; do
	read -r cgo cc < <(cgo_for "$arch")
	env=(GOOS=linux GOARCH="$arch" CGO_ENABLED="$cgo")
	if [ "$cgo" = 1 ]; then env+=(CC="$cc"); else cc=; fi

	deps=$(env "${env[@]}" $GO list -deps ./cmd/kioskd)
	notes=()
	if grep -qx 'github.com/karalabe/usb' <<<"$deps"; then
		if [ "$cgo" = 1 ]; then notes+=("HID (karalabe/usb): on, libusb/hidapi built in")
		else notes+=("HID (karalabe/usb): OFF, a stub without cgo: no rating pad, no HID QR reader"); fi
	fi
	if grep -qx 'github.com/gen2brain/go-fitz' <<<"$deps"; then
		if [ "$cgo" = 1 ]; then
			notes+=("PDF (go-fitz): on, MuPDF linked in")
			if [ "$arch" = arm64 ] && shim=$(isoc23_shim "$cc" "$arch") && [ -n "$shim" ]; then
				env+=(CGO_LDFLAGS="${CGO_LDFLAGS:-} $shim")
				notes+=("glibc < 2.38 at build: __isoc23_strtol/strtoul shims linked for go-fitz's arm64 MuPDF")
			fi
		else
			notes+=("PDF (go-fitz): purego, loads libmupdf.so + libffi.so.8 at start (kioskd panics without them)")
		fi
	fi
	[ ${#notes[@]} -gt 0 ] || notes+=("no cgo package linked: the same features as a cgo build")

	name=kioskd_${VERSION}_linux_${arch}
	stage=$work/$name
	mkdir -p "$stage"
	if [ -n "${KIOSKD_BIN:-}" ]; then
		case $archs in *,*) die "KIOSKD_BIN packages one binary: give one --arch" ;; esac
		cgo=$($GO version -m "$KIOSKD_BIN" | sed -n 's/.*CGO_ENABLED=\([01]\).*/\1/p')
		cc=
		say "packaging $KIOSKD_BIN for linux/$arch (prebuilt, CGO_ENABLED=${cgo:-?})"
		cp "$KIOSKD_BIN" "$stage/kioskd"
	else
		say "building linux/$arch CGO_ENABLED=$cgo${cc:+ CC=$cc}"
		# a position-independent executable (ASLR), relocations read-only after
		# start (-z now: full RELRO); -B gobuildid: a GNU build ID, which names
		# the debug info in the -dbgsym package
		env "${env[@]}" $GO build -trimpath -buildmode=pie \
			-ldflags "-X main.version=$VERSION -X main.commit=$COMMIT -B gobuildid -extldflags=-Wl,-z,now" \
			-o "$stage/kioskd" ./cmd/kioskd
	fi
	split_debug "$stage/kioskd" "$(objcopy_for "$cc")"
	cp README.md LICENSE kioskd.example.toml "$stage/"
	mkdir -p "$stage/deploy"
	(cd deploy && tar -cf - --exclude=./testdata --exclude=./copyright .) | tar -xf - -C "$stage/deploy"
	# the DEP-5 copyright file: what this binary links, with each licence
	(cd deploy/copyright && $GO run . -bin "$stage/kioskd" -license ../../LICENSE -c-libraries c-libraries) \
		>"$stage/copyright" 2>"$work/copyright.log" ||
		{ cat "$work/copyright.log" >&2; die "linux/$arch: cannot write the copyright file (deploy/copyright)"; }
	{
		echo "kioskd $VERSION (commit $COMMIT) linux/$arch"
		echo "built with $($GO env GOVERSION), CGO_ENABLED=$cgo${cc:+ CC=$cc}"
		printf '%s\n' "${notes[@]}"
	} >"$stage/BUILDINFO"
	tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
	summary+=("$name.tar.gz: CGO_ENABLED=$cgo; $(IFS=';'; echo "${notes[*]}")")

	if [ "$deb" = 1 ]; then
		pkg=$work/pkg-$arch
		mkdir -p "$pkg"
		# the manual pages, from the text --help prints (this machine's arch comes first)
		if [ "$man_done" = 0 ]; then
			manbin=$stage/kioskd
			if [ "$arch" != "$host_arch" ]; then
				say "building kioskd for this machine to write the manual pages"
				$GO build -trimpath -o "$work/kioskd-host" ./cmd/kioskd
				manbin=$work/kioskd-host
			fi
			mandate=$(date -u -d "@$date_epoch" +%F)
			"$manbin" man --date "$mandate" --see-also 'kioskd-set-tokens(8)' | gzip -9n >"$work/kioskd.1.gz"
			sh deploy/kioskd-set-tokens.sh --help |
				"$manbin" man --name kioskd-set-tokens --section 8 --date "$mandate" --see-also 'kioskd(1)' --stdin |
				gzip -9n >"$work/kioskd-set-tokens.8.gz"
			make_changelog
			man_done=1
		fi
		build_id=$(readelf -n "$stage/kioskd" | sed -n 's/^[[:space:]]*Build ID: \([0-9a-f]*\)$/\1/p' | head -1)
		[ ${#build_id} -gt 2 ] || die "linux/$arch: the binary has no GNU build ID (built with -B gobuildid?)"
		# Depends: what the binary links (deploy/nfpm.yaml adds init-system-helpers)
		depends=$(deb_depends "$stage/kioskd" "$arch" | paste -sd, | sed 's/,/, /g')
		for cfg in nfpm nfpm-dbgsym; do
			sed "s/^  compression: .*/  compression: ${DEB_COMPRESSION:-xz}/" "deploy/$cfg.yaml" >"$pkg/$cfg.yaml"
			env "${nfpm_go[@]}" ARCH="$arch" VERSION="$dv" DEB_DEPENDS="$depends" \
				KIOSKD_BIN="$stage/kioskd" KIOSKD_DEBUG="$stage/kioskd.debug" \
				BUILD_ID_DIR="${build_id:0:2}" BUILD_ID_FILE="${build_id:2}" DEB_MAINTAINER="$maintainer" \
				COPYRIGHT="$stage/copyright" CHANGELOG="$work/changelog.gz" \
				MAN_KIOSKD="$work/kioskd.1.gz" MAN_SET_TOKENS="$work/kioskd-set-tokens.8.gz" \
				$GO run "$NFPM_PKG" package -f "$pkg/$cfg.yaml" -p deb -t "$out/" >"$work/nfpm.log" 2>&1 ||
				{ cat "$work/nfpm.log" >&2; die "nfpm $NFPM_VERSION failed on $cfg.yaml (go run $NFPM_PKG)"; }
		done
		summary+=("kioskd_${dv}_${arch}.deb (Depends: $depends), kioskd-dbgsym_${dv}_${arch}.deb")
	fi
done

say "built in $out (and SHA256SUMS):"
printf '  %s\n' "${summary[@]}" >&2
