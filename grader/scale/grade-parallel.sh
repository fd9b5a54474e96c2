#!/bin/sh
# grade-parallel.sh -- grade a class as N shards with GNU parallel, on this
# machine or over ssh, then merge the shards into one output.
#
#   grader/scale/grade-parallel.sh [-g GRADER] [-c CONFIG] [-n SHARDS] [-j JOBS]
#       [-P SHARDS_AT_ONCE] [-S SSHLOGINS] SUBMISSIONS_DIR OUT [-- BATCH_OPTIONS...]
#
# Shard I of N runs `grader batch SUBMISSIONS_DIR --shard I/N -o OUT/shard-I
# -j JOBS --sandbox-uid 61000+256*I BATCH_OPTIONS...` (its own range of
# sandbox uids, so shards sharing a machine do not share RLIMIT_NPROC), then
# `grader merge OUT/shard-1 ... OUT/shard-N -o OUT` writes OUT/students/,
# OUT/gradebook.csv and OUT/index.html.  Re-running resumes: each shard
# skips its finished students (add `-- --force` to regrade).
#
#   -g GRADER   the grader program (default: $GRADER, else build/grader/grader)
#   -c CONFIG   the grading config (default: $GRADER_CONFIG, else config.yaml)
#   -n SHARDS   how many shards (default 4)
#   -j JOBS     submissions graded at once within a shard (default 1)
#   -P N        shards run at once (default: parallel's default, one per CPU;
#               with -S, per host)
#   -S LOGINS   hosts for parallel's --sshlogin (e.g. ':,node1,2/node2'; ':' is
#               this machine).  Every host must see GRADER, CONFIG,
#               SUBMISSIONS_DIR and OUT at the same absolute paths (a shared
#               file system) and have bubblewrap.
#
# Exit status: 0 when every shard graded everyone and the merge succeeded,
# 1 if a shard or the merge failed (what finished is kept: run it again),
# 2 on a usage error.
set -eu

usage() {
    printf 'usage: ' >&2; sed -n '5,6p' "$0" | sed 's/^# *//' >&2
    exit 2
}

abspath() {   # abspath PATH: absolute, for the remote hosts and parallel's cd
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}

grader=${GRADER:-build/grader/grader}
config=${GRADER_CONFIG:-config.yaml}
shards=4 jobs=1 at_once='' logins=''
while getopts g:c:n:j:P:S:h opt; do
    case $opt in
    g) grader=$OPTARG ;;
    c) config=$OPTARG ;;
    n) shards=$OPTARG ;;
    j) jobs=$OPTARG ;;
    P) at_once=$OPTARG ;;
    S) logins=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
subs=$(abspath "$1") out=$(abspath "$2")
shift 2
[ "${1:-}" != "--" ] || shift
case $shards in ''|*[!0-9]*) usage ;; esac
if [ "$shards" -lt 1 ] || [ "$shards" -gt 10000 ]; then usage; fi
command -v parallel > /dev/null 2>&1 || {
    echo "grade-parallel.sh: GNU parallel is not installed (apt-get install parallel)" >&2
    exit 2
}
case $grader in */*) grader=$(abspath "$grader") ;; esac
config=$(abspath "$config")
mkdir -p "$out"

# One line per shard: its number and its first sandbox uid.  -q quotes
# every argument (paths with spaces), the {1} {2} inside them included.
set +e
i=1
while [ "$i" -le "$shards" ]; do
    printf '%s\t%s\n' "$i" $((61000 + 256 * i))
    i=$((i + 1))
done | parallel --colsep '\t' --tag --line-buffer --joblog "$out/parallel.log" \
    ${at_once:+-j "$at_once"} ${logins:+--sshlogin "$logins" --workdir .} \
    -q "$grader" -c "$config" batch "$subs" --shard "{1}/$shards" -o "$out/shard-{1}" \
    -j "$jobs" --sandbox-uid "{2}" "$@"
failed=$?
set -e

set --
i=1
while [ "$i" -le "$shards" ]; do
    [ -d "$out/shard-$i/students" ] && set -- "$@" "$out/shard-$i"
    i=$((i + 1))
done
if [ $# -eq 0 ]; then
    echo "grade-parallel.sh: no shard produced any output; see $out/parallel.log" >&2
    exit 1
fi
"$grader" -c "$config" merge "$@" -o "$out"
if [ "$failed" -ne 0 ] || [ $# -ne "$shards" ]; then
    echo "grade-parallel.sh: $failed shard(s) did not finish cleanly (see $out/parallel.log);" \
         "the merge has what they finished: run the same command again to finish" >&2
    exit 1
fi
