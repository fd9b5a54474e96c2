#!/bin/sh
# grader_e2e.sh GRADER DIR -- the grader end to end on the Kernels
# assignment: the reference gets full marks, the stub zero, a broken file
# is ungradable, hidden tests stay out of student reports, grading is
# deterministic, and the exit codes hold; a grading always leaves a
# results.json (optional stages degrade, a grader failure says so).
# Hermetic (lib.sh): a private TMPDIR and sandbox uids of its own.
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; step "check: $name"; if "$@"; then ok "$name"; else bad "$name"; fi; }

sub() {   # sub NAME FILE: a submission folder holding FILE as kernels.c
    rm -rf "$dir/subs/$1" && mkdir -p "$dir/subs/$1" && cp "$2" "$dir/subs/$1/kernels.c"
}
score() { jq -r '.score' "$1/results.json"; }
maxscore() { jq -r '[.tests[].max_score] | add' "$1/results.json"; }
stable() { jq -S 'del(.execution_time, .extra_data.phases_ms)' "$1/results.json"; }

sub correct solutions/kernels/kernels.c
sub stub assignments/kernels/kernels.c
sub broken tests/fixtures/examples/broken/kernels.c
sub partial tests/fixtures/examples/partial/kernels.c
rm -rf "$dir/subs/empty" && mkdir -p "$dir/subs/empty" && : > "$dir/subs/empty/kernels.c"

check "check-config passes" sh -c "'$grader' check-config > '$dir/check.txt'"

"$grader" grade "$dir/subs/correct" -o "$dir/out/correct" > "$dir/correct.txt" 2>&1 || true
check "reference solution gets full marks" \
    test "$(score "$dir/out/correct")" = "$(maxscore "$dir/out/correct")"
check "results.json has every configured test" \
    test "$(jq '.tests | length' "$dir/out/correct/results.json")" = \
         "$(grep -c '^  - .*id: ' config.yaml)"
check "coverage was collected" \
    test "$(jq '.extra_data.coverage.lines_hit > 0' "$dir/out/correct/results.json")" = true
check "coverage html exists" test -f "$dir/out/correct/coverage/html/index.html"

"$grader" grade "$dir/subs/correct" -o "$dir/out/correct2" > /dev/null 2>&1 || true
stable "$dir/out/correct" > "$dir/a.json"
stable "$dir/out/correct2" > "$dir/b.json"
check "grading twice gives the same results.json" cmp -s "$dir/a.json" "$dir/b.json"

"$grader" grade "$dir/subs/stub" -o "$dir/out/stub" > "$dir/stub.txt" 2>&1 || true
check "the stub scores zero" test "$(score "$dir/out/stub")" = 0
check "the stub is graded, not ungradable" \
    test "$(jq -r '.extra_data.grader_status' "$dir/out/stub/results.json")" = graded

set +e
"$grader" grade "$dir/subs/stub" -o "$dir/out/stub-fu" --fail-under 50 > /dev/null 2>&1
rc=$?
set -e
check "--fail-under exits 3 below the threshold" test "$rc" = 3

"$grader" grade "$dir/subs/broken" -o "$dir/out/broken" > "$dir/broken.txt" 2>&1 || true
check "a compile error is ungradable with score 0" \
    test "$(jq -r '.extra_data.grader_status + " " + (.score|tostring)' "$dir/out/broken/results.json")" = "ungradable 0"
check "the build log has the compiler's diagnostics" grep -q "error" "$dir/out/broken/build.log"

"$grader" grade "$dir/subs/empty" -o "$dir/out/empty" --no-performance > /dev/null 2>&1 || true
check "an empty file is ungradable, its link errors name the missing functions" \
    grep -q "undefined reference to \`matmul_baseline'" "$dir/out/empty/build.log"
"$grader" grade "$dir/subs/correct" -o "$dir/out/np" --no-performance > /dev/null 2>&1 || true
check "--no-performance scores only the check tests" \
    test "$(jq '[.tests[] | select(.extra_data.id | startswith("perf/")) | .score] | add' "$dir/out/np/results.json")" = 0
