// SPDX-License-Identifier: GPL-2.0
/*
 * fifo-exec CMD [ARG...]: run CMD at SCHED_FIFO priority 1, in the guest
 * (busybox has no chrt). A real-time task is not rescheduled by a tick or
 * by a normal task's wake-up, which is what tools/check.sh needs to make
 * a kernel report come out in a set order.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sched_param param = { .sched_priority = 1 };

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG...]\n", argv[0]);
		return 2;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &param)) {
		perror("fifo-exec: sched_setscheduler");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
