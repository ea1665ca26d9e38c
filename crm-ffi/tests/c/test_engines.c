/* The columnar engines through the C ABI, against values worked out by hand. */
#include "crm.h"
#include "check.h"

#include <math.h>

static void test_rfm(void) {
    /* Customer 3 bought once (day 5, 500); 7 twice (days 0 and 10: 1000 + 2000); 9 twice
     * (days 2 and 20, 300 each) and got 100 back on day 29. As of day 30 with 5 bins and
     * n = 3: score = floor(5c/3) + 1 with c = customers strictly worse.
     * R: 3 (25 days) c=0 -> 1; 7 (20 days) c=1 -> 2; 9 (10 days) c=2 -> 4.
     * F: 1 -> 1; 2 and 2 -> c=1 -> 2.  M: 500, 500 -> 1; 3000 -> c=2 -> 4. */
    const int64_t day = 86400;
    uint64_t ids[] = {7, 3, 7, 9, 9, 9};
    int64_t at[] = {0, 5 * day, 10 * day, 2 * day, 20 * day, 29 * day};
    int64_t amount[] = {1000, 500, 2000, 300, 300, -100};
    crm_rfm_t *r = NULL;
    CHECK_STATUS(crm_rfm_from_transactions(ids, at, amount, 6, CRM_UNIT_SECONDS, 30 * day, 5, NULL, &r), CRM_OK);
    CHECK(r != NULL && r->len == 3);
    if (r != NULL && r->len == 3) {
        CHECK(r->customer_id[0] == 3 && r->customer_id[1] == 7 && r->customer_id[2] == 9);
        CHECK(r->score[0] == 111 && r->score[1] == 224 && r->score[2] == 421);
        CHECK(r->monetary[0] == 500.0 && r->monetary[1] == 3000.0 && r->monetary[2] == 500.0);
        CHECK(r->recency_days[2] == 10.0);
        CHECK(r->segment[1] >= 0 && strcmp(r->segment_names[r->segment[1]], "Loyal Customers") == 0);
        CHECK(strcmp(r->segment_names[r->segment[0]], "Lost") == 0);
        CHECK(strcmp(r->segment_names[r->segment[2]], "Potential Loyalist") == 0);
    }
    crm_rfm_free(r);

    r = NULL;
    CHECK_STATUS(crm_rfm_from_transactions(ids, at, amount, 6, 9, 30 * day, 5, NULL, &r), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "unit 9"));
    CHECK_STATUS(crm_rfm_from_transactions(ids, at, amount, 6, CRM_UNIT_SECONDS, 30 * day, 12, NULL, &r), CRM_INVALID_ARGUMENT);
    CHECK_STATUS(crm_rfm_from_transactions(NULL, at, amount, 6, CRM_UNIT_SECONDS, 30 * day, 5, NULL, &r), CRM_NULL_POINTER);
    CHECK_STATUS(crm_rfm_from_transactions(ids, at, amount, 6, CRM_UNIT_SECONDS, 30 * day, 5, "[", &r), CRM_PARSE_ERROR);
    CHECK(r == NULL);
    CHECK_STATUS(crm_rfm_from_transactions(NULL, NULL, NULL, 0, CRM_UNIT_SECONDS, 0, 5, NULL, &r), CRM_OK);
    CHECK(r != NULL && r->len == 0);
    crm_rfm_free(r);
    crm_rfm_free(NULL);
}

static void test_value_model(void) {
    crm_value_model_t *model = NULL;
    CHECK_STATUS(crm_value_model_from_json(
        "{\"keys\": [{\"key\": \"monetary\", \"weight\": 3}, {\"key\": \"recency\", \"weight\": 1}]}", &model), CRM_OK);
    /* Percentile ranks: monetary 1, .5, 0 and recency (fewer days better) 1, .5, 0. */
    double monetary[] = {1000, 300, 100};
    double recency[] = {5, 50, 500};
    const char *names[] = {"monetary", "recency_days"};
    const double *columns[] = {monetary, recency};
    double scores[3] = {-1, -1, -1};
    CHECK_STATUS(crm_value_model_score(model, 3, names, columns, 2, scores), CRM_OK);
    CHECK(scores[0] == 100.0 && scores[1] == 50.0 && scores[2] == 0.0);
    CHECK_STATUS(crm_value_model_score(model, 3, names, columns, 1, scores), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "recency"));
    /* Core's aliases: "recency" reads as "recency_days" does. */
    const char *aliases[] = {"monetary", "recency"};
    double again[3] = {-1, -1, -1};
    CHECK_STATUS(crm_value_model_score(model, 3, aliases, columns, 2, again), CRM_OK);
    CHECK(again[0] == 100.0 && again[1] == 50.0 && again[2] == 0.0);
    crm_value_model_free(model);

    model = NULL;
    CHECK_STATUS(crm_value_model_from_json("{\"keys\": [{\"key\": \"monetary\", \"weight\": -1}]}", &model),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "weight of monetary -1"));
    CHECK_STATUS(crm_value_model_from_json("{\"keys\": [{\"key\": \"money\", \"weight\": 1}]}", &model), CRM_PARSE_ERROR);
    CHECK(model == NULL);
    crm_value_model_free(NULL);
}

