/* Hostile values through the C ABI (issue 14, item 7): the cases that used to give silently
 * wrong results are CRM_INVALID_ARGUMENT (or CRM_PARSE_ERROR) naming the field, or exact.
 * Expected values are worked out by hand in the comments. */
#include "crm.h"
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* 2024-01-01T00:00:00Z in epoch nanoseconds. */
#define NS_2024 INT64_C(1704067200000000000)
/* pandas/numpy NaT. */
#define NAT INT64_MIN

static void money_never_wraps(void) {
    crm_book_t *book = NULL;
    char *stats = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1, \"given_name\": \"Ali\"}"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book,
                     "{\"customer_id\": 1, \"at\": \"2025-01-01T00:00:00Z\", \"type\": \"purchase\","
                     " \"amount\": 9223372036854775807, \"currency\": \"TRY\"}"),
                 CRM_OK);
    /* A second purchase of 2^63 - 1 used to make the net revenue -2. */
    CHECK_STATUS(crm_book_record_json(book,
                     "{\"customer_id\": 1, \"at\": \"2025-01-02T00:00:00Z\", \"type\": \"purchase\","
                     " \"amount\": 9223372036854775807, \"currency\": \"TRY\"}"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid amount"));
    CHECK_STATUS(crm_book_stats_json(book, &stats), CRM_OK);
    CHECK(contains(stats, "\"net_revenue\":9223372036854775807"));
    crm_string_free(stats);
    crm_book_free(book);
}

static void customers_need_ids_and_known_fields(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    /* Without an id this used to create customer 0. */
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"given_name\": \"X\"}"), CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "missing field `id`"));
    /* `email` for `emails` used to be dropped without a word. */
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1, \"email\": [\"ali@ornek.com\"]}"),
                 CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "unknown field `email`"));
    CHECK(contains(crm_last_error_message(), "did you mean `emails`?"));
    CHECK(!contains(crm_last_error_message(), "ali@ornek.com"));
    /* A negative id used to fail as a parse error of the whole record ("expected u64 at
       line 1 column 8"); it is invalid input naming `id`, and nothing is added. */
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": -1, \"given_name\": \"Ay\u015fe\"}"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid id -1: expected u64"));
    CHECK_STATUS(crm_book_add_customers_json(book, "[{\"id\": 1}, {\"id\": 18446744073709551616}]"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid [1].id "));
    CHECK(crm_book_len(book) == 0);
    CHECK_STATUS(crm_book_record_json(book,
        "{\"customer_id\": -1, \"at\": \"2025-01-05T10:00:00Z\", \"type\": \"referral\", \"referred\": 1}"),
        CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid customer_id -1"));
    CHECK(crm_book_event_count(book) == 0);
    crm_book_free(book);
}

/* A wrongly typed field of an event's kind names its path (with the event's position in an
 * array) and masks the text; nothing of the batch is recorded. */
static void event_kind_fields_name_their_path(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1}"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book,
                     "{\"customer_id\": 1, \"at\": \"2025-01-01T00:00:00Z\", \"type\": \"purchase\","
                     " \"amount\": \"ten\", \"currency\": \"TRY\"}"),
                 CRM_INVALID_ARGUMENT);
    /* "ten" masked: half its characters kept. */
    CHECK(contains(crm_last_error_message(), "invalid amount \"t**\": expected i64"));
    CHECK_STATUS(crm_book_record_json(book,
                     "[{\"customer_id\": 1, \"at\": \"2025-01-01T00:00:00Z\", \"type\": \"purchase\","
                     " \"amount\": 5, \"currency\": \"TRY\"},"
                     " {\"customer_id\": 1, \"at\": \"2025-01-02T00:00:00Z\", \"type\": \"purchase\","
                     " \"amount\": -1e400, \"currency\": \"TRY\"}]"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid [1].amount number: out of range"));
    CHECK_STATUS(crm_book_record_json(book,
                     "[{\"customer_id\": 1, \"at\": \"2025-01-01T00:00:00Z\", \"type\": \"complaint_opened\","
                     " \"complaint_id\": 3},"
                     " {\"customer_id\": 1, \"at\": \"2025-01-02T00:00:00Z\", \"type\": \"complaint_rated\","
                     " \"complaint_id\": 3, \"rating\": 256}]"),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid [1].rating 256: expected u8"));
    CHECK(crm_book_event_count(book) == 0);
    crm_book_free(book);
}

static void instants_in_the_wrong_unit_or_nat(void) {
    const uint64_t ids[2] = {1, 2};
    const int64_t ns[2] = {NS_2024, NS_2024};
    const int64_t with_nat[2] = {NS_2024, NAT};
    const int64_t amount[2] = {500, 600};
    crm_rfm_t *rfm = NULL;
    /* Epoch nanoseconds passed as seconds used to give an empty result. */
    CHECK_STATUS(crm_rfm_from_transactions(ids, ns, amount, 2, CRM_UNIT_SECONDS, 1735689600, 5, NULL, &rfm),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "at[0]"));
    CHECK(rfm == NULL);
    CHECK_STATUS(crm_rfm_from_transactions(ids, with_nat, amount, 2, CRM_UNIT_NANOSECONDS,
                                           NS_2024 + 1, 5, NULL, &rfm),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "at[1]"));
    CHECK(contains(crm_last_error_message(), "NaT"));
    CHECK(rfm == NULL);

    crm_clv_summary_t *summary = NULL;
    const double spend[2] = {10.0, 20.0};
    CHECK_STATUS(crm_clv_summary(ids, with_nat, CRM_UNIT_NANOSECONDS, spend, 2, NS_2024, CRM_CLV_WEEKS, &summary),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "timestamp[1]"));
    CHECK(summary == NULL);
}

