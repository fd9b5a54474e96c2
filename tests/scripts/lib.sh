# lib.sh -- sourced by the test scripts (". tests/scripts/lib.sh" from the
# repository root): what keeps each script hermetic and its failures told.
#
#   hermetic DIR    a private TMPDIR (DIR/tmp, emptied) and a sandbox uid
#                   range of the script's own: exports TMPDIR and
#                   GRADER_SANDBOX_UID (the grader's default --sandbox-uid),
#                   sets $uid_base.  The range is derived from DIR's absolute
#                   path, so two clones (or two scripts) running at once use
#                   different uids: RLIMIT_NPROC counts per uid, and process
#                   and file checks look only at their own uids.
#   step TEXT       names what the script is doing now; if it stops on an
#                   error (set -e), it says which step and the exit status.
#                   "step summary" before the last line: a failing summary
#                   is no stop.
#   owned_by_us     entries of /tmp and /var/tmp owned by our uid range.
#   graders_left PID   scratch roots a grader of that pid left (scratch.h).

# 8192 uids per script: a grade uses base + k*256 (k < 8 unit runners, k = 8
# the performance stage), a batch base + worker + k*256; the scripts use up
# to three sub-ranges of 2304 (9 x 256).
UID_BLOCK=8192

hermetic() {
    mkdir -p "$1/tmp"
    TMPDIR=$(cd "$1/tmp" && pwd)
    find "$TMPDIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
    h=$(cd "$1" && pwd | cksum | cut -d' ' -f1)
    uid_base=$((100000 + h % 20000 * UID_BLOCK))
    GRADER_SANDBOX_UID=$uid_base
    export TMPDIR GRADER_SANDBOX_UID
    trap 'lib_on_exit $?' EXIT
}

lib_step='starting'
step() { lib_step=$*; }

lib_on_exit() {
    [ "$1" = 0 ] || [ "$lib_step" = summary ] && return 0
    echo "FAIL ${0##*/}: stopped (exit status $1) during: $lib_step" >&2
}

# Entries directly in /tmp and /var/tmp owned by a uid of our block.
owned_by_us() {
    find /tmp /var/tmp -mindepth 1 -maxdepth 1 -printf '%U %p\n' 2>/dev/null |
        awk -v u="$uid_base" -v n="$UID_BLOCK" '$1 >= u && $1 < u + n {print $2}' | sort
}

# Scratch roots (and older scratch folders) of the grader with pid $1.
graders_left() {
    for b in "$TMPDIR" /tmp /var/tmp; do
        find "$b" -mindepth 1 -maxdepth 1 \( -name "grader-$1-*" -o -name "grade-$1-*" \) \
            2>/dev/null
    done
}

# Processes (not zombies) of the uids from $1 to $1 + $2 - 1.
uids_running() {
    ps -e -o uid=,stat=,pid=,args= |
        awk -v u="$1" -v n="$2" '$1 >= u && $1 < u + n && $2 !~ /^Z/' | head -n 5
}

# Waits (at most 30 s: a bound, not a measurement) until uids_running is empty.
uids_settle() {
    n=0
    while [ -n "$(uids_running "$1" "$2")" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
}
