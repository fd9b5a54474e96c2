#!/bin/sh
# gradescope_e2e.sh GRADER WORKDIR -- the Gradescope package end to end, in
# a simulated /autograder (AUTOGRADER_ROOT=WORKDIR/autograder):
#   1. `grader gradescope` writes the zip: setup.sh and run_autograder at its
#      root, executable; source/ with the config, the grader's source and the
#      hidden suites; no solution;
#   2. unzipped into $root/source as Gradescope does, setup.sh runs with an
#      apt-get shim (what it would install is recorded, and must be
#      installed here), builds the grader and fills its cache;
#   3. run_autograder grades the reference solution, then the partial
#      example (tests/fixtures/examples/partial), with a
#      submission_metadata.json; results.json is checked against
#      Gradescope's spec with jq: types of score, max_score, name, status,
#      visibility; the tests' scores add up to the score; hidden tests are
#      "hidden"; output_format; the solution gets full points; the student's
#      name and e-mail come from the metadata's users[]; the top-level
#      output shows no hidden points and no total (outputs_check.sh checks
#      the rest of what Gradescope shows);
#   4. where bubblewrap cannot make a sandbox (a failing bwrap on PATH),
#      run_autograder says so and grades in the fallback sandbox, and finds
#      kernels.c deeper in a GitHub-style submission.
# Prints ok/FAIL lines; exits 1 if anything failed.
set -u
grader=$(realpath "$1")
work=$2
repo=$(pwd)
# As on Gradescope: nothing inherited from the make that runs this.
unset MAKEFLAGS MAKELEVEL MFLAGS BUILD SAN CFLAGS CFLAGS_EXTRA LDFLAGS OPT GRADER_CACHE
rm -rf "$work" && mkdir -p "$work" && work=$(realpath "$work")
root=$work/autograder
zip=$work/autograder.zip
pass=0 failed=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() {
    name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
jqok() { jq -e "$@" > /dev/null; }
# What the config says a full grading is: all its points, its hidden tests.
total=$("$grader" -c config.yaml check-config 2>/dev/null |
        sed -n 's/.*visible to students), \([0-9.]*\) points.*/\1/p')
nhidden=$(grep -c 'visibility: hidden' config.yaml)
[ -n "$total" ] || { echo "FAIL gradescope e2e: grader check-config gives no total"; exit 1; }
finish() {
    echo "gradescope e2e: $pass passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}

# ---- 1. the zip ---------------------------------------------------------------
if "$grader" -c config.yaml gradescope -o "$zip" > "$work/gradescope.out" 2>&1; then
    ok "gradescope: $(head -n 1 "$work/gradescope.out")"
else
    bad "gradescope: $(cat "$work/gradescope.out")"
    finish
fi
zipinfo "$zip" > "$work/zipinfo" 2>&1
check "setup.sh and run_autograder at the zip's root, executable" \
    sh -c "grep -q '^-rwxr-xr-x .* setup.sh\$' '$work/zipinfo' &&
           grep -q '^-rwxr-xr-x .* run_autograder\$' '$work/zipinfo'"
missing=""
for f in source/config.yaml source/grader/grader.mk source/grader/src/ship/release.c \
         source/harness/kernels/hidden/test_hidden_matmul.c source/harness/kernels/hidden/hidden_suites.h \
         source/harness/kernels/main_all.c source/harness/kernels/perf/perf_main.c \
         source/assignments/kernels/kernels.c source/assignments/kernels/kernels.h; do
    grep -q " $f\$" "$work/zipinfo" || missing="$missing $f"
done
check "source/ has the config, grader, hidden suites, perf program, stub${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "no solution in the zip" sh -c "! grep -q 'solutions/' '$work/zipinfo'"

# ---- 2. setup.sh ------------------------------------------------------------------
mkdir -p "$root/source" "$work/shim"
unzip -q "$zip" -d "$root/source"
cp "$root/source/run_autograder" "$root/run_autograder"   # as Gradescope's image build does
cat > "$work/shim/apt-get" <<EOF
#!/bin/sh
echo "\$*" >> "$work/apt.log"
EOF
chmod +x "$work/shim/apt-get"
if AUTOGRADER_ROOT=$root PATH="$work/shim:$PATH" bash "$root/source/setup.sh" \
       > "$work/setup.log" 2>&1; then
    ok "setup.sh: $(tail -n 1 "$work/setup.log")"
else
    bad "setup.sh failed: $(tail -n 20 "$work/setup.log")"
    finish
fi
pkgs=$(sed -n 's/^install -y --no-install-recommends //p' "$work/apt.log" | tr ' ' '\n' | sort -u)
missing=""
for p in $pkgs; do
    dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
check "setup.sh installs $(echo $pkgs | wc -w) packages (bubblewrap, valgrind among them), all installed here${missing:+ (not:$missing)}" \
    sh -c "echo '$pkgs' | grep -qx bubblewrap && echo '$pkgs' | grep -qx valgrind && [ -z '$missing' ]"
check "setup.sh built the grader and cached the trusted objects" \
    sh -c "[ -x '$root/source/source/build/grader/grader' ] &&
           [ -n \"\$(ls -A '$root/source/source/build/grader-cache' 2>/dev/null)\" ]"

# ---- 3. run_autograder ----------------------------------------------------------
cat > "$root/submission_metadata.json" <<'EOF'
{
  "id": 123456,
  "created_at": "2026-12-10T14:22:32.365935-08:00",
  "assignment": {"due_date": "2026-12-15T23:59:00.000000-08:00", "title": "Kernels"},
  "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
  "previous_submissions": []
}
EOF

# results NAME: checks $root/results/results.json against the spec
results() {
    json=$root/results/results.json
    if ! jq -e . "$json" > /dev/null 2>&1; then
        bad "$1: no valid results.json: $(tail -n 5 "$work/run-$1.log")"
        return 1
    fi
    check "$1: types of score, execution_time, output, output_format, tests[]" jqok '
        (.score | type) == "number" and (.execution_time | type) == "number"
        and (.output | type) == "string"
        and ([.output_format] | inside(["text", "html", "simple_format", "md", "ansi"]))
        and (.tests | type) == "array" and (.tests | length) > 0
        and all(.tests[]; (.name | type) == "string" and (.score | type) == "number"
                and (.max_score | type) == "number"
                and (.status == "passed" or .status == "failed")
                and ([.visibility] | inside(["hidden", "after_due_date", "after_published",
                                             "visible"])))' "$json"
    check "$1: the tests' scores add up to the score" \
        jqok '((.tests | map(.score) | add) - .score) as $d | $d < 1e-6 and $d > -1e-6' "$json"
    check "$1: the $nhidden hidden tests are \"hidden\", the others visible" jqok '
        ([.tests[] | select(.name | startswith("hidden_")) | .visibility] as $h
         | ($h | length) == '"$nhidden"' and all($h[]; . == "hidden"))
        and all(.tests[] | select(.name | startswith("hidden_") | not); .visibility == "visible")' \
        "$json"
}

# grade NAME FILES...: a fresh submission folder with FILES, run_autograder
grade() {
    name=$1; shift
    rm -rf "$root/submission" "$root/results"
    mkdir -p "$root/submission" "$root/results"
    cp "$@" "$root/submission/"
    AUTOGRADER_ROOT=$root "$root/run_autograder" > "$work/run-$name.log" 2>&1
    rc=$?
    check "run_autograder $name: exit $rc" test "$rc" = 0
}

grade solution solutions/kernels/kernels.c
if results solution; then
    check "solution: full points ($total of $total)" \
        jqok ".score == $total and (.tests | map(.max_score) | add) == $total" \
        "$root/results/results.json"
fi
grade partial tests/fixtures/examples/partial/*
if results partial; then
    check "partial: some points, not all ($(jq .score "$root/results/results.json"))" \
        jqok ".score > 0 and .score < $total" "$root/results/results.json"
    check "partial: the student is the metadata's user, with the e-mail" jqok '
        .extra_data.student == "Student User" and .extra_data.email == "student@example.com"' \
        "$root/results/results.json"
    check "partial: the output Gradescope shows at once has no hidden points and no total" jqok '
        (.output | contains("| Hidden tests (\('"$nhidden"')) | not shown |"))
        and (.output | contains("Score") | not)
        and (.output | contains("Hidden tests: ") | not)' "$root/results/results.json"
fi

# ---- 4. no sandbox possible; a GitHub-style submission ------------------------------
mkdir -p "$work/nobwrap"
printf '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' \
    > "$work/nobwrap/bwrap"
chmod +x "$work/nobwrap/bwrap"
rm -rf "$root/submission" "$root/results"
mkdir -p "$root/submission/assignments/kernels" "$root/results"
cp solutions/kernels/kernels.c "$root/submission/assignments/kernels/"
echo "# my repository" > "$root/submission/README.md"
AUTOGRADER_ROOT=$root PATH="$work/nobwrap:$PATH" "$root/run_autograder" > "$work/run-nobwrap.log" 2>&1
check "without bubblewrap: a notice, then graded in the fallback sandbox" \
    grep -q "notice: bubblewrap cannot create a sandbox" "$work/run-nobwrap.log"
check "... which results.json records" \
    jqok '.extra_data.sandbox | startswith("fallback")' "$root/results/results.json"
check "a GitHub-style submission: kernels.c found in assignments/kernels, full points" \
    jqok ".score == $total" "$root/results/results.json"

cd "$repo" || exit 1
finish
