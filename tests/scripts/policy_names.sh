#!/bin/sh
# policy_names.sh GRADER -- what the students read never recommends a call
# the policy refuses.  Every function name that the stub
# (assignments/kernels/kernels.c), kernels.h or the student README mentions,
# written as a call (an identifier immediately followed by "(", in code or
# in prose) and defined by libc or libm (their dynamic symbol tables, read
# with nm), must be allowed by config.yaml's symbol policy, asked through
# `grader policy --symbol`.  A refused call may still be named without the
# parentheses ("`fopen`"), as the README's list of refused calls does.
set -eu
grader=$1
files="assignments/kernels/kernels.c assignments/kernels/kernels.h assignments/kernels/README.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/policy_names.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The names libc and libm define, as the linker finds them.
for lib in libc.so.6 libm.so.6; do
    path=$(cc -print-file-name="$lib")
    [ -f "$path" ] || { echo "policy_names: cannot find $lib" >&2; exit 1; }
    nm -D --defined-only "$path" | awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }'
done | sort -u > "$tmp/libc"

# FILE:LINE:NAME for every call-shaped mention.
for f in $files; do
    grep -no '[A-Za-z_][A-Za-z0-9_]*(' "$f" | sed "s|^|$f:|; s|($||"
done > "$tmp/mentions"
cut -d: -f3 "$tmp/mentions" | sort -u | comm -12 - "$tmp/libc" > "$tmp/names"
[ -s "$tmp/names" ] || { echo "policy_names: no libc or libm call found in $files" >&2; exit 1; }

set +e
# shellcheck disable=SC2046 # one --symbol per name
"$grader" -c config.yaml policy $(sed 's/^/--symbol /' "$tmp/names") > "$tmp/verdicts"
rc=$?
set -e
if [ "$rc" = 0 ]; then
    echo "policy_names: ok: the $(wc -l < "$tmp/names") libc/libm calls the students read" \
         "about are allowed ($(tr '\n' ' ' < "$tmp/names" | sed 's/ $//'))"
    exit 0
fi
[ "$rc" = 1 ] || { cat "$tmp/verdicts" >&2; echo "policy_names: grader exit $rc" >&2; exit 1; }
echo "policy_names: the students are told to call what the policy refuses:" >&2
grep ': refused: ' "$tmp/verdicts" | while IFS= read -r line; do
    name=${line%%: *}
    grep ":$name\$" "$tmp/mentions" | cut -d: -f1,2 | sed "s|\$|: $name(): ${line#*: }|" >&2
done
exit 1
