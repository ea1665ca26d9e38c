/* Records from C arrays (customers and purchases as ERP columns), money that never wraps
 * past INT64_MAX, the 32-bit RFM segment index, the pyramid's tier bound, and config keys
 * that are refused when unknown. */
#define _POSIX_C_SOURCE 200809L
#include "crm.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AS_OF "2025-03-10T00:00:00Z"
/* 2025-03-01T10:00:00Z and the days after it, in seconds since the epoch. */
#define MARCH_1 INT64_C(1740823200)
#define DAY INT64_C(86400)

static const char *NAMES[] = {"given_name", "family_name", "organisation_name", "email", "external_ref"};

static void add_three(crm_book_t *book) {
    const uint64_t ids[] = {101, 102, 103};
    const char *given[] = {"Ay\xc5\x9f" "e", "Mehmet", NULL};
    const char *family[] = {"Y\xc4\xb1lmaz", "\xc3\x96zt\xc3\xbcrk", NULL};
    const char *org[] = {NULL, NULL, "Kaya Ltd. \xc5\x9eti."};
    const char *email[] = {"ayse@example.com", NULL, "info@kaya.example.com"};
    const char *erp[] = {"C-101", "C-102", "C-103"};
    const char *const *columns[] = {given, family, org, email, erp};
    size_t added = 0;
    CHECK_STATUS(crm_book_add_customers_columns(book, 3, ids, NAMES, columns, 5, &added), CRM_OK);
    CHECK(added == 3);
}

static void test_customers_and_purchases_from_columns(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    add_three(book);
    CHECK(crm_book_len(book) == 3);

    const uint64_t who[] = {101, 101, 103, 102};
    const int64_t at[] = {MARCH_1, MARCH_1 + DAY, MARCH_1 + 2 * DAY, MARCH_1 + 3 * DAY};
    const int64_t amount[] = {12500, -2500, 40000, 999};
    const char *category[] = {"books", NULL, "office", "books"};
    size_t recorded = 0;
    CHECK_STATUS(crm_book_record_purchases_columns(book, 4, who, at, CRM_UNIT_SECONDS, amount, "TRY",
                                                   category, NULL, &recorded),
                 CRM_OK);
    CHECK(recorded == 4);
    CHECK(crm_book_event_count(book) == 4);

    char *view = NULL;
    CHECK_STATUS(crm_book_view_json(book, 101, AS_OF, 0, 20, &view), CRM_OK);
    CHECK(contains(view, "\"external_ref\":\"C-101\""));
    CHECK(contains(view, "\"type\":\"refund\""));
    crm_string_free(view);
    view = NULL;
    CHECK_STATUS(crm_book_view_json(book, 103, AS_OF, 0, 20, &view), CRM_OK);
    CHECK(contains(view, "\"kind\":\"organisation\""));
    CHECK(contains(view, "\"category\":\"office\""));
    crm_string_free(view);

    /* Net revenue: 12500 - 2500 + 40000 + 999 = 50999. */
    char *stats = NULL;
    CHECK_STATUS(crm_book_stats_json(book, &stats), CRM_OK);
    CHECK(contains(stats, "\"net_revenue\":50999"));
    crm_string_free(stats);
    crm_book_free(book);
}