check "--no-performance says why" grep -q "performance stage was skipped" "$dir/out/np/report.txt"

# Feedback formats: report.md (results.json's "output" too); colour only on
# the terminal, as asked (--color, NO_COLOR: https://no-color.org), never in files.
check "report.md is written" test -s "$dir/out/correct/report.md"
check "results.json's output is the Markdown report" \
    test "$(jq -r .output_format "$dir/out/correct/results.json")" = md
esc=$(printf '\033')
"$grader" grade "$dir/subs/broken" -o "$dir/out/color" --color=always > "$dir/color.txt" 2>&1 || true
check "--color=always colours the printed report" grep -q "$esc\[" "$dir/color.txt"
check "the report files stay plain" \
    sh -c "! grep -q '$esc' '$dir/out/color/report.txt' '$dir/out/color/report.md'"
NO_COLOR=1 "$grader" grade "$dir/subs/broken" -o "$dir/out/color" --color=auto > "$dir/color2.txt" 2>&1 || true
check "NO_COLOR=1 with --color=auto, not a terminal: no colour" sh -c "! grep -q '$esc' '$dir/color2.txt'"
if command -v script > /dev/null; then   # script(1) gives the grader a terminal
    tty_grade() { script -qec "env $1 '$grader' grade '$dir/subs/broken' -o '$dir/out/color'" /dev/null; }
    tty_grade NO_COLOR= > "$dir/color3.txt" 2>&1 || true
    check "--color=auto on a terminal colours (NO_COLOR empty)" grep -q "$esc\[" "$dir/color3.txt"
    tty_grade NO_COLOR=1 > "$dir/color4.txt" 2>&1 || true
    check "NO_COLOR=1 on a terminal: no colour" sh -c "! grep -q '$esc' '$dir/color4.txt'"
else
    echo "skip the terminal colour checks: no script(1)"
fi

# The late policy, with a copy of the config whose folder links to the
# repository's entries (its paths are relative to it).
late="$dir/latecfg"
rm -rf "$late" && mkdir -p "$late" && for e in "$PWD"/*; do ln -s "$e" "$late/"; done
rm "$late/config.yaml"
{ cat config.yaml; printf '\nlate_policy:\n  due: 2026-12-15T23:59:00-05:00\n'
  printf '  late_due: 2026-12-18T23:59:00-05:00\n  grace: 15m\n  per_day: 10%%\n  max_penalty: 30%%\n'
} > "$late/config.yaml"
"$grader" -c "$late/config.yaml" grade "$dir/subs/partial" -o "$dir/out/late" --no-performance \
    --submitted-at 2026-12-17T12:00:00-05:00 > /dev/null 2>&1 || true
check "--submitted-at two days late: 20% of the earned score lost" \
    test "$(jq '.extra_data.late.days_late == 2 and .score > 0 and
               ((.score * 100 | round) == (([.tests[].score] | add) * 80 | round))' \
               "$dir/out/late/results.json")" = true
check "the report says how late" grep -q "^Late: *2 days late" "$dir/out/late/report.txt"
check "the gradebook row has late_days and late_penalty" \
    grep -q ',2,20.00$' "$dir/out/late/gradebook-row.csv"
printf '{"id": 1, "created_at": "2026-12-16T10:22:32.365935-08:00"}\n' > "$dir/metadata.json"
"$grader" -c "$late/config.yaml" grade "$dir/subs/broken" -o "$dir/out/late-meta" \
    --metadata "$dir/metadata.json" > /dev/null 2>&1 || true
check "--metadata reads Gradescope's created_at (one day late)" \
    test "$(jq .extra_data.late.days_late "$dir/out/late-meta/results.json")" = 1
rm -rf "$dir/subs/late-file" && cp -R "$dir/subs/broken" "$dir/subs/late-file"
echo 2026-12-25T00:00:00Z > "$dir/subs/late-file/submitted_at"
"$grader" -c "$late/config.yaml" grade "$dir/subs/late-file" -o "$dir/out/late-file" > /dev/null 2>&1 || true
check "a folder's submitted_at file counts; after the late due date" \
    test "$(jq -r .extra_data.late.status "$dir/out/late-file/results.json")" = after_late_due

hidden_ids=$(sed -n 's/.*id: \(hidden_[a-z_]*\/[a-z_]*\).*/\1/p' config.yaml)
leak=0
for id in $hidden_ids; do
    for f in report.txt report.md junit.xml build.log; do
        if grep -q "$id" "$dir/out/correct/$f" "$dir/out/stub/$f" "$dir/out/empty/$f"; then
            echo "  hidden test $id appears in a student's $f"; leak=1
        fi
    done
