#!/bin/sh
# enter.sh MODE BASE RUN SHARE COMMAND [ARG...] -- run COMMAND inside a
# Debian root, as tests/fresh/fresh.sh does for each of its steps.
#
# Runs as pid 1 of fresh namespaces: fresh.sh starts it under
# `unshare --mount --pid --fork --kill-child`, so every mount below lives in
# a private mount namespace (nothing is mounted on the host; the mounts go
# when the namespace's last process ends, however it ends) and every
# process inside dies with it (a timeout kills the whole step).
#
#   BASE    the cached debootstrap root, never written: the lower layer of
#           an overlay whose upper layer is RUN/upper, so what a step
#           changes stays in RUN (the next step with the same RUN sees it;
#           a new RUN starts from the pristine root);
#   FRESH_APT_CACHE (environment) a host folder mounted on
#           /var/cache/apt/archives: downloads only, kept between runs;
#   SHARE   a host folder mounted at /mnt/fresh inside (the bare clone, the
#           zips, the submissions; the steps' results come back there);
#   MODE    pivot: pivot_root into the overlay and detach the host's root,
#                  like a new machine;
#           chroot: a plain chroot into the overlay (the host's root stays
#                  mounted underneath, as in a chroot'd container).
# Both get a new /proc (of the new pid namespace), /sys, a minimal /dev
# (null zero full random urandom tty, devpts, shm), and the environment of
# a root login: HOME=/root, a standard PATH, nothing inherited.
set -eu
mode=$1 base=$2 run=$3 share=$4
shift 4
new=$run/merged

mount --make-rprivate /
mkdir -p "$run/upper" "$run/work" "$new"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$new"
mount -t proc proc "$new/proc"
mount -t sysfs sysfs "$new/sys"
mount -t tmpfs -o mode=0755,nosuid dev "$new/dev"
for d in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
    # shellcheck disable=SC2086
    mknod -m 0666 "$new/dev/${d%% *}" c ${d#* }
done
mkdir -p "$new/dev/pts" "$new/dev/shm" "$new/mnt/fresh"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$new/dev/pts"
ln -s pts/ptmx "$new/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$new/dev/shm"
mount --bind "$share" "$new/mnt/fresh"
# A download cache of .deb files shared by the steps and kept between runs
# (FRESH_APT_CACHE): what is installed still starts from the pristine root.
if [ -n "${FRESH_APT_CACHE:-}" ]; then
    mkdir -p "$FRESH_APT_CACHE" "$new/var/cache/apt/archives"
    mount --bind "$FRESH_APT_CACHE" "$new/var/cache/apt/archives"
fi
# The host's resolver (deb.debian.org by name), as a DHCP client would.
cp /etc/resolv.conf "$new/etc/resolv.conf" 2>/dev/null || true

login_env="HOME=/root USER=root LOGNAME=root SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
case $mode in
pivot)
    cd "$new"
    mkdir -p .oldroot
    pivot_root . .oldroot
    # From here on every path is the new root's (its own umount and env).
    umount -l /.oldroot
    rmdir /.oldroot
    cd /root
    # shellcheck disable=SC2086
    exec env -i $login_env "$@"
    ;;
chroot)
    # shellcheck disable=SC2086
    exec chroot "$new" /usr/bin/env -i $login_env sh -c 'cd /root && exec "$@"' sh "$@"
    ;;
*)
    echo "enter.sh: unknown mode '$mode' (pivot or chroot)" >&2
    exit 2
    ;;
esac
