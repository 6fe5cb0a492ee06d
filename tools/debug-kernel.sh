#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build a debug kernel (KASAN, lockdep, debugobjects,
# kmemleak, netdev/netns reference trackers) from Debian's linux-source-6.12
# with the carp patch series applied, for tools/vm/run.sh -K.
#
# Usage: tools/debug-kernel.sh SERIES_DIR
#
# SERIES_DIR holds a "git format-patch" series (*.patch, in file name
# order; a 0000-cover-letter.patch is skipped).  The series must apply
# cleanly, without fuzz or offsets, and after each patch drivers/net/carp
# (once it exists and CONFIG_CARP is available) must build with W=1 and
# without a single warning.
#
# The kernel config is "make allnoconfig" for x86_64 plus tools/vm/debug.config
# plus the selftests' fragment from the series
# (tools/testing/selftests/drivers/net/carp/config), merged with
# merge_config.sh; every option the fragments ask for must be in the result.
#
# Everything lives in ${CARP_DEBUG_CACHE:-/var/cache/carp-debug}:
#
#   src/       the unpacked tarball, with the series applied
#   applied/   copies of the applied patches: a changed series is
#              reverse-applied down to the first patch that differs, and the
#              rest applied again, so the rebuild is incremental
#   build/     the kernel build directory (make O=build)
#   kconfig/   a scratch build directory for generating the config
#   out/       the result, for run.sh -K:
#                bzImage, vmlinux (booted through PVH), config, System.map,
#                kernelrelease, lib/modules/KVER/ (stripped modules, depmod'ed)
#   logs/      the build logs of the last run
#
# Nothing is rebuilt when neither the series, the config fragments nor this
# script changed.  The kernel release (e.g. 6.12.57-carp-debug) is the last
# line on stdout, and in out/kernelrelease; progress goes to stderr.
#
# Exit status: 0 on success, 1 if the series or the build failed, 2 on bad
# usage or missing tools.

set -euo pipefail

