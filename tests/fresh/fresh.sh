#!/bin/sh
# fresh.sh BUILD_DIR NOUSERNS -- the project on a fresh Debian machine
# (`make test-fresh`; issue 13, item 5; docs/developing.md).  Run from the
# repository root, as root.  Everything lives in BUILD_DIR/fresh/.
#
#   1. debootstrap: a minimal Debian 12 root (minbase, bookworm, the mirror
#      of the host's apt sources), cached in root/ (root.stamp when
#      complete; delete both to rebuild).
#   2. machine: the root entered like a new machine (enter.sh pivot: new
#      mount and pid namespaces, pivot_root, the host detached): apt-get
#      install make git, git clone of this repository's HEAD (a bare clone
#      mounted in) into /root/p, /root being 0700 as Debian makes it, then
#      the README's two commands there: `make grade`, then `make test`, or
#      the targets of FRESH_TARGETS (default: test-unit test-grader
#      test-corpus, since the whole `make test` with its package install
#      does not fit the budget; FRESH_TARGETS=test runs it all).
#   3. gradescope: the root entered as a plain chroot (enter.sh chroot)
#      under nouserns, a seccomp filter as Docker's default profile has it
#      (clone/unshare with CLONE_NEWUSER: EPERM, clone3: ENOSYS), so
#      bubblewrap cannot start (NOUSERNS: tests/fresh/nouserns.c, built).
#      The `gradescope` zip of HEAD (a clone, its grader built there) is
#      unpacked at /autograder, its setup.sh runs (it installs its own
#      packages), and run_autograder grades the reference solution (full
#      points) and hostile corpus submissions (disk_fill, network_socket,
#      fork_bomb, read_files: ungradable by the symbol policy).  A second
#      zip, of a config with the symbol policy off, at /autograder-off,
#      grades the sandbox fixtures (write_outside, read_instructor_files,
#      connect_localhost, escape_syscalls) and the same corpus programs,
#      which now run: only the fallback sandbox holds them.  Each must get
#      a results.json recording the fallback sandbox; no file anywhere in
#      the root may belong to a sandbox uid afterwards, the world-writable
#      /outside stays empty and a listener on the host's 127.0.0.1 sees
#      no connection.
#
# FRESH_STEPS (default "machine gradescope") picks steps 2 and 3;
# FRESH_COMMIT (default HEAD) the commit both steps test (e.g.
# FRESH_COMMIT=$(git stash create): the tracked files as they are now).
# Bounded: FRESH_BUDGET seconds in all (default 1400), and every step has
# its own limit under it (`timeout`; a step that stops says which and
# why, with the end of its log).  Steps 2 and 3 each start from the
# pristine cached root (an overlay: run-machine/, run-gradescope/ keep
# what they changed until the next run).  Skips, with a notice and exit 0,
# where it cannot run: not root, no mount namespaces or overlayfs, no
# debootstrap (and apt-get cannot install it), the mirror unreachable.
# Prints "ok"/"FAIL" lines and the time of each step; exits 1 on failure.
set -u
# Nothing inherited from the make that runs this (the host-side clone
# builds its own grader in its own build/).
unset MAKEFLAGS MAKELEVEL MFLAGS BUILD SAN CFLAGS CFLAGS_EXTRA LDFLAGS OPT GRADER_CACHE
repo=$(pwd)
dir=$(mkdir -p "$1/fresh" && cd "$1/fresh" && pwd)
nouserns=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
# One run at a time in a folder: two would share the cached root, the
# overlays and the step times.
exec 9> "$dir/lock"
if ! flock -n 9; then
    echo "test-fresh: another test-fresh is running in $dir (it holds $dir/lock)" >&2
    exit 1
fi
steps=${FRESH_STEPS:-machine gradescope}
budget=${FRESH_BUDGET:-1400}
targets=${FRESH_TARGETS:-test-unit test-grader test-corpus}
start=$(date +%s)
root=$dir/root share=$dir/share logs=$dir/logs
here=$repo/tests/fresh
export FRESH_APT_CACHE=$dir/apt-cache
export repo dir nouserns root share here
. "$here/lib.sh"
fails=0

