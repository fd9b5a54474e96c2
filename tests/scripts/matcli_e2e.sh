#!/bin/sh
# matcli_e2e.sh GRADER MKSTUB DIR -- the second assignment (matcli.yaml:
# Check unit tests and io tests of a command-line tool) end to end, with
# the grader built for Kernels and nothing of matcli in it (make
# test-matcli):
#
#   - check-config; the stub and its README's grading section are what
#     `make stubs` makes from the solution (mkstub --check);
#   - batch: the reference gets every point, the stub none, the partial
#     example what its two mistakes leave, the broken one is ungradable;
#   - grader names no matcli: no "matcli" in grader/;
#   - the release: its config grades the visible unit and io tests, ships
#     the io tests' files and the given main, no hidden test or solution;
#     the reference graded with it gets the visible points; the student's
#     `make test` passes on the reference and fails on the stub; `make
#     matcli` builds the program;
#   - the Gradescope zip: source/ holds the hidden suites, every io test's
#     files (hidden ones too) and the given main, no solution; unzipped, it
#     grades the reference to every point.
set -eu
grader=$(realpath "$1")
mkstub=$(realpath "$2")
dir=$(mkdir -p "$3" && cd "$3" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
export GRADER_CACHE="$dir/cache"
unset MAKEFLAGS MAKELEVEL MFLAGS BUILD SAN CFLAGS CFLAGS_EXTRA LDFLAGS OPT
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
cfg=matcli.yaml
rm -rf "$dir/subs" "$dir/out" "$dir/release" "$dir/gs" "$dir/relgrade" "$dir/gsgrade"

step "check-config and the stub"
check "check-config: the config and the suites agree" "$grader" -c "$cfg" check-config
check "the stub and its README are what make stubs writes" \
    "$mkstub" --check solutions/matcli/matcli.c -o assignments/matcli/matcli.c \
    --config "$cfg" --readme assignments/matcli/README.md
check "the README lists the visible io tests" grep -q '^| `cli/mul`' assignments/matcli/README.md
check "the grader names no matcli" sh -c "! grep -rqi matcli grader/"

step "batch"
mkdir -p "$dir/subs/correct" "$dir/subs/stub"
cp solutions/matcli/matcli.c "$dir/subs/correct/"
cp assignments/matcli/matcli.c "$dir/subs/stub/"
cp -R tests/fixtures/matcli/partial tests/fixtures/matcli/broken "$dir/subs/"
"$grader" -c "$cfg" batch "$dir/subs" -o "$dir/out" --force > "$dir/batch.log" 2>&1
score() { jq -r .score "$dir/out/students/$1/results.json"; }
check "the reference: every point (27)" test "$(score correct)" = 27
check "the stub: none" test "$(score stub)" = 0
check "partial: 24.5 (halves rounded away from zero, exit status 1 for usage)" \
    test "$(score partial)" = 24.5
check "partial: the usage test's diff names the exit status" \
    grep -q "expected exit status 2, got 1" "$dir/out/students/partial/report.txt"
check "broken: ungradable" \
    test "$(jq -r .extra_data.grader_status "$dir/out/students/broken/results.json")" = ungradable
check "no student report names a hidden io test" \
    sh -c "! grep -lE 'cli/(shape_mismatch|broken_input|mul_stdin)' '$dir'/out/students/*/report.txt '$dir'/out/students/*/report.md"

step "the release"
"$grader" -c "$cfg" release -o "$dir/release" > "$dir/release.log" 2>&1
rel="$dir/release"
check "the release config grades 10 visible tests, io ones among them" \
    sh -c "grep -q 'visible tests (20 points)' '$dir/release.log' && grep -q 'kind: io' '$rel/config.yaml'"
check "the io tests' files and the given main are shipped" \
    sh -c "[ -f '$rel/harness/matcli/io/ab.out' ] && [ -f '$rel/harness/matcli/cli_main.c' ]"
check "no hidden suite or hidden io test in the release" \
    sh -c "[ ! -e '$rel/harness/matcli/hidden' ] && ! grep -rqE 'shape_mismatch|broken_input|mul_stdin' '$rel'"
check "no solution in the release" sh -c "[ ! -e '$rel/solutions' ]"
cp solutions/matcli/matcli.c "$rel/assignments/matcli/matcli.c"
(cd "$rel" && "$grader" -c config.yaml grade assignments/matcli -o "$dir/relgrade") \
    > "$dir/relgrade.log" 2>&1 || true
check "the reference graded with the release config: 20 of 20" \
    test "$(jq -r .score "$dir/relgrade/results.json" 2>/dev/null)" = 20
check "the student's make test passes on the reference" \
    sh -c "make -s -C '$rel/assignments/matcli' test > '$dir/make-test.log' 2>&1"
check "the student's make matcli builds the program" \
    sh -c "make -s -C '$rel/assignments/matcli' matcli > /dev/null 2>&1 &&
           '$rel/assignments/matcli/matcli' stats '$rel/harness/matcli/io/a.txt' | grep -q '^2x3 sum 21 '"
cp assignments/matcli/matcli.c "$rel/assignments/matcli/matcli.c"
check "the student's make test fails on the stub" \
    sh -c "! make -s -C '$rel/assignments/matcli' test > '$dir/make-test-stub.log' 2>&1"

step "the Gradescope zip"
"$grader" -c "$cfg" gradescope -o "$dir/autograder.zip" > "$dir/gs.log" 2>&1
zipinfo -1 "$dir/autograder.zip" > "$dir/zip.list"
missing=""
for f in source/config.yaml source/harness/matcli/hidden/test_hidden.c \
         source/harness/matcli/main_all.c source/harness/matcli/cli_main.c \
         source/harness/matcli/io/a.txt source/harness/matcli/io/b.txt \
         source/harness/matcli/io/ab.out source/harness/matcli/io/q.txt \
         source/assignments/matcli/matcli.c source/grader/grader.mk; do
    grep -qx "$f" "$dir/zip.list" || missing="$missing $f"
done
check "the zip's source/ has the hidden suite, the io files, the given main${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "no solution in the zip" sh -c "! grep -q '^source/solutions/' '$dir/zip.list'"
mkdir -p "$dir/gs" && unzip -q "$dir/autograder.zip" -d "$dir/gs"
mkdir -p "$dir/gs-sub" && cp solutions/matcli/matcli.c "$dir/gs-sub/"
"$grader" -c "$dir/gs/source/config.yaml" grade "$dir/gs-sub" -o "$dir/gsgrade" \
    > "$dir/gsgrade.log" 2>&1 || true
check "the unzipped package grades the reference to every point (27)" \
    test "$(jq -r .score "$dir/gsgrade/results.json" 2>/dev/null)" = 27

step "mutation analysis (two mutants: the note, not the score)"
"$grader" -c matcli.yaml mutants -o "$dir/mutants" --limit 2 > /dev/null 2> "$dir/mutants.err" ||
    true
check "grader mutants says the io tests were not run (its score is a lower bound)" \
    grep -q "io test(s) were not run" "$dir/mutants.err"

step summary
echo "matcli e2e: $passes passed, $fails failed"
[ "$fails" = 0 ]
