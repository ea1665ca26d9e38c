/* The ABI's promises, checked from C: every _free accepts NULL, NULL handles and
 * out-parameters are refused naming the argument, out-parameters stay untouched on failure,
 * and the status and code numbers are the published ones. */
#include "crm.h"
#include "check.h"

static void test_every_free_accepts_null(void) {
    crm_string_free(NULL);
    crm_book_free(NULL);
    crm_features_free(NULL);
    crm_calendar_free(NULL);
    crm_clv_summary_free(NULL);
    crm_lifecycle_policy_free(NULL);
    crm_stage_facts_free(NULL);
    crm_duplicates_free(NULL);
    crm_sla_policy_free(NULL);
    crm_rfm_free(NULL);
    crm_value_model_free(NULL);
    CHECK(1);
}

static void test_null_handles_name_the_argument(void) {
    char *json = NULL;
    CHECK_STATUS(crm_book_stats_json(NULL, &json), CRM_NULL_POINTER);
    CHECK(json == NULL && contains(crm_last_error_message(), "book must not be NULL"));
    CHECK_STATUS(crm_book_add_customers_json(NULL, "[]"), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "book must not be NULL"));
    CHECK(crm_book_len(NULL) == 0);
    CHECK(crm_book_event_count(NULL) == 0);

    int64_t at = 0, out = 7;
    CHECK_STATUS(crm_calendar_end_of_next_business_day(NULL, at, &out), CRM_NULL_POINTER);
    CHECK(out == 7 && contains(crm_last_error_message(), "calendar must not be NULL"));

    double score = 0.5;
    CHECK_STATUS(crm_value_model_score(NULL, 0, NULL, NULL, 0, &score), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "model must not be NULL"));

    uint8_t stage = 0;
    CHECK_STATUS(crm_lifecycle_classify(NULL, NULL, &stage), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "policy must not be NULL"));

    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_evaluate_sla_json(book, NULL, "2025-01-01T00:00:00Z", true, &json), CRM_NULL_POINTER);
    CHECK(json == NULL && contains(crm_last_error_message(), "policy must not be NULL"));
    CHECK_STATUS(crm_book_churn_reasons_json(book, NULL, "2025-01-01T00:00:00Z", &json), CRM_NULL_POINTER);
    CHECK_STATUS(crm_book_new("TRY", NULL), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "out must not be NULL"));
    /* Detaching policies is what NULL means there, not an error. */
    CHECK_STATUS(crm_book_set_sla_policy(book, NULL), CRM_OK);
    CHECK_STATUS(crm_book_set_lifecycle_policy(book, NULL), CRM_OK);
    crm_book_free(book);
}

static void test_out_arrays(void) {
    const double values[3] = {5.0, 3.0, 2.0};
    uint8_t classes[3] = {9, 9, 9};
    CHECK_STATUS(crm_abc(values, 3, 0.5, 0.8, NULL), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "out_class must not be NULL"));
    /* The share of value before each customer is 0, 0.5 and 0.8 of 10: A, B, C. */
    CHECK_STATUS(crm_abc(values, 3, 0.5, 0.8, classes), CRM_OK);
    CHECK(classes[0] == CRM_ABC_A && classes[1] == CRM_ABC_B && classes[2] == CRM_ABC_C);
    /* A failed call leaves the out-array as it was. */
    uint8_t untouched[3] = {9, 9, 9};
    CHECK_STATUS(crm_abc(values, 3, 0.9, 0.5, untouched), CRM_INVALID_ARGUMENT);
    CHECK(untouched[0] == 9 && untouched[1] == 9 && untouched[2] == 9);
}

static void test_published_numbers(void) {
    CHECK(CRM_OK == 0 && CRM_INVALID_ARGUMENT == 1 && CRM_NOT_FOUND == 2 && CRM_DUPLICATE == 3);
    CHECK(CRM_CONFLICT == 4 && CRM_PARSE_ERROR == 5 && CRM_UNSUPPORTED_VERSION == 6);
    CHECK(CRM_IO_ERROR == 7 && CRM_NULL_POINTER == 8 && CRM_INVALID_UTF8 == 9);
    CHECK(CRM_PANIC == 10 && CRM_POISONED == 11);
    CHECK(CRM_STAGE_PROSPECT == 0 && CRM_STAGE_NEW == 1 && CRM_STAGE_ACTIVE == 2);
    CHECK(CRM_STAGE_LOYAL == 3 && CRM_STAGE_AT_RISK == 4 && CRM_STAGE_CHURNED == 5);
    CHECK(CRM_STAGE_REACTIVATED == 6);
    CHECK(CRM_ABC_A == 0 && CRM_ABC_B == 1 && CRM_ABC_C == 2);
    CHECK(CRM_UNIT_SECONDS == 0 && CRM_UNIT_MILLISECONDS == 1 && CRM_UNIT_MICROSECONDS == 2);
    CHECK(CRM_UNIT_NANOSECONDS == 3 && CRM_CLV_DAYS == 0 && CRM_CLV_WEEKS == 1);
}

int main(void) {
    test_every_free_accepts_null();
    test_null_handles_name_the_argument();
    test_out_arrays();
    test_published_numbers();
    return report();
}
