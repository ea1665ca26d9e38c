/* A "legacy system" using libcrm: reads purchases from a CSV file, scores and segments the
 * customers, and prints each one's value score, pyramid tier and RFM segment.
 *
 *   legacy_scoring purchases.csv 2025-04-01
 *
 * CSV columns: customer_id,date (YYYY-MM-DD),amount_kurus (negative for refunds). */
#include "crm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timegm needed. */
static long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int fail(const char *what, crm_status_t status) {
    fprintf(stderr, "%s failed (status %u): %s\n", what, (unsigned)status, crm_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s purchases.csv YYYY-MM-DD\n", argv[0]);
        return 2;
    }
    FILE *csv = fopen(argv[1], "r");
    if (csv == NULL) {
        perror(argv[1]);
        return 1;
    }
    size_t cap = 64, n = 0;
    uint64_t *ids = malloc(cap * sizeof *ids);
    int64_t *at = malloc(cap * sizeof *at);
    int64_t *amount = malloc(cap * sizeof *amount);
    char line[256];
    if (fgets(line, sizeof line, csv) == NULL) { /* header */
        fclose(csv);
        return 1;
    }
    while (fgets(line, sizeof line, csv) != NULL) {
        unsigned long long id;
        long y, m, d;
        long long kurus;
        if (sscanf(line, "%llu,%ld-%ld-%ld,%lld", &id, &y, &m, &d, &kurus) != 5) continue;
        if (n == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof *ids);
            at = realloc(at, cap * sizeof *at);
            amount = realloc(amount, cap * sizeof *amount);
        }
        ids[n] = id;
        at[n] = (int64_t)days_from_civil(y, m, d) * 86400;
        amount[n] = kurus;
        n++;
    }
    fclose(csv);

    long y, m, d;
    if (sscanf(argv[2], "%ld-%ld-%ld", &y, &m, &d) != 3) {
        fprintf(stderr, "bad date %s\n", argv[2]);
        return 2;
    }
    int64_t as_of = (int64_t)days_from_civil(y, m, d) * 86400;

    int status = 0;
    crm_rfm_t *rfm = NULL;
    crm_value_model_t *model = NULL;
    double *money = NULL, *freq = NULL, *scores = NULL;
    uint8_t *tiers = NULL;
    crm_status_t s = crm_rfm_from_transactions(ids, at, amount, n, CRM_UNIT_SECONDS, as_of, 5, NULL, &rfm);
    if (s != CRM_OK) {
        status = fail("crm_rfm_from_transactions", s);
        goto done;
    }
    s = crm_value_model_from_json(
        "{\"keys\": [{\"key\": \"monetary\", \"weight\": 0.5}, {\"key\": \"frequency\", \"weight\": 0.3},"
        " {\"key\": \"recency\", \"weight\": 0.2}]}", &model);
    if (s != CRM_OK) {
        status = fail("crm_value_model_from_json", s);
        goto done;
    }
    money = malloc(rfm->len * sizeof *money);
    freq = malloc(rfm->len * sizeof *freq);
    scores = malloc(rfm->len * sizeof *scores);
    tiers = malloc(rfm->len);
    for (size_t i = 0; i < rfm->len; i++) {
        money[i] = rfm->monetary[i];
        freq[i] = rfm->frequency[i];
    }
    const char *names[] = {"monetary", "frequency", "recency_days"};
    const double *columns[] = {money, freq, rfm->recency_days};
    s = crm_value_model_score(model, rfm->len, names, columns, 3, scores);
    if (s != CRM_OK) {
        status = fail("crm_value_model_score", s);
        goto done;
    }
    const char *tier_config =
        "{\"tiers\": [{\"name\": \"Gold\", \"share\": 0.2}, {\"name\": \"Silver\", \"share\": 0.3},"
        " {\"name\": \"Bronze\", \"share\": 0.5}]}";
    const char *tier_names[] = {"Gold", "Silver", "Bronze"};
    s = crm_pyramid(scores, money, rfm->len, tier_config, tiers, NULL);
    if (s != CRM_OK) {
        status = fail("crm_pyramid", s);
        goto done;
    }
    printf("customer  score  tier    rfm  segment\n");
    for (size_t i = 0; i < rfm->len; i++) {
        const char *segment = rfm->segment[i] >= 0 ? rfm->segment_names[rfm->segment[i]] : "-";
        printf("%8llu  %5.1f  %-6s  %3u  %s\n", (unsigned long long)rfm->customer_id[i], scores[i],
               tier_names[tiers[i]], (unsigned)rfm->score[i], segment);
    }
done:
    free(money);
    free(freq);
    free(scores);
    free(tiers);
    crm_value_model_free(model);
    crm_rfm_free(rfm);
    free(ids);
    free(at);
    free(amount);
    return status;
}
