#!/bin/sh
# Installs what cherry needs to build and test, when it is missing.
# Debian/Ubuntu: apt-get as root, sudo apt-get otherwise.
# Elsewhere: prints the package names to install by hand.
# Usage: scripts/deps.sh [build|check|valgrind] (valgrind: only what check-valgrind needs)
set -eu

mode=${1:-build}

# Debian package names, one per need.
build_pkgs="gcc make pkg-config libncurses-dev libcurl4-openssl-dev libjansson-dev libsodium-dev libssl-dev libmd4c-dev libmd4c-html0-dev"
# poppler-utils: pdftotext, which cherry runs for PDFs sent to kinds without documents
# (optional at run time; test_pdftext and test_ask use the real one).
check_pkgs="libcmocka-dev mandoc tmux clang libclang-rt-14-dev curl time strace ncurses-term kitty-terminfo poppler-utils"

pkgs=$build_pkgs
[ "$mode" = check ] && pkgs="$build_pkgs $check_pkgs"
[ "$mode" = valgrind ] && pkgs="$build_pkgs $check_pkgs valgrind"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	cat >&2 <<'MSG'
deps: not a Debian-like system; install these yourself, then run make again:
  Fedora: sudo dnf install gcc make pkgconf-pkg-config ncurses-devel libcurl-devel jansson-devel libsodium-devel openssl-devel md4c-devel libcmocka-devel mandoc tmux clang compiler-rt curl poppler-utils
  Arch:   sudo pacman -S --needed gcc make pkgconf ncurses curl jansson libsodium openssl md4c cmocka mandoc tmux clang compiler-rt poppler
  macOS:  brew install pkg-config ncurses curl jansson libsodium openssl@3 md4c cmocka mandoc tmux llvm poppler
  make check-valgrind also needs valgrind (Fedora, Arch: valgrind).
  (md4c-html, the HTML export, comes with the md4c package on each of these.)
MSG
	for lib in ncursesw libcurl jansson libsodium openssl md4c md4c-html; do
		pkg-config --exists "$lib" 2>/dev/null || { echo "deps: $lib not found by pkg-config" >&2; exit 1; }
	done
	exit 0
fi

missing=""
for p in $pkgs; do
	# libclang-rt is only useful when clang is the matching major version.
	if [ "$p" = libclang-rt-14-dev ] && ! apt-cache show "$p" >/dev/null 2>&1; then
		continue
	fi
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: not root and no sudo; as root run: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes installs fail; refresh it once.
$sudo apt-get update -qq >/dev/null 2>&1 || $sudo apt-get update
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