skip() {
    echo "test-fresh: SKIPPED: $*"
    exit 0
}

# ---- can it run here ---------------------------------------------------------

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, mount and pid namespaces)"
unshare --mount --pid --fork true 2> /dev/null ||
    skip "cannot make mount and pid namespaces (unshare)"
grep -qw overlay /proc/filesystems || modprobe overlay 2> /dev/null ||
    skip "no overlayfs in this kernel"
if ! command -v debootstrap > /dev/null 2>&1; then
    echo "test-fresh: installing debootstrap"
    timeout 180 apt-get install -y -qq debootstrap > /dev/null 2>&1 ||
        skip "no debootstrap, and apt-get cannot install it"
fi

# The host's Debian mirror (deb822 .sources or one-line sources.list).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2> /dev/null |
    sed -n 's/^URIs: *\([^ ]*\).*/\1/p' | grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' \
    /etc/apt/sources.list 2> /dev/null | grep -v security | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
export mirror
host=${mirror#*://} host=${host%%/*}
case $mirror in https:*) port=443 ;; *) port=80 ;; esac
timeout 20 perl -MIO::Socket::INET -e \
    'IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Timeout => 10) or exit 1' \
    "$host" "$port" 2> /dev/null || skip "the Debian mirror $mirror is not reachable"

rm -rf "$logs" && mkdir -p "$logs"
echo "test-fresh: in $dir, mirror $mirror, budget ${budget}s"

# ---- steps ---------------------------------------------------------------------

# run NAME LIMIT COMMAND...: COMMAND under `timeout`, at most LIMIT seconds
# and never past the budget, its output in logs/NAME.log.  Prints the
# verdict and the time; returns COMMAND's status (124: stopped).
run() {
    name=$1 limit=$2
    shift 2
    left=$((start + budget - $(date +%s)))
    if [ "$left" -le 5 ]; then
        echo "FAIL $name: not started: the budget of ${budget}s is spent"
        fails=$((fails + 1))
        return 124
    fi
    [ "$limit" -le "$left" ] || limit=$left
    log=$logs/$(echo "$name" | tr -c 'A-Za-z0-9_\n-' '_').log
    t0=$(date +%s)
    # shellcheck disable=SC2016
    timeout -k 10 "$limit" sh -c '. "$here/lib.sh" && "$@"' sh "$@" > "$log" 2>&1
    rc=$?
    took=$(($(date +%s) - t0))
    echo "$took $name" >> "$logs/times"
    if [ "$rc" = 0 ]; then
        echo "ok   $name (${took}s)"
    else
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            echo "FAIL $name: stopped after ${took}s: its time limit (${limit}s) ran out"
        else
            echo "FAIL $name: exit status $rc after ${took}s"
        fi
        echo "     the end of $log:"
        tail -n 15 "$log" | sed 's/^/     | /'
        fails=$((fails + 1))
    fi
    return "$rc"
}


# ---- 1. the Debian root ------------------------------------------------------

if [ -f "$root.stamp" ] && [ -x "$root/bin/sh" ]; then
    echo "ok   debootstrap: cached ($(cat "$root.stamp"))"
else
    run "debootstrap bookworm minbase" 420 debootstrap_root || {
        grep -qiE 'resolv|download|release file|connect' "$logs"/debootstrap*.log &&
            skip "debootstrap could not fetch from $mirror"
        echo "test-fresh: 1 failed"
        exit 1
    }
fi

# ---- 2. a new machine: the README's two commands ----------------------------

rm -rf "$share" "$dir/run-machine" "$dir/run-gradescope"
mkdir -p "$share/subs" "$share/results"
git clone -q --bare --no-local "$repo" "$share/repo.git"
# What the new machine clones: HEAD, or FRESH_COMMIT (a branch named
# fresh-test at it becomes the bare clone's HEAD).
commit=$(git -C "$repo" rev-parse --short "${FRESH_COMMIT:-HEAD}^{commit}") || exit 1
if [ -n "${FRESH_COMMIT:-}" ]; then
    git -C "$repo" cat-file -e "$commit" &&
        git -C "$repo" push -q "$share/repo.git" "$commit:refs/heads/fresh-test" &&
        git -C "$share/repo.git" symbolic-ref HEAD refs/heads/fresh-test
