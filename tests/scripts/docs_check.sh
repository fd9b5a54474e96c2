#!/bin/sh
# docs_check.sh -- the reference docs and the code agree, both ways
# (make test-docs, from the repository root):
#
#   - every config key the loader accepts (every string of the `...keys[] =
#     {...}` tables in grader/src/config/*.[ch]) is a key of a table of
#     docs/configuration.md (a table whose first column is "key": each
#     `dotted.path[].name` there counts all its components), and every such
#     component is a key the loader accepts;
#   - every long option of every command (the `struct option ...[] = {...}`
#     tables in grader/*.c and grader/cli/*.c) is in the first column of a
#     table of docs/cli.md whose first column is "option", and every
#     `--option` such a column names is one the code accepts.
#
# The files are found by glob, so the check follows the code as it is
# split into more files.  Before checking the tree, it checks itself: on
# copies with a key or an option planted on one side only, it must fail and
# name it.
#
#   sh tests/scripts/docs_check.sh [WORKDIR]    (default build/docs-check)
set -eu

. tests/scripts/lib.sh

work=${1:-build/docs-check}
rm -rf "$work"
mkdir -p "$work"
hermetic "$work"

# The files of the tree at $1 the check reads, one a line.
key_sources() { ls "$1"/grader/src/config/*.c "$1"/grader/src/config/*.h 2>/dev/null || true; }
opt_sources() { ls "$1"/grader/*.c "$1"/grader/cli/*.c 2>/dev/null || true; }

# KEY<TAB>FILE:LINE for every string of every keys[] table in the files given
# (only key-like strings: a table-driven checker's entries may hold others).
code_keys() {
    awk '
        FNR == 1 { inside = 0 }
        !inside && /keys\[[A-Za-z0-9_ ]*\][ \t]*=[ \t]*\{/ {
            inside = 1; sub(/.*keys\[[A-Za-z0-9_ ]*\][ \t]*=[ \t]*\{/, "")
        }
        inside {
            line = $0; end = index(line, "};")
            if (end) line = substr(line, 1, end)
            while (match(line, /"[^"]*"/)) {
                k = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH)
                if (k ~ /^[a-z_][a-z0-9_]*$/) printf "%s\t%s:%d\n", k, FILENAME, FNR
            }
            if (end) inside = 0
        }' "$@"
}

# --OPTION<TAB>FILE:LINE for every entry of every struct option table.
code_opts() {
    awk '
        FNR == 1 { inside = 0 }
        !inside && /struct[ \t]+option[ \t]+[A-Za-z0-9_]+\[[^]]*\][ \t]*=[ \t]*\{/ {
            inside = 1; sub(/.*\][ \t]*=[ \t]*\{/, "")
        }
        inside {
            line = $0; end = index(line, "};")
            if (end) line = substr(line, 1, end)
            while (match(line, /\{[ \t]*"[^"]+"/)) {
                s = substr(line, RSTART, RLENGTH); sub(/^\{[ \t]*"/, "", s); sub(/"$/, "", s)
                printf "--%s\t%s:%d\n", s, FILENAME, FNR
                line = substr(line, RSTART + RLENGTH)
            }
            if (end) inside = 0
        }' "$@"
}

# The first cells of the rows of the Markdown tables of $1 whose header's
# first cell is $2: CELL<TAB>FILE:LINE.
first_cells() {
    awk -v want="$2" '
        function cell1(s) { sub(/^\|[ \t]*/, "", s); sub(/[ \t]*\|.*/, "", s); return s }
        !/^\|/ { table = 0; header = 0; next }
        !table { table = 1; header = 1; keep = (cell1($0) == want); next }
        header { header = 0; next }        # the |---| line
        keep { printf "%s\t%s:%d\n", cell1($0), FILENAME, FNR }' "$1"
}

