#!/bin/sh
# browser_test.sh GRADER DIR -- the HTML reports in a real browser.
#
# Grades the bundled examples (the reference solution, the stub, a partial
# and a broken submission; --no-performance, to stay fast) into DIR/out,
# then loads report.html, report-instructor.html and the class dashboard
# index.html in headless Chromium: the DOM Chromium builds must show the
# score, the test names, no hidden test on the student page, every student
# and the SVG charts on the dashboard, its links to gradebook.csv and the
# exports; the screenshots (kept in DIR/screenshots) must be PNGs of a
# rendered page.
#
# Then a class of 1,000 students (gen_class.sh: synthetic results.json
# made from the graded examples, combined by `grader merge`): the
# dashboard at 1200 and 800 pixels wide has no horizontal overflow; its
# script sorts the students, the search box and the status filter show
# the right rows (probe.js records what happened); without JavaScript
# every student is still listed; the failures are grouped by reason; the
# time to render (the page's clock, navigation start to the load event)
# is printed, not asserted; screenshots kept.
#
# Chromium is optional: when it is missing and cannot be installed (only
# root can), the check prints "browser: SKIPPED: <why>" and passes.
set -u
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
skip() { echo "browser: SKIPPED: $*"; exit 0; }

# ---- Chromium ---------------------------------------------------------------

if ! command -v chromium > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "browser: installing chromium with apt-get" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > "$dir/apt.log" 2>&1 ||
            { apt-get update -qq > /dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > "$dir/apt.log" 2>&1; }
    fi
    command -v chromium > /dev/null 2>&1 ||
        skip "chromium is not installed (as root: apt-get install chromium)"
fi

# Each call is bounded; the profile stays in DIR, not in the user's home.
browse() {   # browse OUT ERR CHROMIUM-ARGS... (the page URL last)
    out=$1 err=$2
    shift 2
    timeout 90 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --no-first-run --user-data-dir="$dir/profile" "$@" > "$out" 2> "$err"
}
browse "$dir/blank.html" "$dir/blank.err" --dump-dom about:blank ||
    skip "chromium does not start headless (see $dir/blank.err)"

# ---- grade the examples ------------------------------------------------------

rm -rf "$dir/subs" "$dir/out" "$dir/dom" "$dir/screenshots"
mkdir -p "$dir/subs/correct" "$dir/subs/stub" "$dir/dom" "$dir/screenshots"
cp solutions/kernels/kernels.c "$dir/subs/correct/"
cp assignments/kernels/kernels.c "$dir/subs/stub/"
cp -R tests/fixtures/examples/partial tests/fixtures/examples/broken "$dir/subs/"
"$grader" -c config.yaml batch "$dir/subs" -o "$dir/out" -j 2 --no-performance --force \
    > "$dir/batch.txt" 2>&1
check "the batch grades the examples (exit 0)" test $? = 0
students=$(ls "$dir/out/students")
check "every example has an HTML report" test "$(ls "$dir"/out/students/*/report.html | wc -l)" = 4

# ---- the DOM Chromium builds --------------------------------------------------

# The text of an HTML file as Chromium's DOM serializes it: &, <, > escaped.
esc() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
has() { grep -qF -- "$2" "$1"; }
# Whether every line of stdin appears in FILE (an empty list counts as no).
all_in() { f=$1 n=0; while IFS= read -r s; do n=$((n + 1)); has "$f" "$s" || return 1; done; test "$n" -gt 0; }
none_in() { f=$1; while IFS= read -r s; do has "$f" "$s" && return 1; done; return 0; }

dump() {   # dump PAGE NAME: DIR/dom/NAME.html
    browse "$dir/dom/$2.html" "$dir/dom/$2.err" --dump-dom "file://$1" &&
        test -s "$dir/dom/$2.html"
}