PROG=${0##*/}
SELF=$(readlink -f "$0")
TOP=$(cd "$(dirname "$SELF")/.." && pwd)
readonly PROG SELF TOP

readonly FRAGMENT=$TOP/tools/vm/debug.config
readonly SELFTEST_FRAGMENT=tools/testing/selftests/drivers/net/carp/config
readonly TARBALL=${CARP_DEBUG_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
export ARCH=x86_64

# What GNU patch says about a patch that does not apply exactly.
readonly PATCH_TROUBLE='with fuzz|\(offset -?[0-9]+ lines?\)|FAILED|Reversed \(or previously applied\)|malformed patch|Only garbage|can.t find file|Skipping patch|ignored'

die()
{
	echo "$PROG: $*" >&2
	exit 1
}

usage()
{
	echo "usage: $PROG SERIES_DIR" >&2
	exit 2
}

msg()
{
	echo "$PROG: $*" >&2
}

(($# == 1)) || usage
[[ $1 != -* ]] || usage
series_dir=$(readlink -f "$1")
[[ -d $series_dir ]] || die "$1: not a directory"

for tool in make gcc patch tar xz flock depmod bc bison flex sha256sum; do
	command -v "$tool" >/dev/null ||
		{ echo "$PROG: $tool not found; run tools/setup.sh" >&2; exit 2; }
done
[[ -r $TARBALL ]] ||
	{ echo "$PROG: $TARBALL not found; run tools/setup.sh" >&2; exit 2; }
[[ -r $FRAGMENT ]] || die "$FRAGMENT not found"

# The series, in order.
patches=()
while IFS= read -r -d '' p; do
	[[ ${p##*/} == 0000-cover-letter.patch ]] || patches+=("$p")
done < <(find "$series_dir" -maxdepth 1 -type f -name '*.patch' -print0 |
	 LC_ALL=C sort -z)
((${#patches[@]})) || die "no patches in $series_dir"

cache=${CARP_DEBUG_CACHE:-/var/cache/carp-debug}
mkdir -p "$cache" || die "cannot create $cache"
src=$cache/src
obj=$cache/build
logs=$cache/logs
jobs=$(nproc)

# One build at a time per cache; a second caller waits, then finds the
# result up to date.
exec {lock_fd}>"$cache/.lock"
if ! flock -n "$lock_fd"; then
	msg "waiting for another build in $cache"
	flock "$lock_fd"
fi

# What the result depends on.  The tarball's size and mtime stand for its
# contents; the compiler is part of it too.
tarball_id=$(stat -L -c '%n %s %Y' "$TARBALL")
key=$({
	echo "$tarball_id"
	gcc --version | head -n 1
	sha256sum < "$SELF"
	sha256sum < "$FRAGMENT"
	for p in "${patches[@]}"; do
		echo "${p##*/}"
		sha256sum < "$p"
	done
} | sha256sum | cut -c1-16)

out=$cache/out
if [[ -f $out/key && $(< "$out/key") == "$key" && -f $out/kernelrelease ]]; then
	msg "up to date: $out"
	cat "$out/kernelrelease"
	exit 0
fi

mkdir -p "$logs"
rm -f "$logs"/*.log
log()
{
	echo "$logs/$1.log"
}

# Run a make step with its output in a log; on failure show the end of it.
run_logged()
{
	local name=$1 f
	shift

	f=$(log "$name")
	if ! "$@" >"$f" 2>&1; then
		tail -n 40 "$f" >&2
		die "$name failed (log: $f)"
	fi
}

# ---------------------------------------------------------------------------
# The source tree.
# ---------------------------------------------------------------------------

if [[ ! -f $src/.carp-tarball || $(< "$src/.carp-tarball") != "$tarball_id" ]]; then
	msg "unpacking $TARBALL"
	rm -rf "$src" "$obj" "$cache/applied" "$cache/src.new"
	mkdir "$cache/src.new"
	tar -xf "$TARBALL" -C "$cache/src.new" --strip-components=1
	echo "$tarball_id" > "$cache/src.new/.carp-tarball"
	mv -T "$cache/src.new" "$src"
fi
mkdir -p "$cache/applied" "$obj"

# What the step checks depend on besides the patch itself: a change to the
# config or to this script checks every step again.
step_key=$( { sha256sum < "$SELF"; sha256sum < "$FRAGMENT"; } |
	    sha256sum | cut -c1-16)

# Apply (or with -R, reverse) one patch, refusing anything but a clean
# application: a dry run first, so that the tree never holds half a patch.
apply_patch()
{
	local p=$1 res
	shift

	if ! res=$(patch -p1 -d "$src" --dry-run -N -t "$@" < "$p" 2>&1) ||
	   grep -Eq "$PATCH_TROUBLE" <<<"$res"; then
		printf '%s\n' "$res" >&2
		die "${p##*/} does not apply cleanly${1:+ in reverse}"
	fi
	patch -p1 -d "$src" -N -t -s --no-backup-if-mismatch -r - "$@" < "$p" >/dev/null ||
		die "${p##*/}: patch failed after a clean dry run"
}

# The applied series: applied/NNNN.patch and, once the step check passed,
# applied/NNNN.ok holding the step key.
applied=()
while IFS= read -r -d '' p; do
	applied+=("$p")
done < <(find "$cache/applied" -maxdepth 1 -name '*.patch' -print0 | LC_ALL=C sort -z)

# The first patch that differs, or whose step check is missing or stale.
keep=0
while ((keep < ${#applied[@]} && keep < ${#patches[@]})); do
	cmp -s "${applied[keep]}" "${patches[keep]}" || break
	[[ -f ${applied[keep]%.patch}.ok &&
	   $(< "${applied[keep]%.patch}.ok") == "$step_key" ]] || break
	keep=$((keep + 1))
done

for ((i = ${#applied[@]} - 1; i >= keep; i--)); do
	msg "reverting ${applied[i]##*/}"
	apply_patch "${applied[i]}" -R
	rm -f "${applied[i]}" "${applied[i]%.patch}.ok"
done

# ---------------------------------------------------------------------------
# The config: allnoconfig + the fragments, generated in a scratch build
# directory so that the real one only sees the result.
# ---------------------------------------------------------------------------

# Print the config for the tree as it is now.  With "check", fail unless
# every option the fragments set is in it, as set.
make_config()
{
	local what=$1 kc=$cache/kconfig frags=() line name missing=()

	# The selftests' fragment first: where ours says =y to what it asks
	# as =m (kselftest convention), ours wins, and =y satisfies its =m.
	[[ -f $src/$SELFTEST_FRAGMENT ]] && frags+=("$src/$SELFTEST_FRAGMENT")
	frags+=("$FRAGMENT")
	mkdir -p "$kc"
	make -s -C "$src" O="$kc" allnoconfig >&2
	(cd "$kc" && KCONFIG_CONFIG=.config \
		"$src/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}") \
		> "$(log merge_config)" 2>&1 ||
		die "merge_config.sh failed (log: $(log merge_config))"
	make -s -C "$src" O="$kc" olddefconfig >&2

	if [[ $what == check ]]; then
		# "CONFIG_X=v" must be there as is; "# CONFIG_X is not set"
		# means X is off, which an absent X is too.
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
				grep -qxF "$line" "$kc/.config" && continue
				[[ $line == *=m ]] &&
					grep -qxF "${line%=m}=y" "$kc/.config" && continue
				name=${BASH_REMATCH[1]}
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
				name=${BASH_REMATCH[1]}
				! grep -q "^$name=" "$kc/.config" && continue
			else
				continue
			fi
			missing+=("$line (got: $(grep -E "^$name=|^# $name is not set" \
				"$kc/.config" || echo absent))")
		done < <(cat "${frags[@]}")
		if ((${#missing[@]})); then
			printf '  %s\n' "${missing[@]}" >&2
			die "the config lacks options the fragments ask for (missing dependencies?)"
		fi
	fi
	cat "$kc/.config"
}

# Install a config in the build directory; an unchanged one is left alone so
# that make sees nothing new.
install_config()
{
	if ! cmp -s "$1" "$obj/.config"; then
		cp "$1" "$obj/.config"
	fi
}

# ---------------------------------------------------------------------------
# Apply the rest of the series, building drivers/net/carp with W=1 after
# each patch.
# ---------------------------------------------------------------------------

prepared=
for ((i = keep; i < ${#patches[@]}; i++)); do
	p=${patches[i]}
	n=$(printf '%04d' $((i + 1)))
	msg "applying ${p##*/}"
	apply_patch "$p"
	cp "$p" "$cache/applied/$n.patch"

	if [[ -f $src/drivers/net/carp/Makefile ]]; then
		make_config step > "$cache/step.config"
		install_config "$cache/step.config"
		if ! grep -Eq '^CONFIG_CARP=[ym]$' "$obj/.config"; then
			msg "  CONFIG_CARP not available yet: nothing to build"
		else
			if [[ -z $prepared ]]; then
				msg "  make prepare"
				run_logged prepare make -C "$src" O="$obj" -j"$jobs" prepare
				prepared=1
			fi
			msg "  make W=1 drivers/net/carp/"
			f=$(log "step-$n")
			if ! make -C "$src" O="$obj" -j"$jobs" W=1 drivers/net/carp/ \
				>"$f" 2>&1; then
				tail -n 40 "$f" >&2
				die "drivers/net/carp does not build after ${p##*/} (log: $f)"
			fi
			if grep -Ei 'warning:|error:' "$f" >&2; then
				die "drivers/net/carp has warnings after ${p##*/} (log: $f)"
			fi
		fi
	fi
	echo "$step_key" > "$cache/applied/$n.ok"
done

# ---------------------------------------------------------------------------
# The kernel.
# ---------------------------------------------------------------------------

msg "config"
make_config check > "$cache/final.config"
install_config "$cache/final.config"

start=$SECONDS
msg "make -j$jobs bzImage modules (log: $(log build))"
run_logged build make -C "$src" O="$obj" -j"$jobs" bzImage modules
kver=$(make -s -C "$src" O="$obj" kernelrelease)
msg "built $kver in $((SECONDS - start)) s"

new=$cache/out.new
rm -rf "$new"
mkdir -p "$new"
run_logged modules_install make -C "$src" O="$obj" INSTALL_MOD_PATH="$new" \
	INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install
# The build and source links point into the cache; nobody needs them.
rm -f "$new/lib/modules/$kver/build" "$new/lib/modules/$kver/source"
depmod -b "$new" "$kver" || die "depmod failed"
cp "$obj/arch/x86/boot/bzImage" "$new/bzImage"
cp "$obj/vmlinux" "$new/vmlinux"
cp "$obj/System.map" "$new/System.map"
cp "$obj/.config" "$new/config"
echo "$kver" > "$new/kernelrelease"
echo "$key" > "$new/key"

rm -rf "$cache/out.old"
[[ ! -e $out ]] || mv -T "$out" "$cache/out.old"
mv -T "$new" "$out"
rm -rf "$cache/out.old"

msg "done: $out"
echo "$kver"
