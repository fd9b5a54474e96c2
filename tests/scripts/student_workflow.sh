#!/bin/sh
# student_workflow.sh DIR GRADER -- a student's session in assignments/kernels
# (in a copy of the folder, HARNESS pointing back), as scripted steps:
#   1. the stub: `make test` builds and fails every visible test;
#      `make grade` shows points per test and the visible total, 0;
#   2. for the stub, a partial solution and the reference: the points
#      `make grade` gives each visible test, the performance tests included
#      (measured as graded, with valgrind), equal the official grading's
#      (the instructor's config.yaml) for the same file;
#   3. a crash: `make test | tee` keeps the kernel's printf output and the
#      FAIL line names the function and the line in kernels.c; ONLY= takes
#      that FAIL line's name; `make grade`'s report (the grader's) names the
#      same function and line, without the runner's raw tc-location lines;
#   4. a policy violation: `make grade` gives the grader's policy message;
#   5. set-up mistakes get a one-line hint (HARNESS).
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
grader=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
root=$(pwd)
. tests/scripts/lib.sh
hermetic "$dir"
[ -x "$grader" ] || { echo "student: no grader at $grader" >&2; exit 1; }
fail() { echo "student: $*" >&2; exit 1; }

# A fresh student folder DIR/NAME holding FILE as kernels.c.
folder() {
    rm -rf "${dir:?}/$1" && mkdir -p "$dir/$1"
    cp assignments/kernels/Makefile assignments/kernels/kernels.h "$dir/$1/"
    cp "$2" "$dir/$1/kernels.c"
}
# make in folder NAME, output in DIR/NAME.OUT; the exit status in $rc.
smake() {
    name=$1 out=$2
    shift 2
    set +e
    make -s -C "$dir/$name" BUILD=build HARNESS="$root/harness" TOP="$root" \
        GRADER="$grader" CONFIG="$root/config.yaml" "$@" > "$dir/$name.$out" 2>&1
    rc=$?
    set -e
}

step "make test on the stub"
echo "student: make test on the stub"
folder stub assignments/kernels/kernels.c
smake stub test test
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$dir/stub.test" | tail -n 1)
if [ "$rc" = 0 ] || [ -z "$last" ] || [ "${last%% *}" != 0 ]; then
    tail -n 20 "$dir/stub.test" >&2
    fail "the stub should build and fail every visible test; got '$last' (exit $rc)"
fi
grep -q '^FAIL ' "$dir/stub.test" || fail "no per-test FAIL lines"

# Each visible test's "name<TAB>score" in a grading's results.json, sorted.
scores() {
    jq -r '.tests[] | select(.visibility != "hidden" and .visibility != "after_due_date")
           | "\(.name)\t\(.score)"' "$1" | sort
}

