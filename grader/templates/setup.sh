#!/usr/bin/env bash
# setup.sh -- Gradescope runs this once, as root, while it builds the
# autograder's image: installs the packages, builds the grader, and fills
# the grader's cache of trusted objects by grading the stub once.
# Written by `grader gradescope` (grader/templates/setup.sh).
# AUTOGRADER_ROOT replaces /autograder (for tests).
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
tree=$root/source/source          # Gradescope extracts the zip into $root/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends @PACKAGES@
cd "$tree"
make -f grader/grader.mk -j"$(nproc)"
export GRADER_CACHE=$tree/build/grader-cache
# The stub is trusted code: no sandbox (none may be possible while the image builds).
warm=$(mktemp -d)
build/grader/grader -c config.yaml grade @STUB_DIR@ --no-sandbox --no-performance -o "$warm" >/dev/null
rm -rf "$warm"
echo "setup.sh: grader built; trusted objects cached in $GRADER_CACHE"
