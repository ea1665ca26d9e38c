/* Fork safety: after a parallel call in the parent, the same call in a forked child
 * finishes (a fresh worker pool there), and the pool's size is settable per process. */
#define _POSIX_C_SOURCE 200809L
#include "crm.h"
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CUSTOMERS 5000
#define PER_CUSTOMER 40
#define ROWS (CUSTOMERS * PER_CUSTOMER)

static uint64_t ids[ROWS];
static int64_t at[ROWS];
static int64_t amount[ROWS];

/* Customer c buys PER_CUSTOMER times, on days 1..PER_CUSTOMER, c + 1 minor units each
 * time: frequency 40 and monetary 40·(c + 1) for everyone, worked out by hand. */
static void fill(void) {
    for (size_t k = 0; k < ROWS; k++) {
        uint64_t c = k % CUSTOMERS;
        ids[k] = c;
        at[k] = (int64_t)(k / CUSTOMERS + 1) * 86400;
        amount[k] = (int64_t)c + 1;
    }
}

/* The parallel call (transaction features, then RFM): 1 when every figure is right. */
static int rfm_is_right(void) {
    crm_rfm_t *r = NULL;
    if (crm_rfm_from_transactions(ids, at, amount, ROWS, CRM_UNIT_SECONDS, 100 * 86400, 5, NULL, &r) != CRM_OK) {
        return 0;
    }
    int ok = r->len == CUSTOMERS;
    for (size_t i = 0; ok && i < r->len; i++) {
        ok = r->customer_id[i] == i && r->frequency[i] == PER_CUSTOMER &&
             r->monetary[i] == (double)(PER_CUSTOMER * (i + 1)) && r->recency_days[i] == 60.0;
    }
    crm_rfm_free(r);
    return ok;
}

/* Runs `child` in a forked process under a 30 s alarm: a hang ends as SIGALRM. */
static int in_child(int (*child)(void)) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        return 0;
    }
    if (pid == 0) {
        alarm(30);
        _exit(child() ? 0 : 1);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        return 0;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "child killed by signal %d (%s)\n", WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? "hung" : "crashed");
        return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The same call in the child, on the pool it builds for itself. */
static int child_same_call(void) {
    return rfm_is_right() && rfm_is_right();
}

/* A child may choose its own size before its first parallel call: 1 thread really is 1. */
static int child_one_thread(void) {
    return crm_set_threads(1) == CRM_OK && crm_get_threads() == 1 && rfm_is_right() &&
           crm_set_threads(2) == CRM_CONFLICT && crm_get_threads() == 1;
}

/* A grandchild: fork safety holds across generations. */
static int child_forks_again(void) {
    return rfm_is_right() && in_child(child_same_call);
}

int main(void) {
    fill();
    CHECK_STATUS(crm_set_threads(CRM_MAX_THREADS + 1), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "threads"));
    CHECK_STATUS(crm_set_threads(2), CRM_OK); /* before the pool exists */
    CHECK(rfm_is_right());
    CHECK(crm_get_threads() == 2);
    CHECK_STATUS(crm_set_threads(2), CRM_OK); /* the size it has */
    CHECK_STATUS(crm_set_threads(3), CRM_CONFLICT);
    CHECK(contains(crm_last_error_message(), "already runs with 2 threads"));
    CHECK_STATUS(crm_set_threads(0), CRM_CONFLICT);

    CHECK(in_child(child_same_call));
    CHECK(in_child(child_one_thread));
    CHECK(in_child(child_forks_again));
    /* The parent's pool is untouched by its children. */
    CHECK(rfm_is_right());
    CHECK(crm_get_threads() == 2);
    return report();
}