p=$dir/out/students/partial
json=$p/results.json
check "Chromium loads report.html" dump "$p/report.html" student
check "Chromium loads report-instructor.html" dump "$p/report-instructor.html" instructor
check "Chromium loads index.html" dump "$dir/out/index.html" index
score=$(jq -r '.score' "$json" | xargs printf '%.2f')
check "the student page shows the score ($score)" has "$dir/dom/student.html" ">$score<"
check "the student page names every visible test" all_in "$dir/dom/student.html" <<EOF
$(jq -r '.tests[] | select(.visibility == "visible") | .name' "$json" | esc)
EOF
check "the student page names no hidden test" none_in "$dir/dom/student.html" <<EOF
$(jq -r '.tests[] | select(.visibility != "visible") | .name, .extra_data.id' "$json" | esc)
EOF
check "the student page has the hidden tests' aggregate line" has "$dir/dom/student.html" "Hidden tests"
check "the student page shows a failing check" \
    has "$dir/dom/student.html" "$(jq -r '.tests[] | select(.status == "failed" and .visibility == "visible") | .output' "$json" |
                                    grep -m1 -o 'test_[a-z_]*\.c:[0-9]*')"
check "the student page links the coverage pages, which exist" \
    sh -c "has() { grep -qF -- \"\$2\" \"\$1\"; }; has '$dir/dom/student.html' 'href=\"coverage/html/index.html\"' &&
           test -f '$p/coverage/html/index.html'"
check "the instructor page names every test, hidden ones too" all_in "$dir/dom/instructor.html" <<EOF
$(jq -r '.tests[] | .name' "$json" | esc)
EOF
check "the instructor page shows the phase timings" has "$dir/dom/instructor.html" 'id="phases"'

for s in $students; do
    check "the dashboard links $s's instructor report" \
        has "$dir/dom/index.html" "href=\"students/$s/report-instructor.html\""
    check "the link to $s's report leads to a file" test -f "$dir/out/students/$s/report-instructor.html"
done
for chart in score-histogram coverage-histogram pass-rate-chart slowest-chart; do
    check "the dashboard has its $chart SVG" \
        sh -c "grep -o '<svg[^>]*class=\"[^\"]*$chart[^\"]*\"' '$dir/dom/index.html' | grep -q ."
done
ntests=$(jq '.tests | length' "$json")
# Pass-rate bars are the only ones classed by rate (low, mid, high).
check "the pass-rate chart has one bar per test ($ntests)" \
    test "$(grep -o '<rect[^>]*class="bar \(low\|mid\|high\)"' "$dir/dom/index.html" | wc -l)" = "$ntests"
check "the dashboard lists the ungradable submission" \
    sh -c "sed -n '/id=\"attention\"/,/<\/section>/p' '$dir/dom/index.html' | grep -q 'broken'"
for f in gradebook.csv canvas.csv moodle.csv scores-long.csv; do
    check "the dashboard links $f, which exists" \
        sh -c "grep -qF 'href=\"$f\"' '$dir/dom/index.html' && test -s '$dir/out/$f'"
done

# ---- screenshots ---------------------------------------------------------------

# A PNG (signature), WIDTH pixels wide (the IHDR chunk), and not a blank
# page: a blank 1200x1800 screenshot compresses to about 7 KB.
png_ok() {   # png_ok FILE WIDTH
    test "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a || return 1
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
    test "$w" = "$2" && test "$(wc -c < "$1")" -gt 30000
}
shot() {   # shot PAGE NAME
    browse "$dir/screenshots/$2.out" "$dir/screenshots/$2.err" --window-size=1200,1800 \
        --screenshot="$dir/screenshots/$2.png" "file://$1" &&
        png_ok "$dir/screenshots/$2.png" 1200
}
check "screenshot of report.html" shot "$p/report.html" report
check "screenshot of report-instructor.html" shot "$p/report-instructor.html" report-instructor
check "screenshot of index.html" shot "$dir/out/index.html" index
check "screenshot of an ungradable report" shot "$dir/out/students/broken/report.html" report-broken

