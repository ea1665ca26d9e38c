/* The customer book through the C ABI: lifecycle, JSON in and out, columns, errors. */
#define _POSIX_C_SOURCE 200809L
#include "crm.h"
#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

static const char *CUSTOMERS =
    "[{\"id\": 1, \"given_name\": \"Ay\xc5\x9f" "e\", \"family_name\": \"Y\xc4\xb1lmaz\"},"
    " {\"id\": 2, \"kind\": \"organisation\", \"organisation_name\": \"Kaya G\xc4\xb1" "da A.\xc5\x9e.\"}]";

static const char *EVENTS =
    "[{\"customer_id\": 1, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"purchase\", \"amount\": 10000, \"currency\": \"TRY\"},"
    " {\"customer_id\": 1, \"at\": \"2025-03-03T10:00:00Z\", \"type\": \"purchase\", \"amount\": 25000, \"currency\": \"TRY\"},"
    " {\"customer_id\": 1, \"at\": \"2025-03-04T10:00:00Z\", \"type\": \"referral\", \"referred\": 2}]";

static void test_lifecycle_and_view(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK(book != NULL);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book, EVENTS), CRM_OK);
    CHECK(crm_book_len(book) == 2);
    CHECK(crm_book_event_count(book) == 3);

    char *stats = NULL;
    CHECK_STATUS(crm_book_stats_json(book, &stats), CRM_OK);
    CHECK(contains(stats, "\"net_revenue\":35000"));
    crm_string_free(stats);
    CHECK_STATUS(crm_book_stats_json(NULL, &stats), CRM_NULL_POINTER);

    char *view = NULL;
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-03-10T00:00:00Z", 0, 20, &view), CRM_OK);
    CHECK(contains(view, "\"net\":35000"));
    CHECK(contains(view, "\"made\":[2]"));
    crm_string_free(view);

    crm_features_t *f = NULL;
    CHECK_STATUS(crm_book_features(book, "2025-03-10T10:00:00Z", &f), CRM_OK);
    CHECK(f != NULL && f->len == 2);
    if (f != NULL && f->len == 2) {
        CHECK(f->customer_id[0] == 1 && f->customer_id[1] == 2);
        CHECK(f->frequency[0] == 2 && f->monetary[0] == 35000);
        CHECK(f->recency_days[0] == 7.0);
        CHECK(f->recency_days[1] != f->recency_days[1]); /* NaN: no purchase */
        CHECK(f->referrals[0] == 1);
    }
    crm_features_free(f);

    char *summary = NULL;
    CHECK_STATUS(crm_book_analyse_json(book, "2025-03-10T00:00:00Z", NULL, &summary), CRM_OK);
    /* The one segmentation summary: per-customer columns next to the totals, the full Pareto. */
    CHECK(contains(summary, "\"pyramid\""));
    CHECK(contains(summary, "\"customer_id\":[1,2]"));
    CHECK(contains(summary, "\"score\":[") && contains(summary, "\"tier\":[")
          && contains(summary, "\"segment\":[") && contains(summary, "\"rfm_score\":["));
    CHECK(contains(summary, "\"abc\":[\"A\""));
    CHECK(contains(summary, "\"pareto\":{\"customers\":2,") && contains(summary, "\"lorenz\":[["));
    crm_string_free(summary);
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-03-10T00:00:00Z", 0, 5, &view), CRM_OK);
    CHECK(contains(view, "\"analytics\""));
    crm_string_free(view);

    const char *path = "target/c/test_book_snapshot.json";
    CHECK_STATUS(crm_book_save(book, path), CRM_OK);
    crm_book_t *loaded = NULL;
    CHECK_STATUS(crm_book_load(path, &loaded), CRM_OK);
    CHECK(crm_book_len(loaded) == 2 && crm_book_event_count(loaded) == 3);
    crm_book_free(loaded);
    remove(path);
    crm_book_free(book);
}