done
jq -r .output "$dir/out/empty/results.json" > "$dir/empty-output.txt"
if grep -q "hidden\|/harness/" "$dir/empty-output.txt"; then
    echo "  the top-level output of results.json names hidden code"; leak=1
fi
check "hidden tests never appear in student reports (link errors included)" test "$leak" = 0
check "hidden tests appear in the instructor report" \
    grep -q "hidden_matmul/errors" "$dir/out/stub/report-instructor.txt"

printf 'assignment:\n  name: x\n  bogus: 1\n' > "$dir/bad.yaml"
set +e
"$grader" -c "$dir/bad.yaml" check-config > "$dir/bad.txt" 2>&1
rc=$?
set -e
check "a bad config exits 2" test "$rc" = 2
check "a bad config says file:line:column" grep -q "bad.yaml:3:3: " "$dir/bad.txt"

set +e
"$grader" frobnicate > /dev/null 2>&1; rc_usage=$?
"$grader" --help > /dev/null 2>&1; rc_help=$?
set -e
check "an unknown command exits 2" test "$rc_usage" = 2
check "--help exits 0" test "$rc_help" = 0

# Paths with spaces and non-ASCII names, for the submission and the output.
odd="$dir/subs/Zoë Ünïcode student"
rm -rf "$odd" && mkdir -p "$odd" && cp solutions/kernels/kernels.c "$odd/kernels.c"
"$grader" grade "$odd" -o "$dir/out/a dir with spaces/é" > /dev/null 2>&1 || true
check "paths with spaces and non-ASCII names work" \
    test "$(jq -r '.extra_data.student + " " + (.score|tostring)' "$dir/out/a dir with spaces/é/results.json")" = "Zoë Ünïcode student $(score "$dir/out/correct")"

# A batch: every folder graded, a re-run skips them, --force regrades.
rm -rf "$dir/class" "$dir/class-out" && mkdir -p "$dir/class"
cp -R "$dir/subs/correct" "$dir/subs/stub" "$dir/subs/broken" "$dir/class/"
"$grader" batch "$dir/class" -o "$dir/class-out" -j 2 --no-performance > "$dir/batch1.txt" 2> "$dir/batch1.err" || true
check "batch grades every student" test "$(grep -c '^"' "$dir/class-out/gradebook.csv")" = 4
check "batch gradebook has the right scores" \
    grep -q "^\"correct\",\"graded\",$(score "$dir/out/np").00,$(maxscore "$dir/out/np").00," "$dir/class-out/gradebook.csv"
"$grader" batch "$dir/class" -o "$dir/class-out" -j 2 --no-performance > /dev/null 2> "$dir/batch2.err" || true
check "a batch re-run skips graded students" grep -q "graded 0, skipped 3" "$dir/batch2.err"
check "the re-run keeps the gradebook" test "$(grep -c '^"' "$dir/class-out/gradebook.csv")" = 4