static void test_pyramid_pareto_abc(void) {
    double values[100];
    uint8_t tier[100];
    int counts[4] = {0, 0, 0, 0};
    int i;
    for (i = 0; i < 100; i++) values[i] = i + 1;
    char *summary = NULL;
    CHECK_STATUS(crm_pyramid(values, NULL, 100, NULL, tier, &summary), CRM_OK);
    for (i = 0; i < 100; i++) counts[tier[i]]++;
    CHECK(counts[0] == 1 && counts[1] == 4 && counts[2] == 15 && counts[3] == 80);
    CHECK(tier[99] == 0);
    CHECK(contains(summary, "\"Platinum\""));
    crm_string_free(summary);
    CHECK_STATUS(crm_pyramid(values, NULL, 100, "{\"tiers\": [{\"name\": \"A\", \"share\": 0.5}]}", tier, NULL),
                 CRM_INVALID_ARGUMENT);

    double v[] = {50, 10, 10, 10, 10, 2, 2, 2, 2, 2};
    double share = 0;
    CHECK_STATUS(crm_top_share(v, 10, 0.15, &share), CRM_OK);
    CHECK(fabs(share - 0.55) < 1e-12); /* (50 + half of 10) / 100 */
    char *pareto = NULL;
    CHECK_STATUS(crm_pareto_json(v, 10, 11, &pareto), CRM_OK);
    CHECK(contains(pareto, "\"top_20_share\":0.6"));
    crm_string_free(pareto);
    uint8_t classes[10];
    CHECK_STATUS(crm_abc(v, 10, 0.8, 0.95, classes), CRM_OK);
    CHECK(classes[0] == 0 && classes[4] == 0 && classes[5] == 1 && classes[9] == 1);
    CHECK_STATUS(crm_abc(v, 10, 0.9, 0.8, classes), CRM_INVALID_ARGUMENT);
    double bad[] = {1, NAN};
    CHECK_STATUS(crm_top_share(bad, 2, 0.2, &share), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "values[1]"));

    /* NULL for each pointer argument. */
    CHECK_STATUS(crm_pyramid(NULL, NULL, 100, NULL, tier, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_pyramid(values, NULL, 100, NULL, NULL, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_pareto_json(NULL, 10, 11, &pareto), CRM_NULL_POINTER);
    CHECK_STATUS(crm_pareto_json(v, 10, 11, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_top_share(v, 10, 0.2, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_abc(NULL, 10, 0.8, 0.95, classes), CRM_NULL_POINTER);
    CHECK_STATUS(crm_abc(v, 10, 0.8, 0.95, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_value_model_score(NULL, 0, NULL, NULL, 0, &share), CRM_NULL_POINTER);

    uint8_t t[] = {0, 1, 1, 1};
    double val[] = {10, 2, 3, 4};
    char *matrix = NULL;
    CHECK_STATUS(crm_segment_matrix_json(t, val, NULL, 4, "[\"Gold\", \"Lead\"]",
                 "[{\"name\": \"city\", \"values\": [\"Izmir\", \"Ankara\", \"Izmir\", \"Ankara\"]}]", &matrix), CRM_OK);
    CHECK(contains(matrix, "\"mean_value\":3.0"));
    crm_string_free(matrix);
    CHECK_STATUS(crm_segment_matrix_json(t, val, NULL, 4, NULL, "[]", &matrix), CRM_NULL_POINTER);
    CHECK_STATUS(crm_segment_matrix_json(t, val, NULL, 4, "[\"Gold\"]", "[]", &matrix), CRM_INVALID_ARGUMENT);
    CHECK_STATUS(crm_segment_matrix_json(t, val, NULL, 4, "[\"Gold\", \"Lead\"]", "[{\"name\": 1}]", &matrix), CRM_INVALID_ARGUMENT);
    CHECK_STATUS(crm_segment_matrix_json(t, val, NULL, 4, "[\"Gold\", \"Lead\"]", "\xff", &matrix), CRM_INVALID_UTF8);
}

int main(void) {
    test_rfm();
    test_value_model();
    test_pyramid_pareto_abc();
    return report();
}
