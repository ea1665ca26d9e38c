/* Lifecycle stages and complaint SLAs through the C ABI, against figures worked out by hand. */
#include <math.h>
#include "crm.h"
#include "check.h"

static const char *POLICY =
    "{\"name\": \"istanbul\", \"calendar\": {\"time_zone\": \"Europe/Istanbul\", \"week\": {"
    "\"mon\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]], \"tue\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]],"
    "\"wed\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]], \"thu\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]],"
    "\"fri\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]]}},"
    "\"targets\": {\"high\": {\"first_response\": 60, \"resolution\": 240}}}";

int main(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1, \"given_name\": \"Elif\", \"acquired_at\": \"2025-01-01T00:00:00Z\"}"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"purchase\", \"amount\": 10000, \"currency\": \"TRY\"}"), CRM_OK);
    /* Friday 7 March 2025 17:30 Istanbul = 14:30Z, high priority. */
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 1, \"at\": \"2025-03-07T14:30:00Z\", \"type\": \"complaint_opened\", \"complaint_id\": 7, \"priority\": \"high\"}"), CRM_OK);

    crm_sla_policy_t *sla = NULL;
    CHECK_STATUS(crm_sla_policy_from_json(POLICY, &sla), CRM_OK);
    char *json = NULL;
    /* Resolution: 30 minutes on Friday + 210 on Monday 09:00-12:30 -> Monday 12:30 = 09:30Z.
     * First response (60): 30 + 30 -> Monday 09:30 = 06:30Z, breached by 07:00Z. */
    CHECK_STATUS(crm_book_evaluate_sla_json(book, sla, "2025-03-10T07:00:00Z", true, &json), CRM_OK);
    CHECK(contains(json, "\"due_at\":\"2025-03-10T09:30:00Z\""));
    CHECK(contains(json, "\"breached_at\":\"2025-03-10T06:30:00Z\""));
    crm_string_free(json);
    json = NULL;
    CHECK_STATUS(crm_sla_report_json(book, sla, "2025-03-10T07:00:00Z", "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z",
                                     "priority", NULL, 100.0, &json), CRM_OK);
    CHECK(contains(json, "\"group\":\"high\""));
    CHECK(contains(json, "\"breached\":1"));
    crm_string_free(json);
    json = NULL;
    CHECK_STATUS(crm_sla_report_json(book, sla, "2025-03-10T07:00:00Z", "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z",
                                     "colour", NULL, 100.0, &json), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "colour"));
    CHECK_STATUS(crm_book_set_sla_policy(book, sla), CRM_OK);
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-03-10T07:00:00Z", 0, 5, &json), CRM_OK);
    CHECK(contains(json, "\"sla\":{"));
    crm_string_free(json);
    json = NULL;

    crm_sla_policy_t *bad = NULL;
    CHECK_STATUS(crm_sla_policy_from_json("{\"name\": \"x\", \"targets\": {\"high\": {\"resolution\": 0}}}", &bad), CRM_INVALID_ARGUMENT);
    CHECK(bad == NULL);
    CHECK(contains(crm_last_error_message(), "policies[0].targets.high.resolution"));
    /* A type error names the same full path as the range error above. */
    CHECK_STATUS(crm_sla_policy_from_json("{\"name\": \"x\", \"targets\": {\"high\": {\"resolution\": \"soon\"}}}", &bad), CRM_INVALID_ARGUMENT);
    CHECK(bad == NULL);
    CHECK(contains(crm_last_error_message(), "policies[0].targets.high.resolution"));

    crm_lifecycle_policy_t *life = NULL;
    CHECK_STATUS(crm_lifecycle_policy_from_json("{}", &life), CRM_OK);
    /* Columns: a prospect; one purchase 5 days ago (new); 3 purchases over 400 days, all
     * recent (loyal); one purchase 120 days ago, never grown (at risk). */
    uint32_t purchases[] = {0, 1, 3, 1};
    double first[] = {NAN, 5, 400, 120}, last[] = {NAN, 5, 10, 120}, gap[] = {NAN, NAN, 20, NAN};
    uint32_t categories[] = {0, 1, 1, 1}, recent[] = {0, 1, 3, 0};
    uint8_t zero[] = {0, 0, 0, 0};
    crm_stage_columns_t cols = {4, purchases, first, last, gap, categories, zero, recent, zero, zero, zero};
    uint8_t stages[4] = {9, 9, 9, 9};
    CHECK_STATUS(crm_lifecycle_classify(life, &cols, stages), CRM_OK);
    CHECK(stages[0] == CRM_STAGE_PROSPECT && stages[1] == CRM_STAGE_NEW && stages[2] == CRM_STAGE_LOYAL &&
          stages[3] == CRM_STAGE_AT_RISK);
    cols.upsold = NULL;
    CHECK_STATUS(crm_lifecycle_classify(life, &cols, stages), CRM_NULL_POINTER);

    /* The book's customer bought once on 5 January: New on 10 February. */
    uint64_t ids[1] = {0};
    size_t n = 0;
    CHECK_STATUS(crm_book_stages(book, life, "2025-02-10T00:00:00Z", ids, stages, 1, &n), CRM_OK);
    CHECK(n == 1 && ids[0] == 1 && stages[0] == CRM_STAGE_NEW);
    CHECK_STATUS(crm_book_stages(book, life, "2025-02-10T00:00:00Z", ids, stages, 0, &n), CRM_INVALID_ARGUMENT);
    /* As of 10 March 07:00Z the complaint has breached its SLA (first response at 06:30Z):
     * with the SLA policy attached, the customer is at risk from then. */
    CHECK_STATUS(crm_book_stage_history_json(book, life, 1, "2025-03-10T07:00:00Z", &json), CRM_OK);
    CHECK(contains(json, "{\"stage\":\"at_risk\",\"from\":\"2025-03-10T06:30:00Z\",\"to\":null}"));
    crm_string_free(json);
    json = NULL;
    /* Two functions, two documents: the funnel report never carries churn reasons and the
     * churn-reason report never carries the funnel. */
    CHECK_STATUS(crm_book_lifecycle_report_json(book, life, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z", &json), CRM_OK);
    CHECK(contains(json, "\"funnel\""));
    CHECK(!contains(json, "\"churned\":1"));
    crm_string_free(json);
    json = NULL;
    CHECK_STATUS(crm_book_churn_reasons_json(book, life, "2026-06-01T00:00:00Z", &json), CRM_OK);
    CHECK(contains(json, "\"churned\":1"));
    CHECK(!contains(json, "\"funnel\""));
    crm_string_free(json);
    json = NULL;
    CHECK_STATUS(crm_book_churn_reasons_json(book, life, "not a date", &json), CRM_INVALID_ARGUMENT);
    CHECK(json == NULL && contains(crm_last_error_message(), "as_of"));
    CHECK_STATUS(crm_book_lifecycle_report_json(book, NULL, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z", &json), CRM_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "policy must not be NULL"));
    /* Exported facts classify like the book: one purchase 36 days before -> New. */
    crm_stage_facts_t *facts = NULL;
    CHECK_STATUS(crm_book_stage_facts(book, life, "2025-02-10T00:00:00Z", &facts), CRM_OK);
    CHECK(facts != NULL && facts->columns.len == 1 && facts->customer_id[0] == 1);
    CHECK(facts->columns.purchases[0] == 1 && fabs(facts->columns.days_since_last[0] - (36.0 - 10.0 / 24)) < 1e-9);
    CHECK_STATUS(crm_lifecycle_classify(life, &facts->columns, stages), CRM_OK);
    CHECK(stages[0] == CRM_STAGE_NEW);
    crm_stage_facts_free(facts);
    CHECK_STATUS(crm_book_set_lifecycle_policy(book, life), CRM_OK);
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-02-10T00:00:00Z", 0, 5, &json), CRM_OK);
    CHECK(contains(json, "\"next_action\":\"welcome and onboard\""));
    crm_string_free(json);
    CHECK_STATUS(crm_book_set_lifecycle_policy(book, NULL), CRM_OK);
    CHECK_STATUS(crm_book_set_sla_policy(book, NULL), CRM_OK);

    crm_lifecycle_policy_free(life);
    crm_sla_policy_free(sla);
    crm_book_free(book);
    return report();
}
