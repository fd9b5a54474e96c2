#!/bin/sh
# mutants_bench.sh GRADER MUTAGEN DIR -- how fast `grader mutants` analyses
# the Kernels reference with the config's operators, -j 2 (docs/mutants.md).
# Target (issue 11): at least 200 mutants in at most 180 s on 2 cores.
# Prints figures; asserts nothing about time.
set -eu
grader=$1 mutagen=$2
dir=$(mkdir -p "$3" && cd "$3" && pwd)
rm -rf "$dir/mutants"
"$grader" -c config.yaml mutants --mutagen "$mutagen" -j 2 -o "$dir/mutants" \
    > /dev/null 2> "$dir/mutants.log" || { tail -5 "$dir/mutants.log"; exit 1; }
json=$dir/mutants/mutants.json
echo "Mutation analysis of the Kernels reference (grader mutants -j 2):"
jq -r '"  \(.mutants | length) mutants in \(.ms.total / 1000 * 10 | round / 10) s " +
       "(target: >= 200 in <= 180 s): mutagen \(.ms.generate) ms, builds \(.ms.build) ms, " +
       "reference \(.ms.reference) ms, mutants \(.ms.mutants) ms",
       "  \(.counts.killed) killed, \(.counts.timeout) timed out, \(.counts.survived) survived, " +
       "\(.counts["not covered"]) not covered, \(.counts.equivalent) equivalent: " +
       "mutation score \(.score * 1000 | round / 10)% (target: >= 95%)",
       "  unit runs: \([.mutants[].units_run] | add), " +
       "\(([.mutants[].units_run] | add) / (.mutants | length) * 100 | round / 100) per mutant"' "$json"
echo "  report: $dir/mutants/mutants.txt"
