# packages.bash - the Debian packages the stack runs on (tools/stack deps): what `make run`
# needs, what the test suite adds, and the media plane's, installed when missing (as
# root; otherwise the command is printed). Sourced by tools/stack, after common.bash.
# shellcheck shell=bash

packages=(build-essential pkg-config libfcgi-dev libyajl-dev libpq-dev libcriterion-dev libgsm1-dev
	nginx libnginx-mod-stream spawn-fcgi multiwatch postgresql postgresql-client curl valgrind
	iproute2 procps)
check_packages=(chromium pgbouncer)
# The media plane (tools/media): optional for `make run` (the API runs without it), needed
# by the suite. sox converts `make call`'s AUDIO.
media_packages=(rtpengine-daemon kamailio kamailio-postgres-modules sox)

# The packages among "$@" that are not installed, one a line.
not_installed() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			echo "$p"
	done
}

# apt-get install of "$@" (apt-get's options first), quietly; the package lists are
# updated and it is tried again when it fails (lists too old, or never fetched).
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q "$@" >/dev/null ||
		{ apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

# deps check: also what the test suite needs (Chromium for the reference page,
# PgBouncer for the pooled pass, the media plane).
deps() {
	local missing=() extra=()
	[ -n "$1" ] && extra=("${check_packages[@]}")
	if [ -n "$1" ]; then media_deps strict || return 1
	elif [ "${PC_MEDIA:-auto}" != off ]; then media_deps; fi
	[ -n "$pgbouncer_instances" ] && extra+=(pgbouncer)
	mapfile -t missing < <(not_installed "${packages[@]}" ${extra[@]+"${extra[@]}"})
	# Node.js from Debian or from elsewhere (NodeSource's package carries npm itself).
	command -v node >/dev/null || missing+=(nodejs)
	command -v npm >/dev/null || missing+=(npm)
	[ ${#missing[@]} = 0 ] && return 0
	if ! is_root; then
		say "missing packages; run as root:"
		say "  apt-get install -y ${missing[*]}"
		return 1
	fi
	say "installing: ${missing[*]}"
	apt_install "${missing[@]}"
}

# The media plane's packages, without the recommended ones (rtpengine's kernel module
# would be compiled). For `make run` apart: when they cannot be installed, the API runs
# without a media plane (tools/media says so, /uapi/health says "off"); strict (the
# suite): they must be.
media_deps() {
	local missing=()
	mapfile -t missing < <(not_installed "${media_packages[@]}")
	[ ${#missing[@]} = 0 ] && return 0
	if ! is_root; then
		say "for the media plane, as root: apt-get install -y --no-install-recommends ${missing[*]}"
		[ -z "${1:-}" ]
		return
	fi
	say "installing the media plane: ${missing[*]}"
	apt_install --no-install-recommends "${missing[@]}" 2>/dev/null || {
		say "could not install ${missing[*]}"
		[ -z "${1:-}" ] && say "the API runs without a media plane"
		[ -z "${1:-}" ]
	}
}
