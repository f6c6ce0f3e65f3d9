/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP results of the C tests: a line "ok N <name>" or "not ok N <name>"
 * per check, numbered from 1, and diagnostics as "# " lines, each flushed
 * at once. The test prints the version line itself; the plan and the
 * totals too, from test_n and test_failed, unless ktap_finish() ends the
 * run.
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

/*
 * The end of a run that did not print its plan first: the plan, then how
 * many checks failed. Returns the exit status.
 */
static inline int ktap_finish(void)
{
	printf("1..%d\n# %d failed\n", test_n, test_failed);
	return test_failed ? 1 : 0;
}

#endif /* VDSA_KTAP_H */
