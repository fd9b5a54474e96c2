#!/bin/sh
# sandbox_escape.sh GRADER DIR [LEVEL...] -- what the sandbox itself
# guarantees, with the symbol policy switched off: the fixtures of
# tests/fixtures/sandbox/ (corpus format) read the config, a hidden suite,
# the solution and the repository's folder by absolute path, connect to a
# listener on the host's 127.0.0.1, write into a world-writable folder
# outside their scratch folder, and try root, namespaces and mount.  Each
# success fails units; in every fixture every unit must pass.
#
# For each LEVEL (default: auto fallback, i.e. bubblewrap where it can
# start, and the fallback forced), tests/scripts/corpus.sh grades them as
# one batch with a copy of config.yaml whose symbols: section allows
# everything (DIR/config/, next to links to the repository's folders, so
# its relative paths hold).  Then: the listener saw no connection and the
# outside folder is empty.  Prints corpus.sh's lines, then
# "ok"/"FAIL" for those two per level; exits 1 on any failure.
# Run from the repository root.
set -eu
grader=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
levels=${*:-auto fallback}
repo=$(pwd)
fails=0

# ---- the config with the policy off ------------------------------------------

cfg=$dir/config
rm -rf "$cfg"
mkdir -p "$cfg"
for e in $(git ls-files | cut -d/ -f1 | sort -u); do
    [ "$e" = config.yaml ] || ln -s "$repo/$e" "$cfg/$e"
done
awk '
    /^symbols:/ { print "symbols:\n  allow: []\n  deny: []\n  forbid_constructors: false\n  forbid_syscall: false"; skip = 1; next }
    skip && /^[^ #]/ { skip = 0 }
    !skip { print }
' config.yaml > "$cfg/config.yaml"

# ---- what the fixtures aim at -------------------------------------------------

outside=$dir/outside
rm -rf "$outside"
mkdir -p "$outside"
chmod 1777 "$outside"   # writable to every uid: only the sandbox stands in the way

# A listener on the host's loopback that logs every connection it accepts.
rm -f "$dir/port" "$dir/connections"
perl -MIO::Socket::INET -e '
    my ($portfile, $log) = @ARGV;
    my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
                                  Listen => 16, ReuseAddr => 1) or die "listen: $!";
    open(my $p, ">", "$portfile.new") or die; print $p $s->sockport, "\n"; close $p;
    rename("$portfile.new", $portfile);
    while (my $c = $s->accept) {
        open(my $l, ">>", $log) or die; print $l "connection\n"; close $l; close $c;
    }' "$dir/port" "$dir/connections" &
listener=$!
trap 'kill "$listener" 2>/dev/null || true' EXIT
tries=0
while [ ! -s "$dir/port" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 600 ] || { echo "FAIL sandbox_escape: the listener did not start"; exit 1; }
    sleep 0.1
done

CORPUS_FIXTURES=tests/fixtures/sandbox CORPUS_CONFIG=$cfg/config.yaml
CORPUS_PORT=$(cat "$dir/port") CORPUS_OUTSIDE=$outside
export CORPUS_FIXTURES CORPUS_CONFIG CORPUS_PORT CORPUS_OUTSIDE

for level in $levels; do
    echo "== sandbox $level, symbol policy off"
    CORPUS_SANDBOX=$level sh tests/scripts/corpus.sh "$grader" "$dir/$level" || fails=$((fails + 1))
    if [ -s "$dir/connections" ]; then
        echo "FAIL $level: the host's listener was reached ($(wc -l < "$dir/connections") connections)"
        fails=$((fails + 1))
        rm -f "$dir/connections"
    else
        echo "ok   $level: the host's listener saw no connection"
    fi
    left=$(ls -A "$outside")
    if [ -z "$left" ]; then
        echo "ok   $level: nothing written outside the scratch folder"
    else
        echo "FAIL $level: written outside the scratch folder: $left"
        fails=$((fails + 1))
        rm -f "$outside"/*
    fi
done
test "$fails" = 0