static void shares_of_huge_values(void) {
    const double huge[5] = {1e308, 1e308, 1e308, 1e308, 1e308};
    double share = -1.0;
    /* Used to be 0.0: the total overflowed to infinity. One customer of five holds 1/5. */
    CHECK_STATUS(crm_top_share(huge, 5, 0.2, &share), CRM_OK);
    CHECK(fabs(share - 0.2) < 1e-15);
    /* 1.5e308, 1e308, .5e308, .4e308: shares before each 0, .441, .735, .882 -> A A A B. */
    const double mixed[4] = {1.5e308, 1e308, 0.5e308, 0.4e308};
    uint8_t classes[4] = {9, 9, 9, 9};
    CHECK_STATUS(crm_abc(mixed, 4, 0.8, 0.95, classes), CRM_OK);
    CHECK(classes[0] == CRM_ABC_A && classes[1] == CRM_ABC_A && classes[2] == CRM_ABC_A && classes[3] == CRM_ABC_B);
    /* The Pareto document carries the total, which no double holds here. */
    char *json = NULL;
    CHECK_STATUS(crm_pareto_json(mixed, 4, 11, &json), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid values"));
    CHECK(json == NULL);
    const double inf[2] = {1.0, INFINITY};
    CHECK_STATUS(crm_top_share(inf, 2, 0.5, &share), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "values[1]"));
}

