/* Instants through the C ABI: every ISO form in record JSON and as_of, a bare date as the end
 * of a period is the end of that day, and CLV purchase days in a time zone. */
#include <math.h>
#include <stdlib.h>
#include "crm.h"
#include "check.h"

int main(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "[{\"id\": 1, \"given_name\": \"Ada\"}]"), CRM_OK);
    /* A compact date, a bare date, a naive date-time and one with a space: all accepted. */
    const char *events[] = {
        "{\"customer_id\": 1, \"at\": \"20111201\", \"type\": \"purchase\", \"amount\": 100, \"currency\": \"TRY\"}",
        "{\"customer_id\": 1, \"at\": \"2011-12-09\", \"type\": \"purchase\", \"amount\": 200, \"currency\": \"TRY\"}",
        "{\"customer_id\": 1, \"at\": \"2011-12-09T10:00:00\", \"type\": \"purchase\", \"amount\": 300, \"currency\": \"TRY\"}",
        "{\"customer_id\": 1, \"at\": \"2011-12-09 12:50:00+00:00\", \"type\": \"purchase\", \"amount\": 400, \"currency\": \"TRY\"}",
    };
    for (size_t i = 0; i < 4; i++) {
        CHECK_STATUS(crm_book_record_json(book, events[i]), CRM_OK);
    }
    CHECK(crm_book_event_count(book) == 4);
    /* An impossible date is refused, naming `at`; the book is unchanged. */
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 1, \"at\": \"2011-02-30\", \"type\": \"purchase\", \"amount\": 1, \"currency\": \"TRY\"}"),
                 CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "invalid at"));
    CHECK(crm_book_event_count(book) == 4);

    /* as_of "2011-12-09" is the end of that day: all four purchases, the last at 12:50, so
     * recency = 11 h 10 min = 0.465277... days. As midnight it would keep two. */
    crm_features_t *f = NULL;
    CHECK_STATUS(crm_book_features(book, "2011-12-09", &f), CRM_OK);
    CHECK(f != NULL && f->len == 1);
    if (f != NULL && f->len == 1) {
        CHECK(f->frequency[0] == 4 && f->monetary[0] == 1000);
        CHECK(fabs(f->recency_days[0] - (86400.0 - 1e-9 - (12 * 3600 + 50 * 60)) / 86400.0) < 1e-9);
    }
    crm_features_free(f);
    CHECK_STATUS(crm_book_features(book, "2011-12-09T00:00:00Z", &f), CRM_OK);
    CHECK(f != NULL && f->len == 1 && f->frequency[0] == 2);
    crm_features_free(f);
    CHECK_STATUS(crm_book_features(book, "09/12/2011", &f), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "as_of") && contains(crm_last_error_message(), "not an instant"));
    crm_book_free(book);

    /* Purchase days in Los Angeles (PST, UTC-8): 2024-01-10 17:00Z and 2024-01-11 05:00Z are
     * both on the 10th there (two UTC days); as of 2024-01-20 00:00Z. */
    uint64_t ids[] = {1, 1};
    int64_t ts[] = {1704906000, 1704949200};
    double amount[] = {10, 20};
    crm_clv_summary_t *s = NULL;
    CHECK_STATUS(crm_clv_summary_in_zone(ids, ts, CRM_UNIT_SECONDS, amount, 2, 1705708800, CRM_CLV_DAYS,
                                         "America/Los_Angeles", &s), CRM_OK);
    CHECK(s != NULL && s->len == 1);
    /* First LA day the 10th, end day the 19th (16:00 on the 19th in LA): T = 9. */
    CHECK(s != NULL && s->frequency[0] == 0 && s->monetary_value[0] == 0 && s->t[0] == 9);
    crm_clv_summary_free(s);
    CHECK_STATUS(crm_clv_summary_in_zone(ids, ts, CRM_UNIT_SECONDS, amount, 2, 1705708800, CRM_CLV_DAYS, NULL, &s),
                 CRM_OK);
    CHECK(s != NULL && s->len == 1 && s->frequency[0] == 1 && s->monetary_value[0] == 20 && s->t[0] == 10);
    crm_clv_summary_free(s);
    s = NULL;
    CHECK_STATUS(crm_clv_summary_in_zone(ids, ts, CRM_UNIT_SECONDS, amount, 2, 1705708800, CRM_CLV_DAYS,
                                         "America/Los Angeles", &s), CRM_INVALID_ARGUMENT);
    CHECK(s == NULL && contains(crm_last_error_message(), "invalid tz"));
    return report();
}
