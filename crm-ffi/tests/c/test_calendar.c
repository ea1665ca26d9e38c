/* Business calendars through the C ABI, against deadlines worked out by hand. */
#include "crm.h"
#include "check.h"

static const char *ISTANBUL =
    "{\"time_zone\": \"Europe/Istanbul\", \"holidays\": [\"2025-04-23\"], \"week\": {"
    "\"mon\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]], \"tue\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]],"
    "\"wed\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]], \"thu\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]],"
    "\"fri\": [[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]]}}";

int main(void) {
    crm_calendar_t *cal = NULL;
    CHECK_STATUS(crm_calendar_from_json(ISTANBUL, &cal), CRM_OK);
    /* Friday 2025-03-07 17:30 local = 14:30Z = 1741357800. + 240 business minutes: 30 on
     * Friday, 210 on Monday morning -> Monday 12:30 local = 09:30Z = 1741599000.
     * Tuesday 2025-04-22 17:00 local = 14:00Z = 1745330400. + 120: 60 Tuesday, Wednesday is
     * a holiday, 60 Thursday -> 10:00 local = 07:00Z on the 24th = 1745478000. */
    int64_t at[] = {1741357800, 1745330400};
    int64_t minutes[] = {240, 120};
    int64_t due[2] = {0, 0};
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, at, minutes, 2, due), CRM_OK);
    CHECK(due[0] == 1741599000 && due[1] == 1745478000);
    int64_t used[2] = {0, 0};
    CHECK_STATUS(crm_calendar_business_minutes_between(cal, at, due, 2, used), CRM_OK);
    CHECK(used[0] == 240 && used[1] == 120);
    int64_t end = 0;
    /* After Tuesday 22 April: Thursday 24 April 18:00 local = 15:00Z = 1745506800. */
    CHECK_STATUS(crm_calendar_end_of_next_business_day(cal, 1745330400, &end), CRM_OK);
    CHECK(end == 1745506800);

    int64_t negative[] = {-5, 0};
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, at, negative, 2, due), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "row 0"));
    /* An instant out of range is named by its column and row; nothing is written. */
    int64_t far[] = {1741357800, INT64_MAX};
    int64_t untouched[2] = {7, 7};
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, far, minutes, 2, untouched), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "at[1]"));
    CHECK(untouched[0] == 7 && untouched[1] == 7);
    CHECK_STATUS(crm_calendar_business_minutes_between(cal, far, at, 2, untouched), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "from[1]"));
    CHECK_STATUS(crm_calendar_business_minutes_between(cal, at, far, 2, untouched), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "to[1]"));
    CHECK(untouched[0] == 7 && untouched[1] == 7);
    CHECK_STATUS(crm_calendar_add_business_minutes(NULL, at, minutes, 2, due), CRM_NULL_POINTER);
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, NULL, minutes, 2, due), CRM_NULL_POINTER);
    CHECK_STATUS(crm_calendar_add_business_minutes(cal, at, minutes, 2, NULL), CRM_NULL_POINTER);
    CHECK_STATUS(crm_calendar_business_minutes_between(cal, at, NULL, 2, used), CRM_NULL_POINTER);
    CHECK_STATUS(crm_calendar_end_of_next_business_day(cal, 0, NULL), CRM_NULL_POINTER);
    crm_calendar_free(cal);

    cal = NULL;
    CHECK_STATUS(crm_calendar_from_json("{\"time_zone\": \"Mars/Olympus\", \"week\": {\"mon\": [[\"09:00\",\"17:00\"]]}}", &cal),
                 CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "Mars/Olympus"));
    CHECK_STATUS(crm_calendar_from_json("{\"week\": ", &cal), CRM_PARSE_ERROR);
    CHECK(cal == NULL);
    crm_calendar_free(NULL);
    return report();
}
