/* A call-centre screen: opens the stored book the ERP job writes (argv[1]), shows the 360°
 * view of customer argv[2] as of argv[3], then refreshes to pick up what other processes
 * committed since. Usage: call_centre BOOK CUSTOMER_ID AS_OF */
#include "crm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what) {
    fprintf(stderr, "call_centre: %s: %s\n", what, crm_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s BOOK CUSTOMER_ID AS_OF\n", argv[0]);
        return 2;
    }
    crm_book_t *book = NULL;
    if (crm_book_open(argv[1], "{\"create\": false}", &book) != CRM_OK) return fail("open");
    uint64_t id = strtoull(argv[2], NULL, 10);
    char *view = NULL;
    if (crm_book_view_json(book, id, argv[3], 0, 10, &view) != CRM_OK) {
        crm_book_free(book);
        return fail("view");
    }
    printf("%s\n", view);
    crm_string_free(view);
    uint64_t replayed = 0;
    if (crm_book_refresh(book, &replayed) != CRM_OK) {
        crm_book_free(book);
        return fail("refresh");
    }
    printf("call_centre: refreshed, %llu new changes\n", (unsigned long long)replayed);
    return crm_book_close(book) == CRM_OK ? 0 : fail("close");
}
