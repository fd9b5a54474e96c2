#!/bin/sh
# bad_configs.sh GRADER -- every broken config in tests/fixtures/configs/bad/
# makes `grader check-config` exit 2 with exactly the expected
# "file:line:column: message" (tests/fixtures/configs/bad/EXPECTED), and a
# directory or a missing file instead of a config does too.
set -u
grader=$1
dir=tests/fixtures/configs/bad
pass=0 fail=0
expect() {   # expect CONFIG WANTED
    out=$("$grader" -c "$1" check-config 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" = 2 ] && [ "$out" = "$2" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: exit $rc, got '$out', want '$2'"
    fi
}
tab=$(printf '\t')
while IFS="$tab" read -r name want; do
    expect "$dir/$name" "$dir/$name:$want"
done < "$dir/EXPECTED"
expect "$dir" "$dir: is a directory"
expect "$dir/no-such.yaml" "$dir/no-such.yaml: cannot open: No such file or directory"
echo "bad configs: $pass passed, $fail failed"
[ "$fail" = 0 ]
