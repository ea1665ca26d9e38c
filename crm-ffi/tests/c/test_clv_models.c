/* Calibration/holdout and the persisted model JSON through the C ABI. The expected numbers
 * are worked out by hand below, not taken from the library. */
#include <math.h>
#include <stdlib.h>
#include "crm.h"
#include "check.h"

#define DAY0 852076800 /* 1997-01-01T00:00:00Z */
#define D 86400

int main(void) {
    /* Customer 1: day 0 ($10), day 14 ($20 and, an hour later, $5), then day 40 ($30) and
     * day 50 ($8) after the calibration end. Customer 2: day 20 ($5), day 45 ($12).
     * Customer 3: first buys on day 35, after the calibration end: not in the result.
     * Customer 4: day 5 twice ($7, $3): one purchase day, no repeat.
     * Calibration ends on day 31 (00:00 UTC), the observation on day 59. In days:
     *   1: frequency 1 (days 0, 14), recency 14, T 31, mean repeat value 25;
     *      holdout days 40 and 50: frequency 2, mean (30 + 8) / 2 = 19.
     *   2: frequency 0, recency 0, T 31 - 20 = 11, value 0; holdout 1 day worth 12.
     *   4: frequency 0, recency 0, T 26, value 0; holdout 0, 0.
     * The holdout lasts 59 - 31 = 28 days (4 weeks). */
    uint64_t ids[] = {1, 1, 1, 2, 3, 1, 4, 4, 2, 1};
    int64_t ts[] = {DAY0, DAY0 + 14 * D, DAY0 + 14 * D + 3600, DAY0 + 20 * D, DAY0 + 35 * D,
                    DAY0 + 40 * D, DAY0 + 5 * D, DAY0 + 5 * D + 7200, DAY0 + 45 * D, DAY0 + 50 * D};
    double amount[] = {10, 20, 5, 5, 99, 30, 7, 3, 12, 8};
    crm_clv_summary_t *s = NULL;
    crm_clv_holdout_t *h = NULL;
    CHECK_STATUS(crm_clv_calibration_holdout(ids, ts, CRM_UNIT_SECONDS, amount, 10, DAY0 + 31 * D,
                                             DAY0 + 59 * D, CRM_CLV_DAYS, &s, &h),
                 CRM_OK);
    CHECK(s != NULL && h != NULL && s->len == 3 && h->len == 3);
    if (s != NULL && h != NULL && s->len == 3 && h->len == 3) {
        CHECK(s->customer_id[0] == 1 && s->customer_id[1] == 2 && s->customer_id[2] == 4);
        CHECK(s->frequency[0] == 1 && s->recency[0] == 14 && s->t[0] == 31 && s->monetary_value[0] == 25);
        CHECK(s->frequency[1] == 0 && s->recency[1] == 0 && s->t[1] == 11 && s->monetary_value[1] == 0);
        CHECK(s->frequency[2] == 0 && s->recency[2] == 0 && s->t[2] == 26 && s->monetary_value[2] == 0);
        CHECK(h->frequency[0] == 2 && h->monetary_value[0] == 19);
        CHECK(h->frequency[1] == 1 && h->monetary_value[1] == 12);
        CHECK(h->frequency[2] == 0 && h->monetary_value[2] == 0);
        CHECK(h->duration == 28);
    }
    crm_clv_summary_free(s);
    crm_clv_holdout_free(h);
    /* The same in weeks: T 31 / 7, the holdout 4 weeks. */
    CHECK_STATUS(crm_clv_calibration_holdout(ids, ts, CRM_UNIT_SECONDS, amount, 10, DAY0 + 31 * D,
                                             DAY0 + 59 * D, CRM_CLV_WEEKS, &s, &h),
                 CRM_OK);
    CHECK(s != NULL && s->len == 3 && fabs(s->t[0] - 31.0 / 7) < 1e-12 && fabs(s->recency[0] - 2.0) < 1e-12);
    CHECK(h != NULL && fabs(h->duration - 4.0) < 1e-12);
    crm_clv_summary_free(s);
    crm_clv_holdout_free(h);
    /* An observation end before the calibration end is refused; the outputs stay untouched. */
    s = NULL;
    h = NULL;
    CHECK_STATUS(crm_clv_calibration_holdout(ids, ts, CRM_UNIT_SECONDS, amount, 10, DAY0 + 31 * D,
                                             DAY0 + 30 * D, CRM_CLV_DAYS, &s, &h),
                 CRM_INVALID_ARGUMENT);
    CHECK(s == NULL && h == NULL && contains(crm_last_error_message(), "holdout_end"));
    CHECK_STATUS(crm_clv_calibration_holdout(ids, ts, CRM_UNIT_SECONDS, amount, 10, DAY0, DAY0, 7, &s, &h),
                 CRM_INVALID_ARGUMENT);
    crm_clv_holdout_free(NULL);

    /* Model JSON: known parameters write and read back exactly, with their unit. */
    crm_beta_geo_t bg = {0.243, 4.414, 0.793, 2.426}, bg_back = {0, 0, 0, 0};
    uint32_t unit = 99;
    char *json = NULL;
    CHECK_STATUS(crm_clv_beta_geo_model_json(&bg, CRM_CLV_WEEKS, NULL, &json), CRM_OK);
    CHECK(contains(json, "\"model\":\"beta_geo\"") && contains(json, "\"version\":1"));
    CHECK(contains(json, "\"unit\":\"W\"") && contains(json, "\"fit\":null"));
    CHECK_STATUS(crm_clv_beta_geo_model_read(json, &bg_back, &unit), CRM_OK);
    CHECK(bg_back.r == bg.r && bg_back.alpha == bg.alpha && bg_back.a == bg.a && bg_back.b == bg.b);
    CHECK(unit == CRM_CLV_WEEKS);
    crm_string_free(json);
    /* Unknown keys, another model, another version and impossible parameters are refused. */
    CHECK_STATUS(crm_clv_beta_geo_model_read("{\"model\":\"beta_geo\",\"version\":1,\"unit\":\"D\",\"colour\":1,"
                                             "\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1}}",
                                             &bg_back, &unit),
                 CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "colour"));
    CHECK(crm_clv_beta_geo_model_read("{\"model\":\"gamma_gamma\",\"version\":1,\"unit\":\"D\","
                                      "\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1}}",
                                      &bg_back, &unit) != CRM_OK);
    CHECK(contains(crm_last_error_message(), "model"));
    CHECK(crm_clv_beta_geo_model_read("{\"model\":\"beta_geo\",\"version\":2,\"unit\":\"D\","
                                      "\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1}}",
                                      &bg_back, &unit) != CRM_OK);
    CHECK(contains(crm_last_error_message(), "version"));
    crm_beta_geo_t bad = {0.0, 4.0, 0.8, 2.4};
    json = NULL;
    CHECK_STATUS(crm_clv_beta_geo_model_json(&bad, CRM_CLV_WEEKS, NULL, &json), CRM_INVALID_ARGUMENT);
    CHECK(json == NULL);
    CHECK_STATUS(crm_clv_beta_geo_model_json(&bg, 5, NULL, &json), CRM_INVALID_ARGUMENT);

    /* A fit's JSON goes into the model; the model reads back with the fitted parameters. */
    double x[] = {0, 2, 5, 1, 3, 0, 1, 4};
    double tx[] = {0, 20, 30, 3, 25, 0, 10, 35};
    double t[] = {39, 39, 39, 39, 39, 30, 20, 38};
    double m[] = {0, 25, 30, 12, 18, 0, 9, 40};
    char *fit = NULL;
    CHECK_STATUS(crm_clv_fit_beta_geo(x, tx, t, 8, NULL, &bg, &fit), CRM_OK);
    CHECK_STATUS(crm_clv_beta_geo_model_json(&bg, CRM_CLV_DAYS, fit, &json), CRM_OK);
    CHECK(contains(json, "\"log_likelihood\"") && contains(json, "\"unit\":\"D\""));
    CHECK_STATUS(crm_clv_beta_geo_model_read(json, &bg_back, &unit), CRM_OK);
    CHECK(bg_back.r == bg.r && bg_back.alpha == bg.alpha && bg_back.a == bg.a && bg_back.b == bg.b);
    CHECK(unit == CRM_CLV_DAYS);
    crm_string_free(json);
    /* Parameters that differ from the fit's are refused. */
    crm_beta_geo_t other = bg;
    other.r *= 2;
    json = NULL;
    CHECK(crm_clv_beta_geo_model_json(&other, CRM_CLV_DAYS, fit, &json) != CRM_OK && json == NULL);
    crm_string_free(fit);

    crm_gamma_gamma_t gg, gg_back = {0, 0, 0};
    fit = NULL;
    CHECK_STATUS(crm_clv_fit_gamma_gamma(x, m, 8, NULL, &gg, &fit), CRM_OK);
    CHECK_STATUS(crm_clv_gamma_gamma_model_json(&gg, fit, &json), CRM_OK);
    CHECK(contains(json, "\"model\":\"gamma_gamma\"") && !contains(json, "\"unit\""));
    CHECK_STATUS(crm_clv_gamma_gamma_model_read(json, &gg_back), CRM_OK);
    CHECK(gg_back.p == gg.p && gg_back.q == gg.q && gg_back.v == gg.v);
    crm_string_free(json);
    crm_string_free(fit);
    crm_gamma_gamma_t known = {6.25, 3.74, 15.44};
    CHECK_STATUS(crm_clv_gamma_gamma_model_json(&known, NULL, &json), CRM_OK);
    CHECK_STATUS(crm_clv_gamma_gamma_model_read(json, &gg_back), CRM_OK);
    CHECK(gg_back.p == 6.25 && gg_back.q == 3.74 && gg_back.v == 15.44);
    crm_string_free(json);
    crm_gamma_gamma_t negative = {6.25, 3.74, -1};
    CHECK_STATUS(crm_clv_gamma_gamma_model_json(&negative, NULL, &json), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "v"));
    return report();
}
