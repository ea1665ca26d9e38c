/* Duplicate prevention at the point of entry through the C ABI: the likely duplicates of one
 * record (crm_book_find_matches_json) and the add with a policy for them
 * (crm_book_add_customer_checked_json, crm_book_add_customer_checked_report_json), on a book
 * in memory and on a stored one; and the blocking step's pair completeness. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"
#include "two_books.h"

static const char *GIVEN[] = {"Ayse", "Mehmet", "Fatma", "Mustafa", "Emine", "Ahmet", "Hatice",
                              "Ali", "Zeynep", "Huseyin", "Elif", "Hasan", "Merve", "Ibrahim"};
static const char *FAMILY[] = {"Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Yildirim",
                               "Ozturk", "Aydin", "Ozdemir", "Arslan", "Dogan", "Kilic", "Aslan",
                               "Cetin", "Kara", "Koc", "Kurt"};

/* Customer i of the book: a name pair, a birth date, a phone and an address of its own. */
static void customer_json(char *buf, size_t size, unsigned i, unsigned id) {
    snprintf(buf, size,
             "{\"id\": %u, \"given_name\": \"%s\", \"family_name\": \"%s\", "
             "\"birth_date\": \"19%02u-%02u-%02u\", \"phones\": [\"0532 %03u %02u %02u\"], "
             "\"address\": {\"line\": \"%u. Sokak No %u\", \"city\": \"Ankara\", \"postcode\": \"06%03u\"}}",
             id, GIVEN[i % 14], FAMILY[(i / 14) % 18], 50 + i % 45, 1 + i % 12, 1 + i % 28,
             100 + i % 900, i % 100, (i / 100) % 100, 1 + i % 90, 1 + i % 70, i % 1000);
}

/* Fills `book` with 240 customers, ids 1..240. */
static void fill(crm_book_t *book) {
    char buf[512];
    for (unsigned i = 0; i < 240; i++) {
        customer_json(buf, sizeof buf, i, i + 1);
        CHECK_STATUS(crm_book_add_customers_json(book, buf), CRM_OK);
    }
}

