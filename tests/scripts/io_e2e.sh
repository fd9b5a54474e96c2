#!/bin/sh
# io_e2e.sh GRADER DIR -- the io test kind end to end (make test-io), on the
# programs of tests/fixtures/io/subs/ graded with tests/fixtures/io/io.yaml
# (six io tests, one hidden; no check tests):
#
#   good     the reference: every point
#   eof      reads past the end of stdin (a file, inline text, /dev/null)
#            a thousand times: end of file each time, every point
#   exit     the right output, exit status 1: the exit checks fail, the
#            output checks pass (partial credit per case)
#   flood    writes 64 MiB before its answer: stdout fails its check (the
#            output limit), the grading goes on
#   forever  never stops writing: stopped at the wall-clock limit, ERROR
#   crash    a NULL write in sum: ERROR, killed by SIGSEGV
#   binary   bytes that are not UTF-8, NULs and escapes on both streams:
#            every report stays valid UTF-8 (\xNN), results.json valid JSON
#   snoop    lists its folder and the one above: only the program and the
#            test's own files, never another test's stdin or files
#
# and the hidden test's name, input and output are in no student report;
# check-config refuses an expectation the reference does not meet.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
export GRADER_CACHE="$dir/cache"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

cfg=tests/fixtures/io/io.yaml
out="$dir/out"
rm -rf "$out"

step "check-config"
check "check-config accepts the io config" "$grader" -c "$cfg" check-config

step "check-config runs the io tests on the reference"
bad_cfg="$dir/badcfg"
rm -rf "$bad_cfg" && mkdir -p "$bad_cfg"
for e in "$PWD"/tests/fixtures/io/*; do ln -s "$e" "$bad_cfg/"; done
rm "$bad_cfg/io.yaml"
sed 's/expect: {stderr: "error: failing as asked\\n", exit: 3}/expect: {stderr: "error: failing as asked\\n", exit: 4}/' \
    "$cfg" > "$bad_cfg/io.yaml"
set +e
msg=$("$grader" -c "$bad_cfg/io.yaml" check-config 2>&1 >/dev/null)
rc=$?
set -e
check "an expectation the reference does not meet: exit 2 at the test" test "$rc" = 2
check "... with file:line:column and the first failing check" test "$msg" = \
    "$bad_cfg/io.yaml:65:5: the reference solution fails io test 'io/fail': exit status: expected exit status 4, got 3"

step "grading the hostile programs"
"$grader" -c "$cfg" batch tests/fixtures/io/subs -o "$out" --force > "$dir/batch.log" 2>&1

res() { echo "$out/students/$1/results.json"; }
score() { jq -r .score "$(res "$1")"; }
# field STUDENT TEST_ID FIELD: the test's field in results.json
field() { jq -r --arg id "$2" ".tests[] | select(.extra_data.id == \$id) | .$3" "$(res "$1")"; }
has() { printf '%s' "$1" | grep -qF -- "$2"; }

step "scores"
check "good: every point (12)" test "$(score good)" = 12
check "eof: reading past the end of stdin is end of file, every point" test "$(score eof)" = 12
check "exit: output right, exit status wrong: half of sum_exact (1.5)" \
    test "$(field exit io/sum_exact score)" = 1.5
check "exit: the exit check says what it got" \
    has "$(field exit io/sum_exact output)" "exit status: expected exit status 0, got 1"
check "exit: sum_numeric has no exit expectation: full points" \
    test "$(field exit io/sum_numeric score)" = 2
check "exit: env's three checks, one failed: 2/3 of a point" \
    has "$(field exit io/env output)" "1 of 3 checks failed"

step "output floods and endless output"
check "flood: stdout fails at the output limit" \
    has "$(field flood io/sum_exact output)" "more than the output limit (4096 bytes)"
check "flood: the other tests are graded (cat_words passes)" \
    test "$(field flood io/cat_words status)" = passed
check "forever: an error (stopped at a time limit)" \
    test "$(field forever io/sum_exact extra_data.status)" = error
forever=$(field forever io/sum_exact output)
check "forever: the reason is a time limit (wall-clock or CPU, whichever comes first)" \
    sh -c "printf '%s' \"\$1\" | grep -qE 'did not finish: (timed out|CPU time limit)'" - "$forever"
check "forever: no points for sum_exact" test "$(field forever io/sum_exact score)" = 0
check "crash: an error, killed by SIGSEGV" \
    has "$(field crash io/sum_exact output)" "SIGSEGV"
check "no process of the sandbox users is left" test -z "$(uids_running "$uid_base" "$UID_BLOCK")"

step "binary output"
for s in good eof exit flood forever crash binary snoop; do
    for f in results.json report.txt report.md report.html junit.xml; do
        p="$out/students/$s/$f"
        if ! iconv -f UTF-8 -t UTF-8 "$p" > /dev/null 2>&1; then
            bad "$s/$f is not valid UTF-8"
        fi
    done
    jq -e . "$(res "$s")" > /dev/null || bad "$s/results.json is not JSON"
done
ok "every report of every program is valid UTF-8, every results.json valid JSON"
check "binary: the invalid bytes shown as \\xNN" grep -qF '\xFF\xFE\x00\xC3(' "$out/students/binary/report.txt"
check "binary: the short diff names the first difference" \
    grep -qF "stdout: line 1, column 1: expected 's', got '\\xFF'" "$out/students/binary/report.txt"
check "binary: junit.xml is well-formed XML" xmllint --noout "$out/students/binary/junit.xml"

step "diffs"
check "numeric: the field and the tolerance are named" \
    has "$(field binary io/sum_numeric output)" "field 1 (line 1): expected 'sum', got"
check "whitespace: cat_words passes with other spacing" test "$(field good io/cat_words status)" = passed

step "isolation"
snoop=$(jq -r '.tests[].output' "$(res snoop)")
check "snoop: the run folder holds the program only" has "$snoop" ".: prog
"
check "snoop: cat_words's folder holds its file" has "$snoop" ".: data.txt prog"
check "snoop: no stdin file of another test is visible" sh -c "! printf '%s' \"\$1\" | grep -q 'stdin-'" - "$snoop"

step "the fallback sandbox (Landlock and seccomp)"
"$grader" -c "$cfg" grade --sandbox fallback tests/fixtures/io/subs/snoop -o "$dir/fb-snoop" \
    > /dev/null 2>&1
"$grader" -c "$cfg" grade --sandbox fallback tests/fixtures/io/subs/eof -o "$dir/fb-eof" \
    > /dev/null 2>&1
fb=$(jq -r '.tests[].output' "$dir/fb-snoop/results.json")
check "fallback: the run folder holds the program only" has "$fb" ".: prog
"
check "fallback: no stdin file of another test is visible" \
    sh -c "! printf '%s' \"\$1\" | grep -q 'stdin-'" - "$fb"
check "fallback: eof gets every point" test "$(jq -r .score "$dir/fb-eof/results.json")" = 12

step "the hidden test"
for s in good exit binary; do
    for f in report.txt report.md report.html junit.xml; do
        p="$out/students/$s/$f"
        if grep -qE 'secret case|io/hidden_sum|400 25|425\.000000' "$p"; then
            bad "$s/$f shows the hidden test"
        fi
    done
done
ok "no student report names the hidden test, its stdin or its output"
check "results.json gives the hidden test Gradescope's hidden visibility" \
    test "$(field good io/hidden_sum visibility)" = hidden
check "the instructor's report has it" grep -q "io/hidden_sum" "$out/students/good/report-instructor.txt"

step summary
echo "io e2e: $passes passed, $fails failed"
[ "$fails" = 0 ]