static void test_errors(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new(NULL, &book), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_new("TRY", NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_new("lira", &book), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "currency"));
    CHECK(book == NULL); /* out-parameters are written only on success */
    CHECK_STATUS(crm_book_new("TR\xff", &book), CRM_INVALID_UTF8);

    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1, \"given_name\": \"X\"}"), CRM_DUPLICATE);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 5, \"given_name\": "), CRM_PARSE_ERROR);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 6, \"given_name\": \"A\", \"national_id\": \"1234567890X\"}"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "1234*******"));
    CHECK_STATUS(crm_book_record_json(book,
                 "{\"customer_id\": 99, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"purchase\", \"amount\": 1, \"currency\": \"TRY\"}"),
                 CRM_NOT_FOUND);
    CHECK(strcmp(crm_last_error_message(), "unknown customer_id 99") == 0);
    /* A batch with one bad event changes nothing. */
    CHECK_STATUS(crm_book_record_json(book,
                 "[{\"customer_id\": 1, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"purchase\", \"amount\": 1, \"currency\": \"TRY\"},"
                 " {\"customer_id\": 1, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"purchase\", \"amount\": -1, \"currency\": \"TRY\"}]"),
                 CRM_INVALID_ARGUMENT);
    CHECK(crm_book_event_count(book) == 0);
    CHECK_STATUS(crm_book_record_json(book,
                 "{\"customer_id\": 1, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"complaint_resolved\", \"complaint_id\": 3, \"root_cause\": \"billing\"}"),
                 CRM_NOT_FOUND);

    char *view = (char *)"untouched";
    CHECK_STATUS(crm_book_view_json(book, 42, "2025-03-10T00:00:00Z", 0, 20, &view), CRM_NOT_FOUND);
    CHECK(strcmp(view, "untouched") == 0);
    CHECK_STATUS(crm_book_view_json(book, 1, "yesterday", 0, 20, &view), CRM_INVALID_ARGUMENT);
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-03-10T00:00:00Z", 0, 20, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_view_json(NULL, 1, "2025-03-10T00:00:00Z", 0, 20, &view), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_record_json(NULL, "{}"), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_record_json(book, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_add_incident_json(book, "{\"id\": 1}"), CRM_PARSE_ERROR);
    CHECK_STATUS(crm_book_update_customer_json(book, "{\"id\": 77, \"given_name\": \"A\"}"), CRM_NOT_FOUND);
    CHECK_STATUS(crm_book_features(book, NULL, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_save(book, "/nonexistent-dir/book.json"), CRM_IO_ERROR);
    crm_book_t *missing = NULL;
    CHECK_STATUS(crm_book_load("target/c/no-such-snapshot.json", &missing), CRM_IO_ERROR);
    CHECK(crm_book_len(NULL) == 0);
    crm_book_free(book);

    crm_book_free(NULL);
    crm_features_free(NULL);
    crm_string_free(NULL);
}

/* A save that fails half way (a file-size limit, as on a full disk) reports the error and
   leaves the previous snapshot loadable. */
static void test_failed_save_keeps_the_old_snapshot(void) {
    const char *path = "target/c/test_book_failed_save.json";
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_OK);
    CHECK_STATUS(crm_book_save(book, path), CRM_OK);
    /* 300 more customers: the new snapshot is well over the 4 KiB limit, the old one under. */
    for (int id = 100; id < 400; id++) {
        char customer[96];
        snprintf(customer, sizeof customer, "{\"id\": %d, \"given_name\": \"Ali\"}", id);
        CHECK_STATUS(crm_book_add_customers_json(book, customer), CRM_OK);
    }
    /* Only the soft limit is lowered, so it can be raised back afterwards. */
    struct rlimit saved;
    CHECK(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    struct rlimit limit = saved;
    limit.rlim_cur = 4096;
    /* Otherwise exceeding the limit kills the process instead of failing the write. */
    void (*handler)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    crm_status_t status = crm_book_save(book, path);
    CHECK(setrlimit(RLIMIT_FSIZE, &saved) == 0);
    signal(SIGXFSZ, handler);
    CHECK(status == CRM_IO_ERROR);
    CHECK(contains(crm_last_error_message(), "could not write the snapshot: File too large"));
    crm_book_t *loaded = NULL;
    CHECK_STATUS(crm_book_load(path, &loaded), CRM_OK);
    CHECK(crm_book_len(loaded) == 2 && crm_book_event_count(loaded) == 0);
    crm_book_free(loaded);
    remove(path);
    crm_book_free(book);
}

int main(void) {
    CHECK(strlen(crm_version()) > 0);
    CHECK(crm_abi_version() == CRM_ABI_VERSION);
    test_lifecycle_and_view();
    test_errors();
    test_failed_save_keeps_the_old_snapshot();
    return report();
}
