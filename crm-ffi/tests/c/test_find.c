/* Finding a customer through the C ABI (crm_book_find_json): the hand-worked cases of the
 * Rust and Python tests — a messy phone, an e-mail in any case, names in any order, a
 * prefix and a misspelling with their scores, phone and name together — and bad lookups,
 * on a book in memory and on a stored one (reopened). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"
#include "two_books.h"

static void fill(crm_book_t *book) {
    CHECK_STATUS(crm_book_add_customers_json(book,
        "[{\"id\": 1, \"given_name\": \"Ayşe\", \"family_name\": \"Yılmaz\", "
        "\"phones\": [\"0532 123 4567\"], \"emails\": [\"ayse.yilmaz@gmail.com\"]},"
        " {\"id\": 2, \"given_name\": \"Ayşe\", \"family_name\": \"Yılmaz\", "
        "\"phones\": [\"0533 000 1122\"]},"
        " {\"id\": 3, \"given_name\": \"Ayten\", \"family_name\": \"Yıldız\"}]"), CRM_OK);
}

/* `lookup` finds exactly `want` (the JSON array, as the library writes it). */
static void finds(crm_book_t *book, const char *lookup, const char *want) {
    char *out = NULL;
    CHECK_STATUS(crm_book_find_json(book, lookup, &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, want) == 0);
    if (out != NULL && strcmp(out, want) != 0) fprintf(stderr, "  %s\n  got  %s\n  want %s\n", lookup, out, want);
    crm_string_free(out);
}

/* `lookup` is refused as invalid input naming `field`, nothing written to the output. */
static void refused(crm_book_t *book, const char *lookup, const char *field) {
    char *out = NULL;
    CHECK_STATUS(crm_book_find_json(book, lookup, &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), field));
}

static void check_book(crm_book_t *book) {
    const char *one_phone = "[{\"customer_id\":1,\"score\":1.0,\"matched_on\":[\"phone\"]}]";
    finds(book, "{\"phone\": \"0 (532) 123 45 67\"}", one_phone);
    finds(book, "{\"phone\": \"+90 532 1234567\"}", one_phone);
    finds(book, "{\"phone\": \"905321234567\"}", one_phone);
    finds(book, "{\"email\": \" AYSE.Yilmaz@GMAIL.COM \"}",
          "[{\"customer_id\":1,\"score\":1.0,\"matched_on\":[\"email\"]}]");
    finds(book, "{\"name\": \"Yılmaz Ayşe\"}",
          "[{\"customer_id\":1,\"score\":1.0,\"matched_on\":[\"name\"]},"
          "{\"customer_id\":2,\"score\":1.0,\"matched_on\":[\"name\"]}]");
    /* ay→ayse 0.9 and yil→yilmaz 0.9; ay→ayten 0.88 and yil→yildiz 0.9: 0.90 and 0.89. */
    char *out = NULL;
    CHECK_STATUS(crm_book_find_json(book, "{\"name\": \"ay yıl\", \"limit\": 3}", &out), CRM_OK);
    CHECK(out != NULL && contains(out, "{\"customer_id\":1,\"score\":0.9,")
          && contains(out, "{\"customer_id\":3,\"score\":0.89"));
    crm_string_free(out);
    out = NULL;
    /* Phone and misspelt name: (1 + (1 + 0.9333)/2)/2 = 0.9833 for 1, 0.4833 for 2. */
    CHECK_STATUS(crm_book_find_json(book, "{\"phone\": \"0532 123 45 67\", \"name\": \"ayse yilmas\"}", &out), CRM_OK);
    CHECK(out != NULL && contains(out, "[{\"customer_id\":1,\"score\":0.983")
          && contains(out, "\"matched_on\":[\"phone\",\"name\"]},{\"customer_id\":2,\"score\":0.483"));
    crm_string_free(out);
    out = NULL;
    finds(book, "{\"phone\": \"0532 999 9999\"}", "[]");
    refused(book, "{\"phone\": \"0532 123 4567\", \"limit\": 0}", "limit");
    refused(book, "{\"phone\": \"0532 123 4567\", \"limit\": 1001}", "limit");
    refused(book, "{}", "lookup");
    CHECK_STATUS(crm_book_find_json(book, "{\"fone\": \"1\"}", &out), CRM_PARSE_ERROR);
    CHECK(out == NULL && contains(crm_last_error_message(), "did you mean `phone`?"));
    CHECK_STATUS(crm_book_find_json(NULL, "{}", &out), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_find_json(book, NULL, &out), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_find_json(book, "{}", NULL), CRM_NULL_POINTER);
    /* An update takes the old number out of the index. */
    CHECK_STATUS(crm_book_update_customer_json(book,
        "{\"id\": 2, \"given_name\": \"Ayşe\", \"family_name\": \"Yılmaz\", \"phones\": [\"0544 999 88 77\"]}"), CRM_OK);
    finds(book, "{\"phone\": \"0533 000 1122\"}", "[]");
    finds(book, "{\"phone\": \"05449998877\"}", "[{\"customer_id\":2,\"score\":1.0,\"matched_on\":[\"phone\"]}]");
}

/* After the reopen: the edited phone is still found. */
static void check_reopened(crm_book_t *book) {
    finds(book, "{\"phone\": \"+90 544 999 8877\"}", "[{\"customer_id\":2,\"score\":1.0,\"matched_on\":[\"phone\"]}]");
}

int main(void) {
    if (on_two_books("find", fill, check_book, check_reopened) != 0) return 1;
    return report();
}