static void test_a_bad_row_adds_nothing_and_is_named(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    add_three(book);

    /* Row 1 repeats id 101, already in the book: nothing of the batch is added. */
    const uint64_t ids[] = {104, 101};
    const char *given[] = {"Elif", "Can"};
    const char *family[] = {"\xc5\x9e" "ahin", "\xc3\x96z"};
    const char *org[] = {NULL, NULL};
    const char *email[] = {NULL, NULL};
    const char *erp[] = {NULL, NULL};
    const char *const *columns[] = {given, family, org, email, erp};
    size_t added = 77;
    CHECK(crm_book_add_customers_columns(book, 2, ids, NAMES, columns, 5, &added) != CRM_OK);
    CHECK(contains(crm_last_error_message(), "customer #1"));
    CHECK(added == 77);
    CHECK(crm_book_len(book) == 3);

    /* A misspelt column name is named, with the close one. */
    const char *misspelt[] = {"given_name", "emial"};
    const char *const *two[] = {given, email};
    CHECK_STATUS(crm_book_add_customers_columns(book, 2, ids, misspelt, two, 2, NULL), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "\"emial\""));
    CHECK(contains(crm_last_error_message(), "did you mean `email`?"));

    /* A birth date that is no date: the row named, the value masked. */
    const char *birth_names[] = {"birth_date"};
    const char *births[] = {"1980-05-17", "1980-13-45"};
    const char *const *birth_columns[] = {births};
    CHECK_STATUS(crm_book_add_customers_columns(book, 2, (const uint64_t[]){104, 105}, birth_names,
                                                birth_columns, 1, NULL),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "birth_date[1]"));
    CHECK(!contains(crm_last_error_message(), "1980-13-45"));
    CHECK(crm_book_len(book) == 3);

    /* Purchases: row 2 names an unknown customer; none of the three is recorded. */
    const uint64_t who[] = {101, 102, 999};
    const int64_t at[] = {MARCH_1, MARCH_1, MARCH_1};
    const int64_t amount[] = {100, 200, 300};
    size_t recorded = 77;
    CHECK(crm_book_record_purchases_columns(book, 3, who, at, CRM_UNIT_SECONDS, amount, "TRY", NULL, NULL,
                                            &recorded) != CRM_OK);
    CHECK(contains(crm_last_error_message(), "event #2"));
    CHECK(recorded == 77);
    CHECK(crm_book_event_count(book) == 0);

    /* A bad unit and a NULL required column. */
    CHECK_STATUS(crm_book_record_purchases_columns(book, 3, who, at, 9, amount, "TRY", NULL, NULL, NULL),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "unit"));
    CHECK_STATUS(crm_book_record_purchases_columns(book, 3, who, NULL, CRM_UNIT_SECONDS, amount, "TRY", NULL,
                                                   NULL, NULL),
                 CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "at"));
    CHECK(crm_book_event_count(book) == 0);
    crm_book_free(book);
}

static void test_a_stored_book_takes_a_batch_as_one_commit(void) {
    char dir[] = "/tmp/crm-records-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        CHECK(0);
        return;
    }
    char path[96];
    snprintf(path, sizeof path, "%s/book.crm", dir);
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_open(path, "{\"currency\": \"TRY\"}", &book), CRM_OK);
    add_three(book);
    const uint64_t who[] = {101, 102};
    const int64_t at[] = {MARCH_1 * 1000000, (MARCH_1 + DAY) * 1000000};
    const int64_t amount[] = {5000, 7000};
    CHECK_STATUS(crm_book_record_purchases_columns(book, 2, who, at, CRM_UNIT_MICROSECONDS, amount, "TRY",
                                                   NULL, NULL, NULL),
                 CRM_OK);
    /* One change for the customers, one for the purchases. */
    CHECK(crm_book_cursor(book) == 2);
    CHECK_STATUS(crm_book_close(book), CRM_OK);

    crm_book_t *again = NULL;
    CHECK_STATUS(crm_book_open(path, NULL, &again), CRM_OK);
    CHECK(crm_book_len(again) == 3);
    CHECK(crm_book_event_count(again) == 2);
    CHECK_STATUS(crm_book_close(again), CRM_OK);
    unlink(path);
    rmdir(dir);
}