# ---- a class of 1,000 ---------------------------------------------------------

big=$dir/big n=1000
rm -rf "$dir/big-in" "$big"
sh tests/browser/gen_class.sh "$dir/out" "$n" "$dir/big-in"
"$grader" -c config.yaml merge "$dir/big-in" -o "$big" > "$dir/merge.txt" 2>&1
check "grader merge builds the dashboard of $n students (exit 0)" test $? = 0
check "the exports have every student" test "$(($(wc -l < "$big/moodle.csv") - 1))" = "$n"

# probe.html: the dashboard with tests/browser/probe.js, which records what
# the page did as JSON in <pre id="probe"> of the DOM Chromium dumps.
sed 's|</body>|<script src="probe.js"></script></body>|' "$big/index.html" > "$big/probe.html"
cp tests/browser/probe.js "$big/probe.js"
want_ungradable=$(cat "$dir"/big-in/students/*/results.json |
                  jq -s '[.[] | select(.extra_data.grader_status != "graded")] | length')
for w in 1200 800; do
    t0=$(date +%s%N)
    browse "$dir/dom/big-$w.html" "$dir/dom/big-$w.err" --window-size=$w,900 \
        --dump-dom "file://$big/probe.html"
    t1=$(date +%s%N)
    sed -n 's|.*<pre id="probe">\(.*\)</pre>.*|\1|p' "$dir/dom/big-$w.html" |
        sed 's/&quot;/"/g' > "$dir/probe-$w.json"
    pr() { jq -r "$1" "$dir/probe-$w.json" 2> /dev/null; }
    echo "browser: $n students at $w px: rendered in $(pr .render_ms) ms (the page's clock," \
         "navigation start to the load event); Chromium ran $(((t1 - t0) / 1000000)) ms"
    check "$w px: the page's script ran" test "$(pr .js)" = true
    check "$w px: no horizontal overflow ($(pr .overflow) px)" test "$(pr .overflow)" -le 0
    check "$w px: every student has a row ($(pr .rows))" test "$(pr .rows)" = "$n"
    check "$w px: sorting by % orders the rows ($(pr .sort_mark))" \
        sh -c "test '$(pr .sorted_desc)' = true && test '$(pr .sort_mark)' = descending"
    check "$w px: the search box finds s0042 alone" test "$(pr .search_s0042)" = 1
    check "$w px: the filter shows the $want_ungradable ungradable ($(pr .shown_text))" \
        test "$(pr .ungradable)" = "$want_ungradable"
done
# Without JavaScript: the page as served lists every student and hides no
# row (only the controls, class js-only, which need the script).  Chromium
# with scripts off can neither dump the DOM nor take a screenshot (both go
# through its script runtime), so the served file is what is checked.
check "without JavaScript every student is listed" \
    test "$(sed -n '/id="students-table"/,/<\/table>/p' "$big/index.html" |
            grep -o '<tr data-status=' | wc -l)" = "$n"
check "without JavaScript no row is hidden" sh -c "! grep -q '<tr[^>]* hidden' '$big/index.html'"
check "the failures are grouped by reason, with counts" \
    sh -c "sed -n '/id=\"attention\"/,/<\/section>/p' '$dir/dom/big-1200.html' | grep -q 'not graded: '"
check "screenshot of the $n-student dashboard (1200 px)" shot "$big/index.html" big-index
browse "$dir/screenshots/big-800.out" "$dir/screenshots/big-800.err" --window-size=800,1800 \
    --screenshot="$dir/screenshots/big-index-800.png" "file://$big/index.html"
check "screenshot of the $n-student dashboard (800 px)" png_ok "$dir/screenshots/big-index-800.png" 800

echo "browser: $passes passed, $fails failed (screenshots in $dir/screenshots)"
test "$fails" = 0
