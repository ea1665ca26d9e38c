/* Audiences with consent through the C ABI: a rule handle (crm_audience_new / _free), the
 * selection with every customer's reason (crm_audience_select_json), consent in force and
 * recorded (crm_book_consent_at, crm_book_record_consent_json) and the consent report.
 * The six customers, worked by hand:
 *   1 Marmara, opted in             -> included (the rule holds at its root "$")
 *   2 Ege, opted in                 -> included
 *   3 Akdeniz, opted in             -> rule_failed at all[0] (region)
 *   4 Marmara, tagged staff         -> rule_failed at all[1] (the not)
 *   5 Marmara, never decided        -> no_consent
 *   6 Ege, opted in and out at the same instant -> consent_withdrawn (withdrawal wins) */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"

static const char *RULE =
    "{\"all\": [{\"field\": \"region\", \"in\": [\"Marmara\", \"Ege\"]},"
    " {\"not\": {\"field\": \"tag\", \"eq\": \"staff\"}}]}";

#define GRANT "{\"channel\": \"email\", \"granted\": true, \"at\": \"2025-01-01T00:00:00Z\"}"
#define WITHDRAW "{\"channel\": \"email\", \"granted\": false, \"at\": \"2025-01-01T00:00:00Z\"}"

static void fill(crm_book_t *book) {
    CHECK_STATUS(crm_book_add_customers_json(book,
        "[{\"id\": 1, \"given_name\": \"Ayse\", \"region\": \"Marmara\", \"consents\": [" GRANT "]},"
        " {\"id\": 2, \"given_name\": \"Ali\", \"region\": \"Ege\", \"consents\": [" GRANT "]},"
        " {\"id\": 3, \"given_name\": \"Can\", \"region\": \"Akdeniz\", \"consents\": [" GRANT "]},"
        " {\"id\": 4, \"given_name\": \"Ece\", \"region\": \"Marmara\", \"tags\": [\"staff\"], \"consents\": [" GRANT "]},"
        " {\"id\": 5, \"given_name\": \"Efe\", \"region\": \"Marmara\"},"
        " {\"id\": 6, \"given_name\": \"Nur\", \"region\": \"Ege\", \"consents\": [" GRANT ", " WITHDRAW "]}]"),
        CRM_OK);
}

