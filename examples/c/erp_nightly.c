/* An ERP nightly job: loads the day's customers and invoice lines from arrays (the columns an
 * ERP export has) into the stored book at argv[1], each batch one all-or-nothing commit.
 * Run it, then `call_centre BOOK ID` to see a customer. Usage: erp_nightly BOOK */
#include "crm.h"

#include <stdint.h>
#include <stdio.h>

static int fail(const char *what) {
    fprintf(stderr, "erp_nightly: %s: %s\n", what, crm_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BOOK\n", argv[0]);
        return 2;
    }
    crm_book_t *book = NULL;
    if (crm_book_open(argv[1], "{\"currency\": \"TRY\"}", &book) != CRM_OK) return fail("open");

    /* The customer master, as columns; NULL is an empty cell. */
    const uint64_t ids[] = {4101, 4102, 4103};
    const char *names[] = {"given_name", "family_name", "organisation_name", "email", "city", "external_ref"};
    const char *given[] = {"Ay\xc5\x9f" "e", "Mehmet", NULL};
    const char *family[] = {"Y\xc4\xb1lmaz", "\xc3\x96zt\xc3\xbcrk", NULL};
    const char *org[] = {NULL, NULL, "Kaya Ltd. \xc5\x9eti."};
    const char *email[] = {"ayse@example.com", NULL, "info@kaya.example.com"};
    const char *city[] = {"\xc4\xb0zmir", "Ankara", "\xc4\xb0stanbul"};
    const char *erp[] = {"C-4101", "C-4102", "C-4103"};
    const char *const *columns[] = {given, family, org, email, city, erp};
    size_t added = 0;
    if (crm_book_len(book) == 0 &&
        crm_book_add_customers_columns(book, 3, ids, names, columns, 6, &added) != CRM_OK) {
        return fail("customers");
    }

    /* Invoice lines: customer, instant (seconds since the epoch), amount in kuruş; a credit
     * note is negative. */
    const uint64_t who[] = {4101, 4101, 4103, 4102, 4101};
    const int64_t at[] = {1740823200, 1740909600, 1740996000, 1741082400, 1741168800};
    const int64_t amount[] = {125000, -25000, 990000, 4999, 60000};
    const char *category[] = {"books", "books", "office", NULL, "music"};
    size_t recorded = 0;
    if (crm_book_record_purchases_columns(book, 5, who, at, CRM_UNIT_SECONDS, amount, "TRY", category, NULL,
                                          &recorded) != CRM_OK) {
        return fail("purchases");
    }
    printf("erp_nightly: %zu customers added, %zu lines recorded, %zu customers in the book\n", added,
           recorded, crm_book_len(book));
    return crm_book_close(book) == CRM_OK ? 0 : fail("close");
}