static void check_book(crm_book_t *book) {
    char record[512];
    char *out = NULL;
    uint64_t id = 0;
    /* Customer 8 (i = 7) typed in again under a new id: found first, the evidence named. */
    customer_json(record, sizeof record, 7, 9001);
    CHECK_STATUS(crm_book_find_matches_json(book, record, NULL, &out), CRM_OK);
    CHECK(contains(out, "[{\"customer_id\":8,\"probability\":"));
    CHECK(contains(out, "\"field\":\"birth_date\",\"level\":\"same\""));
    crm_string_free(out);
    out = NULL;
    /* A customer the book does not have: no candidate. */
    const char *stranger =
        "{\"id\": 9002, \"given_name\": \"Zebulon\", \"family_name\": \"Quaxworth\", "
        "\"birth_date\": \"1931-07-04\", \"phones\": [\"0212 999 88 77\"]}";
    CHECK_STATUS(crm_book_find_matches_json(book, stranger, NULL, &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "[]") == 0);
    crm_string_free(out);
    out = NULL;
    /* Bad input: no half answer, the field named. */
    CHECK_STATUS(crm_book_find_matches_json(book, record, "{\"threshold\": 2}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "threshold"));
    CHECK_STATUS(crm_book_find_matches_json(book, record, "{\"country\": \"Narnia\"}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "country"));
    CHECK_STATUS(crm_book_find_matches_json(NULL, record, NULL, &out), CRM_NULL_POINTER);

    size_t n = crm_book_len(book);
    /* Reject: CRM_DUPLICATE naming the candidate and its probability, no personal data;
     * the book unchanged and *out_id untouched. */
    id = 77;
    CHECK_STATUS(crm_book_add_customer_checked_json(book, record, "{\"on_duplicate\": \"reject\"}", &id), CRM_DUPLICATE);
    CHECK(id == 77);
    CHECK(contains(crm_last_error_message(), "customer 9001 likely duplicates customer 8 (p = "));
    CHECK(!contains(crm_last_error_message(), "Fatma") && !contains(crm_last_error_message(), "0532"));
    CHECK(crm_book_len(book) == n);
    /* A bad policy, and a merge without the instant it is dated: invalid, nothing added. */
    CHECK_STATUS(crm_book_add_customer_checked_json(book, record, "{\"on_duplicate\": \"skip\"}", &id), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "on_duplicate"));
    CHECK_STATUS(crm_book_add_customer_checked_json(book, record, "{\"on_duplicate\": \"merge\"}", &id), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "at"));
    CHECK(crm_book_len(book) == n && id == 77);
    /* Merge: the survivor's id comes back; the book keeps one customer for both ids. */
    CHECK_STATUS(crm_book_add_customer_checked_json(
                     book, record, "{\"on_duplicate\": \"merge\", \"at\": \"2026-12-03T10:00:00Z\"}", &id),
                 CRM_OK);
    CHECK(id == 8);
    CHECK(crm_book_len(book) == n);
    uint64_t resolved = 0;
    CHECK_STATUS(crm_book_resolve(book, 9001, &resolved), CRM_OK);
    CHECK(resolved == 8);
    /* Allow (also the default, options NULL): a likely duplicate is added as itself. */
    customer_json(record, sizeof record, 11, 9003);
    CHECK_STATUS(crm_book_add_customer_checked_json(book, record, NULL, &id), CRM_OK);
    CHECK(id == 9003 && crm_book_len(book) == n + 1);
    /* The stranger under "reject": nothing to refuse. */
    CHECK_STATUS(crm_book_add_customer_checked_json(book, stranger, "{\"on_duplicate\": \"reject\"}", &id), CRM_OK);
    CHECK(id == 9002 && crm_book_len(book) == n + 2);
    /* Allow, reporting what it found: customer 12 (i = 11) typed in a third time is added as
     * itself, the candidates listed (12 and its copy 9003 added above), nothing merged. */
    customer_json(record, sizeof record, 11, 9004);
    CHECK_STATUS(crm_book_add_customer_checked_report_json(book, record, "{\"on_duplicate\": \"allow\"}", &out),
                 CRM_OK);
    CHECK(out != NULL && contains(out, "{\"customer_id\":9004,\"matches\":[{\"customer_id\":"));
    CHECK(contains(out, "{\"customer_id\":12,\"probability\":") && contains(out, "{\"customer_id\":9003,\"probability\":"));
    CHECK(contains(out, "\"merged\":null}") && crm_book_len(book) == n + 3);
    crm_string_free(out);
    out = NULL;
    /* Reject through the same entry: CRM_DUPLICATE, *out_json untouched, nothing added. */
    customer_json(record, sizeof record, 11, 9005);
    CHECK_STATUS(crm_book_add_customer_checked_report_json(book, record, "{\"on_duplicate\": \"reject\"}", &out),
                 CRM_DUPLICATE);
    CHECK(out == NULL && crm_book_len(book) == n + 3);
}

/* Pair completeness (the doc example of crm_core::quality::pair_completeness): rows 0 and 1
 * share a phone and names, row 2 shares no blocking key with row 0; of the true
 * pairs (0, 1), (0, 2) and (0, 9) (row 9 does not exist: not counted) one shares a key and is
 * a candidate. Bad input names the argument or field. */
static void check_pair_completeness(void) {
    const char *records =
        "[{\"given_name\": \"Ayse\", \"surname\": \"Yilmaz\", \"phone\": \"05321234567\"},"
        " {\"given_name\": \"Ayse\", \"surname\": \"Yilmaz\", \"phone\": \"05321234567\"},"
        " {\"given_name\": \"Can\", \"surname\": \"Yilmaz\", \"phone\": \"05559876543\"}]";
    char *out = NULL;
    CHECK_STATUS(crm_quality_pair_completeness_json(records, "[[0, 1], [0, 2], [0, 9]]", NULL, &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"true_pairs\":2,\"sharing_a_key\":1,\"candidates\":1}") == 0);
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_pair_completeness_json(records, "[[0, 1]]", "{\"max_block\": 1}", &out),
                 CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "max_block"));
    CHECK_STATUS(crm_quality_pair_completeness_json(records, "[[0]]", NULL, &out), CRM_PARSE_ERROR);
    CHECK(out == NULL && contains(crm_last_error_message(), "pairs"));
    CHECK_STATUS(crm_quality_pair_completeness_json(records, NULL, NULL, &out), CRM_NULL_POINTER);
    CHECK(out == NULL && contains(crm_last_error_message(), "pairs_json"));
    CHECK_STATUS(crm_quality_pair_completeness_json(records, "[[0, 1]]", "{\"window\": 33}", &out),
                 CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "window"));
    /* By key: the phone (tag 11) reaches (0, 1) with the name keys, so only_here is 0. */
    CHECK_STATUS(crm_quality_pair_completeness_by_key_json(records, "[[0, 1]]", NULL, &out), CRM_OK);
    CHECK(out != NULL && contains(out, "{\"tag\":11,\"kept_blocks\":1,\"pairs\":1,\"true_pairs\":1,\"only_here\":0}"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_pair_completeness_by_key_json(records, "[[0, 1]]", "{\"max_block\": 1}", &out),
                 CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "max_block"));
}

