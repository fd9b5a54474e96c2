#!/bin/sh
# class.sh DIR -- writes the small class the scale tests grade into DIR
# (replaced): one folder per student, each with its kernels.c.  Six
# students: the reference (twice, one named so that it sorts first in
# byte order but not in most locales), the stub, the partial and broken
# examples, and a variant of the partial one with a space in its name.
set -eu
dir=$1
sub() {   # sub NAME FILE
    mkdir -p "$dir/$1" && cp "$2" "$dir/$1/kernels.c"
}
rm -rf "$dir"
sub alice solutions/kernels/kernels.c
sub bob assignments/kernels/kernels.c
sub carol tests/fixtures/examples/partial/kernels.c
sub dave tests/fixtures/examples/broken/kernels.c
sub Zoe solutions/kernels/kernels.c
sub "erin copy" tests/fixtures/examples/partial/kernels.c
echo "/* a variant: the same code, one more line */" >> "$dir/erin copy/kernels.c"
