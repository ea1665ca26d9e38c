/* Data quality through the C ABI. */
#include <stdlib.h>
#include <string.h>
#include "crm.h"
#include "check.h"

int main(void) {
    char *out = NULL;
    CHECK_STATUS(crm_quality_normalize_phone("0532 123 45 67", &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "+905321234567") == 0);
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_normalize_phone("12", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_STATUS(crm_quality_normalize_name("Sn. Dr. Ay\xc5\x9f" "e YILMAZ", &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "ayse yilmaz") == 0);
    crm_string_free(out);
    out = NULL;

    /* Two records of one customer (names swapped and typed without Turkish letters, the
     * phone formatted differently) and a third person. */
    const char *records =
        "[{\"given_name\": \"\xc5\x9e\xc3\xbckr\xc3\xbc\", \"surname\": \"\xc3\x87" "a\xc4\x9flar\", \"phone\": \"0532 123 45 67\", \"birth_date\": \"1980-05-17\"},"
        " {\"given_name\": \"Caglar\", \"surname\": \"Sukru\", \"phone\": \"+90 532 123 4567\", \"birth_date\": \"1980-05-17\"},"
        " {\"given_name\": \"Mehmet\", \"surname\": \"Ozturk\", \"phone\": \"0533 765 43 21\"}]";
    CHECK_STATUS(crm_quality_find_duplicates_json(records, NULL, &out), CRM_OK);
    CHECK(contains(out, "\"cluster\":[0,0,2]"));
    CHECK(contains(out, "\"left\":0,\"right\":1"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_find_duplicates_json("[{\"birth_date\": \"yesterday\"}]", NULL, &out), CRM_PARSE_ERROR);

    /* Australian phones in two spellings are one number under {"country": "AU"}; an unknown
       country is refused, naming it. */
    const char *au =
        "[{\"given_name\": \"rachael\", \"surname\": \"dent\", \"phone\": \"02 6281 7424\"},"
        " {\"given_name\": \"rachel\", \"surname\": \"dent\", \"phone\": \"+61 2 6281 7424\"},"
        " {\"given_name\": \"isaac\", \"surname\": \"green\", \"phone\": \"07 3112 4021\"}]";
    CHECK_STATUS(crm_quality_find_duplicates_json(au, "{\"country\": \"AU\"}", &out), CRM_OK);
    CHECK(contains(out, "\"cluster\":[0,0,2]"));
    crm_string_free(out);
    out = NULL;
    CHECK(crm_quality_find_duplicates_json(au, "{\"country\": \"Australia\"}", &out) != CRM_OK);
    CHECK(out == NULL && contains(crm_last_error_message(), "country"));

    /* The same three records as columns: the result owns its arrays. */
    const char *names[] = {"given_name", "surname", "phone", "birth_date"};
    const char *given[] = {"\xc5\x9e\xc3\xbckr\xc3\xbc", "Caglar", "Mehmet"};
    const char *surname[] = {"\xc3\x87" "a\xc4\x9flar", "Sukru", "Ozturk"};
    const char *phone[] = {"0532 123 45 67", "+90 532 123 4567", "0533 765 43 21"};
    const char *birth[] = {"1980-05-17", "1980-05-17", NULL};
    const char *const *columns[] = {given, surname, phone, birth};
    crm_duplicates_t *dups = NULL;
    CHECK_STATUS(crm_quality_find_duplicates_columns(names, columns, 4, 3, NULL, &dups), CRM_OK);
    CHECK(dups != NULL && dups->records == 3 && dups->pairs == 1);
    CHECK(dups->cluster[0] == 0 && dups->cluster[1] == 0 && dups->cluster[2] == 2);
    CHECK(dups->left[0] == 0 && dups->right[0] == 1 && dups->probability[0] >= 0.9);
    crm_duplicates_free(dups);
    crm_duplicates_free(NULL);
    dups = NULL;
    /* A Turkish-form date matches its ISO spelling; an impossible one is no evidence. */
    const char *form_birth[] = {"1980-05-17", "17.05.1980", "31.02.1980"};
    const char *const *form_columns[] = {given, surname, phone, form_birth};
    CHECK_STATUS(crm_quality_find_duplicates_columns(names, form_columns, 4, 3, NULL, &dups), CRM_OK);
    CHECK(dups != NULL && dups->pairs == 1 && dups->cluster[1] == 0 && dups->cluster[2] == 2);
    crm_duplicates_free(dups);
    dups = NULL;
    const char *nick[] = {"nickname"};
    CHECK_STATUS(crm_quality_find_duplicates_columns(nick, columns, 1, 3, NULL, &dups), CRM_INVALID_ARGUMENT);
    CHECK(dups == NULL && contains(crm_last_error_message(), "nickname"));
    CHECK_STATUS(crm_quality_find_duplicates_columns(names, columns, 4, 3, "{\"threshold\": \"high\"}", &dups),
                 CRM_INVALID_ARGUMENT);

    /* Fill rates: the phone is usable in one record of two, the other invented. */
    CHECK_STATUS(crm_quality_report_json(
        "[{\"id\": 1, \"given_name\": \"Ayse\", \"family_name\": \"Kaya\", \"phones\": [\"0532 123 45 67\"]},"
        " {\"id\": 2, \"given_name\": \"test\", \"family_name\": \"Kaya\", \"phones\": [\"5555555555\"]}]",
        "2025-06-01", &out), CRM_OK);
    CHECK(contains(out, "{\"field\":\"phone\",\"records\":2,\"usable\":1,\"invalid\":0,\"invented\":1,\"fill_rate\":0.5,\"checked\":true}"));
    CHECK(contains(out, "\"customer_id\":2,\"field\":\"given_name\""));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_report_json("[]", "June", &out), CRM_INVALID_ARGUMENT);

    CHECK_STATUS(crm_quality_validate_json("[{\"id\": 1, \"given_name\": \"test\", \"national_id\": \"11111111111\"}]",
                                           "2025-06-01", &out), CRM_OK);
    CHECK(contains(out, "\"field\":\"national_id\"") && contains(out, "\"kind\":\"placeholder\""));
    CHECK(contains(out, "1111*******") && !contains(out, "11111111111"));
    CHECK(contains(out, "\"filled\":[[\"given_name\",false]"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_validate_json("[]", "June", &out), CRM_INVALID_ARGUMENT);
    /* `today` is read by crm-core's one date reader: the compact 20250601 is June 1st, so a
     * birth on July 1st is in the future then and not on August 1st; a day that does not
     * exist is refused naming `today` and quoting the text. */
    const char *born_july = "[{\"id\": 1, \"given_name\": \"Ayse\", \"birth_date\": \"2025-07-01\"}]";
    CHECK_STATUS(crm_quality_validate_json(born_july, "20250601", &out), CRM_OK);
    CHECK(contains(out, "\"field\":\"birth_date\""));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_validate_json(born_july, "20250801", &out), CRM_OK);
    CHECK(!contains(out, "\"field\":\"birth_date\""));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_quality_validate_json(born_july, "2025-06-31", &out), CRM_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(contains(crm_last_error_message(), "today") && contains(crm_last_error_message(), "2025-06-31"));

    /* A book with the same customer twice: merged into one, the old id resolves. */
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book,
        "[{\"id\": 1, \"given_name\": \"Ayse\", \"family_name\": \"Kaya\", \"phones\": [\"0532 123 45 67\"], \"birth_date\": \"1980-05-17\"},"
        " {\"id\": 2, \"given_name\": \"Kaya\", \"family_name\": \"Ayse\", \"phones\": [\"+905321234567\"], \"birth_date\": \"1980-05-17\"},"
        " {\"id\": 3, \"given_name\": \"Mehmet\", \"family_name\": \"Ozturk\"}]"), CRM_OK);
    CHECK_STATUS(crm_book_record_json(book, "{\"customer_id\": 2, \"at\": \"2025-01-02T10:00:00Z\", \"type\": \"purchase\", \"amount\": 1000, \"currency\": \"TRY\"}"), CRM_OK);
    CHECK_STATUS(crm_book_quality_report_json(book, "2025-06-01", &out), CRM_OK);
    CHECK(contains(out, "\"records\":3,\"persons\":3,\"organisations\":0"));
    crm_string_free(out);
    out = NULL;
    CHECK_STATUS(crm_book_merge_duplicates_json(book, "2025-06-01T00:00:00Z", true, NULL, NULL, &out), CRM_OK);
    CHECK(contains(out, "\"clusters\":[[1,2]]") && contains(out, "\"events_moved\":1"));
    crm_string_free(out);
    out = NULL;
    uint64_t now = 0;
    CHECK_STATUS(crm_book_resolve(book, 2, &now), CRM_OK);
    CHECK(now == 1 && crm_book_len(book) == 2);
    CHECK_STATUS(crm_book_resolve(book, 42, &now), CRM_NOT_FOUND);
    crm_book_free(book);
    return report();
}
