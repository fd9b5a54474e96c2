#!/bin/sh
# gen_class.sh GRADED N OUT -- a synthetic class of N students for the
# dashboard, without grading N submissions.
#
# GRADED is a batch output whose students/ holds a graded reference
# ("correct") and an ungradable submission ("broken"); their results.json
# are the templates.  Writes OUT/students/NAME/results.json for N students
# (s0001..., every 97th with a long name without spaces), deterministic:
#   - every 20th is ungradable, with one of three reasons (the broken
#     submission's own, a policy refusal, a missing file);
#   - the others pass each test of the reference with a probability that
#     varies by student (40% to 99%), a failed test scoring 0 with status
#     "failed"; the score is the tests' sum;
#   - execution_time varies from 5 to 30 s.
# OUT is then a batch output `grader merge OUT -o DEST` can combine (only
# results.json: the folders are small).  Needs jq.
set -eu
graded=$1 n=$2 out=$3
mkdir -p "$out/students"
jq -n -r --argjson n "$n" \
    --slurpfile ok "$graded/students/correct/results.json" \
    --slurpfile bad "$graded/students/broken/results.json" '
  def name($i): if $i % 97 == 0
                then "a-very-long-student-name-without-any-spaces-\($i)"
                else "s\($i + 10000 | tostring | .[1:])" end;
  def reason($i): [$bad[0].extra_data.reason // "does not build",
                   "kernels.c calls system(), which the policy forbids",
                   "kernels.c is missing from the submission"][($i / 20 | floor) % 3];
  def named($doc; $nm): if ($doc.extra_data.student | type) == "string"
                        then $doc | .extra_data.student = $nm else $doc end;
  range(1; $n + 1) as $i
  | name($i) as $nm
  | (if $i % 20 == 7 then
       named($bad[0]; $nm) | .extra_data.reason = reason($i)
     else
       (40 + ($i * 37) % 60) as $p
       | named($ok[0]; $nm)
       | .tests |= [ to_entries[] | .key as $k | .value
                     | if (($i * 7919 + $k * 104729) % 100) < $p then .
                       else .score = 0 | .status = "failed" | .extra_data.status = "failed" end ]
       | .score = ([.tests[].score] | add)
     end)
  | .execution_time = 5 + (($i * 13) % 50) / 2
  | "\($nm)\t\(tojson)"' > "$out/class.tsv"
cut -f1 "$out/class.tsv" | (cd "$out/students" && xargs mkdir -p)
awk -F '\t' -v dir="$out/students" '{
    f = dir "/" $1 "/results.json"
    print $2 > f
    close(f)
}' "$out/class.tsv"
rm -f "$out/class.tsv"
