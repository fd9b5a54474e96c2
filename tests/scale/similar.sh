#!/bin/sh
# similar.sh GRADER DIR -- `grader similar` (grader/src/scale/similar.h,
# docs/instructor-tools.md#similarity) on a class with planted copies.
#
# The independent students: five small solutions written separately
# (tests/fixtures/similar/class/: ana, ben, cara, dev, eli) and the
# reference solution (ref).  The planted copies, each of one of them:
#   copy_renamed     ana with its identifiers renamed
#   copy_reordered   ben with its top-level blocks in reverse order
#   copy_commented   cara with comments added on most lines
#   copy_layout      dev re-indented, spaces removed, braces moved
#   copy_all         ref with all four at once
#   zoe <b>&'        eli unchanged (a name HTML must escape)
# Each planted pair must rank above every other pair (the top six ranks).
# Two students who handed in the stub (stub1; stub2 with its comments
# edited) must share nothing: the stub is base code.  A second class of
# two students who both pasted the same given helper (base/given.c) must
# score high without --base and about 0 with it.  Also: the side-by-side
# pages (both sides highlighted, names escaped), the dashboard of a batch
# output and of batch --similarity (never in a student's folder), a
# symlinked file refused, a student without the file listed, identical
# output on a second run, and usage errors (exit 2).
set -eu
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
. tests/scripts/lib.sh
hermetic "$dir"
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
fix=tests/fixtures/similar
zoe="zoe <b>&'"

step "the class"
class="$dir/class"
rm -rf "$class" "$dir/out" "$dir/out2" "$dir/batch" "$dir/class2" "$dir/out-base" \
       "$dir/out-nobase"
mkdir -p "$class"
cp -R "$fix"/class/* "$class/"
mkdir "$class/ref" "$class/stub1" "$class/stub2" "$class/copy_renamed" \
      "$class/copy_reordered" "$class/copy_commented" "$class/copy_layout" "$class/copy_all" \
      "$class/$zoe" "$class/linky" "$class/empty"
cp solutions/kernels/kernels.c "$class/ref/"
cp assignments/kernels/kernels.c "$class/stub1/"
sed 's/TODO/To do/; s/\(^ \* \)\(.*\)/\1Note: \2/' assignments/kernels/kernels.c \
    > "$class/stub2/kernels.c"

rename() {    # every local name of the fixtures that the copies change
    sed -e 's/\bA\b/left/g; s/\bB\b/right/g; s/\bC\b/result/g; s/\bm\b/rows/g' \
        -e 's/\bn\b/cols/g; s/\bk\b/depth/g; s/\bi\b/r/g; s/\bj\b/c/g; s/\bp\b/q/g' \
        -e 's/\bx\b/input/g; s/\by\b/output/g; s/ana_/mine_/g; s/ref_/mine_/g' \
        -e 's/\bjob\b/task/g; s/\bchunk\b/share/g; s/\bw\b/nthreads/g'
}
reorder() {   # top-level blocks (separated by blank lines) last first
    awk 'BEGIN { RS = ""; ORS = "\n\n" } { b[NR] = $0 } END { for (i = NR; i >= 1; i--) print b[i] }'
}
comment() {   # a comment after most lines of code
    sed -e 's|{$|{ /* start of the block */|' -e 's|;$|; // done with this step|' \
        -e 's|^}$|} /* end */|'
}
layout() {    # other indentation, spaces and brace placement
    sed -e 's/^    /\t/; s/ = /=/g; s/, /,/g; s/ == /==/g; s/ < / < /g' \
        -e 's/) {$/)\n{/; s/^\(\t*\)\(.*\)/\1  \2/'
}
rename < "$class/ana/kernels.c" > "$class/copy_renamed/kernels.c"
reorder < "$class/ben/kernels.c" > "$class/copy_reordered/kernels.c"
comment < "$class/cara/kernels.c" > "$class/copy_commented/kernels.c"
layout < "$class/dev/kernels.c" > "$class/copy_layout/kernels.c"
rename < solutions/kernels/kernels.c | reorder | comment | layout > "$class/copy_all/kernels.c"
cp "$class/eli/kernels.c" "$class/$zoe/kernels.c"
ln -s ../ana/kernels.c "$class/linky/kernels.c"

