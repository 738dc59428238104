#!/usr/bin/env bash
# Checks a command against the units' sandbox, as far as it can be checked
# without systemd as PID 1: runs it under strace (-f) and reports
#   - system calls outside SystemCallFilter=@system-service minus
#     ~@privileged @resources (what deploy/*.service allow; a call outside
#     fails with EPERM there),
#   - what MemoryDenyWriteExecute= refuses: mmap with PROT_WRITE|PROT_EXEC,
#     mprotect/pkey_mprotect adding PROT_EXEC.
# Usage: scripts/unit-syscalls.sh [--user USER] COMMAND [ARGS...]
# (exit 1 on a finding). --user runs the command as USER, as the units run
# phas as `phas` (run as root: some libraries act differently, SQLite
# chowns its files). A daemon is stopped with SIGTERM to its pid.
# docs/install.md shows what it found for the scaler and the predictor.
set -euo pipefail
user=()
if [ "${1:-}" = --user ]; then
  user=(-u "$2")
  shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [--user USER] COMMAND [ARGS...]" >&2; exit 2; }

# The system calls of a filter set, nested sets expanded.
expand() {
  systemd-analyze syscall-filter "$1" | tail -n +2 | sed 's/^ *//' |
    while read -r w; do
      case "$w" in
        ''|'#'*) ;;
        @*) expand "$w" ;;
        *) echo "$w" ;;
      esac
    done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expand @system-service | sort -u >"$work/service"
{ expand @privileged; expand @resources; } | sort -u >"$work/denied"
comm -23 "$work/service" "$work/denied" >"$work/allowed"

status=0
strace -f -qq "${user[@]}" -o "$work/trace" "$@" || status=$?
echo "command exited $status"
sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$work/trace" | sort -u >"$work/used"
outside=$(comm -23 "$work/used" "$work/allowed")
wx=$(grep -E '(^[0-9]+ +mmap\(.*PROT_WRITE\|PROT_EXEC)|(^[0-9]+ +(pkey_)?mprotect\(.*PROT_EXEC)' \
  "$work/trace" || true)
echo "system calls used: $(wc -l <"$work/used")"
echo "outside the filter: ${outside:-none}" | tr '\n' ' '
echo
echo "writable+executable or made-executable mappings: ${wx:-none}"
[ -z "$outside" ] && [ -z "$wx" ]