/* The validators and the report under another country's rules: an Australian postcode is
 * invalid by Turkey's five-digit rule and valid by Australia's; an unknown country is invalid
 * input naming it (the same reader as the dedup configs' "country"). */
static void check_countries(void) {
    const char *customers = "[{\"id\": 1, \"given_name\": \"Rachael\", \"family_name\": \"Dent\", "
                            "\"address\": {\"postcode\": \"2600\"}}]";
    char *out = NULL;
    CHECK_STATUS(crm_quality_report_in_json(customers, "2026-12-03", NULL, &out), CRM_OK);
    CHECK(contains(out, "\"country\":\"TR\"") && contains(out, "postcode") && !contains(out, "\"invalid\":[]"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_report_in_json(customers, "2026-12-03", "{\"country\": \"AU\"}", &out), CRM_OK);
    CHECK(contains(out, "\"country\":\"AU\"") && contains(out, "\"invalid\":[]"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_validate_in_json(customers, "2026-12-03", "{\"country\": \"AU\"}", &out), CRM_OK);
    CHECK(out != NULL && contains(out, "\"id\":1") && !contains(out, "\"invalid\""));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_validate_in_json(customers, "2026-12-03", "{\"country\": \"Oz\"}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "country"));
    CHECK_STATUS(crm_quality_report_in_json(customers, "2026-12-03", "{\"countries\": \"AU\"}", &out), CRM_PARSE_ERROR);
    CHECK(out == NULL && contains(crm_last_error_message(), "countries"));
    /* Both entries read their options through one helper: each refuses what the other does,
     * and NULL options are the defaults (TR) in both. */
    CHECK_STATUS(crm_quality_report_in_json(customers, "2026-12-03", "{\"country\": \"Oz\"}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "country"));
    CHECK_STATUS(crm_quality_validate_in_json(customers, "2026-12-03", "{\"countries\": \"AU\"}", &out), CRM_PARSE_ERROR);
    CHECK(out == NULL && contains(crm_last_error_message(), "countries"));
    CHECK_STATUS(crm_quality_validate_in_json(customers, "2026-12-03", NULL, &out), CRM_OK);
    CHECK(out != NULL && contains(out, "\"field\":\"address.postcode\",\"value\":\"26**\",\"kind\":\"invalid\""));
    crm_string_free(out);
    out = NULL;
}

/* After the reopen: the add and its merge were committed. */
static void check_reopened(crm_book_t *book) {
    uint64_t resolved = 0;
    CHECK_STATUS(crm_book_resolve(book, 9001, &resolved), CRM_OK);
    CHECK(resolved == 8 && crm_book_len(book) == 243);
}

int main(void) {
    check_countries();
    check_pair_completeness();
    if (on_two_books("matches", fill, check_book, check_reopened) != 0) return 1;
    return report();
}
