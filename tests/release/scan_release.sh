#!/bin/sh
# scan_release.sh RELEASE_DIR [CONFIG] -- an independent leak check of a
# student release, with grep, sed and awk only (not the grader's C scanner,
# so that a bug in one cannot hide a leak from both).  CONFIG is the
# instructor's config (default config.yaml); run from its folder.
#
# Fails (exit 1, one FAIL line each) when the release has:
#   - a file named like the instructor-only ones (solutions/, hidden/,
#     main_all.c) or identical to a solution (the performance program
#     ships: its files are scanned as any other);
#   - a line of solution code: the lines between BEGIN SOLUTION and END
#     SOLUTION of each `solution:` file, trimmed, at least 40 characters
#     long, that the stub does not also have;
#   - the id of a hidden test (config lines with "visibility: hidden"),
#     the name of a hidden suite, or a TC_TEST name of the hidden suites;
#   - the path of a solution or of the hidden suites, or this folder's
#     absolute path.
set -u
rel=$1
config=${2:-config.yaml}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL scan_release: $*"; fail=1; }

[ -d "$rel" ] || { echo "FAIL scan_release: no folder $rel"; exit 1; }

# -- instructor-only files by name, or by content --------------------------
found=$(cd "$rel" && find . \( -path '*/solutions/*' -o -path '*/hidden/*' -o -name main_all.c \
        -o -name 'hidden_suites.h' \) -print)
[ -z "$found" ] || bad "instructor-only files shipped: $found"

solutions=$(sed -n 's/^ *solution: *//p' "$config")
stubs=$(sed -n 's/^ *stub: *//p' "$config")
for sol in $solutions; do
    find "$rel" -type f -exec cmp -s "$sol" {} \; -print > "$tmp/same"
    [ -s "$tmp/same" ] && bad "a copy of $sol: $(cat "$tmp/same")"
done

# -- solution code -------------------------------------------------------------
trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$@"; }
: > "$tmp/stub-lines"
for stub in $stubs; do trim "$stub" >> "$tmp/stub-lines"; done
: > "$tmp/secret"
for sol in $solutions; do
    awk '/^[[:space:]]*\/\* END SOLUTION \*\/[[:space:]]*$/ { inside = 0; next }
         /^[[:space:]]*\/\* BEGIN SOLUTION/ { inside = 1; next }
         inside' "$sol" | trim | awk 'length($0) >= 40' >> "$tmp/secret"
done
grep -vxF -f "$tmp/stub-lines" "$tmp/secret" | sort -u > "$tmp/patterns"
if [ ! -s "$tmp/patterns" ]; then
    bad "no solution line to look for (is $config right?)"
elif grep -rnF -f "$tmp/patterns" "$rel" > "$tmp/hits"; then
    bad "solution code: $(head -n 5 "$tmp/hits")"
fi

# -- hidden tests ---------------------------------------------------------------
grep 'visibility: *hidden' "$config" | sed -n 's/.*id: *\([a-z0-9_]*\/[a-z0-9_]*\).*/\1/p' \
    | sort -u > "$tmp/ids"
[ -s "$tmp/ids" ] || bad "no hidden test id found in $config"
cut -d/ -f1 "$tmp/ids" | sort -u > "$tmp/suites"
grep -ho 'TC_TEST([a-z0-9_]*)' harness/kernels/hidden/*.c | sed 's/TC_TEST(\(.*\))/\1/' \
    | sort -u > "$tmp/hidden-fns"
grep -ho 'TC_TEST([a-z0-9_]*)' harness/kernels/visible/*.c | sed 's/TC_TEST(\(.*\))/\1/' \
    | sort -u > "$tmp/visible-fns"
comm -23 "$tmp/hidden-fns" "$tmp/visible-fns" > "$tmp/fns"
[ -s "$tmp/fns" ] || bad "no hidden test function found"
grep -rnF -f "$tmp/ids" "$rel" > "$tmp/hits" && bad "hidden test ids: $(head -n 5 "$tmp/hits")"
grep -rnF -f "$tmp/suites" "$rel" > "$tmp/hits" && bad "hidden suites: $(head -n 5 "$tmp/hits")"
grep -rnwF -f "$tmp/fns" "$rel" > "$tmp/hits" && bad "hidden test functions: $(head -n 5 "$tmp/hits")"

# -- instructor paths --------------------------------------------------------------
for p in $solutions harness/kernels/hidden/ "$(pwd)"; do
    grep -rnF -- "$p" "$rel" > "$tmp/hits" && bad "the path $p: $(head -n 3 "$tmp/hits")"
done

if [ "$fail" = 0 ]; then
    echo "ok scan_release: $(find "$rel" -type f | wc -l) files; $(wc -l < "$tmp/patterns") solution lines, $(wc -l < "$tmp/ids") hidden ids, $(wc -l < "$tmp/fns") hidden functions: none found"
fi
exit "$fail"
