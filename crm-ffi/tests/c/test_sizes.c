/* Issue 14, "keep it so": event and incident JSON refuses an unknown field from C (naming it,
 * with the close name) and changes nothing; counts a C caller passes (n_columns, array
 * lengths) are bounded before anything is allocated or read. */
#include <stdint.h>

#include "crm.h"
#include "check.h"

static const char *CUSTOMER = "{\"id\": 1, \"given_name\": \"Ay\xc5\x9f" "e\", \"family_name\": \"Y\xc4\xb1lmaz\"}";

static void test_unknown_event_and_incident_fields(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMER), CRM_OK);

    /* `amout` for `amount`: a parse error naming the field with the suggestion. */
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": 1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"purchase\","
        " \"amout\": 2500, \"currency\": \"TRY\"}"), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "unknown field `amout`"));
    CHECK(contains(crm_last_error_message(), "(did you mean `amount`?)"));
    CHECK(crm_book_event_count(book) == 0);

    /* In an array, all or nothing: the good first event is not recorded either. */
    CHECK_STATUS(crm_book_record_json(book,
        "[{\"customer_id\": 1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"purchase\","
        " \"amount\": 2500, \"currency\": \"TRY\"},"
        " {\"customer_id\": 1, \"at\": \"2025-01-06T10:00:00Z\", \"type\": \"purchase\","
        " \"amount\": 100, \"currency\": \"TRY\", \"categroy\": \"books\"}]"), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "unknown field `categroy`"));
    CHECK(contains(crm_last_error_message(), "(did you mean `category`?)"));
    CHECK(crm_book_event_count(book) == 0);

    /* A field of another kind of event: refused and named, no close name to offer. */
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": 1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"referral\","
        " \"referred\": 2, \"complaint_id\": 3}"), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "unknown field `complaint_id`"));
    CHECK(!contains(crm_last_error_message(), "did you mean"));

    /* Incidents: `ends` for `end`. */
    CHECK_STATUS(crm_book_add_incident_json(book,
        "{\"id\": 3, \"kind\": \"channel_outage\", \"start\": \"2025-03-01T15:00:00Z\","
        " \"description\": \"x\", \"ends\": \"2025-03-01T16:00:00Z\"}"), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "unknown field `ends`"));
    CHECK(contains(crm_last_error_message(), "(did you mean `end`?)"));

    /* The correct spellings go through. */
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": 1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"purchase\","
        " \"amount\": 2500, \"currency\": \"TRY\", \"category\": \"books\"}"), CRM_OK);
    CHECK(crm_book_event_count(book) == 1);
    CHECK_STATUS(crm_book_add_incident_json(book,
        "{\"id\": 3, \"kind\": \"channel_outage\", \"start\": \"2025-03-01T15:00:00Z\","
        " \"description\": \"x\", \"end\": \"2025-03-01T16:00:00Z\"}"), CRM_OK);
    crm_book_free(book);
}

static void test_column_counts_are_bounded(void) {
    crm_value_model_t *model = NULL;
    CHECK_STATUS(crm_value_model_from_json("{\"keys\": [{\"key\": \"monetary\", \"weight\": 1}]}", &model), CRM_OK);
    const char *names[] = {"monetary"};
    const double monetary[] = {10.0, 30.0};
    const double *columns[] = {monetary};
    double scores[2] = {-1.0, -1.0};
    /* n_columns past 1,024 is refused before the arrays are read (they hold one column). */
    CHECK_STATUS(crm_value_model_score(model, 2, names, columns, 1025, scores), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid n_columns 1025: must be at most 1024"));
    CHECK(scores[0] == -1.0 && scores[1] == -1.0);
    /* A row count whose bytes pass PTRDIFF_MAX is no array: refused naming the output. */
    CHECK_STATUS(crm_value_model_score(model, SIZE_MAX / 4, names, columns, 1, scores), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid out_scores"));
    CHECK(contains(crm_last_error_message(), "must be at most 1152921504606846975"));
    /* Two customers, monetary 10 and 30: percentile ranks 0 and 100. */
    CHECK_STATUS(crm_value_model_score(model, 2, names, columns, 1, scores), CRM_OK);
    CHECK(scores[0] == 0.0 && scores[1] == 100.0);
    crm_value_model_free(model);

    const char *const city[] = {"\xc4\xb0zmir", "\xc4\xb0zmir"};
    const char *const *text_columns[] = {city};
    const char *text_names[] = {"city"};
    crm_duplicates_t *dups = NULL;
    CHECK_STATUS(crm_quality_find_duplicates_columns(text_names, text_columns, 65, 2, NULL, &dups), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid n_columns 65: must be at most 64"));
    CHECK(dups == NULL);
    CHECK_STATUS(crm_quality_find_duplicates_columns(text_names, text_columns, 1, 2, NULL, &dups), CRM_OK);
    CHECK(dups != NULL && dups->records == 2);
    crm_duplicates_free(dups);
}

static void test_array_lengths_are_bounded(void) {
    const double values[] = {1.0, 2.0};
    double share = -1.0;
    /* SIZE_MAX doubles is no array: refused naming it, never read. */
    CHECK_STATUS(crm_top_share(values, SIZE_MAX, 0.2, &share), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "must be at most 1152921504606846975"));
    CHECK(share == -1.0);
    /* A misaligned array of doubles is refused too (reading it would be undefined). */
    unsigned char bytes[3 * sizeof(double)] = {0};
    const double *odd = (const double *)(void *)(bytes + 1);
    CHECK_STATUS(crm_top_share(odd, 2, 0.5, &share), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "is not aligned to 8 bytes"));
    CHECK_STATUS(crm_top_share(values, 2, 0.5, &share), CRM_OK);
    CHECK(share > 0.66 && share < 0.67); /* the top half (one of two) holds 2 of 3 */
}

int main(void) {
    test_unknown_event_and_incident_fields();
    test_column_counts_are_bounded();
    test_array_lengths_are_bounded();
    return report();
}
