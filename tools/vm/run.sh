#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run one command inside a throw-away QEMU/TCG guest that boots an
# installed Debian kernel (or a kernel built by tools/debug-kernel.sh) and
# uses the host's root filesystem (read-only, over virtio-9p) as its own root.
#
# Usage: tools/vm/run.sh [-k KVER | -K DIR] [-m MODULE.ko]... [-e VAR=VALUE]...
#                        [-t TIMEOUT] [-c CPUS] [-M MEM_MB] [-L] [-Q DIR]
#                        -- COMMAND [ARGS...]
#
# The command's stdout and stderr are streamed to our stdout, and we exit with
# its exit status.  A kernel splat (WARN, BUG, oops, panic, ...) in the guest
# fails the run with 125 unless the command already failed; a timeout gives
# 124.  See tools/vm/README for the details.

set -euo pipefail

PROG=${0##*/}
SELF=$(readlink -f "$0")
readonly PROG SELF

# Kernel log lines that mean the kernel is unhappy, whatever the command said.
# The second line is for the debug options of a debug kernel (-K): most of
# their reports start with "WARNING:" or "BUG:" anyway, the rest do not.
# "unreferenced object" only ever comes from the kmemleak scan of -L.
readonly SPLAT_RE='WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection fault|kernel BUG at|UBSAN:|KASAN:|KFENCE:|blocked for more than [0-9]+ seconds|rcu: INFO:|self-detected stall|soft lockup|hard LOCKUP|'\
'possible circular locking dependency|possible recursive locking|inconsistent lock state|suspicious RCU usage|ODEBUG:|ref_tracker:|refcount_t:|unregister_netdevice: waiting for|unreferenced object 0x'

# 9p is a request/response protocol: a large msize means fewer round trips
# through the (slow, emulated) virtio ring for big reads like python's
# startup or kmod's index files.  512000 is what the 6.1 virtio transport
# accepts without clamping.
readonly MSIZE=512000

# How long the guest may run on after a splat (see watch_splat).
readonly SPLAT_GRACE_S=${CARP_VM_SPLAT_GRACE:-30}

usage()
{
	cat >&2 <<EOF
usage: $PROG [-k KVER | -K DIR] [-m MODULE.ko]... [-e VAR=VALUE]...
       [-t TIMEOUT_SECONDS] [-c CPUS] [-M MEM_MB] [-L] [-Q DIR]
       -- COMMAND [ARGS...]

  -k KVER     kernel version to boot (/boot/vmlinuz-KVER); default: newest
  -K DIR      boot the kernel tools/debug-kernel.sh built into DIR (bzImage,
              vmlinux, config, kernelrelease, lib/modules/KVER) instead
  -m MODULE   out-of-tree module to install under /lib/modules/KVER/updates
  -e VAR=VAL  extra environment variable for COMMAND
  -t SECONDS  kill the guest after this long and exit 124 (default 900)
  -c CPUS     number of vCPUs (default 2)
  -M MEM_MB   guest memory in MiB (default 1536)
  -L          after COMMAND, unload every module (waiting for namespaces
              being dismantled) and scan for kernel memory leaks
              (kmemleak); a leak, or a module that does not unload,
              fails the run like a splat
  -Q DIR      share the host directory DIR, writable, at /run/carp-queue
              (guests running at once coordinate through it)

Environment: CARP_VM_CACHE (default /var/cache/carp-vm), CARP_VM_DEBUG=1,
CARP_VM_APPEND (extra kernel parameters, e.g. kmemleak=off to measure
what a debug option costs), CARP_VM_SPLAT_GRACE (seconds the guest runs on
after a splat in its log before it is stopped; default 30)
EOF
	exit 2
}

die()
{
	echo "$PROG: $*" >&2
	exit 2
}

# Quote a string for any POSIX shell (busybox sh and dash read what we write).
shquote()
{
	local s=${1//\'/\'\\\'\'}

	printf "'%s'" "$s"
}

# QEMU's option parser uses ',' as a separator; a literal one is doubled.
qemu_escape()
{
	printf '%s' "${1//,/,,}"
}

kver=
kdir=
kmemleak=0
modules=()
envs=()
timeout_s=900
cpus=2
mem=1536
queue=

while getopts ':k:K:m:e:t:c:M:LQ:h' opt; do
	case $opt in
	Q) queue=$OPTARG ;;
	k) kver=$OPTARG ;;
	K) kdir=$OPTARG ;;
	L) kmemleak=1 ;;
	m) modules+=("$OPTARG") ;;
	e) envs+=("$OPTARG") ;;
	t) timeout_s=$OPTARG ;;
	c) cpus=$OPTARG ;;
	M) mem=$OPTARG ;;
	h) usage ;;
	:) die "option -$OPTARG needs an argument" ;;
	*) die "unknown option -$OPTARG (try -h)" ;;
	esac
