/* Campaigns through the C ABI: the control-group plan (crm_book_plan_campaign_json) recorded
 * back into the book, and the report with its uplift (crm_book_campaign_report_json). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"

int main(void) {
    crm_book_t *book = NULL;
    char buf[512];
    char *out = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    for (unsigned id = 1; id <= 4; id++) {
        snprintf(buf, sizeof buf, "{\"id\": %u, \"given_name\": \"Ad\", \"family_name\": \"Soyad\"}", id);
        CHECK_STATUS(crm_book_add_customers_json(book, buf), CRM_OK);
    }
    /* Seed 0, "bahar-25": customer 1 draws 0.6226 (targeted), 2 draws 0.2511 (held out at
     * share 0.3), worked out in Python. */
    const uint64_t ids[] = {1, 2};
    const char *plan = "{\"campaign_id\": \"bahar-25\", \"at\": \"2025-03-01T09:00:00Z\", "
                       "\"holdout_share\": 0.3, \"cost_per_send\": 40, \"channel\": \"email\"}";
    CHECK_STATUS(crm_book_plan_campaign_json(book, ids, 2, plan, &out), CRM_OK);
    CHECK(contains(out, "\"customer_id\":1,\"at\":\"2025-03-01T09:00:00Z\",\"type\":\"campaign\","
                        "\"campaign_id\":\"bahar-25\",\"step\":\"targeted\",\"channel\":\"email\",\"cost\":40"));
    CHECK(contains(out, "\"customer_id\":2,\"at\":\"2025-03-01T09:00:00Z\",\"type\":\"campaign\","
                        "\"campaign_id\":\"bahar-25\",\"step\":\"held_out\""));
    CHECK_STATUS(crm_book_record_json(book, out), CRM_OK);
    crm_string_free(out);
    out = NULL;
    /* Customer 1 buys 5000 in the window, customer 2 nothing. */
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": 1, \"at\": \"2025-03-05T10:00:00Z\", \"type\": \"purchase\", "
        "\"amount\": 5000, \"currency\": \"TRY\"}"), CRM_OK);
    const char *options = "{\"at\": \"2025-04-15T00:00:00Z\", \"by\": [\"region\"]}";
    CHECK_STATUS(crm_book_campaign_report_json(book, "bahar-25", options, &out), CRM_OK);
    /* 1/1 vs 0/1: difference 1, (5000 − 0) × 1 − 40 cost → ROI (5000 − 40)/40 = 124. */
    CHECK(contains(out, "\"conversion_uplift\":{\"difference\":1.0,"));
    CHECK(contains(out, "\"incremental_revenue\":5000.0,\"cost\":40,\"roi\":124.0"));
    CHECK(contains(out, "\"by\":\"region\",\"groups\":[{\"key\":\"-\""));
    crm_string_free(out);
    out = NULL;
    /* Bad input: the field named, nothing written. */
    CHECK_STATUS(crm_book_campaign_report_json(book, "nope", options, &out), CRM_NOT_FOUND);
    CHECK(out == NULL && contains(crm_last_error_message(), "campaign_id"));
    CHECK_STATUS(crm_book_campaign_report_json(book, "bahar-25",
        "{\"at\": \"2025-04-15T00:00:00Z\", \"window_days\": 0}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "window_days"));
    CHECK_STATUS(crm_book_plan_campaign_json(book, ids, 2,
        "{\"campaign_id\": \"x\", \"at\": \"2025-03-01T09:00:00Z\", \"holdout_share\": 0.9}", &out),
        CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "holdout_share"));
    const uint64_t unknown[] = {99};
    CHECK_STATUS(crm_book_plan_campaign_json(book, unknown, 1, plan, &out), CRM_NOT_FOUND);
    CHECK(out == NULL && contains(crm_last_error_message(), "customer_id"));
    CHECK_STATUS(crm_book_plan_campaign_json(book, NULL, 1, plan, &out), CRM_NULL_POINTER);
    crm_book_free(book);
    return report();
}