step "make grade equals the official grading"
want_perf=$(grep -c '^ *kind: performance' config.yaml)
for sub in stub:assignments/kernels/kernels.c partial:tests/fixtures/examples/partial/kernels.c \
           reference:solutions/kernels/kernels.c; do
    name=${sub%%:*} file=${sub#*:}
    echo "student: make grade on the $name"
    [ "$name" = stub ] || folder "$name" "$file"
    smake "$name" grade grade
    total=$(grep -E '^Total: ' "$dir/$name.grade" || true)
    [ -n "$total" ] || { tail -n 20 "$dir/$name.grade" >&2; fail "make grade ($name): no total"; }
    grep -qE '^  [A-Z]+ +[0-9.]+ / +[0-9.]+  ' "$dir/$name.grade" ||
        fail "make grade ($name): no points per test"
    local_json=$dir/$name/build/grade/out/results.json
    [ -s "$local_json" ] || fail "make grade ($name): no results.json"
    if jq -e '[.tests[].name] | any(test("^hidden|hidden_"))' "$local_json" > /dev/null; then
        fail "make grade ($name) names a hidden test"
    fi
    mkdir -p "$dir/official-$name"
    cp "$file" "$dir/official-$name/kernels.c"
    set +e
    "$grader" -c config.yaml grade "$dir/official-$name" -o "$dir/official-$name.out" \
        > "$dir/official-$name.txt" 2>&1
    set -e
    scores "$local_json" > "$dir/$name.local"
    scores "$dir/official-$name.out/results.json" > "$dir/$name.all"
    # the official grading's tests of the same names: the visible ones
    awk -F '\t' 'NR == FNR { want[$1] = 1; next } $1 in want' "$dir/$name.local" \
        "$dir/$name.all" > "$dir/$name.official"
    if ! cmp -s "$dir/$name.local" "$dir/$name.official"; then
        diff "$dir/$name.local" "$dir/$name.official" >&2 || true
        fail "make grade ($name): its points differ from the official grading's (< local, > official)"
    fi
    [ -s "$dir/$name.local" ] || fail "make grade ($name): no visible test"
    # the performance tests are in it, as graded (valgrind: else a last line says so)
    nperf=$(jq '[.tests[] | select(.extra_data.id // "" | startswith("perf/"))] | length' "$local_json")
    [ "$nperf" = "$want_perf" ] ||
        fail "make grade ($name): $nperf performance tests, not the $want_perf of config.yaml"
    if command -v valgrind > /dev/null; then
        ! grep -q '^make grade: ' "$dir/$name.grade" ||
            fail "make grade ($name): $(grep '^make grade: ' "$dir/$name.grade")"
    else
        tail -n 1 "$dir/$name.grade" | grep -q '^make grade: valgrind is not installed' ||
            fail "make grade ($name): no last line saying valgrind is missing"
    fi
    echo "student: ok: $total, the same $(wc -l < "$dir/$name.local") visible tests' points officially"
done

step "a crash, piped"
echo "student: a crash in relu_span(), the output piped through tee"
folder crash solutions/kernels/kernels.c
# relu_span's loop prints a line, then writes through NULL for 5 values.
awk '{ print }
     /^static void relu_span\(/ { inside = 1 }
     inside && /^{/ { print "    printf(\"debug: relu_span n=%zu\\n\", n);";
                      print "    if (n == 5)";
                      print "        *(volatile float *)0 = 1;   /* CRASH */";
                      inside = 0 }' solutions/kernels/kernels.c > "$dir/crash/kernels.c"
crash_line=$(grep -n 'CRASH \*/' "$dir/crash/kernels.c" | cut -d: -f1)
[ -n "$crash_line" ] || fail "could not plant the crash"
set +e
make -s -C "$dir/crash" BUILD=build HARNESS="$root/harness" POLICY=0 test ONLY=vectorized/relu 2>&1 |
    tee "$dir/crash.tee" > /dev/null
set -e
grep -q '^debug: relu_span n=5$' "$dir/crash.tee" || fail "the kernel's printf output is lost in the pipe"
fail_line=$(grep '^FAIL vectorized/relu/' "$dir/crash.tee" | head -n 1)
case "$fail_line" in
    *"crashed (SIGSEGV) in relu_span() at kernels.c:$crash_line)"*) ;;
    *) cat "$dir/crash.tee" >&2
       fail "the FAIL line does not name relu_span() at kernels.c:$crash_line: $fail_line" ;;
esac
echo "student: ok: ${fail_line#*: }"
test_name=$(echo "$fail_line" | sed 's/^FAIL \([^:]*\):.*/\1/')
smake crash only test POLICY=0 "ONLY=$test_name: vectorized/special"
grep -qx "FAIL $test_name:.*" "$dir/crash.only" || fail "ONLY=$test_name did not run it"
[ "$(grep -cE '^(PASS|FAIL) ' "$dir/crash.only")" = 3 ] ||
    fail "ONLY with two names ran $(grep -cE '^(PASS|FAIL) ' "$dir/crash.only") tests, not 1 + 2"
echo "student: make grade on the crash: the grader's report names the line too"
smake crash grade grade
want="(crashed (SIGSEGV) in relu_span() at kernels.c:$crash_line)"
grep -qF -- "$want" "$dir/crash.grade" ||
    { cat "$dir/crash.grade" >&2; fail "make grade's report does not say $want"; }
jq -e --arg w "$want" '[.tests[].output | select(contains($w))] | length > 0' \
    "$dir/crash/build/grade/out/results.json" > /dev/null ||
    fail "results.json does not say $want"
! grep -rqs 'tc-location' "$dir/crash.grade" "$dir/crash/build/grade/out/results.json" \
    "$dir/crash/build/grade/out/report.md" ||
    fail "the runner's tc-location lines reach the report"
echo "student: ok: $(grep -F -- "$want" "$dir/crash.grade" | head -n 1 | sed 's/^ *//')"

step "a policy violation"
echo "student: a policy violation (system() in kernels.c)"
folder policy solutions/kernels/kernels.c
printf '\n#include <stdlib.h>\nint kernels_debug_shell(void) { return system("true"); }\n' \
    >> "$dir/policy/kernels.c"
smake policy grade grade
grep -q "system" "$dir/policy.grade" || { cat "$dir/policy.grade" >&2; fail "make grade: no policy message"; }
msg=$("$grader" -c config.yaml policy "$dir/policy" 2>&1 | grep system | head -n 1 || true)
[ -n "$msg" ] || fail "grader policy gives no message"
grep -qF -- "$msg" "$dir/policy.grade" || fail "make grade's policy message is not the grader's: $msg"
echo "student: ok: $msg"

step "set-up mistakes"
smake stub hint test HARNESS=/nonexistent
grep -q 'HARNESS=/nonexistent holds no test harness' "$dir/stub.hint" || fail "no HARNESS hint"

step summary
echo "student: ok (stub, partial, reference, crash, policy, hints)"
