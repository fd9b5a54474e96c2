#!/bin/sh
# outputs_check.sh GRADER WORKDIR -- the per-submission outputs read by
# their real consumers (docs/outputs.md).  Grades the reference solution,
# the partial example and the broken one (which does not compile), the
# partial one twice (the second time with a submission_metadata.json, as
# on Gradescope), then checks:
#   JUnit    every junit.xml is valid against the Jenkins xunit plugin's
#            junit-10.xsd (tests/vendor/, xmllint --schema); testcase
#            names are titles, unique, with the suite as classname; every
#            <failure>/<error> carries its reason as message and as text;
#            a build failure makes each test "not run: the build failed";
#   coverage lcov.info names the submission's files relative to it
#            (SF:kernels.c) and is byte-identical across two gradings;
#            genhtml renders it again from a copy of it beside the
#            submission, the scratch folder long gone; the pages have a
#            fixed folder ("root"), not the scratch folder's random name;
#            cobertura.xml is well-formed, names kernels.c under <source>
#            ".", has lcov.info's line and branch counts, and is
#            byte-identical across the two gradings too;
#   Gradescope results.json: one row per visibility, no total counting a
#            test not shown yet, a failing test's details only in its own
#            box, the build log first and each test "not run: the build
#            failed" for the broken one; the student's name and e-mail
#            from the metadata's users[]; the leaderboard (config.yaml turns
#            it on) lists the visible performance tests only.
# Prints ok/FAIL lines; exits 1 if anything failed.
set -u
grader=$(realpath "$1")
work=$2
rm -rf "$work" && mkdir -p "$work" && work=$(realpath "$work")
. tests/scripts/lib.sh
hermetic "$work"
xsd=$(realpath tests/vendor/junit-10.xsd)
pass=0 failed=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() {
    name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

# grade NAME DIR [OPTION...]: grades DIR into $work/NAME
grade() {
    name=$1 dir=$2
    shift 2
    "$grader" -c config.yaml grade "$dir" -o "$work/$name" "$@" > "$work/$name.log" 2>&1
    rc=$?
    check "grade $name: exit $rc, results.json written" \
        sh -c "[ $rc = 0 ] && [ -s '$work/$name/results.json' ]"
}
step "grading"
mkdir -p "$work/sub/reference"
cp solutions/kernels/kernels.c "$work/sub/reference/"
grade reference "$work/sub/reference"
grade partial tests/fixtures/examples/partial
# The second grading as on Gradescope: with the metadata of a group of two.
cat > "$work/submission_metadata.json" <<'EOF'
{"id": 1, "created_at": "2026-12-10T14:22:32.365935-08:00",
 "users": [{"email": "ada@example.com", "id": 11, "name": "Ada Lovelace"},
           {"email": "bob@example.com", "id": 12, "name": "Bob"}]}
EOF
grade partial2 tests/fixtures/examples/partial --metadata "$work/submission_metadata.json"
grade broken tests/fixtures/examples/broken

# The README's first screen shows make grade's table: its rows for the
# reference and the partial must be what grading them gives.
for s in reference:correct partial:partial; do
    got=$(printf '%.2f' "$(jq .score "$work/${s%%:*}/results.json")")
    shown=$(awk -v n="${s#*:}" '$1 == n && $2 == "graded" { print $3; exit }' README.md)
    check "README's make grade table: ${s#*:} scores $got (README says ${shown:-nothing})" \
        test "$got" = "$shown"
done

# ---- JUnit ---------------------------------------------------------------------
step "junit"
for s in reference partial broken; do
    x=$work/$s/junit.xml
    check "junit $s: valid against junit-10.xsd" \
        sh -c "xmllint --noout --schema '$xsd' '$x' > '$work/xmllint-$s.log' 2>&1"
    dups=$(grep -o '<testcase [^>]*' "$x" | sed 's/.* name="\([^"]*\)".*/\1/' | sort | uniq -d)
    check "junit $s: testcase names unique (titles)${dups:+: $dups}" test -z "$dups"
    # Every failure and error: a message, and its text starts with it.
    n=$(xmllint --xpath 'count(//failure|//error)' "$x")
    i=1 bare=0
    while [ "$i" -le "$n" ]; do
        msg=$(xmllint --xpath "string((//failure|//error)[$i]/@message)" "$x")
        text=$(xmllint --xpath "string((//failure|//error)[$i])" "$x" | head -n 1)
        [ -n "$msg" ] && [ "$text" = "$msg" ] || bare=$((bare + 1))
        i=$((i + 1))
    done
    check "junit $s: each of the $n failures/errors has its reason as message and text" \
        test "$bare" = 0
done
check "junit partial: classname is the suite (matmul_baseline), name the title" \
    sh -c "xmllint --xpath 'string(//testcase[@classname=\"matmul_baseline\"][1]/@name)' \
           '$work/partial/junit.xml' | grep -q '^Baseline matmul: '"
check "junit partial: a failing performance or check test says why in <failure>" \
    sh -c "[ \$(xmllint --xpath 'count(//failure[string-length(normalize-space(.)) > 0])' \
           '$work/partial/junit.xml') -gt 0 ]"
check "junit partial: every testcase says its points in <system-out> or <failure>" \
    sh -c "[ \$(xmllint --xpath 'count(//testcase[not(contains(system-out, \"Points: \")
                                                   or contains(failure, \"points\"))])' \
           '$work/partial/junit.xml') = 0 ]"
check "junit broken: every test is an error \"not run: the build failed\"" \
    sh -c "x='$work/broken/junit.xml';
           t=\$(xmllint --xpath 'count(//testcase[not(@name=\"Hidden tests\")])' \"\$x\");
           e=\$(xmllint --xpath 'count(//error[@message=\"not run: the build failed\"])' \"\$x\");
           [ \"\$t\" -gt 0 ] && [ \"\$t\" = \"\$e\" ]"

# ---- coverage ------------------------------------------------------------------------
step "coverage"
for s in reference partial; do
    info=$work/$s/coverage/lcov.info
    check "lcov.info $s: SF:kernels.c, relative to the submission" \
        sh -c "[ \"\$(grep '^SF:' '$info')\" = 'SF:kernels.c' ]"
done
check "lcov.info: byte-identical across two gradings of the same submission" \
    cmp -s "$work/partial/coverage/lcov.info" "$work/partial2/coverage/lcov.info"
mkdir -p "$work/rerender"
cp "$work/partial/coverage/lcov.info" tests/fixtures/examples/partial/kernels.c "$work/rerender/"
check "genhtml renders the stored lcov.info again beside the submission" \
    sh -c "cd '$work/rerender' && genhtml --quiet --branch-coverage -o html lcov.info \
           > genhtml.log 2>&1 && [ -n \"\$(find html -name 'kernels.c.gcov.html')\" ]"
check "coverage html: kernels.c under the fixed folder root/, no scratch folder name" \
    sh -c "[ -f '$work/partial/coverage/html/root/kernels.c.gcov.html' ] &&
           [ -z \"\$(find '$work/partial/coverage/html' -name 'grade-*')\" ] &&
           ! grep -rqF '$TMPDIR' '$work/partial/coverage/html'"
for s in reference partial; do
    cob=$work/$s/coverage/cobertura.xml
    check "cobertura.xml $s: well-formed (xmllint)" xmllint --noout "$cob"
    # awk, not bc: a fresh Debian (minbase) has no bc
    lsum() { awk -F: -v k="$1" '$1 == k {n += $2} END {print n + 0}' "$work/$s/coverage/lcov.info"; }
    lh=$(lsum LH) lf=$(lsum LF) bh=$(lsum BRH)
    check "cobertura.xml $s: kernels.c under <source>., lines $lh/$lf and branches $bh as lcov.info" \
        sh -c "x='$cob';
               [ \"\$(xmllint --xpath 'string(//sources/source)' \"\$x\")\" = . ] &&
               [ \"\$(xmllint --xpath 'string(//class/@filename)' \"\$x\")\" = kernels.c ] &&
               [ \"\$(xmllint --xpath 'string(/coverage/@lines-covered)' \"\$x\")\" = '$lh' ] &&
               [ \"\$(xmllint --xpath 'string(/coverage/@lines-valid)' \"\$x\")\" = '$lf' ] &&
               [ \"\$(xmllint --xpath 'string(/coverage/@branches-covered)' \"\$x\")\" = '$bh' ]"
done
check "cobertura.xml: byte-identical across two gradings" \
    cmp -s "$work/partial/coverage/cobertura.xml" "$work/partial2/coverage/cobertura.xml"

# ---- Gradescope results.json ------------------------------------------------------
step "gradescope"
jqok() { jq -e "$@" > /dev/null; }
for s in reference partial broken; do
    j=$work/$s/results.json
    check "results.json $s: one row per visibility among the tests, points only for visible" jqok '
        def rowlabel: {"visible": "| Visible tests (", "after_due_date": "| Tests shown after the due date (",
                    "after_published": "| Tests shown when grades are published (",
                    "hidden": "| Hidden tests ("}[.];
        . as $d | [.tests[].visibility] | unique | all(.[]; . as $v | $d.output | contains($v | rowlabel))
        and ($d.output | test("\\| (Hidden tests|Tests shown [a-z ]+) \\([0-9]+\\) \\| [0-9]") | not)' "$j"
    check "results.json $s: no total that counts a test not shown yet" jqok '
        . as $d | (.tests | map(select(.visibility != "visible")) | length) as $n
        | (.tests | map(.max_score) | add | tostring) as $total
        | ($n == 0) or (($d.output | contains("Score") or contains($total)) | not)' "$j"
    check "results.json $s: a failing test's details only in its own box" jqok '
        . as $d | all(.tests[] | select(.status == "failed" and (.output | length) > 0
                                        and (.output | startswith("not run") | not));
                     (.output | split("\n") | .[1:] | map(select(length > 8)) | .[0]) as $l
                     | ($l == null) or (($d.output | contains($l)) | not))' "$j"
done
check "results.json broken: the build log first, every test \"not run: the build failed\"" jqok '
    (.output | index("could not be graded")) as $a | (.output | index("error:")) as $b
    | (.output | index("| Tests |")) as $c
    | $a != null and $b != null and $c != null and $a < $b and $b < $c
    and all(.tests[]; .output == "not run: the build failed\n" and .score == 0)' \
    "$work/broken/results.json"

check "results.json with submission_metadata.json: the student and e-mail from users[]" jqok '
    .extra_data.student == "Ada Lovelace, Bob"
    and .extra_data.email == "ada@example.com, bob@example.com"' "$work/partial2/results.json"
check "results.json reference: a leaderboard column per visible measured performance test, none hidden" jqok '
    ([.tests[] | select(.extra_data.metric and .visibility == "visible") | .name]) as $v
    | ($v | length) > 0 and ([.leaderboard[].name] == $v)
    and all(.leaderboard[]; .order == "asc" and (.value | type) == "number")' \
    "$work/reference/results.json"
check "results.json without it: the folder's name, no e-mail" jqok '
    .extra_data.student == "partial" and .extra_data.email == null' "$work/partial/results.json"

step summary
echo "outputs check: $pass passed, $failed failed"
[ "$failed" = 0 ]
