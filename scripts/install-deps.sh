#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet.
# Uses sudo when not root. Prints nothing when everything is present.
#   scripts/install-deps.sh PKG...           install the missing ones
#   scripts/install-deps.sh --check PKG...   install nothing: exit 1 naming
#       the missing ones (make install, make deb); exit 0 where dpkg-query
#       is absent (not Debian: the build then says what it lacks)
set -euo pipefail
check=false
if [ "${1:-}" = "--check" ]; then
  check=true
  shift
fi
if $check && ! command -v dpkg-query >/dev/null 2>&1; then
  exit 0
fi
missing=()
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if $check; then
  echo "phas: missing Debian packages: ${missing[*]}" >&2
  echo "phas: install them (\`make deps-build\` installs the build packages only; \`make deps\` also the test tools)" >&2
  exit 1
fi
echo "phas: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "phas: not root and no sudo; install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
