#!/bin/sh
# policy_planted.sh GRADER DIR -- `grader policy` and the student folder's
# `make check` on planted submissions (the stub plus a few functions):
#   - harmless calls pass: fprintf(stderr, "literal\n") and printf("x\n")
#     (which gcc turns into fwrite and puts), fputs, abort(), assert(),
#     fmaf() and the rest of libm, qsort;
#   - calls that reach outside are refused, each named with the function
#     that makes it: fopen, fork, system, socket, kill, syscall, exit,
#     and a raw syscall instruction;
#   - `policy --symbol` answers per name, with exit 0 / 1, and usage errors
#     exit 2.
# Everything it creates is under DIR (its TMPDIR and the grader's cache too).
set -eu
grader=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mkdir -p "$2" && cd "$2" && pwd)
root=$(pwd)
rm -rf "$dir/good" "$dir/bad" "$dir/tmp" && mkdir -p "$dir/good" "$dir/bad" "$dir/tmp"
export TMPDIR="$dir/tmp" GRADER_CACHE="$dir/cache"
fail() { echo "policy_planted: $*" >&2; exit 1; }

cp assignments/kernels/kernels.c "$dir/good/kernels.c"
cat >> "$dir/good/kernels.c" <<'EOF'

/* ---- planted: harmless calls, all allowed ---- */
#include <assert.h>
static int planted_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}
void planted_debug(const char *s)
{
    fprintf(stderr, "literal\n");
    printf("x\n");
    fputs(s, stderr);
}
void planted_abort(int state) { if (state == 42) abort(); assert(state >= 0); }
float planted_fma(float a, float b, float c) { return fmaf(a, b, c) + log1pf(a) + powf(a, b); }
void planted_sort(float *v, size_t n) { qsort(v, n, sizeof *v, planted_cmp); }
EOF

cp assignments/kernels/kernels.c "$dir/bad/kernels.c"
cat >> "$dir/bad/kernels.c" <<'EOF'

/* ---- planted: calls that reach outside, all refused ---- */
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
int planted_fopen(void) { FILE *f = fopen("/etc/passwd", "r"); return f != NULL; }
int planted_fork(void) { return fork(); }
int planted_system(void) { return system("true"); }
int planted_socket(void) { return socket(AF_INET, SOCK_STREAM, 0); }
int planted_kill(void) { return kill(1, SIGKILL); }
long planted_syscall(void) { return syscall(SYS_getpid); }
void planted_exit(void) { exit(3); }
void planted_raw(void) { __asm__ volatile("syscall" ::: "rax", "rcx", "r11", "memory"); }
EOF

# The premise: gcc really rewrites the debug prints into fwrite and puts.
cc -std=c11 -D_GNU_SOURCE -O2 -Iharness/tensor -Iharness/check -Iharness/kernels \
   -Iassignments/kernels -c "$dir/good/kernels.c" -o "$dir/good.o"
for sym in fwrite puts fputs abort fmaf qsort; do
    nm -u "$dir/good.o" | grep -qw "$sym" || fail "the planted object does not import $sym"
done

echo "policy_planted: harmless calls pass"
set +e
"$grader" -c config.yaml policy "$dir/good" > "$dir/good.txt" 2> "$dir/good.err"
rc=$?
set -e
[ "$rc" = 0 ] || { cat "$dir/good.txt" "$dir/good.err" >&2; fail "good: exit $rc, expected 0"; }
grep -qx "policy: ok: kernels.c calls only what the policy allows" "$dir/good.txt" ||
    { cat "$dir/good.txt" >&2; fail "good: no 'policy: ok' line"; }

echo "policy_planted: calls that reach outside are refused, each with its function"
set +e
"$grader" -c config.yaml policy "$dir/bad" > "$dir/bad.txt" 2> "$dir/bad.err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$dir/bad.txt" "$dir/bad.err" >&2; fail "bad: exit $rc, expected 1"; }
for sym in fopen fork system socket kill syscall exit; do
    line="policy: kernels.c: '$sym' is not allowed (used in planted_$sym)"
    grep -qxF "$line" "$dir/bad.txt" || { cat "$dir/bad.txt" >&2; fail "bad: missing '$line'"; }
done
grep -qxF "policy: kernels.c: raw 'syscall' instruction in planted_raw is not allowed" \
    "$dir/bad.txt" || { cat "$dir/bad.txt" >&2; fail "bad: the raw syscall is not reported"; }
grep -q "used in planted_debug\|used in planted_abort\|used in planted_fma" "$dir/bad.txt" &&
    fail "bad: a harmless call is refused"
grep -qx "policy: grading would score this submission 0 (ungradable)" "$dir/bad.txt" ||
    fail "bad: no verdict line"

echo "policy_planted: the student folder's make check runs the same check"
for kind in good bad; do
    cp assignments/kernels/Makefile assignments/kernels/kernels.h "$dir/$kind/"
    set +e
    make -s -C "$dir/$kind" check GRADER="$grader" CONFIG="$root/config.yaml" \
        > "$dir/$kind-make.txt" 2>&1
    rc=$?
    set -e
    want=0; [ "$kind" = bad ] && want=2
    [ "$rc" = "$want" ] || { cat "$dir/$kind-make.txt" >&2; fail "make check ($kind): exit $rc"; }
    grep -v '^make' "$dir/$kind-make.txt" | cmp -s - "$dir/$kind.txt" ||
        { diff "$dir/$kind.txt" "$dir/$kind-make.txt" >&2; fail "make check ($kind) differs"; }
done
set +e
make -s -C "$dir/good" check GRADER="$dir/no-grader" > "$dir/none.txt" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] && grep -q "build it with 'make -C ../.. -f grader/grader.mk'" "$dir/none.txt" ||
    { cat "$dir/none.txt" >&2; fail "make check without a grader: no one-line hint"; }

echo "policy_planted: policy --symbol"
"$grader" -c config.yaml policy --symbol fmaf --symbol fwrite --symbol __printf_chk \
    > "$dir/sym-ok.txt" || fail "policy --symbol refused an allowed name"
grep -qx "fmaf: allowed: exported by libm.so.6" "$dir/sym-ok.txt" || fail "fmaf: $(cat "$dir/sym-ok.txt")"
set +e
"$grader" -c config.yaml policy --symbol fmaf --symbol fork > "$dir/sym-bad.txt"
rc=$?
"$grader" -c config.yaml policy > /dev/null 2>&1
usage=$?
set -e
[ "$rc" = 1 ] || fail "policy --symbol fork: exit $rc, expected 1"
grep -q "^fork: refused: " "$dir/sym-bad.txt" || fail "fork: $(cat "$dir/sym-bad.txt")"
[ "$usage" = 2 ] || fail "policy without arguments: exit $usage, expected 2"
[ -z "$(ls -A "$dir/tmp")" ] || fail "scratch left in TMPDIR: $(ls "$dir/tmp")"
echo "policy_planted: ok"