step "the copies really differ from their originals"
differs() { ! cmp -s "$class/$1/kernels.c" "$class/$2/kernels.c"; }
for p in "ana copy_renamed" "ben copy_reordered" "cara copy_commented" "dev copy_layout" \
         "ref copy_all"; do
    # shellcheck disable=SC2086
    check "planted copy differs as text: $p" differs $p
done

step "grader similar"
"$grader" -c config.yaml similar "$class" -o "$dir/out" > "$dir/out.txt" 2> "$dir/err.txt"
csv="$dir/out/similarity/similarity.csv"
check "similarity.csv written" test -s "$csv"
check "index.html written" test -s "$dir/out/similarity/index.html"
check "the top pairs are printed" grep -q "^ *1\. " "$dir/out.txt"

# pair A B: "A B" with the names sorted, from the CSV (names have no comma or quote).
pairs() { awk -F, 'NR > 1 { gsub(/"/, ""); a = $2; b = $3
                            if (b < a) { t = a; a = b; b = t }
                            print $1 "\t" a "\t" b "\t" $4 }' "$1"; }
pairs "$csv" > "$dir/pairs.tsv"
planted="ana	copy_renamed
ben	copy_reordered
cara	copy_commented
copy_layout	dev
copy_all	ref
eli	$zoe"
printf '%s\n' "$planted" | sort > "$dir/planted.tsv"
head -n 6 "$dir/pairs.tsv" | cut -f2,3 | sort > "$dir/top6.tsv"
check "the six planted pairs are the six best ranks" cmp -s "$dir/planted.tsv" "$dir/top6.tsv"
if ! cmp -s "$dir/planted.tsv" "$dir/top6.tsv"; then head -n 10 "$dir/pairs.tsv"; fi

# min planted score > max score of any other pair
min_planted=$(head -n 6 "$dir/pairs.tsv" | cut -f4 | sort -n | head -n 1)
max_other=$(tail -n +7 "$dir/pairs.tsv" | cut -f4 | sort -n | tail -n 1)
echo "     lowest planted score $min_planted%, highest other pair ${max_other:-none}%"
check "every planted pair scores above every independent pair" \
    awk -v a="$min_planted" -v b="${max_other:-0}" 'BEGIN { exit !(a > b) }'
check "each planted pair scores at least 60%" awk -v a="$min_planted" 'BEGIN { exit !(a >= 60) }'
check "the stubs share nothing (base code): no pair with stub1 or stub2" \
    sh -c "! grep -q 'stub[12]' '$dir/pairs.tsv'"
check "the symlinked file is not read" grep -q 'not read: linky/kernels.c: a symlink' "$dir/err.txt"
check "no pair with the symlink's student" sh -c "! grep -q 'linky' '$dir/pairs.tsv'"
check "the students without the file are listed" grep -q 'empty' "$dir/out/similarity/index.html"

step "the side-by-side pages"
page="$dir/out/similarity/pair-0001.html"
check "pair-0001.html written" test -s "$page"
check "both sides highlighted" sh -c "grep -q 'id=\"a[0-9]*\" class=\"m0\"\\|class=\"m0\" id=\"a' '$page' &&
                                      grep -q 'id=\"b[0-9]*\" class=\"m0\"\\|class=\"m0\" id=\"b' '$page'"
zpage=$(grep -l 'zoe' "$dir"/out/similarity/pair-*.html | head -n 1)
check "a name is escaped in the pair page" grep -q 'zoe &lt;b&gt;&amp;' "$zpage"
check "never raw in the pages" sh -c "! grep -qF 'zoe <b>' '$dir'/out/similarity/*.html"
check "the CSV quotes the name" grep -qF "\"$zoe\"" "$csv"

step "the same class again: the same output"
"$grader" -c config.yaml similar "$class" -o "$dir/out2" > /dev/null 2>&1
check "similarity.csv identical on a second run" cmp -s "$csv" "$dir/out2/similarity/similarity.csv"
check "pair pages identical on a second run" \
    cmp -s "$page" "$dir/out2/similarity/pair-0001.html"