fi
echo "     commit $commit (${FRESH_COMMIT:-HEAD}) is what the machine clones: uncommitted changes are not in it"

case " $steps " in *" machine "*) machine_step=1 ;; *) machine_step= ;; esac
if [ -n "$machine_step" ] &&
   run "machine: apt-get install make git" 300 \
       machine 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y make git' &&
   run "machine: git clone into /root/p (/root 0700)" 120 \
       machine 'test "$(stat -c %a /root)" = 700 && git clone /mnt/fresh/repo.git /root/p'; then
    if run "machine: make grade" 600 machine 'cd /root/p && make grade'; then
        tail -n 9 "$logs/machine__make_grade.log" | sed 's/^/     | /'
    fi
    # What is left for the tests once step 3 has its share.
    left=$((start + budget - $(date +%s) - ${FRESH_GRADESCOPE_SHARE:-330}))
    [ "$left" -gt 60 ] || left=60
    if [ "$targets" = test ]; then
        echo "     running make test inside: all of it"
    else
        echo "     running make $targets inside: NOT all of make test (it does not fit the budget)"
    fi
    run "machine: make $targets" "$left" machine "cd /root/p && make $targets" &&
        grep -E '^(ok|FAIL|make|[0-9]+ passed)' "$logs/machine__make_$(echo "$targets" |
            tr -c 'A-Za-z0-9_\n-' '_').log" | tail -n 4 | sed 's/^/     | /'
fi

# ---- 3. Gradescope's container: a chroot without user namespaces -------------


# verdict NAME JQ WHAT: whether results/NAME.json holds JQ.
verdict() {
    res=$share/results/$1.json
    if jq -e "$2" "$res" > /dev/null 2>&1; then
        echo "ok   $1: $3"
    else
        echo "FAIL $1: not $3: $(jq -c '{score, status: .extra_data.grader_status,
            sandbox: .extra_data.sandbox, output: (.output[:200])}' "$res" 2>&1 | head -c 400)"
        fails=$((fails + 1))
    fi
}

# grade NAME AGROOT: run_autograder on subs/NAME, then the checks every
# grading gets: a results.json, the fallback sandbox, bubblewrap's notice.
grade() {
    run "gradescope: run_autograder $1" 180 gsroot sh /mnt/fresh/gradescope_inside.sh \
        grade "$2" "$1" || return 1
    verdict "$1" '.extra_data.sandbox | startswith("fallback")' \
        "results.json records the fallback sandbox ($(jq -r .extra_data.sandbox \
        "$share/results/$1.json" 2> /dev/null))"
    if grep -q "bubblewrap cannot create a sandbox" "$share/results/$1.log"; then
        echo "ok   $1: run_autograder said bubblewrap cannot start"
    else
        echo "FAIL $1: no notice that bubblewrap cannot start"
        fails=$((fails + 1))
    fi
}

no_escape='[.tests[].output] | all(test("ESCAPE|got the solution|got a hidden suite|got another") | not)'
all_passed='all(.tests[] | select(.extra_data.id | startswith("perf/") | not); .extra_data.status == "passed")'

