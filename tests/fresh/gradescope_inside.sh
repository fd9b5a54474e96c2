#!/bin/sh
# gradescope_inside.sh -- tests/fresh/fresh.sh's Gradescope step, run
# inside the chroot (copied to /mnt/fresh, the shared folder):
#
#   gradescope_inside.sh setup ROOT PKG   /mnt/fresh/PKG (an unzipped
#       autograder zip) becomes ROOT/source, run_autograder is copied to
#       ROOT as Gradescope's image build does, and setup.sh runs;
#   gradescope_inside.sh grade ROOT NAME  a fresh ROOT/submission with
#       /mnt/fresh/subs/NAME/*, run_autograder; results.json and the log go
#       to /mnt/fresh/results/NAME.json and NAME.log.
#   gradescope_inside.sh userns           prints whether a user namespace
#       can be made here (exit 0 only if it cannot).
set -u
export DEBIAN_FRONTEND=noninteractive
case $1 in
setup)
    root=$2
    rm -rf "$root"
    mkdir -p "$root/source"
    cp -a "/mnt/fresh/$3/." "$root/source/"
    cp "$root/source/run_autograder" "$root/run_autograder"
    AUTOGRADER_ROOT=$root bash "$root/source/setup.sh"
    ;;
grade)
    root=$2 name=$3
    mkdir -p /mnt/fresh/results
    rm -rf "$root/submission" "$root/results"
    mkdir -p "$root/submission" "$root/results"
    cp -R "/mnt/fresh/subs/$name/." "$root/submission/"
    cat > "$root/submission_metadata.json" <<'EOF'
{"id": 1, "created_at": "2026-12-10T14:22:32.365935-08:00",
 "assignment": {"due_date": "2026-12-15T23:59:00.000000-08:00", "title": "Kernels"},
 "users": [{"email": "student@example.com", "id": 1, "name": "Student"}],
 "previous_submissions": []}
EOF
    AUTOGRADER_ROOT=$root "$root/run_autograder" > "/mnt/fresh/results/$name.log" 2>&1
    rc=$?
    echo "run_autograder exit $rc" >> "/mnt/fresh/results/$name.log"
    cp "$root/results/results.json" "/mnt/fresh/results/$name.json" 2>/dev/null
    # A results.json is what counts (a grader failure writes one too).
    [ -f "/mnt/fresh/results/$name.json" ]
    ;;
userns)
    if unshare --user true 2> /tmp/userns.err; then
        echo "a user namespace was made"
        exit 1
    fi
    echo "user namespaces refused: $(cat /tmp/userns.err)"
    ;;
*)
    echo "gradescope_inside.sh: unknown command $1" >&2
    exit 2
    ;;
esac