step "base code: --base"
mkdir -p "$dir/class2/gx" "$dir/class2/gy"
{ sed -n '1,6p' "$class/ben/kernels.c"; cat "$fix/base/given.c"; sed '1,6d' "$class/ben/kernels.c"; } \
    > "$dir/class2/gx/kernels.c"
{ sed -n '1,10p' "$class/cara/kernels.c"; cat "$fix/base/given.c"; sed '1,10d' "$class/cara/kernels.c"; } \
    > "$dir/class2/gy/kernels.c"
score_of() { awk -F, 'NR == 2 { print $4 } END { if (NR < 2) print 0 }' "$1"; }
"$grader" -c config.yaml similar "$dir/class2" -o "$dir/out-nobase" > /dev/null
"$grader" -c config.yaml similar "$dir/class2" -o "$dir/out-base" --base "$fix/base/given.c" \
    > /dev/null
nobase=$(score_of "$dir/out-nobase/similarity/similarity.csv")
withbase=$(score_of "$dir/out-base/similarity/similarity.csv")
echo "     the pasted helper: ${nobase}% without --base, ${withbase}% with it"
check "without --base the pasted helper matches" awk -v s="$nobase" 'BEGIN { exit !(s >= 25) }'
check "with --base it scores about 0" awk -v s="$withbase" 'BEGIN { exit !(s < 5) }'

step "a batch output's dashboard shows the pairs"
mkdir -p "$dir/batch/students"
"$grader" -c config.yaml similar "$class" -o "$dir/batch" > /dev/null 2>&1
check "the dashboard is written" test -s "$dir/batch/index.html"
check "the dashboard has the similar pairs" grep -q 'Similar submissions' "$dir/batch/index.html"
check "the dashboard links the first pair's page" \
    grep -q 'href="similarity/pair-0001.html"' "$dir/batch/index.html"
check "the dashboard escapes names" sh -c "! grep -qF 'zoe <b>' '$dir/batch/index.html'"

step "batch --similarity"
# Two students who cannot be built (eli's file lacks functions): graded
# quickly, ungradable, and a copy of each other.
rm -rf "$dir/class3" "$dir/batch3"
mkdir -p "$dir/class3/u1" "$dir/class3/u2"
cp "$class/eli/kernels.c" "$dir/class3/u1/"
layout < "$class/eli/kernels.c" > "$dir/class3/u2/kernels.c"
"$grader" -c config.yaml batch "$dir/class3" -o "$dir/batch3" -j 2 --no-performance \
    --no-cache --similarity > "$dir/batch3.txt" 2> "$dir/batch3.err"
check "batch --similarity prints the pairs" grep -q '1\. 100\.0%  u1  u2' "$dir/batch3.txt"
check "batch --similarity writes similarity/" test -s "$dir/batch3/similarity/similarity.csv"
check "batch --similarity: the dashboard shows the pair" \
    grep -q 'href="similarity/pair-0001.html"' "$dir/batch3/index.html"
check "no student's folder mentions the check" \
    sh -c "! grep -rlE 'Similar submissions|similarity/|pair-0' '$dir/batch3/students'"

step "usage errors"
rc=0; "$grader" -c config.yaml similar "$dir/nowhere" -o "$dir/x" 2> /dev/null || rc=$?
check "a missing class folder: exit 2" test "$rc" = 2
rc=0; "$grader" -c config.yaml similar "$class" --max-share 1 -o "$dir/x" 2> /dev/null || rc=$?
check "--max-share 1: exit 2" test "$rc" = 2
rc=0; "$grader" -c config.yaml similar "$class" --top x -o "$dir/x" 2> /dev/null || rc=$?
check "--top x: exit 2" test "$rc" = 2
rc=0; "$grader" -c config.yaml similar "$class" --base "$dir/nowhere.c" -o "$dir/x" \
    2> /dev/null || rc=$?
check "a missing --base file: exit 1" test "$rc" = 1

step summary
echo "similar: $passes passed, $fails failed"
[ "$fails" = 0 ]
