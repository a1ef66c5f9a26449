#!/usr/bin/env bash
# Prints every pending insta snapshot under snapshots/: a unified diff
# against the accepted snapshot, or the whole file when there is none yet.
# Exits 0; says so when nothing is pending.
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
while IFS= read -r -d '' pending; do
    found=1
    accepted="${pending%.new}"
    if [ -f "$accepted" ]; then
        echo "=== changed: $accepted"
        diff -u "$accepted" "$pending" || true
    else
        echo "=== new: $accepted"
        cat "$pending"
    fi
    echo
done < <(find snapshots -name '*.snap.new' -print0 | sort -z)
if [ "$found" = 0 ]; then
    echo "no pending snapshots"
else
    echo "accept them all with \`just accept\` (or one by one with \`just review\` in a terminal), then commit the .snap files"
fi