static void clv_parameters_are_checked(void) {
    const crm_beta_geo_t good = {0.24, 4.41, 0.79, 2.43};
    crm_beta_geo_t bad = good;
    const double x[1] = {2.0}, r[1] = {30.0}, t[1] = {38.0};
    double out[1] = {-1.0};
    bad.alpha = NAN; /* used to give NaN with CRM_OK */
    CHECK_STATUS(crm_clv_beta_geo_predict(&bad, 0.0, x, r, t, 1, out), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid alpha"));
    CHECK(out[0] == -1.0);
    CHECK_STATUS(crm_clv_beta_geo_predict(&good, -10.0, x, r, t, 1, out), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "horizon"));
    bad = good;
    bad.r = -1.0;
    double e = -1.0;
    CHECK_STATUS(crm_clv_expected_purchases_new(&bad, 10.0, &e), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid r"));

    /* q < 1: p*v/(q - 1) = 6.25*15.45/(-0.5) used to come back as a spend of -193.125. */
    const crm_gamma_gamma_t q_low = {6.25, 0.5, 15.45};
    const double zero[1] = {0.0};
    CHECK_STATUS(crm_clv_expected_spend(&q_low, zero, zero, 1, out), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid q"));
    const crm_gamma_gamma_t gg = {6.25, 3.74, 15.45};
    const double nan_spend[1] = {NAN};
    CHECK_STATUS(crm_clv_expected_spend(&gg, x, nan_spend, 1, out), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "monetary_value[0]"));
    /* The same spend with good parameters: p*(v + x*m)/(p*x + q - 1) with x = 2, m = 40. */
    const double m40[1] = {40.0};
    CHECK_STATUS(crm_clv_expected_spend(&gg, x, m40, 1, out), CRM_OK);
    CHECK(fabs(out[0] - 6.25 * (15.45 + 2.0 * 40.0) / (6.25 * 2.0 + 3.74 - 1.0)) < 1e-12);
    double clv[1] = {0.0};
    CHECK_STATUS(crm_clv_lifetime_value(&good, &q_low, x, r, t, m40, 1, CRM_CLV_WEEKS, 12, 0.01, clv),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid q"));
}

static void instants_for_calendars(void) {
    crm_calendar_t *cal = NULL;
    CHECK_STATUS(crm_calendar_from_json("{\"time_zone\": \"UTC\", \"week\": {\"mon\": [[\"09:00\", \"17:00\"]]}}",
                                        &cal),
                 CRM_OK);
    const int64_t from[2] = {0, INT64_MIN};
    const int64_t to[2] = {60, 60};
    int64_t minutes[2] = {0, 0};
    CHECK_STATUS(crm_calendar_business_minutes_between(cal, from, to, 2, minutes), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "[1]"));
    crm_calendar_free(cal);
}

/* Issue 14's count audit from C: every count, size, limit or index an entry point takes is
 * refused naming the parameter when out of its documented range (README "Reliability"), or
 * has a documented meaning; never an abort, a hang or a wrong result. */
static void counts_are_bounded_or_mean_something(void) {
    const double values[3] = {1.0, 2.0, 3.0};
    char *json = NULL;
    const size_t huge[3] = {SIZE_MAX, (size_t)1 << 63, (size_t)1000000000000ULL};
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(crm_pareto_json(values, 3, huge[i], &json), CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), "invalid points ") &&
              contains(crm_last_error_message(), "must be at most 100001"));
        CHECK_STATUS(crm_set_threads(huge[i]), CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), "invalid threads "));
    }
    CHECK_STATUS(crm_pareto_json(values, 3, 0, &json), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "invalid points 0"));
    CHECK(json == NULL);

    /* RFM bins: 2 to 9. */
    const uint64_t ids[2] = {1, 2};
    const int64_t at[2] = {1735689600, 1738368000};
    const int64_t amount[2] = {100, 200};
    const uint32_t bins[4] = {0, 1, 10, UINT32_MAX};
    crm_rfm_t *rfm = NULL;
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(crm_rfm_from_transactions(ids, at, amount, 2, CRM_UNIT_SECONDS, 1740787200, bins[i], NULL, &rfm),
                     CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), "invalid bins "));
        CHECK(rfm == NULL);
    }

    /* CLV months: 1 to 1200. */
    const crm_beta_geo_t bg = {0.24, 4.41, 0.79, 2.43};
    const crm_gamma_gamma_t gg = {6.25, 3.74, 15.45};
    const double x[1] = {2.0}, r[1] = {30.0}, t[1] = {39.0}, m[1] = {40.0};
    double clv[1] = {-1.0};
    const uint32_t months[3] = {0, 1201, UINT32_MAX};
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(crm_clv_lifetime_value(&bg, &gg, x, r, t, m, 1, CRM_CLV_WEEKS, months[i], 0.01, clv),
                     CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), "invalid months "));
    }
    CHECK(clv[0] == -1.0);

    /* Business minutes: 0 to 5,259,600 (ten years around the clock), per row. */
    crm_calendar_t *cal = NULL;
    CHECK_STATUS(crm_calendar_from_json("{\"time_zone\": \"UTC\", \"week\": {\"mon\": [[\"09:00\", \"17:00\"]]}}", &cal),
                 CRM_OK);
    const int64_t mondays[3] = {1748854800, 1748854800, 1748854800}; /* 2025-06-02T09:00:00Z */
    const int64_t minutes[3] = {-1, INT64_MAX, 1000000000000LL};
    int64_t due[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(crm_calendar_add_business_minutes(cal, &mondays[i], &minutes[i], 1, &due[i]), CRM_INVALID_ARGUMENT);
        CHECK(contains(crm_last_error_message(), "invalid minutes "));
    }
    const int64_t zero[1] = {0};
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, mondays, zero, 1, due), CRM_OK);
    CHECK(due[0] == 1748854800);
    crm_calendar_free(cal);

    /* A view's page: an offset past the end is an empty page, any limit is "at most that
     * many" (documented); a changes feed needs a stored book whatever `since` and `limit`. */
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, "{\"id\": 1}"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 1, \"at\": \"2025-01-01T00:00:00Z\", \"type\": \"purchase\","
                                            " \"amount\": 5, \"currency\": \"TRY\"}"),
                 CRM_OK);
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-06-01T00:00:00Z", SIZE_MAX, SIZE_MAX, &json), CRM_OK);
    CHECK(contains(json, "\"items\":[]"));
    crm_string_free(json);
    json = NULL;
    CHECK_STATUS(crm_book_view_json(book, 1, "2025-06-01T00:00:00Z", 0, SIZE_MAX, &json), CRM_OK);
    CHECK(contains(json, "\"amount\":5"));
    crm_string_free(json);
    json = NULL;
    uint64_t next = 7;
    CHECK_STATUS(crm_book_changes_json(book, UINT64_MAX, SIZE_MAX, &json, &next), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "stored book"));
    CHECK(json == NULL && next == 7);
    crm_book_free(book);
}

int main(void) {
    money_never_wraps();
    customers_need_ids_and_known_fields();
    event_kind_fields_name_their_path();
    instants_in_the_wrong_unit_or_nat();
    shares_of_huge_values();
    clv_parameters_are_checked();
    instants_for_calendars();
    counts_are_bounded_or_mean_something();
    return report();
}
