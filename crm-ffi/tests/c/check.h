/* A tiny test harness for the C tests: CHECK counts failures and says where. */
#ifndef CRM_TEST_CHECK_H
#define CRM_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            checks_passed++;                                                 \
        } else {                                                             \
            checks_failed++;                                                 \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n",     \
                    __FILE__, __LINE__, #cond, crm_last_error_message());    \
        }                                                                    \
    } while (0)

#define CHECK_STATUS(call, expected) CHECK((call) == (expected))

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static int report(void) {
    printf("%d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
