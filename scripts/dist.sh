#!/usr/bin/env bash
# scripts/dist.sh: kioskd release archives (and .debs) for linux/amd64 and
# linux/arm64.
#
#   scripts/dist.sh [--deb] [--arch amd64,arm64] [--out DIR]
#
#   --deb     also a .deb per arch, made with nfpm (deploy/nfpm.yaml)
#   --arch    which architectures (default: amd64,arm64)
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
# Output: OUT/kioskd_VERSION_linux_ARCH.tar.gz holding kioskd, README.md,
# kioskd.example.toml, deploy/ and BUILDINFO; OUT/kioskd_DEBVERSION_ARCH.deb;
# OUT/SHA256SUMS.
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
cd "$(dirname "$0")/.."

# the toolchain go.mod names (the go command fetches it from the module proxy once)
export GOTOOLCHAIN=go1.27.3
GO=${GO:-go}
VERSION=${VERSION:-dev}
COMMIT=${COMMIT:-unknown}
NFPM_VERSION=${NFPM_VERSION:-v2.45.2}
NFPM_PKG=github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION

archs=amd64,arm64
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
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

summary=()
for arch in ${archs//,/ }; do
	case $arch in amd64 | arm64) ;; *) die "unsupported arch $arch (amd64, arm64)" ;; esac
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
			[ "${ALLOW_PURE_GO_FITZ:-}" = 1 ] || die "linux/$arch: no C compiler for it, and without cgo kioskd links go-fitz's purego MuPDF, which panics at start unless the box has libmupdf.so (MuPDF 1.24) and libffi.so.8. Install a cross compiler (apt install gcc-aarch64-linux-gnu, or set CC_$(tr a-z A-Z <<<"$arch")), or set ALLOW_PURE_GO_FITZ=1 if the boxes have libmupdf.so."
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
		env "${env[@]}" $GO build -trimpath -ldflags "-X main.version=$VERSION -X main.commit=$COMMIT" \
			-o "$stage/kioskd" ./cmd/kioskd
	fi
	cp README.md kioskd.example.toml "$stage/"
	mkdir -p "$stage/deploy"
	(cd deploy && tar -cf - --exclude=./testdata .) | tar -xf - -C "$stage/deploy"
	{
		echo "kioskd $VERSION (commit $COMMIT) linux/$arch"
		echo "built with $($GO env GOVERSION), CGO_ENABLED=$cgo${cc:+ CC=$cc}"
		printf '%s\n' "${notes[@]}"
	} >"$stage/BUILDINFO"
	tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
	summary+=("$name.tar.gz: CGO_ENABLED=$cgo; $(IFS=';'; echo "${notes[*]}")")

	if [ "$deb" = 1 ]; then
		dv=$(debversion "$VERSION")
		nfpm_config=deploy/nfpm.yaml
		if [ -n "${DEB_COMPRESSION:-}" ]; then
			nfpm_config=$work/nfpm.yaml
			sed "s/^  compression: .*/  compression: $DEB_COMPRESSION/" deploy/nfpm.yaml >"$nfpm_config"
		fi
		env "${nfpm_go[@]}" ARCH="$arch" VERSION="$dv" KIOSKD_BIN="$stage/kioskd" \
			$GO run "$NFPM_PKG" package -f "$nfpm_config" -p deb -t "$out/" >"$work/nfpm.log" 2>&1 ||
			{ cat "$work/nfpm.log" >&2; die "nfpm $NFPM_VERSION failed (go run $NFPM_PKG)"; }
		summary+=("kioskd_${dv}_${arch}.deb")
	fi
done

(
	cd "$out"
	shopt -s nullglob
	sha256sum -- kioskd_*.tar.gz kioskd_*.deb >SHA256SUMS
)
say "built in $out:"
printf '  %s\n' "${summary[@]}" >&2
