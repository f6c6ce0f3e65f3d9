#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites of a module (KUnit runs them when the module loads) and
# report each test case as one KTAP line, "<suite>.<case>", read from
# /sys/kernel/debug/kunit/<suite>/results.
#
# usage: kunit_test.sh MODULE SUITE...

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

module=$1
shift

echo "KTAP version 1"
ktap_check "$module loads" modprobe "$module"

tmp=$(mktemp)
for suite in "$@"; do
	results=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$results" ]; then
		ktap_result 1 "$suite ran"
		continue
	fi
	# Test cases are the indented result lines; the unindented line with
	# the suite's name closes the suite.
	sed -n -e 's/^    not ok [0-9]* \([^ #]*\).*/fail \1/p' \
		-e 's/^    ok [0-9]* \([^ #]*\).*/pass \1/p' "$results" >"$tmp"
	if [ ! -s "$tmp" ]; then
		sed 's/^/# /' "$results"
		ktap_result 1 "$suite has test cases"
		continue
	fi
	while read -r verdict name; do
		[ "$verdict" = pass ]
		ktap_result $? "$suite.$name"
	done <"$tmp"
	ktap_check "$suite passed as a whole" grep -q "^ok [0-9]* $suite\$" "$results"
	grep -q "^fail" "$tmp" && sed 's/^/# /' "$results"
done
rm -f "$tmp"

ktap_check "$module unloads" rmmod "$module"
echo "1..$ktap_n"
ktap_finished
