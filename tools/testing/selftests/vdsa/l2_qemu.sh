# SPDX-License-Identifier: GPL-2.0
# Nested QEMUs (vdsa-l2) driven through their human monitors, for the
# migration scripts; and the platform's fault, for every nested run. A QEMU NAME keeps its files in $work: its kernel log
# NAME.console, its output NAME.out and NAME.err, its monitor's pipes
# NAME.mon.in and NAME.mon.out, and the monitor's answers NAME.log. Every
# QEMU gets the vdsa-l2 options in $l2_opt.
# shellcheck shell=sh
# shellcheck disable=SC2154 # $work and $l2_opt are the caller's

# qemu NAME ARG...: a nested QEMU in the background (vdsa-l2 ARG...); its
# pid in $pid_NAME.
qemu() {
	_n=$1
	shift
	# shellcheck disable=SC2086 # $l2_opt holds several options
	vdsa-l2 $l2_opt --monitor "$work/$_n.mon" --log "$work/$_n.console" "$@" \
		>"$work/$_n.out" 2>"$work/$_n.err" &
	eval "pid_$_n=$!"
	# The monitor's answers, drained into NAME.log from when QEMU makes
	# its pipes (it waits for a reader of them before it starts the guest).
	(wait_for 600 test -p "$work/$_n.mon.out" && exec cat "$work/$_n.mon.out" >"$work/$_n.log") &
	eval "drain_$_n=$!"
}

# monitor NAME CMD: one command on NAME's monitor (given up after 10 s if
# that QEMU is gone).
monitor() { timeout 10 sh -c 'echo "$1" >"$2"' - "$2" "$work/$1.mon.in"; }

# give_up: after a failed step, every QEMU still running quits.
give_up() {
	for _m in "$work"/*.mon.in; do
		_n=${_m##*/}
		monitor "${_n%.mon.in}" quit
	done
	return 1
}

# finished NAME: waits for NAME's QEMU, prints its messages; its status.
finished() {
	eval "wait \$pid_$1"
	_fst=$?
	eval "_d=\${drain_$1:-}"
	[ -z "$_d" ] || { kill "$_d" && wait "$_d"; } 2>/dev/null
	sed "s/^/# $1: /" "$work/$1.err"
	return $_fst
}

# status NAME: the migration's status in NAME's last "info migrate" answer.
status() { sed -n 's/^Status:[[:space:]]*\([a-z-]*\).*/\1/p' "$work/$1.log" 2>/dev/null | tail -n 1; }

# migrate_start NAME URI [stop]: NAME's monitor migrates the guest to URI,
# after stopping it (a snapshot) with "stop".
migrate_start() {
	[ "${3:-}" != stop ] || monitor "$1" stop
	monitor "$1" "migrate -d $2"
}

# migrate_wait NAME SECS [RAISE]: polls NAME's "info migrate" until QEMU
# says completed (success), failed or cancelled, at most SECS seconds;
# with RAISE, a migration that has not converged after RAISE seconds is
# allowed a downtime of 60 s (a guest that dirties memory faster than
# emulation sends it).
migrate_wait() {
	_t=$(date +%s) _raise=${3:-}
	while [ $(($(date +%s) - _t)) -lt "$2" ]; do
		sleep 1
		monitor "$1" "info migrate"
		sleep 1
		case "$(status "$1")" in
		completed) return 0 ;;
		failed | cancelled) return 1 ;;
		esac
		if [ -n "$_raise" ] && [ $(($(date +%s) - _t)) -ge "$_raise" ]; then
			ktap_diag "not converged after $_raise s: downtime limit raised to 60 s"
			ktap_diag "$(grep 'Transfers:' "$work/$1.log" | tail -n 1 | tr -s ' \t')"
			monitor "$1" "migrate_set_parameter downtime-limit 60000"
			_raise=
		fi
	done
	return 1
}

# migration_times NAME: QEMU's total time and downtime (ms) of NAME's
# migration, as "TOTAL DOWN", from its last "info migrate" answer.
migration_times() {
	grep '^Time (ms)' "$work/$1.log" | tail -n 1 |
		sed -n 's/.*total=\([0-9]*\).*down=\([0-9]*\).*/\1 \2/p'
}

# platform_fault FILE...: a nested guest's kernel log (FILE) shows an
# interrupt taken with IF clear in the interrupted frame, which no CPU
# does: the fault of TCG's SVM that tools/qemu/README.md describes (under
# KVM in the emulated machine, a nested guest is now and then given an
# interrupt while its IF is clear, and deadlocks). Names it in a
# diagnostic line "# platform fault: ...".
platform_fault() {
	for _c in "$@"; do
		_fl=$(awk '/asm_common_interrupt|asm_sysvec/ { f = 1; next }
			f && /EFLAGS: [0-9a-f]+/ { sub(/.*EFLAGS: /, ""); print $1; f = 0 }' "$_c")
		for _f in $_fl; do
			if [ $((0x$_f & 0x200)) -eq 0 ]; then
				ktap_diag "platform fault: ${_c##*/}: an interrupt taken with EFLAGS $_f (IF clear)"
				return 0
			fi
		done
	done
	return 1
}

# once_more_after_fault VAR SCRIPT ARG...: runs SCRIPT ARG... (the caller,
# at its start) with VAR set; if that run fails and names the platform's
# fault (platform_fault), runs it once more and is replaced by that run;
# else prints the run's output and exits with its status. Returns at once
# when VAR is set: the caller is a run.
once_more_after_fault() {
	_var=$1
	shift
	eval "[ -z \"\${$_var:-}\" ]" || return 0
	_first=$(env "$_var=1" sh "$@")
	_st=$?
	if [ $_st -eq 0 ] || ! echo "$_first" | grep -q '^# platform fault:'; then
		echo "$_first"
		exit $_st
	fi
	echo "$_first" | sed 's/^/# first attempt: /'
	exec env "$_var=2" sh "$@"
}
