# lib.sh -- the functions of tests/fresh/fresh.sh that its steps run
# under `timeout` (sourced by fresh.sh, and by the `sh -c` that `run`
# starts), with the variables fresh.sh exports: repo dir grader nouserns
# root share here mirror.

# inroot MODE RUN COMMAND...: COMMAND inside the root (enter.sh), in new
# mount and pid namespaces: the mounts and every process end with it.
inroot() {
    m=$1 r=$dir/$2
    shift 2
    unshare --mount --pid --fork --kill-child sh "$here/enter.sh" "$m" "$root" "$r" "$share" "$@"
}

# debootstrap_root: step 1, into root.new, then root and root.stamp.
debootstrap_root() {
    rm -rf "$root" "$root.new" "$root.stamp"
    debootstrap --variant=minbase bookworm "$root.new" "$mirror" &&
        mv "$root.new" "$root" &&
        echo "bookworm minbase $mirror $(date -u +%FT%TZ)" > "$root.stamp"
}

machine() { inroot pivot run-machine sh -c "$1"; }

# The submissions of step 3, in $share/subs/NAME: the reference solution,
# and corpus-format fixtures (tests/fixtures/corpus/README.md): the
# solution with the functions override.c defines renamed to ref_NAME,
# then override.c (as tests/scripts/corpus.sh builds them), then setup.sh.
solution=solutions/kernels/kernels.c
make_sub() {   # make_sub NAME FIXTURE_DIR
    dst=$share/subs/$1 src=$2
    mkdir -p "$dst"
    renamed=$(grep -v '^static' "$solution" |
        sed -n 's/^[A-Za-z][A-Za-z0-9_ ]*[ *]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' | sort -u |
        while read -r f; do
            if grep -q "^[A-Za-z][A-Za-z0-9_ ]*[ *]$f(" "$src/override.c"; then echo "$f"; fi
        done)
    {
        echo '#include "kernels.h"'
        for f in $renamed; do echo "#define $f ref_$f"; done
        cat "$solution"
        for f in $renamed; do echo "#undef $f"; done
        cat "$src/override.c"
    } > "$dst/kernels.c"
    if [ -f "$src/setup.sh" ]; then
        top=$(pwd)
        (cd "$dst" && sh "$top/$src/setup.sh" "$tree_off")
    fi
}

hostile_on="disk_fill network_socket fork_bomb read_files"
hostile_off="write_outside read_instructor_files connect_localhost escape_syscalls"
tree_off=/autograder-off/source/source   # the policy-off tree, inside the root

# The two zips (of HEAD, with a grader built there: its config, and a copy with the symbol policy off,
# as tests/scripts/sandbox_escape.sh makes it), unpacked in $share.
gs_prepare() {
    set -e
    # HEAD, as the new machine clones it: other work in the tree is not in it.
    rm -rf "$dir/src"
    git clone -q "$share/repo.git" "$dir/src"
    cd "$dir/src"
    make -f grader/grader.mk -j2 > /dev/null
    grader=$dir/src/build/grader/grader
    "$grader" -c config.yaml gradescope -o "$dir/autograder.zip"
    off=$dir/config-off
    rm -rf "$off" && mkdir -p "$off"
    for e in $(git ls-files | cut -d/ -f1 | sort -u); do
        [ "$e" = config.yaml ] || ln -s "$repo/$e" "$off/$e"
    done
    awk '
        /^symbols:/ { print "symbols:\n  allow: []\n  deny: []\n  forbid_constructors: false\n  forbid_syscall: false"; skip = 1; next }
        skip && /^[^ #]/ { skip = 0 }
        !skip { print }
    ' config.yaml > "$off/config.yaml"
    "$grader" -c "$off/config.yaml" gradescope -o "$dir/autograder-off.zip"
    unzip -q "$dir/autograder.zip" -d "$share/ag"
    unzip -q "$dir/autograder-off.zip" -d "$share/ag-off"
    cp "$here/gradescope_inside.sh" "$share/"
    mkdir -p "$share/subs/solution"
    cp "$solution" "$share/subs/solution/"
    for n in $hostile_on; do make_sub "on-$n" "tests/fixtures/corpus/$n"; done
    for n in $hostile_on; do make_sub "off-$n" "tests/fixtures/corpus/$n"; done
    for n in $hostile_off; do make_sub "off-$n" "tests/fixtures/sandbox/$n"; done
    ls "$share/subs"
}

# gsroot COMMAND...: inside the root as a plain chroot, user namespaces refused.
gsroot() {
    "$nouserns" unshare --mount --pid --fork --kill-child \
        sh "$here/enter.sh" chroot "$root" "$dir/run-gradescope" "$share" "$@"
}