gradescope() {
    # The host's loopback listener the network fixtures aim at (the chroot
    # shares the host's network): it logs every connection it accepts.
    rm -f "$dir/port" "$dir/connections"
    perl -MIO::Socket::INET -e '
        my ($portfile, $log) = @ARGV;
        my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
                                      Listen => 16, ReuseAddr => 1) or die "listen: $!";
        open(my $p, ">", "$portfile.new") or die; print $p $s->sockport, "\n"; close $p;
        rename("$portfile.new", $portfile);
        while (my $c = $s->accept) {
            open(my $l, ">>", $log) or die; print $l "connection\n"; close $l; close $c;
        }' "$dir/port" "$dir/connections" 9>&- &
    listener=$!
    trap 'kill "$listener" 2> /dev/null' EXIT
    n=0
    while [ ! -s "$dir/port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    CORPUS_PORT=$(cat "$dir/port" 2> /dev/null || echo 9) CORPUS_OUTSIDE=/outside
    CORPUS_CONFIG=$tree_off/config.yaml
    export CORPUS_PORT CORPUS_OUTSIDE CORPUS_CONFIG

    run "gradescope: the two zips and the submissions (host)" 180 gs_prepare || return 1
    run "gradescope: user namespaces refused in the chroot (nouserns)" 30 \
        gsroot sh /mnt/fresh/gradescope_inside.sh userns || return 1
    sed 's/^/     | /' "$logs/gradescope__user_namespaces_refused_in_the_chroot__nouserns_.log"
    run "gradescope: a world-writable /outside" 30 \
        gsroot sh -c 'mkdir -p /outside && chmod 1777 /outside' || return 1
    run "gradescope: setup.sh (installs its packages)" 420 \
        gsroot sh /mnt/fresh/gradescope_inside.sh setup /autograder ag || return 1

    if grade solution /autograder; then
        verdict solution '.extra_data.grader_status == "graded"
            and .score == (.tests | map(.max_score) | add)' \
            "full points ($(jq .score "$share/results/solution.json") of $(jq \
            '.tests | map(.max_score) | add' "$share/results/solution.json"))"
    fi
    for n in $hostile_on; do
        grade "on-$n" /autograder || continue
        verdict "on-$n" '.extra_data.grader_status == "ungradable" and .score == 0
            and (.output | contains("is not allowed"))' \
            "ungradable by the symbol policy ($(jq -r '.output | split("\n")
            | map(select(contains("not allowed")))[0]' "$share/results/on-$n.json"))"
    done

    run "gradescope: setup.sh of the policy-off zip" 300 \
        gsroot sh /mnt/fresh/gradescope_inside.sh setup /autograder-off ag-off || return 1
    for n in $hostile_off $hostile_on; do
        grade "off-$n" /autograder-off || continue
        verdict "off-$n" ".extra_data.grader_status == \"graded\" and ($no_escape)" \
            "graded, nothing read or reached (score $(jq .score "$share/results/off-$n.json"))"
    done
    for n in $hostile_off; do
        verdict "off-$n" "$all_passed" "every unit passed (the sandbox held)"
    done

    # What the gradings left: no file of a sandbox uid (61000 and up)
    # anywhere in the root (the overlay's upper layer holds every change),
    # nothing in /outside, no connection to the host's listener.
    upper=$dir/run-gradescope/upper
    left=$(find "$upper" -uid +60999 2> /dev/null | sed "s|^$upper||" | head -n 5)
    if [ -z "$left" ]; then
        echo "ok   gradescope: no file of a sandbox uid left anywhere in the root"
    else
        echo "FAIL gradescope: files of a sandbox uid left: $left"
        fails=$((fails + 1))
    fi
    if [ -z "$(ls -A "$upper/outside" 2> /dev/null)" ]; then
        echo "ok   gradescope: nothing written to /outside (mode 1777, outside the scratch)"
    else
        echo "FAIL gradescope: written to /outside: $(ls -A "$upper/outside")"
        fails=$((fails + 1))
    fi
    if [ -s "$dir/connections" ]; then
        echo "FAIL gradescope: the host's listener was reached"
        fails=$((fails + 1))
    else
        echo "ok   gradescope: the host's listener on 127.0.0.1 saw no connection"
    fi
    kill "$listener" 2> /dev/null
}
case " $steps " in *" gradescope "*) gradescope ;; esac

echo "test-fresh: $(($(date +%s) - start))s in all (budget ${budget}s); times:"
sort -rn "$logs/times" | sed 's/^\([0-9]*\) /     \1s  /'
if [ "$fails" = 0 ]; then
    echo "test-fresh: all steps passed"
else
    echo "test-fresh: $fails failed (logs in $logs)"
    exit 1
fi