# KEY<TAB>FILE:LINE: every component of every `...` in the key column.
doc_keys() {
    first_cells "$1" key | awk -F '\t' '{
        cell = $1
        while (match(cell, /`[^`]*`/)) {
            code = substr(cell, RSTART + 1, RLENGTH - 2); cell = substr(cell, RSTART + RLENGTH)
            n = split(code, part, ".")
            for (i = 1; i <= n; i++) {
                p = part[i]; sub(/\[\]$/, "", p)
                if (p ~ /^[a-z_][a-z0-9_]*$/) printf "%s\t%s\n", p, $2
            }
        }}'
}

# --OPTION<TAB>FILE:LINE for every --option in the option column.
doc_opts() {
    first_cells "$1" option | awk -F '\t' '{
        cell = $1
        while (match(cell, /--[a-z][a-z0-9-]*/)) {
            printf "%s\t%s\n", substr(cell, RSTART, RLENGTH), $2; cell = substr(cell, RSTART + RLENGTH)
        }}'
}

# Prints every disagreement of the tree at $1; status 1 if any.
check_tree() {
    root=$1 out=$work/check.$$ bad=0
    ks=$(key_sources "$root") os=$(opt_sources "$root")
    if [ -z "$ks" ] || [ -z "$os" ]; then
        echo "docs_check: no config key tables or no option tables found under $root/grader"
        return 1
    fi
    # shellcheck disable=SC2086 # file lists, one path a word
    code_keys $ks > "$out.ck"
    # shellcheck disable=SC2086
    code_opts $os > "$out.co"
    doc_keys "$root/docs/configuration.md" > "$out.dk"
    doc_opts "$root/docs/cli.md" > "$out.dopt"
    for f in ck co dk dopt; do
        if [ ! -s "$out.$f" ]; then echo "docs_check: nothing extracted ($f) from $root"; return 1; fi
    done
    # Undocumented: in the code, not in the docs.
    awk -F '\t' 'NR == FNR { doc[$1] = 1; next }
        !($1 in doc) && !seen[$1]++ { printf "%s: %s %s is not documented in %s\n", $2, kind, $1, doc_file; bad = 1 }
        END { exit bad }' doc_file="docs/configuration.md" kind="config key" "$out.dk" "$out.ck" || bad=1
    awk -F '\t' 'NR == FNR { doc[$1] = 1; next }
        !($1 in doc) && !seen[$1]++ { printf "%s: option %s is not documented in docs/cli.md\n", $2, $1; bad = 1 }
        END { exit bad }' "$out.dopt" "$out.co" || bad=1
    # Documented but not in the code.
    awk -F '\t' 'NR == FNR { code[$1] = 1; next }
        !($1 in code) { printf "%s: config key %s is documented but the loader does not accept it\n", $2, $1; bad = 1 }
        END { exit bad }' "$out.ck" "$out.dk" || bad=1
    awk -F '\t' 'NR == FNR { code[$1] = 1; next }
        !($1 in code) { printf "%s: option %s is documented but no command accepts it\n", $2, $1; bad = 1 }
        END { exit bad }' "$out.co" "$out.dopt" || bad=1
    rm -f "$out".*
    return $bad
}

# A copy of the files the check reads, at $1.
copy_tree() {
    mkdir -p "$1/grader/src/config" "$1/grader/cli" "$1/docs"
    # shellcheck disable=SC2046
    cp $(key_sources .) "$1/grader/src/config/"
    # shellcheck disable=SC2046
    for f in $(opt_sources .); do mkdir -p "$1/${f%/*}" && cp "$f" "$1/$f"; done
    cp docs/configuration.md docs/cli.md "$1/docs/"
}

# Self-test: $1 names the case, $2 what the failure must name; the tree
# is at $work/self/$1 (already planted).
expect_fail() {
    if check_tree "$work/self/$1" > "$work/self/$1.out"; then
        echo "FAIL docs_check self-test $1: passed with $2 planted"; exit 1
    fi
    if ! grep -q -- "$2" "$work/self/$1.out"; then
        echo "FAIL docs_check self-test $1: failed without naming $2:"; cat "$work/self/$1.out"; exit 1
    fi
    echo "ok   self-test $1: $(grep -- "$2" "$work/self/$1.out" | head -1)"
}

# Inserts line $3 after the first line of file $1 matching the ERE $2.
insert_after() {
    awk -v re="$2" -v add="$3" '{ print } !done && $0 ~ re { print add; done = 1 }' "$1" > "$1.new"
    mv "$1.new" "$1"
}

step "self-test"
for c in clean code_key doc_key code_opt doc_opt; do copy_tree "$work/self/$c"; done
if ! check_tree "$work/self/clean" > "$work/self/clean.out"; then
    # The copy must agree if the tree does: only then do the planted cases prove anything.
    check_tree . > "$work/tree.out" || { echo "FAIL docs_check:"; cat "$work/tree.out"; exit 1; }
    echo "FAIL docs_check self-test: the copy disagrees, the tree does not:"; cat "$work/self/clean.out"; exit 1
fi
f=$(grep -l 'keys\[[A-Za-z0-9_ ]*\][ \t]*=[ \t]*{' "$work"/self/code_key/grader/src/config/* | head -1)
sed 's/\(keys\[[A-Za-z0-9_ ]*\][ \t]*=[ \t]*{\)/\1 "planted_code_key",/' "$f" > "$f.new" && mv "$f.new" "$f"
expect_fail code_key "config key planted_code_key is not documented"
insert_after "$work/self/doc_key/docs/configuration.md" '^\| `' \
    '| `planted_doc_key.title` | string | none | planted |'
expect_fail doc_key "config key planted_doc_key is documented but"
f=$(grep -l 'struct option' "$work"/self/code_opt/grader/*.c | head -1)
insert_after "$f" 'struct[ \t]+option' '        {"planted-code-opt", no_argument, NULL, 0},'
expect_fail code_opt "option --planted-code-opt is not documented"
insert_after "$work/self/doc_opt/docs/cli.md" '^\| `-' '| `--planted-doc-opt` | planted |'
expect_fail doc_opt "option --planted-doc-opt is documented but"

step "the tree"
if ! check_tree . > "$work/tree.out"; then
    cat "$work/tree.out"
    echo "FAIL docs_check: docs/configuration.md and docs/cli.md disagree with the code (above)"
    exit 1
fi
echo "docs_check: every config key and option is documented, and every documented one exists ($(key_sources . | wc -l) config files, $(opt_sources . | wc -l) command files)"
step summary