int main(void) {
    crm_book_t *book = NULL;
    crm_audience_t *audience = NULL;
    char *out = NULL;
    int32_t state = 7;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    fill(book);
    CHECK_STATUS(crm_audience_new(RULE, &audience), CRM_OK);

    const char *options = "{\"at\": \"2025-06-01T00:00:00Z\", \"channel\": \"email\"}";
    CHECK_STATUS(crm_audience_select_json(audience, book, options, &out), CRM_OK);
    CHECK(contains(out, "\"customer_id\":[1,2,3,4,5,6]"));
    CHECK(contains(out, "\"included\":[true,true,false,false,false,false]"));
    CHECK(contains(out, "\"reason\":[\"included\",\"included\",\"rule_failed\",\"rule_failed\","
                        "\"no_consent\",\"consent_withdrawn\"]"));
    CHECK(contains(out, "\"rule\":[\"$\",\"$\",\"all[0]\",\"all[1]\",\"$\",\"$\"]"));
    CHECK(contains(out, "\"counts\":{\"rule_failed\":2,\"no_consent\":1,\"consent_withdrawn\":1,\"included\":2}"));
    crm_string_free(out);
    out = NULL;

    /* Consent in force: the same-instant withdrawal wins; never decided is -1. */
    CHECK_STATUS(crm_book_consent_at(book, 6, "email", "2025-06-01", &state), CRM_OK);
    CHECK(state == 0);
    CHECK_STATUS(crm_book_consent_at(book, 5, "email", "2025-06-01", &state), CRM_OK);
    CHECK(state == -1);
    CHECK_STATUS(crm_book_consent_at(book, 1, "email", "2024-12-31", &state), CRM_OK);
    CHECK(state == -1);
    CHECK_STATUS(crm_book_consent_at(book, 1, "email", "2025-06-01", &state), CRM_OK);
    CHECK(state == 1);
    state = 7;
    CHECK_STATUS(crm_book_consent_at(book, 1, "pigeon", "2025-06-01", &state), CRM_INVALID_ARGUMENT);
    CHECK(state == 7 && contains(crm_last_error_message(), "channel"));
    CHECK_STATUS(crm_book_consent_at(book, 99, "email", "2025-06-01", &state), CRM_NOT_FOUND);

    /* The report: 4 of 6 opted in on e-mail, 1 withdrawn, 1 never. */
    CHECK_STATUS(crm_book_consent_report_json(book, "2025-06-01", &out), CRM_OK);
    CHECK(contains(out, "{\"channel\":\"email\",\"granted\":4,\"withdrawn\":1,\"never\":1,\"share\":0.6666666666666666}"));
    crm_string_free(out);
    out = NULL;
    /* The same report with the company's segmentation config: its tier names. */
    CHECK_STATUS(crm_book_consent_report_options_json(book,
                     "{\"at\": \"2025-06-01\", \"segmentation\": {\"pyramid\": {\"tiers\": "
                     "[{\"name\": \"VIP\", \"share\": 0.5}, {\"name\": \"Rest\", \"share\": 0.5}]}}}",
                     &out), CRM_OK);
    CHECK(contains(out, "\"tier\":\"VIP\"") && contains(out, "\"tier\":\"Rest\"") && !contains(out, "Platinum"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_book_consent_report_options_json(book, "{\"at\": \"2025-06-01\", \"channel\": \"sms\"}", &out),
                 CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "channel"));

    /* Customer 5 opts in: once changes the history, twice does not; then 3 are in. */
    CHECK_STATUS(crm_book_record_consent_json(book, 5, GRANT, &state), CRM_OK);
    CHECK(state == 1);
    CHECK_STATUS(crm_book_record_consent_json(book, 5, GRANT, &state), CRM_OK);
    CHECK(state == 0);
    CHECK_STATUS(crm_book_record_consent_json(book, 5, "{\"channel\": \"email\"}", NULL), CRM_PARSE_ERROR);
    CHECK_STATUS(crm_audience_select_json(audience, book, options, &out), CRM_OK);
    CHECK(contains(out, "\"included\":[true,true,false,false,true,false]"));
    crm_string_free(out);
    out = NULL;

    /* Suppression: customer 1 on the do-not-contact list, an unknown id counted. */
    CHECK_STATUS(crm_audience_select_json(audience, book,
                     "{\"at\": \"2025-06-01\", \"channel\": \"email\", \"suppression\": {\"customer_ids\": [1, 404]}}",
                     &out), CRM_OK);
    CHECK(contains(out, "\"reason\":[\"suppressed\","));
    CHECK(contains(out, "\"unknown_suppressed_ids\":1"));
    crm_string_free(out);
    out = NULL;

    /* Bad input: the path and field named, nothing written. */
    crm_audience_t *bad = NULL;
    CHECK_STATUS(crm_audience_new("{\"all\": [{\"field\": \"regoin\", \"eq\": \"Ege\"}]}", &bad), CRM_INVALID_ARGUMENT);
    CHECK(bad == NULL && contains(crm_last_error_message(), "all[0].field"));
    CHECK(contains(crm_last_error_message(), "did you mean `region`?"));
    CHECK_STATUS(crm_audience_new("{\"field\": \"score\", \"gt\": \"high\"}", &bad), CRM_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "gt"));
    CHECK_STATUS(crm_audience_new("{\"all\": ", &bad), CRM_PARSE_ERROR);
    CHECK_STATUS(crm_audience_new(NULL, &bad), CRM_NULL_POINTER);
    CHECK_STATUS(crm_audience_select_json(audience, book, "{\"at\": \"2025-06-01\", \"channel\": \"pigeon\"}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "channel"));
    CHECK_STATUS(crm_audience_select_json(audience, book, "{\"channel\": \"email\"}", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL && contains(crm_last_error_message(), "at"));
    CHECK_STATUS(crm_audience_select_json(NULL, book, options, &out), CRM_NULL_POINTER);

    crm_audience_free(audience);
    crm_audience_free(NULL);
    crm_book_free(book);
    return report();
}
