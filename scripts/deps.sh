#!/bin/sh
# Installs what cherry needs to build and test, when it is missing.
# Debian/Ubuntu: apt-get as root, sudo apt-get otherwise.
# Elsewhere: prints the package names to install by hand.
# check also installs the reference MCP servers from npm into build/npm (test_mcp's
# interop cases; node and npm come from apt when missing). When npm cannot install them
# it says so and goes on: those cases are then skipped, each saying why.
# Usage: scripts/deps.sh [build|check|valgrind] (valgrind: only what check-valgrind needs)
set -eu

mode=${1:-build}

# Pinned: the versions reference/mcp-and-tools.md was captured with.
mcp_npm="@modelcontextprotocol/server-everything@2026.8.31 @modelcontextprotocol/server-filesystem@2026.8.31"
npm_dir=build/npm

mcp_servers() {
	[ "$mode" = check ] || return 0
	if [ -f "$npm_dir/.installed" ] && [ "$(cat "$npm_dir/.installed")" = "$mcp_npm" ]; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "deps: npm not found; test_mcp's interop cases will be skipped" >&2
		return 0
	fi
	mkdir -p "$npm_dir"
	# shellcheck disable=SC2086
	# Bounded: an unreachable registry must not hold `make check` for minutes.
	if npm install --prefix "$npm_dir" --no-audit --no-fund --no-save --loglevel=error \
		--fetch-retries=1 --fetch-timeout=30000 $mcp_npm >&2; then
		echo "$mcp_npm" >"$npm_dir/.installed"
	else
		echo "deps: npm could not install the reference MCP servers; test_mcp's interop cases will be skipped" >&2
	fi
}

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
	mcp_servers
	exit 0
fi

# node and npm for the reference MCP servers, only when there are none: a node from
# elsewhere (nodesource, nvm) is used as it is.
if [ "$mode" = check ] && ! command -v npm >/dev/null 2>&1; then
	pkgs="$pkgs nodejs npm"
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

if [ -z "$missing" ]; then
	mcp_servers
	exit 0
fi

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
mcp_servers
