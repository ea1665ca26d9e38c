/* The retention worklist through the C ABI (crm_book_worklist_json) on the hand-worked book
 * shared with crm-core's book::activity_tests and crm-py's tests/test_worklist.py. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"

static const char *EVENTS =
    "["
    "{\"customer_id\": 1, \"at\": \"2025-03-01T08:00:00Z\", \"type\": \"purchase\", \"amount\": 10000, \"currency\": \"TRY\"},"
    "{\"customer_id\": 2, \"at\": \"2025-03-01T08:00:00Z\", \"type\": \"purchase\", \"amount\": 20000, \"currency\": \"TRY\"},"
    "{\"customer_id\": 1, \"at\": \"2025-03-01T09:00:00Z\", \"type\": \"interaction\", \"channel\": \"phone\", \"direction\": \"outbound\"},"
    "{\"customer_id\": 1, \"at\": \"2025-03-02T09:00:00Z\", \"type\": \"interaction\", \"channel\": \"phone\", \"direction\": \"inbound\"},"
    "{\"customer_id\": 1, \"at\": \"2025-03-03T09:00:00Z\", \"type\": \"interaction\", \"channel\": \"phone\", \"direction\": \"inbound\"},"
    "{\"customer_id\": 1, \"at\": \"2025-03-03T09:00:00Z\", \"type\": \"activity_scheduled\", \"activity_id\": \"A-1\", "
    "\"activity\": \"call\", \"owner\": \"zeynep\", \"due\": \"2025-03-04T12:00:00Z\"},"
    "{\"customer_id\": 2, \"at\": \"2025-03-04T09:00:00Z\", \"type\": \"campaign\", \"campaign_id\": \"bahar\", \"step\": \"sent\", \"channel\": \"email\"},"
    "{\"customer_id\": 2, \"at\": \"2025-03-05T09:00:00Z\", \"type\": \"interaction\", \"channel\": \"phone\", \"direction\": \"inbound\"}"
    "]";

static const char *OPTIONS =
    "{\"at\": \"2025-03-05T10:00:00Z\", \"use_clv\": false, "
    "\"lifecycle\": {\"neglect\": {\"after_days\": 2, \"min_score\": 0}}}";

int main(void) {
    crm_book_t *book = NULL;
    char buf[256];
    char *out = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    for (unsigned id = 1; id <= 3; id++) {
        snprintf(buf, sizeof buf, "{\"id\": %u, \"given_name\": \"Ad\", \"family_name\": \"Soyad\"}", id);
        CHECK_STATUS(crm_book_add_customers_json(book, buf), CRM_OK);
    }
    CHECK_STATUS(crm_book_record_json(book, EVENTS), CRM_OK);
    CHECK_STATUS(crm_book_worklist_json(book, OPTIONS, &out), CRM_OK);
    /* Both are New (first purchase 4 days ago): 10% of net revenue at risk.
     * 1: 1000 x (1 + (4.0417 - 2)/2 + 0.5 x 2 unanswered + 0.25 x 1 overdue) = 3270.83;
     * 2: 2000 x (1 + 0.5 x 1 unanswered) = 3000; 3: a prospect, left out. */
    CHECK(contains(out, "\"limit\":200,\"candidates\":2,\"rows\":[{\"customer_id\":1,\"priority\":3270.83"));
    CHECK(contains(out, "{\"customer_id\":2,\"priority\":3000.0,\"value_at_risk\":2000.0,\"neglect_factor\":1.5,"
                        "\"neglected\":false,"));
    CHECK(contains(out, "\"action\":\"return_contact\",\"next_action\":\"return the customer's unanswered contact\","
                        "\"due\":\"2025-03-05T12:00:00Z\""));
    CHECK(contains(out, "value at risk 1000 = 10% of net revenue 10000 (new stage, no CLV prediction)"));
    crm_string_free(out);
    out = NULL;
    /* A limit of one keeps customer 1. */
    CHECK_STATUS(crm_book_worklist_json(book,
        "{\"at\": \"2025-03-05T10:00:00Z\", \"use_clv\": false, \"limit\": 1, "
        "\"lifecycle\": {\"neglect\": {\"after_days\": 2, \"min_score\": 0}}}", &out), CRM_OK);
    CHECK(contains(out, "\"limit\":1,") && !contains(out, "\"customer_id\":2"));
    crm_string_free(out);
    out = NULL;
    /* Finishing an unknown activity is refused naming activity_id; nothing recorded. */
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": 1, \"at\": \"2025-03-05T10:00:00Z\", \"type\": \"activity_done\", \"activity_id\": \"A-9\"}"),
        CRM_CONFLICT);
    CHECK(contains(crm_last_error_message(), "activity_id"));
    /* Bad options: the field named, nothing written. */
    CHECK_STATUS(crm_book_worklist_json(book, "{\"at\": \"2025-03-05T10:00:00Z\", \"limit\": 0}", &out),
        CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "limit"));
    CHECK_STATUS(crm_book_worklist_json(book,
        "{\"at\": \"2025-03-05T10:00:00Z\", \"capacity\": {\"agents\": 0}}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "capacity.agents"));
    CHECK_STATUS(crm_book_worklist_json(NULL, OPTIONS, &out), CRM_NULL_POINTER);
    crm_book_free(book);
    return report();
}