# hold_lock PATH: flock(1) holds PATH's lock, in the background, until
# release_lock (held until we say so: no race with the machine's speed).
hold_lock() {
    rm -f "$dir/lock-held" "$dir/lock-release"
    flock "$1" sh -c "touch '$dir/lock-held';
        while [ ! -e '$dir/lock-release' ]; do sleep 0.1; done" &
    lockpid=$!
    n=0
    until [ -e "$dir/lock-held" ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
}
release_lock() {
    touch "$dir/lock-release"
    wait "$lockpid" || true
}

# A second batch on the same OUTDIR refuses while the first holds the lock.
step "a batch on a locked OUTDIR"
hold_lock "$dir/class-out/.lock"
set +e
"$grader" batch "$dir/class" -o "$dir/class-out" > /dev/null 2> "$dir/batch3.err"
rc=$?
set -e
release_lock
check "a concurrent batch on the same OUTDIR refuses" \
    sh -c "test $rc = 1 && grep -q 'another grader batch is writing' '$dir/batch3.err'"

# The same for one grading: a second `grade` into a locked OUTDIR writes
# nothing there (two would leave a mix of their files).
step "a grade into a locked OUTDIR"
rm -rf "$dir/gl-out" && mkdir -p "$dir/gl-out"
hold_lock "$dir/gl-out"
set +e
"$grader" grade "$dir/subs/correct" -o "$dir/gl-out" --no-performance > /dev/null 2> "$dir/gl.err"
rc=$?
set -e
release_lock
check "a concurrent grade on the same OUTDIR refuses and writes nothing" \
    sh -c "test $rc = 1 && grep -q 'another grader is writing to' '$dir/gl.err' &&
           test -z \"\$(ls -A '$dir/gl-out')\""

# Ctrl-C: the batch stops promptly, keeps finished students, leaves no
# half-written folder; the next run finishes the class.  --no-cache: the six
# copies are one submission, and reused results would end the batch before
# the signal.
rm -rf "$dir/intr" "$dir/intr-out" && mkdir -p "$dir/intr"
for i in 1 2 3 4 5 6; do cp -R "$dir/subs/correct" "$dir/intr/s$i"; done
"$grader" batch "$dir/intr" -o "$dir/intr-out" -j 2 --no-performance --no-cache > /dev/null 2>&1 &
bpid=$!
n=0   # interrupt once the first student is finished (at most 60 s)
until ls "$dir"/intr-out/students/*/results.json > /dev/null 2>&1 || [ $n -ge 600 ]; do
    sleep 0.1; n=$((n + 1))
done
step "Ctrl-C a batch"
sent=yes
kill -INT "$bpid" 2>/dev/null || sent=no   # it may have finished: said below
set +e
wait "$bpid"
rc=$?
set -e
if [ $sent = yes ]; then
    check "Ctrl-C stops a batch with status 130" test "$rc" = 130
else
    bad "Ctrl-C stops a batch with status 130: the batch had finished (exit $rc) before the signal"
fi
check "an interrupted batch leaves no partial folder" \
    test -z "$(ls -A "$dir/intr-out/students" | grep partial || true)"
for s in "$dir"/intr-out/students/*; do
    [ -d "$s" ] || continue
    check "a student kept after Ctrl-C is complete ($(basename "$s"))" test -f "$s/results.json"
done
"$grader" batch "$dir/intr" -o "$dir/intr-out" -j 2 --no-performance --no-cache > /dev/null 2>&1 || true
check "the next run finishes the class" test "$(grep -c '^"s[0-9]' "$dir/intr-out/gradebook.csv")" = 6

# SIGKILL midway: the next run keeps finished students as they were,
# grades the rest, and leaves no partial or temporary file anywhere.
step "SIGKILL a batch"
rm -rf "$dir/kill-out"
kuid=$((uid_base + 2304))   # a uid range of its own: only this batch counts
"$grader" batch "$dir/intr" -o "$dir/kill-out" -j 2 --no-performance --sandbox-uid $kuid > /dev/null 2>&1 &
bpid=$!
# Kill it midway: once the first student is finished (at most 60 s).
n=0
until ls "$dir"/kill-out/students/*/results.json > /dev/null 2>&1 || [ $n -ge 600 ]; do
    sleep 0.1; n=$((n + 1))
done
kill -KILL "$bpid" 2>/dev/null || echo "note: the batch had finished before SIGKILL"
wait "$bpid" 2>/dev/null || true
# Zombies are not counted: they wait only for the system's init to reap them.
uids_settle $kuid 2
check "after SIGKILL, no sandboxed process is left running (waited at most 30 s)" \
    test -z "$(uids_running $kuid 2)"

# SIGKILL at every moment of a grading, 50 ms apart: whenever it lands (a
# bwrap starting up included), nothing of the sandbox outlives it.
# A grading that ends before its kill is no failure (a fast machine): it
# is counted, and said if no kill landed at all.
step "SIGKILL a grading at 16 moments"
suid=$((uid_base + 4608))
strays="" landed=0
for t in 0.05 0.1 0.15 0.2 0.25 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.7 0.8 0.9 1.0; do
    "$grader" grade "$dir/intr/s1" -o "$dir/kill-one" --no-performance --sandbox-uid $suid \
        > /dev/null 2>&1 &
    gpid=$!
    sleep "$t"
    if kill -KILL "$gpid" 2>/dev/null; then landed=$((landed + 1)); fi
    wait "$gpid" 2>/dev/null || true
    uids_settle $suid 2304
    [ -z "$(uids_running $suid 2304)" ] || strays="$strays $t"
    ps -e -o uid=,pid= | awk -v u=$suid '$1 >= u && $1 < u + 2304 {print $2}' |
        xargs -r kill -KILL 2>/dev/null || true
done
echo "  $landed of 16 kills landed before the grading ended"
check "SIGKILL at any moment leaves no sandboxed process${strays:+ (left after:$strays s)}" \
    test -z "$strays"
before=$(cd "$dir/kill-out/students" && for s in *; do [ -f "$s/results.json" ] && sha256sum "$s/results.json"; done || true)
# What a kill in the middle of writing any class file leaves (the kill
# above lands where it lands): the re-run removes them, and nothing else.
touch "$dir/kill-out/canvas.csv.tmp.Ab3dE9" "$dir/kill-out/index.html.tmp.zz0Y12" \
      "$dir/kill-out/gradebook.csv.tmp.q1w2e3" "$dir/kill-out/my-notes.tmp.txt"
"$grader" batch "$dir/intr" -o "$dir/kill-out" -j 2 --no-performance > /dev/null 2>&1 || true
after=$(cd "$dir/kill-out/students" && sha256sum $(echo "$before" | awk '{print $2}') 2>/dev/null || true)
check "after SIGKILL, finished students are kept as they were" \
    sh -c "test -n '$before' && test '$before' = '$after'"

check "after SIGKILL, the re-run grades everyone" \
    test "$(grep -c '^"s[0-9]' "$dir/kill-out/gradebook.csv")" = 6
check "after SIGKILL, no partial or temporary file is left" \
    test -z "$(find "$dir/kill-out" \( -name '*.partial' -o -name '*.tmp.*' \) \
               ! -name my-notes.tmp.txt | head -n 1)"
check "... and a file of the instructor's is kept" test -f "$dir/kill-out/my-notes.tmp.txt"
check "no scratch folder of a dead grader is left" test -z "$(graders_left "$bpid")"

# ---- always a result ---------------------------------------------------------
step "always a result"
set +e
"$grader" grade "$dir/no-such-folder" -o "$dir/out/none" > /dev/null 2> "$dir/none.err"
rc=$?
set -e
check "a missing submission folder exits 2" test "$rc" = 2
check "... saying 'grader: PATH: no such folder'" \
    test "$(cat "$dir/none.err")" = "grader: $dir/no-such-folder: no such folder"

# every_report OUT: each file a grading writes is there (results.json last).
every_report() {
    for f in build.log report.txt report-instructor.txt report.html report-instructor.html \
             junit.xml gradebook-row.csv report.md results.json; do
        # build.log is empty for code without warnings
        [ -s "$1/$f" ] || { [ $f = build.log ] && [ -e "$1/$f" ]; } ||
            { echo "  $1/$f is missing"; return 1; }
    done
}
shim=$dir/shim
rm -rf "$shim" && mkdir -p "$shim"
broken_tool() { printf '#!/bin/sh\necho "%s: broken on purpose" >&2\nexit 1\n' "$1" > "$shim/$1"
                chmod +x "$shim/$1"; }
broken_tool genhtml
PATH="$shim:$PATH" "$grader" grade "$dir/subs/correct" -o "$dir/out/nohtml" --no-performance \
    > /dev/null 2> "$dir/nohtml.err" || true
check "genhtml broken: every report is written" every_report "$dir/out/nohtml"
check "genhtml broken: the coverage figures stand, without pages" \
    test "$(jq '.extra_data.coverage.lines_hit > 0' "$dir/out/nohtml/results.json")-$(
            test -e "$dir/out/nohtml/coverage/html" && echo html)" = true-
