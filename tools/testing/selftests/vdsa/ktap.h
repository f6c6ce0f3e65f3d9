/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP results of the C tests: a line "ok N <name>" or "not ok N <name>"
 * per check, numbered from 1, and diagnostics as "# " lines, each flushed
 * at once. The test prints the version line, the plan and its totals
 * itself, from test_n and test_failed.
 */
#ifndef VDSA_KTAP_H
#define VDSA_KTAP_H

#include <stdarg.h>
#include <stdio.h>

static int test_n, test_failed;

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* One check: @ok, named by @fmt and what follows. Returns @ok. */
static inline int result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++test_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		test_failed++;
	return ok;
}

#endif /* VDSA_KTAP_H */
