/* Customer lifetime value through the C ABI. */
#include <math.h>
#include <stdlib.h>
#include "crm.h"
#include "check.h"

int main(void) {
    /* Customer 1 buys on 1 Jan, 15 Jan (twice that day) and 1 Mar 1997; customer 2 on 1 Feb.
     * As of 1 Apr 1997 in weeks: customer 1 has 2 repeat days, recency 59 / 7, T 90 / 7 and
     * mean repeat value (20 + 5 + 30) / 2 = 27.5; customer 2 has T 59 / 7. */
    uint64_t ids[] = {1, 1, 1, 1, 2};
    int64_t ts[] = {852076800, 853286400, 853290000, 857174400, 854755200};
    double amount[] = {10, 20, 5, 30, 5};
    crm_clv_summary_t *s = NULL;
    CHECK_STATUS(crm_clv_summary(ids, ts, CRM_UNIT_SECONDS, amount, 5, 859852800, CRM_CLV_WEEKS, &s), CRM_OK);
    CHECK(s != NULL && s->len == 2);
    CHECK(s->customer_id[0] == 1 && s->frequency[0] == 2 && fabs(s->recency[0] - 59.0 / 7) < 1e-12);
    CHECK(fabs(s->t[0] - 90.0 / 7) < 1e-12 && fabs(s->monetary_value[0] - 27.5) < 1e-12);
    CHECK(s->frequency[1] == 0 && fabs(s->t[1] - 59.0 / 7) < 1e-12);
    crm_clv_summary_free(s);
    CHECK_STATUS(crm_clv_summary(ids, ts, 9, amount, 5, 0, CRM_CLV_WEEKS, &s), CRM_INVALID_ARGUMENT);

    /* Purchase days in a zone (issue 16, bug 6): 2024-07-04T23:00Z and 2024-07-05T02:00Z are
     * 16:00 and 19:00 on 4 July in Los Angeles (PDT, UTC-7): one LA day, two UTC days. As of
     * 2024-07-11T12:00Z (the 11th in both zones), in days, by hand: UTC frequency 1, recency 1,
     * T 7, repeat value 4; LA frequency 0, recency 0, T 7. */
    uint64_t one[] = {1, 1};
    int64_t evening[] = {1720134000, 1720144800};
    double paid[] = {1, 4};
    CHECK_STATUS(crm_clv_summary_in_zone(one, evening, CRM_UNIT_SECONDS, paid, 2, 1720699200, CRM_CLV_DAYS, NULL, &s), CRM_OK);
    CHECK(s->len == 1 && s->frequency[0] == 1 && s->recency[0] == 1 && s->t[0] == 7 && s->monetary_value[0] == 4);
    crm_clv_summary_free(s);
    CHECK_STATUS(crm_clv_summary_in_zone(one, evening, CRM_UNIT_SECONDS, paid, 2, 1720699200, CRM_CLV_DAYS,
                                         "America/Los_Angeles", &s), CRM_OK);
    CHECK(s->len == 1 && s->frequency[0] == 0 && s->recency[0] == 0 && s->t[0] == 7 && s->monetary_value[0] == 0);
    crm_clv_summary_free(s);

    /* A small summary fits; predictions behave. */
    double x[] = {0, 2, 5, 1, 3, 0, 1, 4};
    double tx[] = {0, 20, 30, 3, 25, 0, 10, 35};
    double t[] = {39, 39, 39, 39, 39, 30, 20, 38};
    double m[] = {0, 25, 30, 12, 18, 0, 9, 40};
    crm_beta_geo_t bg;
    char *json = NULL;
    CHECK_STATUS(crm_clv_fit_beta_geo(x, tx, t, 8, NULL, &bg, &json), CRM_OK);
    CHECK(bg.r > 0 && bg.alpha > 0 && bg.a > 0 && bg.b > 0);
    CHECK(contains(json, "\"log_likelihood\""));
    crm_string_free(json);
    crm_gamma_gamma_t gg;
    CHECK_STATUS(crm_clv_fit_gamma_gamma(x, m, 8, "{\"standard_errors\": false}", &gg, NULL), CRM_OK);
    CHECK(gg.p > 0 && gg.q > 0 && gg.v > 0);
    double alive[8], clv[8];
    CHECK_STATUS(crm_clv_beta_geo_predict(&bg, 0.0, x, tx, t, 8, alive), CRM_OK);
    CHECK(alive[0] == 1.0 && alive[2] > alive[3]);
    /* A NaN or negative horizon is refused (a NaN used to give P(alive)); nothing is written. */
    double next[8] = {-7, -7, -7, -7, -7, -7, -7, -7};
    CHECK_STATUS(crm_clv_beta_geo_predict(&bg, NAN, x, tx, t, 8, next), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "horizon"));
    CHECK_STATUS(crm_clv_beta_geo_predict(&bg, -1.0, x, tx, t, 8, next), CRM_INVALID_ARGUMENT);
    CHECK(next[0] == -7 && next[7] == -7);
    CHECK_STATUS(crm_clv_beta_geo_predict(&bg, 10.0, x, tx, t, 8, next), CRM_OK);
    CHECK(next[2] > 0 && next[2] > next[3]);
    CHECK_STATUS(crm_clv_lifetime_value(&bg, &gg, x, tx, t, m, 8, CRM_CLV_WEEKS, 12, 0.01, clv), CRM_OK);
    CHECK(clv[2] > clv[3] && clv[0] >= 0);
    double spend[8], fresh = -1;
    CHECK_STATUS(crm_clv_expected_spend(&gg, x, m, 8, spend), CRM_OK);
    /* E[M | x, m] = p (v + x m) / (p x + q - 1), by hand for customer 2 (x = 2, m = 25). */
    CHECK(fabs(spend[1] - gg.p * (gg.v + 2 * 25.0) / (gg.p * 2 + gg.q - 1)) < 1e-9);
    CHECK_STATUS(crm_clv_expected_purchases_new(&bg, 0.0, &fresh), CRM_OK);
    CHECK(fresh == 0.0);
    CHECK_STATUS(crm_clv_expected_purchases_new(&bg, -1.0, &fresh), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "horizon") && !contains(crm_last_error_message(), "horizon["));

    double bad[] = {1, 2.5}, bad_tx[] = {3, 4}, bad_t[] = {10, 10};
    CHECK_STATUS(crm_clv_fit_beta_geo(bad, bad_tx, bad_t, 2, NULL, &bg, NULL), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "frequency[1]"));
    CHECK_STATUS(crm_clv_fit_beta_geo(x, tx, t, 8, NULL, NULL, NULL), CRM_NULL_POINTER);

    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "[{\"id\": 1, \"given_name\": \"Ali\"}, {\"id\": 2, \"given_name\": \"Ece\"}, {\"id\": 3, \"given_name\": \"Can\"}]"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book,
        "[{\"customer_id\": 1, \"at\": \"2025-01-02T10:00:00Z\", \"type\": \"purchase\", \"amount\": 1000, \"currency\": \"TRY\"},"
        " {\"customer_id\": 1, \"at\": \"2025-02-02T10:00:00Z\", \"type\": \"purchase\", \"amount\": 3000, \"currency\": \"TRY\"},"
        " {\"customer_id\": 2, \"at\": \"2025-01-10T10:00:00Z\", \"type\": \"purchase\", \"amount\": 2000, \"currency\": \"TRY\"},"
        " {\"customer_id\": 2, \"at\": \"2025-03-10T10:00:00Z\", \"type\": \"purchase\", \"amount\": 2500, \"currency\": \"TRY\"},"
        " {\"customer_id\": 2, \"at\": \"2025-04-10T10:00:00Z\", \"type\": \"purchase\", \"amount\": 1500, \"currency\": \"TRY\"}]"), CRM_OK);
    CHECK_STATUS(crm_book_predict_clv_json(book, "2025-06-01T00:00:00Z", NULL, &json), CRM_OK);
    CHECK(contains(json, "\"clv\":[") && contains(json, "\"beta_geo\""));
    CHECK(contains(json, "\"tz\":\"UTC\""));
    crm_string_free(json);
    /* The CLV config's "tz": customer 3 buys at 2025-01-04T23:00Z (15:00 on the 4th in Los
     * Angeles, PST = UTC-8) and, for 0, at 2025-01-05T02:00Z (18:00 on the 4th in LA). In UTC
     * the 5th is a repeat day worth 0, so no spend prediction (zero_repeat_spend); in LA both
     * are one purchase day: no repeat, so the population mean spend applies (no reason). */
    CHECK_STATUS(crm_book_record_json(book,
        "[{\"customer_id\": 3, \"at\": \"2025-01-04T23:00:00Z\", \"type\": \"purchase\", \"amount\": 1000, \"currency\": \"TRY\"},"
        " {\"customer_id\": 3, \"at\": \"2025-01-05T02:00:00Z\", \"type\": \"purchase\", \"amount\": 0, \"currency\": \"TRY\"}]"), CRM_OK);
    CHECK_STATUS(crm_book_predict_clv_json(book, "2025-06-01T00:00:00Z", NULL, &json), CRM_OK);
    CHECK(contains(json, "\"no_spend_reason\":[null,null,\"zero_repeat_spend\"]") && contains(json, "\"tz\":\"UTC\""));
    crm_string_free(json);
    CHECK_STATUS(crm_book_predict_clv_json(book, "2025-06-01T00:00:00Z", "{\"tz\": \"America/Los_Angeles\"}", &json), CRM_OK);
    CHECK(contains(json, "\"no_spend_reason\":[null,null,null]") && contains(json, "\"tz\":\"America/Los_Angeles\""));
    crm_string_free(json);
    /* An unknown zone is refused as a config that does not parse, naming tz and the name. */
    CHECK(crm_book_predict_clv_json(book, "2025-06-01T00:00:00Z", "{\"tz\": \"Mars/Olympus\"}", &json) != CRM_OK);
    CHECK(contains(crm_last_error_message(), "tz") && contains(crm_last_error_message(), "Mars/Olympus"));
    crm_book_free(book);
    return report();
}