/* Bug 9: money totals never wrap past INT64_MAX. */
static void test_money_never_wraps(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    add_three(book);
    /* Two purchases of INT64_MAX / 2 + 1: together one past INT64_MAX. */
    const int64_t half = INT64_MAX / 2 + 1;
    const uint64_t who[] = {101, 101};
    const int64_t at[] = {MARCH_1, MARCH_1 + DAY};
    const int64_t amount[] = {half, half};
    CHECK_STATUS(crm_book_record_purchases_columns(book, 2, who, at, CRM_UNIT_SECONDS, amount, "TRY", NULL,
                                                   NULL, NULL),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "event #1"));
    CHECK(contains(crm_last_error_message(), "amount"));
    CHECK(contains(crm_last_error_message(), "9223372036854775807"));
    CHECK(crm_book_event_count(book) == 0);

    /* One purchase of INT64_MAX is fine and reads back exactly, in the view, the features
     * and the stats; any further amount is refused. */
    const int64_t max[] = {INT64_MAX};
    CHECK_STATUS(crm_book_record_purchases_columns(book, 1, who, at, CRM_UNIT_SECONDS, max, "TRY", NULL, NULL,
                                                   NULL),
                 CRM_OK);
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 102, \"at\": \"2025-03-02T10:00:00Z\", "
                                            "\"type\": \"purchase\", \"amount\": 1, \"currency\": \"TRY\"}"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "amount"));
    crm_features_t *f = NULL;
    CHECK_STATUS(crm_book_features(book, AS_OF, &f), CRM_OK);
    if (f != NULL) {
        CHECK(f->len == 3 && f->customer_id[0] == 101 && f->monetary[0] == INT64_MAX);
        CHECK(f->monetary[1] == 0);
    }
    crm_features_free(f);
    char *stats = NULL;
    CHECK_STATUS(crm_book_stats_json(book, &stats), CRM_OK);
    CHECK(contains(stats, "\"net_revenue\":9223372036854775807"));
    crm_string_free(stats);
    char *view = NULL;
    CHECK_STATUS(crm_book_view_json(book, 101, AS_OF, 0, 20, &view), CRM_OK);
    CHECK(contains(view, "9223372036854775807"));
    crm_string_free(view);
    crm_book_free(book);

    /* RFM from columns: the monetary sum of three INT64_MAX rows is 3 * INT64_MAX, not a
     * wrapped negative number. */
    const uint64_t ids[] = {1, 1, 1, 2};
    const int64_t when[] = {MARCH_1, MARCH_1 + DAY, MARCH_1 + 2 * DAY, MARCH_1};
    const int64_t big[] = {INT64_MAX, INT64_MAX, INT64_MAX, 100};
    crm_rfm_t *r = NULL;
    CHECK_STATUS(crm_rfm_from_transactions(ids, when, big, 4, CRM_UNIT_SECONDS, MARCH_1 + 9 * DAY, 5, NULL, &r),
                 CRM_OK);
    if (r != NULL) {
        CHECK(r->len == 2 && r->customer_id[0] == 1);
        CHECK(r->monetary[0] > 2.7e19 && r->monetary[0] < 2.8e19);
        CHECK(r->monetary[1] == 100.0);
    }
    crm_rfm_free(r);
}

/* Bug 9: the pyramid refuses more tiers than a uint8_t tier index numbers. (The 32-bit RFM
 * segment index past 32,767 rules is tested in crm-ffi's Rust tests: 33,000 rules take too
 * long under valgrind.) */
static void test_tier_indexes_do_not_wrap(void) {
    /* 256 tiers: one more than a uint8_t tier index can number (0..255) with room for none. */
    char tiers[256 * 40 + 64];
    size_t t = (size_t)snprintf(tiers, sizeof tiers, "{\"tiers\": [");
    for (int i = 0; i < 256; i++) {
        t += (size_t)snprintf(tiers + t, sizeof tiers - t, "%s{\"name\": \"t%d\", \"share\": %.10f}",
                              i ? "," : "", i, 1.0 / 256);
    }
    snprintf(tiers + t, sizeof tiers - t, "]}");
    const double values[] = {1.0, 2.0};
    uint8_t tier[2] = {9, 9};
    CHECK_STATUS(crm_pyramid(values, NULL, 2, tiers, tier, NULL), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "tiers"));
    CHECK(tier[0] == 9 && tier[1] == 9);
}

static void test_unknown_config_keys_are_named(void) {
    crm_calendar_t *cal = NULL;
    CHECK_STATUS(crm_calendar_from_json("{\"time_zone\": \"Europe/Istanbul\", \"holiday\": [\"2025-04-23\"]}", &cal),
                 CRM_PARSE_ERROR);
    CHECK(cal == NULL);
    CHECK(contains(crm_last_error_message(), "unknown field `holiday`"));
    CHECK(contains(crm_last_error_message(), "did you mean `holidays`?"));
    CHECK_STATUS(crm_calendar_from_json("{\"time_zone\": \"Europe/Istanbul\", \"week\": {\"mon\": [[\"09:00\", \"18:00\"]]}, "
                                        "\"holidays\": [\"2025-04-23\"]}",
                                        &cal),
                 CRM_OK);
    crm_calendar_free(cal);

    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_analyse_json(book, AS_OF, "{\"rfm\": {\"bin\": 4}}", NULL), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "did you mean `bins`?"));
    crm_book_free(book);
}

int main(void) {
    test_customers_and_purchases_from_columns();
    test_a_bad_row_adds_nothing_and_is_named();
    test_a_stored_book_takes_a_batch_as_one_commit();
    test_money_never_wraps();
    test_tier_indexes_do_not_wrap();
    test_unknown_config_keys_are_named();
    return report();
}