done
shift $((OPTIND - 1))
(($# > 0)) || usage

[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "bad timeout: $timeout_s"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "bad CPU count: $cpus"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "bad memory size: $mem"
if [[ -n $queue ]]; then
	[[ -d $queue && -w $queue ]] || die "-Q $queue: not a writable directory"
	queue=$(readlink -f "$queue")
fi
for e in ${envs[@]+"${envs[@]}"}; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "bad -e argument: $e"
done

# A kernel of tools/debug-kernel.sh: its modules are in DIR/lib/modules/KVER
# on the host, which the guest sees at the same path (the root share) and
# mounts on its /lib/modules/KVER.
if [[ -n $kdir ]]; then
	[[ -z $kver ]] || die "-k and -K exclude each other"
	kdir=$(readlink -f "$kdir")
	[[ -r $kdir/kernelrelease ]] || die "$kdir/kernelrelease not found (not a debug-kernel.sh output directory?)"
	kver=$(< "$kdir/kernelrelease")
	[[ $kver =~ ^[A-Za-z0-9._+-]+$ ]] || die "bad kernel release in $kdir/kernelrelease"
	kernel=$kdir/bzImage
	kconfig=$kdir/config
	moddir=$kdir/lib/modules/$kver
fi

# The default is the newest kernel that is actually installed, so that the
# script keeps working across Debian point releases.
if [[ -z $kver ]]; then
	kver=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
	       sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[[ -n $kver ]] || die "no kernel found in /boot"
fi
if [[ -z $kdir ]]; then
	kernel=/boot/vmlinuz-$kver
	kconfig=/boot/config-$kver
	moddir=/lib/modules/$kver
fi
readonly kernel kconfig moddir
[[ -r $kernel ]] || die "$kernel not found or not readable"
[[ -f $moddir/modules.dep ]] || die "$moddir/modules.dep not found"

for tool in qemu-system-x86_64 busybox cpio depmod modprobe modinfo flock timeout; do
	command -v "$tool" >/dev/null || die "$tool not found (see tools/vm/README)"
done
busybox=$(command -v busybox)
# The initramfs has no C library, so busybox must be the static build.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi

cache=${CARP_VM_CACHE:-/var/cache/carp-vm}
if ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/carp-vm
	mkdir -p "$cache"
fi

tmp=
qemu_pid=
watch_pid=

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup()
{
	if [[ -n $qemu_pid ]]; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	if [[ -n $watch_pid ]]; then
		kill "$watch_pid" 2>/dev/null || true
	fi
	if [[ -z $tmp ]]; then
		:
	elif [[ ${CARP_VM_DEBUG-} == 1 ]]; then
		echo "$PROG: keeping $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/carp-vm.XXXXXX")

# Serialise cache updates: concurrent runs (make -j) would otherwise all do
# the same slow work.  Readers never take the lock; entries are renamed into
# place atomically.
cache_lock()
{
	exec {lock_fd}>"$cache/.lock"
	flock "$lock_fd"
}

cache_unlock()
{
	exec {lock_fd}>&-
}

# Forget entries nobody has used for a week.  Users touch what they use.
find "$cache" -maxdepth 1 -mtime +7 \( -name 'initramfs-*' -o \
	-name 'modules-*' -o -name 'vmlinux-*' -o -name '.build.*' \) \
	-exec rm -rf {} + 2>/dev/null || true

# ---------------------------------------------------------------------------
# Stage 1: the initramfs /init.  It loads what is needed to reach the host
# root over 9p, builds the guest's mount tree and switch_roots into it.
# switch_root rather than chroot, because the kernel's module autoloader runs
# /sbin/modprobe relative to the root the kernel threads see, which only
# switch_root's mount move changes.  Per-run settings come from vm.conf on
# the "carpxfer" share, so the image itself depends on the kernel only.
# Everything that can be done with busybox is done here: the first run of
# each host binary costs 0.1-1 s (9p, and TCG translating its code).
# ---------------------------------------------------------------------------
stage1()
{
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev

# carpvm_debug=1 on the kernel command line ends up in our environment.
mark()
{
	[ "${carpvm_debug-}" != 1 ] || echo "carp-vm: $*" >/dev/kmsg
}

die()
{
	# No exit status file: the host reports the failure with this log.
	echo "carp-vm stage1: $*" >/dev/console
	poweroff -f
}

while read -r m; do
	mark "insmod $m"
	insmod "/lib/carp-vm/$m" || die "insmod $m failed"
done </lib/carp-vm/modules.order
mark "modules loaded"

p9="trans=virtio,version=9p2000.L,msize=@MSIZE@"
r=/newroot

# cache=loose: nothing changes the host files the guest reads during a run,
# and without it every stat and exec is a round trip to the host.
mount -t 9p -o "ro,$p9,cache=loose" hostroot $r || die "cannot mount root"

mount -t tmpfs -o mode=0755 tmpfs $r/run || die "cannot mount /run"
mkdir -p $r/run/carp-vm
mount -t 9p -o "$p9" carpxfer $r/run/carp-vm || die "cannot mount carpxfer"
# shellcheck source=/dev/null
. $r/run/carp-vm/vm.conf

mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
# What udev/systemd would normally provide: bash's <(...) needs /dev/fd.
ln -s /proc/self/fd $r/dev/fd
ln -s /proc/self/fd/0 $r/dev/stdin
ln -s /proc/self/fd/1 $r/dev/stdout
ln -s /proc/self/fd/2 $r/dev/stderr

mount -t tmpfs -o mode=1777 tmpfs $r/var/tmp
mount -t tmpfs -o mode=0700 tmpfs $r/root

# /tmp is an overlay of the host's /tmp with a tmpfs on top: writable and
# private to the guest, yet paths the caller passes in (a repository cloned
# by CI into mktemp -d, IP_LIB_DIR, ...) still resolve.
mkdir -p /ovl
mount -t tmpfs -o mode=0755 tmpfs /ovl
mkdir -p /ovl/upper /ovl/work
chmod 1777 /ovl/upper
mount -t overlay -o "lowerdir=$r/tmp,upperdir=/ovl/upper,workdir=/ovl/work" \
	overlay $r/tmp || die "cannot mount /tmp"

# Extra modules and the dependency data depmod computed for them on the
# host are stacked on top of the host's /lib/modules/$KVER.  A debug kernel's
# modules (VM_MODDIR, a host path) are not there: a tmpfs on /lib/modules
# gets a /lib/modules/$KVER to mount them on.
k=$(uname -r)
lower=$r/lib/modules/$k
if [ -n "$VM_MODDIR" ]; then
	lower=$r$VM_MODDIR
	mount -t tmpfs -o mode=0755 tmpfs $r/lib/modules ||
		die "cannot mount /lib/modules"
	mkdir -p "$r/lib/modules/$k"
	# debugfs, for kmemleak and friends.
	mount -t debugfs debugfs $r/sys/kernel/debug
fi
if [ "$VM_MODULES" = 1 ]; then
	mount -t overlay \
		-o "lowerdir=$r/run/carp-vm/modules:$lower" \
		overlay "$r/lib/modules/$k" || die "cannot mount module overlay"
elif [ -n "$VM_MODDIR" ]; then
	mount -o bind "$lower" "$r/lib/modules/$k" ||
		die "cannot mount $VM_MODDIR"
fi

if [ -n "$VM_QUEUE" ]; then
	mkdir -p $r/run/carp-queue
	mount -t 9p -o "$p9" carpqueue $r/run/carp-queue || die "cannot mount carpqueue"
fi

# The caller's working directory, read-only at the same path.  It goes last
# so that it is not hidden by the mounts above.
if [ -n "$VM_CWD" ]; then
	mkdir -p "$r$VM_CWD" 2>/dev/null
	mount -t 9p -o "ro,$p9,cache=loose" carpcwd "$r$VM_CWD" ||
		die "cannot mount $VM_CWD"
fi
mark "mounted"

hostname carp-vm
ip link set lo up

# Nodes of devices whose module is not loaded yet (/dev/net/tun, ...), as
# systemd's kmod-static-nodes would create them: opening one loads the
# module.  Made when the initramfs was built, copied in one go: every fork
# and exec is slow under TCG.
cp -a /lib/carp-vm/dev/. $r/dev/

# The command's output goes to the virtio console, which QEMU connects to
# the caller's stdout; the kernel console (ttyS0) goes to a log file, so the
# two never mix.  A tty, so that the command's stdio is line buffered and
# output streams, but raw: no \n -> \r\n.  Kept open as fd 3 across
# switch_root so that the settings stick.
i=0
while [ ! -c /dev/hvc0 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "no /dev/hvc0"
	sleep 0.05
done
exec 3<>/dev/hvc0
stty raw -echo <&3

mark "switch_root"
exec switch_root $r /bin/sh /run/carp-vm/stage2.sh
EOF
}

# ---------------------------------------------------------------------------
# Stage 2: PID 1 on the host root; fd 3 is the virtio console.
# ---------------------------------------------------------------------------
stage2()
{
	cat <<'EOF'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd /
# shellcheck source=/dev/null
. /run/carp-vm/vm.conf

[ "${carpvm_debug-}" != 1 ] || echo "carp-vm: stage2" >/dev/kmsg
# Tells the host that a crash from now on may be the command's doing.
: >/run/carp-vm/started
rc=0
/bin/sh /run/carp-vm/job.sh </dev/null >&3 2>&3 3>&- || rc=$?

# -L: first unload every module.  "ip netns del" returns before the kernel
# has dismantled the namespace; rmmod of a link type waits for that, so
# what the last test's teardown leaks is in the scan, and a leaked device
# reference shows as rmmod not finishing (with the kernel's "waiting for"
# report in the log).  kmemleak only reports objects that have been
# unreferenced for 5 s and seen so by two scans in a row.
unload_modules()
{
	for _ in 1 2 3 4 5; do
		mods=$(cut -d' ' -f1 /proc/modules)
		[ -n "$mods" ] || return 0
		for m in $mods; do
			rmmod "$m" 2>/dev/null
		done
	done
	echo "kmemleak: modules still loaded:" $(cut -d' ' -f1 /proc/modules)
}

if [ "$VM_KMEMLEAK" = 1 ]; then
	f=/sys/kernel/debug/kmemleak
	out=/run/carp-vm/kmemleak
	unload_modules >/tmp/unload 2>&1 &
	pid=$!
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 120 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		echo "kmemleak: rmmod did not finish in 120 s (a leaked reference?)" >$out
	elif [ -s /tmp/unload ]; then
		cat /tmp/unload >$out
	elif [ -w $f ]; then
		echo scan >$f && sleep 6 && echo scan >$f && cat $f >$out ||
			echo "kmemleak: scan failed" >$out
	else
		echo "kmemleak: $f not available" >$out
	fi
fi
echo "$rc" >/run/carp-vm/rc
[ "${carpvm_debug-}" != 1 ] || echo "carp-vm: done" >/dev/kmsg

# Closing the console waits for its output to drain.  Then power off right
# here: PID 1 must not exit, that would panic the kernel and look like a
# crash, and with the 9p transports going away it could not run anything.
exec 3>&-
"$VM_BUSYBOX" poweroff -f
echo o >/proc/sysrq-trigger
while :; do read -r _ </dev/console; done
EOF
}

# Modules needed before the root is mounted.  Some are built in, depending on
# the kernel; modprobe tells us which and in what order to load the rest.
initramfs_modules()
{
	local m

	for m in virtio_pci virtio_console 9pnet_virtio 9p overlay; do
		modprobe ${kdir:+-d "$kdir"} -S "$kver" --show-depends "$m" ||
			die "cannot resolve module $m for $kver"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

build_initramfs()
{
	local out=$1 dir m name

	dir=$(mktemp -d "$cache/.build.XXXXXX")
	mkdir -p "$dir"/root/{bin,dev,proc,sys,newroot,lib/carp-vm}
	cp "$busybox" "$dir/root/bin/busybox"

	# busybox insmod does not decompress, so store plain .ko files.
	initramfs_modules > "$dir/list"
	while read -r m; do
		name=${m##*/}
		name=${name%.ko*}.ko
		case $m in
		*.ko.xz)  xz -dc "$m" ;;
		*.ko.zst) zstd -qdc "$m" ;;
		*.ko.gz)  gzip -dc "$m" ;;
		*.ko)     cat "$m" ;;
		*)        die "unexpected module file $m" ;;
		esac > "$dir/root/lib/carp-vm/$name"
		echo "$name" >> "$dir/root/lib/carp-vm/modules.order"
	done < "$dir/list"
	touch "$dir/root/lib/carp-vm/modules.order"

	# See stage 1.  Only root can make device nodes; they are optional.
	mkdir -p "$dir/root/lib/carp-vm/dev"
	while read -r _ name dev; do
		[[ $dev =~ ^([bc])([0-9]+):([0-9]+)$ ]] || continue
		mkdir -p "$(dirname "$dir/root/lib/carp-vm/dev/$name")"
		mknod -m 0600 "$dir/root/lib/carp-vm/dev/$name" \
			"${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
			"${BASH_REMATCH[3]}" 2>/dev/null || true
	done < "$moddir/modules.devname"

	stage1 | sed "s/@MSIZE@/$MSIZE/" > "$dir/root/init"
	chmod 755 "$dir/root/init"

	# Uncompressed: unpacking is faster than decompressing under TCG.
	(cd "$dir/root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) > "$dir/initramfs.cpio"
	mv -f "$dir/initramfs.cpio" "$out"
	rm -rf "$dir"
}

# The initramfs depends on this script, the kernel's modules and busybox.
initramfs_key()
{
	{
		echo "$kver"
		cat "$SELF"
		stat -L -c '%n %s %Y' "$kernel" "$moddir/modules.dep" "$busybox"
	} | sha256sum | cut -c1-16
}

get_initramfs()
{
	local f

	f=$cache/initramfs-$kver-$(initramfs_key).cpio
	if [[ ! -f $f ]]; then
		cache_lock
		if [[ ! -f $f ]]; then
			build_initramfs "$f"
			# Images made by other versions of this script.
			find "$cache" -maxdepth 1 -name "initramfs-$kver-*" \
				! -name "${f##*/}" -mmin +60 -delete || true
		fi
		cache_unlock
	fi
	touch -c "$f"
	echo "$f"
}

# What depmod's output for a module depends on: its name, aliases, soft
# dependencies and the symbols it imports and exports.  Keying the cache on
# this instead of the file's checksum means that rebuilding a module after a
# code change does not re-run depmod, which takes ~10 s for a kernel whose
# modules are xz-compressed (it decompresses every one of them).
module_signature()
{
	local m=$1

	echo "${m##*/}"
	modinfo -F name "$m"
	modinfo -F alias "$m" | sort
	modinfo -F softdep "$m"
	modinfo -F depends "$m"
	if command -v nm >/dev/null; then
		nm -g --format=posix "$m" | awk '{ print $1, $2 }' | sort
	else
		sha256sum < "$m"
	fi
}

# Run depmod on the host against a symlink copy of /lib/modules/$KVER plus
# the extra modules, and keep only the index files it regenerated.  Doing
# this in the guest would mean reading every module over 9p under TCG.
build_depmod()
{
	local out=$1 dir m

	dir=$(mktemp -d "$cache/.build.XXXXXX")
	mkdir -p "$dir/lib/modules"
	cp -as "$moddir" "$dir/lib/modules/"
	mkdir -p "$dir/lib/modules/$kver/updates"
	for m in "${modules[@]}"; do
		rm -f "$dir/lib/modules/$kver/updates/${m##*/}"
		cp "$m" "$dir/lib/modules/$kver/updates/"
	done
	depmod -b "$dir" "$kver" || die "depmod failed"
	mkdir "$dir/out"
	find "$dir/lib/modules/$kver" -maxdepth 1 -type f -name 'modules.*' \
		-exec cp {} "$dir/out/" \;
	mv -T "$dir/out" "$out"
	rm -rf "$dir"
}

prepare_modules()
{
	local m key idx vermagic dst=$tmp/share/modules
	local -A seen=()

	for m in "${modules[@]}"; do
		[[ -f $m && $m == *.ko ]] || die "$m: not a .ko file"
		[[ -z ${seen[${m##*/}]-} ]] || die "${m##*/} given twice"
		seen[${m##*/}]=1
		# Catch the most common mistake early and clearly.
		vermagic=$(modinfo -F vermagic "$m" 2>/dev/null) || true
		vermagic=${vermagic%% *}
		[[ $vermagic == "$kver" ]] ||
			die "$m is built for ${vermagic:-an unknown kernel}, not $kver"
	done

	# Not keyed on this script, unlike the initramfs: editing it should not
	# cost a depmod run.  Bump the "v1" if the cached layout changes.
	key=$({
		echo "v1 $kver"
		depmod -V
		stat -L -c '%s %Y' "$moddir/modules.dep"
		for m in "${modules[@]}"; do
			module_signature "$m"
		done
	} | sha256sum | cut -c1-16)
	idx=$cache/modules-$kver-$key
	if [[ ! -d $idx ]]; then
		cache_lock
		[[ -d $idx ]] || build_depmod "$idx"
		cache_unlock
	fi
	touch -c "$idx"

	# The module files themselves are copied for every run: the cached
	# index is shared by every build of them.
	mkdir -p "$dst/updates"
	cp -l "$idx"/modules.* "$dst/" 2>/dev/null || cp "$idx"/modules.* "$dst/"
	cp "${modules[@]}" "$dst/updates/"
}

is_elf()
{
	[[ $(head -c 4 "$1" | od -An -c | tr -d ' ') == '177ELF' ]]
}

# Find the compressed kernel in the bzImage and decompress it, as the
# kernel's scripts/extract-vmlinux does.
extract_vmlinux()
{
	local out=$1 f spec cmd magic pos

	f=$(mktemp "$cache/.vmlinux.XXXXXX")
	for spec in 'zstd -dc:\x28\xb5\x2f\xfd' 'xz -dc:\xfd7zXZ\x00' \
		    'gzip -dc:\x1f\x8b\x08' 'lz4 -dc:\x02\x21\x4c\x18' \
		    'bzip2 -dc:BZh' 'lzop -dc:\x89LZO'; do
		cmd=${spec%%:*}
		magic=${spec#*:}
		command -v "${cmd%% *}" >/dev/null || continue
		for pos in $(LC_ALL=C grep -aboP "$magic" "$kernel" |
			     head -n 4 | cut -d: -f1); do
			# Trailing data makes the decompressors complain.
			tail -c +$((pos + 1)) "$kernel" | $cmd >"$f" 2>/dev/null || true
			if is_elf "$f"; then
				mv -f "$f" "$out"
				return 0
			fi
		done
	done
	rm -f "$f"
	return 1
}

# Booting the uncompressed vmlinux at its PVH entry point skips SeaBIOS's
# real mode boot and decompressing the kernel under TCG: 1 s instead of up
# to 7 s for an xz-compressed kernel.  Falls back to the bzImage.
get_boot_kernel()
{
	local f

	if ! grep -qx 'CONFIG_PVH=y' "$kconfig" 2>/dev/null; then
		echo "$kernel"
		return
	fi
	# debug-kernel.sh keeps the vmlinux next to the bzImage.
	if [[ -n $kdir ]]; then
		if [[ -f $kdir/vmlinux ]] && is_elf "$kdir/vmlinux"; then
			echo "$kdir/vmlinux"
		else
			echo "$kernel"
		fi
		return
	fi
	f=$cache/vmlinux-$kver-$(stat -L -c '%s-%Y' "$kernel")
	if [[ ! -f $f ]]; then
		cache_lock
		[[ -f $f ]] || extract_vmlinux "$f" || true
		cache_unlock
	fi
	if [[ -f $f ]]; then
		touch "$f"
		echo "$f"
	else
		echo "$kernel"
	fi
}

# ---------------------------------------------------------------------------

initramfs=$(get_initramfs)
boot_kernel=$(get_boot_kernel)

mkdir -p "$tmp/share"
log=$tmp/console.log
: > "$log"

# Absolute paths of modules, before anything changes directory.
for i in "${!modules[@]}"; do
	modules[i]=$(readlink -f "${modules[i]}")
done
vm_modules=0
if ((${#modules[@]})); then
	prepare_modules
	vm_modules=1
fi

# The physical path: it is what the guest sees through the root share.  Not
# shared if that would hide the guest's own mounts (a caller in /tmp, /var or
# /lib/modules): the root share shows it there anyway.
cwd=$(pwd -P)
vm_cwd=$cwd
for m in / /tmp /run /var/tmp /root /dev /dev/shm /proc /sys \
	 "$moddir" "$(readlink -f "$moddir")"; do
	if [[ $m == "$cwd" || $m == "$cwd"/* ]]; then
		vm_cwd=
	fi
done

{
	echo "VM_CWD=$(shquote "$vm_cwd")"
	echo "VM_MODULES=$vm_modules"
	echo "VM_MODDIR=$(shquote "${kdir:+$moddir}")"
	echo "VM_KMEMLEAK=$kmemleak"
	echo "VM_QUEUE=${queue:+1}"
	echo "VM_BUSYBOX=$(shquote "$busybox")"
} > "$tmp/share/vm.conf"

stage2 > "$tmp/share/stage2.sh"

{
	printf 'cd %s || exit 125\n' "$(shquote "$cwd")"
	printf 'exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	printf ' HOME=/tmp TERM=dumb LANG=C.UTF-8'
	for e in ${envs[@]+"${envs[@]}"}; do
		printf ' %s' "$(shquote "$e")"
	done
	for a in "$@"; do
		printf ' %s' "$(shquote "$a")"
	done
	printf '\n'
} > "$tmp/share/job.sh"

# loglevel=5 keeps the boot log short (the serial console is slow under TCG)
# but lets KERN_WARNING through, so that a WARN's report reaches the log
# before panic_on_warn kills the guest.
# CARP_VM_APPEND comes first: the parameters detection relies on (console,
# loglevel, panic_on_warn) come later and win.
append="${CARP_VM_APPEND:+$CARP_VM_APPEND }console=ttyS0,115200 loglevel=5 panic_on_warn=1 oops=panic panic=-1"
append+=" 8250.nr_uarts=1 net.ifnames=0 mitigations=off rdinit=/init"
# The crypto self-tests alone take 0.5 s under TCG, and routing the legacy
# PCI interrupts through ACPI's AML interpreter 1.5 s (virtio uses MSI-X).
append+=" cryptomgr.notests acpi=noirq"
if [[ ${CARP_VM_DEBUG-} == 1 ]]; then
	append+=" carpvm_debug=1"
fi

qemu=(
	qemu-system-x86_64
	-accel "tcg,thread=${CARP_VM_TCG_THREAD:-multi}"
	-nodefaults -no-user-config -display none -monitor none -no-reboot
	-machine pc -cpu max -smp "$cpus" -m "$mem"
	-kernel "$(qemu_escape "$boot_kernel")"
	-initrd "$(qemu_escape "$initramfs")"
	-append "$append"
	-chardev "file,id=con,path=$(qemu_escape "$log")"
	-serial chardev:con
	-chardev "stdio,id=out,signal=off"
	# The console driver busy-waits for QEMU to take each chunk of output;
	# without ioeventfd QEMU takes it in the vCPU thread right away rather
	# than later in its main loop: 10x the throughput (2 MB/s).
	-device "virtio-serial-pci,ioeventfd=off" -device "virtconsole,chardev=out"
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=root,mount_tag=hostroot"
	-fsdev "local,id=xfer,path=$(qemu_escape "$tmp/share"),security_model=none"
	-device "virtio-9p-pci,fsdev=xfer,mount_tag=carpxfer"
)
# Without PCI hotplug the DSDT has no device for each of the 32 slots of the
# root bus, and finding a PCI device's ACPI companion no longer evaluates
# them all: under a debug kernel's lockdep, KASAN and kmemleak the AML
# interpreter took 1 s per PCI device, 10 s of a 20 s boot.  Only for -K:
# the Debian kernels boot as they always did.
if [[ -n $kdir ]]; then
	qemu+=(
		-global PIIX4_PM.acpi-root-pci-hotplug=off
		-global PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off
	)
fi
if [[ -n $queue ]]; then
	qemu+=(
		-fsdev "local,id=queue,path=$(qemu_escape "$queue"),security_model=none"
		-device "virtio-9p-pci,fsdev=queue,mount_tag=carpqueue"
	)
fi
if [[ -n $vm_cwd ]]; then
	qemu+=(
		-fsdev "local,id=cwd,path=$(qemu_escape "$cwd"),security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=cwd,mount_tag=carpcwd"
	)
fi

if [[ ${CARP_VM_DEBUG-} == 1 ]]; then
	echo "$PROG: ${qemu[*]}" >&2
fi

# watch_splat PID: stop the guest (PID: its timeout process) SPLAT_GRACE_S
# seconds after the first splat in its log.  A WARN or an oops panics the
# guest by itself, but a leaked reference ("unregister_netdevice: waiting
# for"), a hung task or a lockdep report does not, and the test that caused
# it would otherwise hang until its own timeout.  The grace period lets the
# report reach the log whole.
watch_splat()
{
	trap - EXIT INT TERM HUP
	# The sleeps keep none of our output open: a reader of run.sh's output
	# would wait for a sleep that outlives a killed watcher.
	while kill -0 "$1" 2>/dev/null; do
		if grep -aqE "$SPLAT_RE" "$log"; then
			sleep "$SPLAT_GRACE_S" </dev/null >/dev/null 2>&1
			echo "$PROG: kernel splat in the guest, stopping it" >&2
			touch "$tmp/splat-stop"
			kill "$1" 2>/dev/null
			return 0
		fi
		sleep 2 </dev/null >/dev/null 2>&1
	done
}

# The serial console ends its lines with \r\n.
save_log()
{
	local f

	f=$(mktemp "${TMPDIR:-/tmp}/carp-vm-console.XXXXXX")
	tr -d '\r' < "$log" > "$f"
	echo "$f"
}

for attempt in 1 2 3; do
	rm -f "$tmp/share/started" "$tmp/share/rc" "$tmp/splat-stop"
	: > "$log"

	# In the background so that our signal traps run (and kill it) while
	# we wait; --foreground keeps it in our process group so ^C reaches
	# it too.
	qemu_rc=0
	timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" </dev/null &
	qemu_pid=$!
	watch_splat "$qemu_pid" &
	watch_pid=$!
	wait "$qemu_pid" || qemu_rc=$?
	qemu_pid=
	kill "$watch_pid" 2>/dev/null || true
	wait "$watch_pid" 2>/dev/null || true
	watch_pid=

	# The guest died before it got to the command: neither the command
	# nor the modules under test (not loaded yet) can be at fault, so
	# boot again.  Seen in 2 of ~150 boots of 6.12: "Oops: int3" in
	# sched_clock_cpu(), QEMU 7.2's multi-threaded TCG getting the
	# kernel's live patching of its own code (static keys) wrong.
	# Not when the watcher stopped it: a splat is a failure, not bad luck.
	if ((qemu_rc == 0 && attempt < 3)) && [[ ! -e $tmp/share/started ]] &&
	   [[ ! -e $tmp/splat-stop ]]; then
		echo "$PROG: the guest died while booting (log: $(save_log)), booting again" >&2
		continue
	fi
	break
done

failed=
if ((qemu_rc == 124 || qemu_rc == 137)); then
	echo "$PROG: timed out after $timeout_s s" >&2
	status=124
	failed=1
elif [[ -s $tmp/share/rc ]]; then
	status=$(< "$tmp/share/rc")
	[[ $status =~ ^[0-9]+$ ]] || status=125
else
	echo "$PROG: the guest stopped before the command finished (qemu exit status $qemu_rc)" >&2
	status=125
	failed=1
fi

# The kmemleak report of -L goes at the end of the log.
if [[ -s $tmp/share/kmemleak ]]; then
	{
		echo "carp-vm: kmemleak report after the command:"
		cat "$tmp/share/kmemleak"
	} >> "$log"
	if ! grep -q 'unreferenced object 0x' "$tmp/share/kmemleak"; then
		echo "$PROG: $(head -n 1 "$tmp/share/kmemleak")" >&2
		((status != 0)) || status=125
		failed=1
	fi
fi

splat=$(grep -a -m 1 -nE "$SPLAT_RE" "$log" | cut -d: -f1) || true
if [[ -n $splat ]]; then
	echo "$PROG: kernel splat in the guest" >&2
	if grep -aq 'Oops: int3' "$log"; then
		echo "$PROG: \"Oops: int3\" can be QEMU's fault, see" \
		     "CARP_VM_TCG_THREAD in tools/vm/README" >&2
	fi
	((status != 0)) || status=125
	failed=1
fi

# Keep the log for a post-mortem, and show what matters: the splat and what
# follows it, or else how the log ends.
if [[ -n $failed ]]; then
	keep=$(save_log)
	echo "$PROG: --- guest kernel log (all of it: $keep) ---" >&2
	if [[ -n $splat ]]; then
		from=$((splat > 10 ? splat - 10 : 1))
		sed -n "$from,$((from + 99))p" "$keep" >&2
		if (($(wc -l < "$keep") > from + 99)); then
			echo "[...]" >&2
			tail -n 5 "$keep" >&2
		fi
	else
		tail -n 60 "$keep" >&2
	fi
	echo "$PROG: --- end of guest kernel log ---" >&2
fi

exit "$status"
