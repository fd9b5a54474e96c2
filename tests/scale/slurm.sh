#!/bin/sh
# slurm.sh GRADER DIR -- the Slurm job array of grader/scale/grade-array.sbatch
# on a one-node cluster this test starts and stops: a private munged (its
# own key and socket) and slurmctld + slurmd with a slurm.conf in DIR
# (state, spool, logs in DIR, non-default ports).  A 3-task array grades
# the class of tests/scale/class.sh, a job that depends on it merges the
# shards (as the README documents), and the merged gradebook must equal
# an unsharded batch's byte for byte.
#
# Needs root (slurmd starts jobs as their owner) and the Debian packages
# slurmctld slurmd slurm-client munge, installed here on demand.  Where
# Slurm cannot be installed or started it prints "slurm: SKIPPED: why"
# and exits 0.  Every daemon it started is stopped on exit (trap), and
# every step is bounded by timeout.
set -eu
skip() { echo "slurm: SKIPPED: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (slurmd must start jobs as their owner)"
grader=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
run=$dir/run                       # short paths: the munge socket path is limited
fails=0 passes=0
ok()   { passes=$((passes + 1)); echo "ok   $*"; }
bad()  { fails=$((fails + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# ---- Slurm and munge, installed on demand ----------------------------------
PATH=$PATH:/usr/sbin:/sbin
have_all() {
    for c in slurmctld slurmd sbatch sinfo squeue scancel munged; do
        command -v "$c" > /dev/null 2>&1 || return 1
    done
}
if ! have_all; then
    echo "slurm: installing slurmctld slurmd slurm-client munge"
    command -v apt-get > /dev/null 2>&1 || skip "Slurm is not installed and there is no apt-get"
    apt_install() {
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
            slurmctld slurmd slurm-client munge >> "$dir/apt.log" 2>&1
    }
    apt_install || { timeout 300 apt-get update -q >> "$dir/apt.log" 2>&1 && apt_install; } ||
        skip "apt-get install slurmctld slurmd slurm-client munge failed (see $dir/apt.log)"
    have_all || skip "Slurm's commands are still missing after apt-get"
fi

# ---- the private cluster -----------------------------------------------------
pids=
cleanup() {
    set +e
    if [ -n "$pids" ] && [ -f "$run/slurm.conf" ]; then
        # Jobs outlive slurmd (slurmstepd): cancel them and wait for them first.
        timeout 10 scancel --full --quiet --user=root > /dev/null 2>&1
        n=0
        while [ "$n" -lt 20 ] && [ -n "$(timeout 5 squeue -h 2> /dev/null)" ]; do
            sleep 0.5; n=$((n + 1))
        done
    fi
    for p in $pids; do kill "$p" 2> /dev/null; done
    for p in $pids; do
        n=0
        while kill -0 "$p" 2> /dev/null && [ "$n" -lt 20 ]; do sleep 0.25; n=$((n + 1)); done
        kill -9 "$p" 2> /dev/null
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$run" "$dir/out" "$dir/full" "$dir/logs"
mkdir -p "$run/munge" "$run/state" "$run/spool" "$dir/logs"
chmod 700 "$run/munge"

# munge: its own key and socket, so no system munged is needed or touched.
if command -v mungekey > /dev/null 2>&1; then
    timeout 10 mungekey --create --keyfile="$run/munge/munge.key" > /dev/null 2>&1
else
    dd if=/dev/urandom of="$run/munge/munge.key" bs=1024 count=1 2> /dev/null
fi
chmod 600 "$run/munge/munge.key"
sock=$run/munge/munge.socket
munged --foreground --force --key-file="$run/munge/munge.key" --socket="$sock" \
    --pid-file="$run/munge/munged.pid" --seed-file="$run/munge/munged.seed" \
    --log-file="$run/munge/munged.log" > "$run/munge/munged.out" 2>&1 &
pids="$pids $!"
n=0
until [ -S "$sock" ] || [ "$n" -ge 40 ]; do sleep 0.25; n=$((n + 1)); done
[ -S "$sock" ] || skip "munged did not start: $(tail -n 3 "$run/munge/munged.log" "$run/munge/munged.out" 2> /dev/null | tr '\n' ' ')"

# slurm.conf: this machine as controller and only node, its real CPUs and
# memory (slurmd -C), no cgroups, ports derived from our pid.
host=$(hostname -s)
node=$(timeout 10 slurmd -C 2> /dev/null | head -n 1) || node=
case $node in NodeName=*) ;; *) skip "slurmd -C does not describe this node" ;; esac
mem=$(printf '%s\n' "$node" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
node=$(printf '%s\n' "$node" | sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/")
port=$((20000 + $$ % 20000))
: > "$run/plugstack.conf"
cat > "$run/slurm.conf" <<EOF
ClusterName=gradertest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$run/state
SlurmdSpoolDir=$run/spool
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$run/slurmctld.log
SlurmdLogFile=$run/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$run/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MailProg=/bin/true
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=grade Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$run/slurm.conf"

slurmctld -D -f "$SLURM_CONF" > "$run/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" -N "$host" > "$run/slurmd.out" 2>&1 &
pids="$pids $!"
n=0 state=
while [ "$n" -lt 60 ]; do
    state=$(timeout 5 sinfo -h -N -o '%t' 2> /dev/null | head -n 1) || state=
    [ "$state" = idle ] && break
    sleep 0.5; n=$((n + 1))
done
[ "$state" = idle ] || skip "the node did not become idle (state '${state:-none}'): $(tail -n 3 "$run/slurmctld.log" "$run/slurmd.log" 2> /dev/null | tr '\n' ' ')"
ok "a one-node Slurm cluster is up ($host, port $port)"

# ---- grade: the array, then the dependent merge ----------------------------
sh tests/scale/class.sh "$dir/class"
export GRADER="$grader"
set +e
jid=$(timeout 20 sbatch --parsable --array=1-3 --cpus-per-task=1 \
    --output="$dir/logs/grade-%A_%a.log" grader/scale/grade-array.sbatch \
    "$dir/class" "$dir/out" --no-performance)
rc=$?
set -e
check "sbatch accepts the array (job $jid)" test "$rc" = 0
set +e
mid=$(timeout 90 sbatch --wait --parsable --dependency="afterok:$jid" --kill-on-invalid-dep=yes \
    --output="$dir/logs/merge.log" \
    --wrap "\"\$GRADER\" merge '$dir'/out/shard-* -o '$dir/out'")
rc=$?
set -e
# sbatch --wait says 0 for a job cancelled by its dependency: ask Slurm.
states() { timeout 10 scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
array_states=$(states "$jid") merge_states=$(states "${mid:-none}")
check "every array task completed ($array_states)" test "$array_states" = "COMPLETED "
check "then the dependent merge job ran and completed ($merge_states)" \
    test "$rc $merge_states" = "0 COMPLETED "
if [ "$array_states$merge_states" != "COMPLETED COMPLETED " ]; then
    tail -n 5 "$dir"/logs/*.log "$run/slurmctld.log" 2> /dev/null | sed 's/^/  /'
fi
check "every task graded its shard" \
    sh -c "test \$(ls '$dir/out' | grep -c '^shard-[123]\$') = 3 &&
           grep -q 'shard 2/3: 2 of 6 students' '$dir'/logs/grade-*_2.log"

# ---- against one batch -------------------------------------------------------
timeout 120 "$grader" batch "$dir/class" -o "$dir/full" -j 2 --no-performance \
    > "$dir/full.txt" 2>&1 || true
check "the merged gradebook equals the unsharded one, byte for byte" \
    sh -c "test -s '$dir/full/gradebook.csv' && cmp -s '$dir/out/gradebook.csv' '$dir/full/gradebook.csv'"
check "the merge job reports 6 students from 3 inputs" \
    grep -q "merged 6 students from 3 inputs" "$dir/logs/merge.log"

echo "slurm: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
