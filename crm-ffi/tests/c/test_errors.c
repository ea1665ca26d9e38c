/* Error messages through the C ABI: a customer whose national id, e-mail or phone is malformed
 * is refused with CRM_INVALID_ARGUMENT naming the field's path (issue 14), and the message keeps
 * serde's expectation and position but shows none of those values (messages end up in logs). */
#include "crm.h"
#include "check.h"

#include <stdio.h>

struct malformed {
    const char *json;   /* one customer object */
    const char *secret; /* what the message must not show */
};

static const struct malformed MALFORMED[] = {
    {"{\"id\": 1, \"given_name\": \"Ali\", \"national_id\": 12345678901}", "12345678901"},
    {"{\"id\": 1, \"given_name\": \"Ali\", \"emails\": \"ali@ornek.com\"}", "ali@ornek.com"},
    {"{\"id\": 1, \"given_name\": \"Ali\", \"phones\": [5321234567]}", "5321234567"},
    {"{\"id\": 1, \"given_name\": \"Ali\", \"phones\": \"+90 532 123 45 67\"}", "532 123"},
};

#define N_MALFORMED (sizeof MALFORMED / sizeof MALFORMED[0])

/* The last error shows none of the personal fragments of the test data. */
static int hides(const char *secret) {
    const char *msg = crm_last_error_message();
    return !contains(msg, secret) && !contains(msg, "1234") && !contains(msg, "ali@") &&
           !contains(msg, "ornek") && !contains(msg, "532");
}

static void test_add_one_customer(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    for (size_t i = 0; i < N_MALFORMED; i++) {
        CHECK_STATUS(crm_book_add_customers_json(book, MALFORMED[i].json), CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), ": expected "));
        CHECK(hides(MALFORMED[i].secret));
    }
    CHECK(crm_book_len(book) == 0);
    crm_book_free(book);
}

static void test_add_a_batch_and_update(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1, \"given_name\": \"Ali\"}"), CRM_OK);
    char batch[256];
    for (size_t i = 0; i < N_MALFORMED; i++) {
        snprintf(batch, sizeof batch, "[{\"id\": 2, \"given_name\": \"Ay\"}, %s]", MALFORMED[i].json);
        CHECK_STATUS(crm_book_add_customers_json(book, batch), CRM_INVALID_ARGUMENT);
        CHECK(hides(MALFORMED[i].secret));
        /* As one text with a position: the line and column stay. */
        CHECK_STATUS(crm_book_update_customer_json(book, MALFORMED[i].json), CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), ": expected "));
        CHECK(contains(crm_last_error_message(), " at line 1 column "));
        CHECK(hides(MALFORMED[i].secret));
    }
    CHECK(crm_book_len(book) == 1); /* all or nothing */
    crm_book_free(book);
}

static void test_load_a_snapshot(void) {
    const char *path = "target/c/test_errors_snapshot.json";
    for (size_t i = 0; i < N_MALFORMED; i++) {
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f == NULL) {
            return;
        }
        fprintf(f,
                "{\"format_version\": 1, \"config\": {\"currency\": \"TRY\"}, \"customers\": [%s],"
                " \"events\": [], \"incidents\": [], \"merges\": []}",
                MALFORMED[i].json);
        fclose(f);
        crm_book_t *book = NULL;
        CHECK_STATUS(crm_book_load(path, &book), CRM_PARSE_ERROR);
        CHECK(book == NULL);
        CHECK(contains(crm_last_error_message(), "could not parse the book snapshot: invalid type: "));
        CHECK(hides(MALFORMED[i].secret));
    }
    remove(path);
}

int main(void) {
    test_add_one_customer();
    test_add_a_batch_and_update();
    test_load_a_snapshot();
    return report();
}
