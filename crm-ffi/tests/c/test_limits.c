/* Issue 14, items 3 to 5: every size a caller passes has a documented bound, checked before
 * anything is allocated; arithmetic past the representable instants is an error; and the
 * library never writes to the host's stderr (stderr is redirected to a file during the calls,
 * which must stay empty). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "crm.h"
#include "check.h"

/* Unix seconds of the last instant chrono represents is about 8.2e12 (year 262143). */
static const int64_t MONDAY_2025_06_02 = 1748822400; /* 00:00Z */

int main(void) {
    /* Everything the library might print goes to a temporary file from here on. */
    FILE *sink = tmpfile();
    CHECK(sink != NULL);
    if (sink == NULL) {
        return report();
    }
    int saved = dup(STDERR_FILENO);
    CHECK(saved >= 0);
    CHECK(dup2(fileno(sink), STDERR_FILENO) >= 0);

    /* Item 3: a Lorenz curve of 200,000,000 points (a 3.2 GB allocation that used to abort)
     * is refused, naming points; the documented maximum is accepted. */
    double values[] = {50, 10, 10, 10, 10, 2, 2, 2, 2, 2};
    char *json = NULL;
    int s_points = crm_pareto_json(values, 10, 200000000, &json);
    const char *m_points = crm_last_error_message();
    int points_named = contains(m_points, "invalid points 200000000") && contains(m_points, "100001");
    int null_on_error = json == NULL;
    int s_max = crm_pareto_json(values, 10, 100001, &json);
    int max_ok = json != NULL && contains(json, "\"customers\":10");
    crm_string_free(json);

    /* Item 4: minutes >= 1.5e14 overflowed chrono's Duration (a panic); now refused by the
     * documented bound, naming the row and minutes. */
    crm_calendar_t *nine_to_five = NULL;
    crm_calendar_t *always = NULL;
    int s_cal = crm_calendar_from_json("{\"week\": {\"mon\": [[\"09:00\",\"17:00\"]]}}", &nine_to_five);
    int s_always = crm_calendar_from_json("{\"always_open\": true}", &always);
    int64_t at[] = {MONDAY_2025_06_02};
    int64_t huge[] = {150000000000000LL};
    int64_t ten_years[] = {5259600};
    int64_t due[] = {7};
    int s_huge = crm_calendar_add_business_minutes(nine_to_five, at, huge, 1, due);
    int huge_named = contains(crm_last_error_message(), "row 0") &&
                     contains(crm_last_error_message(), "invalid minutes 150000000000000");
    int untouched = due[0] == 7;
    /* The largest amount on a 24x7 calendar from the last representable second is past
     * chrono's range: an error, not a panic. */
    int64_t last[] = {8210266876799LL};
    int s_past = crm_calendar_add_business_minutes(always, last, ten_years, 1, due);
    int past_named = contains(crm_last_error_message(), "beyond the representable instants");
    /* Ten years around the clock from 2025-06-02 is 5,259,600 minutes later exactly. */
    int s_ten = crm_calendar_add_business_minutes(always, at, ten_years, 1, due);
    int ten_ok = due[0] == MONDAY_2025_06_02 + 5259600LL * 60;

    /* Item 5: a span of 250,000 years took 4.5 s a row; spans are capped at 400 years. */
    int64_t from[] = {-7857000000000LL};
    int64_t to[] = {MONDAY_2025_06_02};
    int64_t used[] = {7};
    int s_span = crm_calendar_business_minutes_between(nine_to_five, from, to, 1, used);
    int span_named = contains(crm_last_error_message(), "to[0]") &&
                     contains(crm_last_error_message(), "146097 days");
    crm_calendar_free(nine_to_five);
    crm_calendar_free(always);

    /* Item 4: a lifecycle policy of 1e15 new days is refused when parsed, naming new_days. */
    crm_lifecycle_policy_t *policy = NULL;
    int s_policy = crm_lifecycle_policy_from_json("{\"new_days\": 1e15}", &policy);
    int policy_named = contains(crm_last_error_message(), "invalid new_days") &&
                       contains(crm_last_error_message(), "36525");
    int policy_null = policy == NULL;
    crm_sla_policy_t *sla = NULL;
    int s_sla = crm_sla_policy_from_json(
        "{\"name\": \"desk\", \"targets\": {\"urgent\": {\"resolution\": 4000000000}}}", &sla);
    int sla_named = contains(crm_last_error_message(), ".resolution 4000000000: must be at most 5259600");
    crm_sla_policy_free(sla);

    /* Item 5: UINT32_MAX months never returned; the cap is 1,200. */
    crm_beta_geo_t bg = {0.24, 4.41, 0.79, 2.43};
    crm_gamma_gamma_t gg = {6.25, 3.74, 15.45};
    double x[] = {2}, tx[] = {30.43}, t[] = {38.86}, m[] = {46.95};
    double clv[] = {-1};
    int s_months = crm_clv_lifetime_value(&bg, &gg, x, tx, t, m, 1, CRM_CLV_WEEKS, UINT32_MAX, 0.01, clv);
    int months_named = contains(crm_last_error_message(), "invalid months 4294967295");
    int s_months_ok = crm_clv_lifetime_value(&bg, &gg, x, tx, t, m, 1, CRM_CLV_WEEKS, 12, 0.01, clv);
    int clv_positive = clv[0] > 0.0;

    /* Item 5: max_block 1,000,000 on identical keys is refused, naming max_block. */
    char *dups = NULL;
    int s_block = crm_quality_find_duplicates_json("[{\"surname\": \"Yilmaz\"}, {\"surname\": \"Yilmaz\"}]",
                                                   "{\"max_block\": 1000000}", &dups);
    int block_named = contains(crm_last_error_message(), "invalid max_block 1000000");

    /* Back to the real stderr before reporting. */
    fflush(stderr);
    CHECK(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);

    CHECK(s_points == CRM_INVALID_ARGUMENT && points_named && null_on_error);
    CHECK(s_max == CRM_OK && max_ok);
    CHECK(s_cal == CRM_OK && s_always == CRM_OK);
    CHECK(s_huge == CRM_INVALID_ARGUMENT && huge_named && untouched);
    CHECK(s_past == CRM_INVALID_ARGUMENT && past_named);
    CHECK(s_ten == CRM_OK && ten_ok);
    CHECK(s_span == CRM_INVALID_ARGUMENT && span_named && used[0] == 7);
    CHECK(s_policy == CRM_INVALID_ARGUMENT && policy_named && policy_null);
    CHECK(s_sla == CRM_INVALID_ARGUMENT && sla_named);
    CHECK(s_months == CRM_INVALID_ARGUMENT && months_named);
    CHECK(s_months_ok == CRM_OK && clv_positive);
    CHECK(s_block == CRM_INVALID_ARGUMENT && block_named && dups == NULL);

    /* Nothing was written to stderr by any of these calls. */
    long printed = ftell(sink);
    CHECK(printed == 0);
    if (printed > 0) {
        char text[512] = {0};
        rewind(sink);
        size_t n = fread(text, 1, sizeof text - 1, sink);
        text[n] = '\0';
        fprintf(stderr, "the library printed: %s\n", text);
    }
    fclose(sink);
    return report();
}
