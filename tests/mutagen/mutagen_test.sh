#!/bin/sh
# mutagen_test.sh MUTAGEN DIR -- the mutant generator on its fixture
# (tests/mutagen/fixture.c) and on the Kernels reference: each operator
# yields the expected mutants, none goes into a macro or a constant
# expression, --ops and --functions filter without renumbering the ids,
# every single mutant and both schemas compile, and the fixture's schema
# run with GRADER_MUTANT=k prints what the --apply k program prints.
# Bad input exits 2 with FILE:LINE:COL.  Hermetic: everything under DIR.
set -eu
mutagen=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
rm -rf "${dir:?}"/* && mkdir -p "$dir/tmp" "$dir/apply"
export TMPDIR="$dir/tmp"
unset GRADER_MUTANT || true
fails=0 passes=0
ok()    { passes=$((passes + 1)); echo "ok   $*"; }
bad()   { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# jqt NAME FILE FILTER: the jq FILTER is true of FILE.
jqt()   { check "$1" test "$(jq "$3" "$2")" = true; }

fx=tests/mutagen/fixture.c
cflags="-std=c11 -D_GNU_SOURCE -Werror=implicit-function-declaration -Werror=int-conversion"
cflags="$cflags -Werror=incompatible-pointer-types -Itests/mutagen"
all="$dir/all.json"
"$mutagen" "$fx" --schema "$dir/schema.c" -- -std=c11 -D_GNU_SOURCE > "$all"

# ---- the list ---------------------------------------------------------------
jqt "indexes are 1..N in order" "$all" \
    '[.mutants[].index] == [range(1; (.mutants | length) + 1)]'
jqt "ids are FUNCTION:OP:K, K counting per function and operator" "$all" '
    ([.mutants[] | .id == "\(.function):\(.op):\(.id | split(":")[2])"] | all)
    and ([.mutants | group_by(.function + ":" + .op)[] | [.[].id | split(":")[2] | tonumber]
          == [range(1; length + 1)]] | all)'
jqt "edits lie in their spans; source order" "$all" '
    ([.mutants[] | .edit.offset >= .span.offset and
      .edit.offset + .edit.length <= .span.offset + .span.length] | all)
    and ([.mutants[].span.offset] == ([.mutants[].span.offset] | sort))'
jqt "every diff is one hunk with a/ and b/ headers" "$all" '
    [.mutants[].diff | startswith("--- a/fixture.c\n+++ b/fixture.c\n@@ -")] | all'
jqt "every operator yields mutants" "$all" \
    '[.mutants[].op] | unique == ["aor","bound","clamp","const","del","loop","ror","round","swap"]'

# id -> "original => replacement" for exact expectations
m() { jq -r --arg id "$1" '.mutants[] | select(.id == $id) | "\(.original) => \(.replacement)"' "$all"; }
expect() { check "$1 is '$2'" test "$(m "$1")" = "$2"; }
expect fx_less:ror:1 '< => <='
expect fx_less:ror:2 '< => >='
expect fx_sum:bound:1 '0 => 1'
expect fx_sum:bound:2 'n => (n) - 1'
expect fx_sum:bound:3 'n => (n) + 1'
expect fx_sum:aor:1 '+= => -='
expect fx_sum:del:1 's += v[i]; => ;'
expect fx_scale:aor:2 '(x + y) * 2.0f => ((x + y) + 2.0f)'
expect fx_scale:aor:4 '/ => *'
expect fx_scale:const:1 '2.0f => 0.0f'
expect fx_edge:ror:3 'n > 0 && v[n - 1] > LIMIT => ((n > 0) || (v[n - 1] > LIMIT))'
expect fx_release:del:1 'free(p); => ;'
expect fx_alloc:del:3 'p[0] = n; => ;'
expect fx_at:swap:1 'r * cols + c => c * cols + r'
expect fx_round:round:1 'rintf => roundf'
expect fx_round:round:3 'rintf => truncf'
expect fx_lround:round:1 'lrintf => lroundf'
expect fx_clamp:clamp:1 'fminf(x, hi) => x'
expect fx_clamp:clamp:2 'fminf(x, hi) => hi'
expect fx_clamp:clamp:3 'y < 0.0f ? 0.0f : y => y'
jqt "fx_sum: const leaves the loop start to bound" "$all" \
    '[.mutants[] | select(.function == "fx_sum" and .op == "const") | .replacement] == ["1","(-1)"]'
jqt "loop: both remainder loops of fx_tail and the while after a loop" "$all" '
    [.mutants[] | select(.op == "loop") | .id] == ["fx_tail:loop:1","fx_tail:loop:2","fx_edge:loop:1"]
    and ([.mutants[] | select(.op == "loop") | .kind] | unique == ["stmt"])'
jqt "del: the error check, the call and the store of fx_alloc" "$all" '
    [.mutants[] | select(.function == "fx_alloc" and .op == "del") | .original | split("\n")[0]]
    == ["if (p == NULL)", "memset(p, 0, sizeof *p * (size_t)n);", "p[0] = n;"]'
jqt "clamp: the if with one assignment is deleted whole" "$all" '
    [.mutants[] | select(.id == "fx_clamp:clamp:4") | .kind == "stmt" and
     (.original | startswith("if (y > 100.0f)")) and .replacement == ";"] == [true]'

# ---- where no mutant goes -----------------------------------------------------
jqt "macros: in fx_macro only the + between the two invocations" "$all" \
    '[.mutants[] | select(.function == "fx_macro") | "\(.id) \(.original)"] == ["fx_macro:aor:1 +"]'
jqt "constant expressions: no const mutant in fx_consts" "$all" \
    '[.mutants[] | select(.function == "fx_consts" and .op == "const")] == []'
jqt "lvalues: fx_lvalues mutates operators and literals only" "$all" '
    [.mutants[] | select(.function == "fx_lvalues" and .kind == "expr") | .op] | unique == ["aor","const"]'
jqt "directives: no mutant copies the #ifdef lines of fx_ifdef" "$all" \
    '[.mutants[] | select(.function == "fx_ifdef")] == []'
first=$(grep -n '^int fx_less' "$fx" | cut -d: -f1)
jqt "nothing outside function bodies (enum, global initializer, _Static_assert)" "$all" \
    "[.mutants[].span.line > $first] | all"

# ---- filters --------------------------------------------------------------------
"$mutagen" "$fx" --ops round,swap -- -std=c11 > "$dir/ops.json"
check "--ops keeps the ids of the full list" test \
    "$(jq -c '[.mutants[] | [.id, .edit, .replacement]]' "$dir/ops.json")" = \
    "$(jq -c '[.mutants[] | select(.op == "round" or .op == "swap") | [.id, .edit, .replacement]]' "$all")"
"$mutagen" "$fx" --functions 'fx_cl*,fx_less' -- -std=c11 > "$dir/fn.json"
check "--functions keeps the ids of the full list" test \
    "$(jq -c '[.mutants[] | [.id, .edit, .replacement]]' "$dir/fn.json")" = \
    "$(jq -c '[.mutants[] | select(.function == "fx_clamp" or .function == "fx_less") | [.id, .edit, .replacement]]' "$all")"

# ---- every mutant compiles, alone and in the schema ---------------------------------
# Each mutant's source from the JSON edit (one mutagen run per mutant would
# take a parse each); --apply must write the same bytes (a sample below).
n=$(jq '.mutants | length' "$all")
jq -r '.mutants[] | "\(.index) \(.edit.offset) \(.edit.length) \(.edit.text | @base64)"' "$all" |
while read -r k off len text; do
    { head -c "$off" "$fx"
      printf '%s' "$text" | base64 -d
      tail -c +"$((off + len + 1))" "$fx"; } > "$dir/apply/m$k.c"
done
# One gcc for all of them: -fsyntax-only takes many files.
check "all $n mutants compile alone" sh -c \
    "gcc $cflags -fsyntax-only '$dir'/apply/m*.c 2> '$dir/apply.err'"
check "the fixture's schema compiles" sh -c \
    "gcc $cflags -Wall -Wextra -fsyntax-only '$dir/schema.c' 2> '$dir/schema.err'"
same=true
for k in 1 13 47 108 $n; do
    "$mutagen" "$fx" --apply "$k" -o "$dir/applied$k.c" -- -std=c11
    cmp -s "$dir/applied$k.c" "$dir/apply/m$k.c" || { echo "--apply $k differs"; same=false; }
done
check "--apply k writes FILE with mutant k's edit" $same
check "--apply writes nothing on stdout" test -z "$("$mutagen" "$fx" --apply 1 -o "$dir/x.c")"

# ---- the schema behaves like each mutant --------------------------------------------
gcc $cflags -O1 "$dir/schema.c" tests/mutagen/fixture_main.c -lm -o "$dir/schema" 2> "$dir/build.err"
gcc $cflags -O1 "$fx" tests/mutagen/fixture_main.c -lm -o "$dir/original" 2>> "$dir/build.err"
"$dir/original" > "$dir/original.txt"
check "schema with GRADER_MUTANT unset prints what the original prints" \
    sh -c "'$dir/schema' | cmp -s - '$dir/original.txt'"
check "schema with GRADER_MUTANT=0 is the original too" \
    sh -c "GRADER_MUTANT=0 '$dir/schema' | cmp -s - '$dir/original.txt'"
for id in fx_less:ror:1 fx_scale:aor:2 fx_tail:loop:2 fx_edge:ror:3 fx_at:swap:1 \
          fx_round:round:1 fx_clamp:clamp:3 fx_clamp:clamp:4; do
    k=$(jq --arg id "$id" '.mutants[] | select(.id == $id) | .index' "$all")
    gcc $cflags -O1 "$dir/apply/m$k.c" tests/mutagen/fixture_main.c -lm -o "$dir/m$k" 2>> "$dir/build.err"
    "$dir/m$k" > "$dir/m$k.txt" 2>&1 || true
    GRADER_MUTANT=$k "$dir/schema" > "$dir/s$k.txt" 2>&1 || true
    # (A mutant's own source may have fewer lines: its __LINE__ differs.)
    check "mutant $k ($id): schema output = --apply output, and it differs" sh -c \
        "grep -v '^line' '$dir/m$k.txt' > '$dir/m$k.cmp'; grep -v '^line' '$dir/s$k.txt' > '$dir/s$k.cmp'
         cmp -s '$dir/m$k.cmp' '$dir/s$k.cmp' && ! cmp -s '$dir/m$k.txt' '$dir/original.txt'"
done
# fx_line() returns __LINE__ after many wrapped spans, some of them
# multi-line: the schema prints the same line as the original (#line).
check "the schema keeps the file's line numbers" grep -q "^line $(grep -n __LINE__ "$fx" | cut -d: -f1)\$" "$dir/original.txt"

# ---- errors --------------------------------------------------------------------------
printf 'int f(void)\n{\n    return 1 +;\n}\n' > "$dir/broken.c"
set +e
"$mutagen" "$dir/broken.c" > /dev/null 2> "$dir/broken.err"; rc=$?
"$mutagen" "$fx" --ops ror,bogus > /dev/null 2>&1; rc_ops=$?
"$mutagen" "$fx" --apply 100000 -o "$dir/x.c" -- -std=c11 > /dev/null 2>&1; rc_apply=$?
"$mutagen" > /dev/null 2>&1; rc_nofile=$?
"$mutagen" --help > /dev/null 2>&1; rc_help=$?
set -e
check "a file that does not parse: exit 2" test "$rc" = 2
check "... with FILE:LINE:COL: message" grep -q "broken.c:3:[0-9]*: .*expected expression" "$dir/broken.err"
check "an unknown operator: exit 2" test "$rc_ops" = 2
check "--apply past the last mutant: exit 2" test "$rc_apply" = 2
check "no FILE: exit 2" test "$rc_nofile" = 2
check "--help: exit 0" test "$rc_help" = 0

# ---- the Kernels reference -----------------------------------------------------------
kflags="-Iharness/tensor -Iharness/check -Iharness/kernels -Iassignments/kernels"
kflags="$kflags -include tc_track.h -std=c11 -D_GNU_SOURCE"
# shellcheck disable=SC2086
"$mutagen" solutions/kernels/kernels.c --schema "$dir/kernels_schema.c" -- $kflags \
    > "$dir/kernels.json"
# shellcheck disable=SC2086
check "the Kernels reference's schema compiles" sh -c \
    "gcc $kflags -Werror=int-conversion -Werror=incompatible-pointer-types -fsyntax-only \
         '$dir/kernels_schema.c' 2> '$dir/kernels_schema.err'"
total=$(jq '.mutants | length' "$dir/kernels.json")
check "the Kernels reference has at least 200 mutants ($total)" test "$total" -ge 200
echo "Kernels mutants per operator: $(jq -r '[.mutants | group_by(.op)[] | "\(.[0].op) \(length)"] | join(", ")' "$dir/kernels.json")"

echo "mutagen: $passes passed, $fails failed"
test "$fails" = 0