check "genhtml broken: a grading note, with genhtml's error for the staff" \
    test "$(jq -r '.extra_data.degraded[0] | .stage + " " + .detail' \
            "$dir/out/nohtml/results.json")" = "coverage genhtml: exit status 1: genhtml: broken on purpose"
check "genhtml broken: the student's report says so" grep -q "Coverage pages (HTML) were not made" \
    "$dir/out/nohtml/report.txt"
check "genhtml broken: the score is the same" \
    test "$(score "$dir/out/nohtml")" = "$(score "$dir/out/np")"
broken_tool gcov
PATH="$shim:$PATH" "$grader" grade "$dir/subs/correct" -o "$dir/out/nocov" --no-performance \
    > /dev/null 2>&1 || true
check "gcov broken: no coverage figures, a coverage note" \
    test "$(jq '(.extra_data.coverage == null) and (.extra_data.degraded[0].stage == "coverage")' \
            "$dir/out/nocov/results.json")" = true
check "gcov broken: every report is written" every_report "$dir/out/nocov"

# No valgrind: the config's performance.valgrind names a program that is
# not there (the sandbox's PATH is fixed, so a PATH shim cannot hide it).
novg="$dir/novalgrind"
rm -rf "$novg" && mkdir -p "$novg" && for e in "$PWD"/*; do ln -s "$e" "$novg/"; done
rm "$novg/config.yaml"
sed 's|^performance:$|performance:\n  valgrind: /no/such/valgrind|' config.yaml > "$novg/config.yaml"
"$grader" -c "$novg/config.yaml" grade "$dir/subs/correct" -o "$dir/out/novg" \
    > /dev/null 2> "$dir/novg.err" || true
check "no valgrind: every report is written" every_report "$dir/out/novg"
check "no valgrind: the performance tests are not run, 0 points, and say why" \
    test "$(jq '[.tests[] | select(.extra_data.id | startswith("perf/"))] |
                length > 0 and all(.extra_data.status == "not run" and .score == 0 and
                                   (.output | contains("could not run the performance tests")))' \
            "$dir/out/novg/results.json")" = true
check "no valgrind: the check tests keep their points" \
    test "$(score "$dir/out/novg")" = "$(score "$dir/out/np")"
check "no valgrind: a grading note names valgrind for the staff" \
    test "$(jq -r '.extra_data.degraded[] | select(.stage == "performance") | .detail' \
            "$dir/out/novg/results.json" | grep -c /no/such/valgrind)" = 1
check "no valgrind: the grader warns on stderr" grep -q "warning: performance stage skipped" "$dir/novg.err"

# The grader itself fails (here: bubblewrap, required, cannot start): a
# results.json that says so, and a non-zero exit.
printf '#!/bin/sh\nexit 1\n' > "$shim/bwrap" && chmod +x "$shim/bwrap"
set +e
PATH="$shim:$PATH" "$grader" grade --sandbox bwrap "$dir/subs/correct" -o "$dir/out/failed" \
    > /dev/null 2>&1
rc=$?
set -e
check "a grader failure exits non-zero" test "$rc" != 0
check "a grader failure still writes results.json: score 0, grader_failed, a reason" \
    test "$(jq -r '[.score, .extra_data.grader_status, (.extra_data.reason | length > 0)] | join(" ")' \
            "$dir/out/failed/results.json")" = "0 grader_failed true"
check "... telling the student to contact the course staff" \
    test "$(jq -r .output "$dir/out/failed/results.json")" = \
         "The grader failed; your submission was not graded; contact the course staff."

step summary
echo "$passes passed, $fails failed"
test "$fails" = 0
