#!/bin/sh
# deps.sh PKG... -- make sure the Debian packages the build needs are here.
# As root, installs the missing ones with apt-get; otherwise prints the
# exact command and fails.
set -u
missing=
for p in "$@"; do
    # dpkg-query prints "install ok installed" only for installed packages.
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing them with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends $missing >&2 && exit 0
    echo "deps: apt-get failed; install them by hand:" >&2
else
    echo "deps: install them with:" >&2
fi
echo "  sudo apt-get install -y$missing" >&2
exit 1
