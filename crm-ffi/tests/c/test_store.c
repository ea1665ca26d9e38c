/* The durable book through the C ABI: crm_book_open, refresh, the change feed, backup, close. */
#define _POSIX_C_SOURCE 200809L
#include "crm.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static const char *self_path;

static const char *path_in(const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", dir, name);
    return buf;
}

static const char *CUSTOMERS =
    "[{\"id\": 1, \"given_name\": \"Ay\xc5\x9f" "e\", \"family_name\": \"Y\xc4\xb1lmaz\"},"
    " {\"id\": 2, \"given_name\": \"Mehmet\", \"family_name\": \"\xc3\x96zt\xc3\xbcrk\"}]";

static const char *EVENTS =
    "[{\"customer_id\": 1, \"at\": \"2025-03-01T10:00:00Z\", \"type\": \"purchase\", \"amount\": 10000, \"currency\": \"TRY\"},"
    " {\"customer_id\": 2, \"at\": \"2025-03-02T10:00:00Z\", \"type\": \"purchase\", \"amount\": 2500, \"currency\": \"TRY\"}]";

static char *view_of(const crm_book_t *book, uint64_t id) {
    char *view = NULL;
    CHECK_STATUS(crm_book_view_json(book, id, "2025-03-10T00:00:00Z", 0, 20, &view), CRM_OK);
    return view;
}

static void test_a_reopened_store_is_the_same_book(void) {
    char path[128];
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_open(path_in("book.crm", path, sizeof path), "{\"currency\": \"TRY\"}", &book),
                 CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_OK); /* change 1 */
    CHECK_STATUS(crm_book_record_json(book, EVENTS), CRM_OK);         /* change 2 */
    CHECK(crm_book_cursor(book) == 2);
    char *before = view_of(book, 1);
    CHECK(contains(before, "\"net\":10000"));
    CHECK_STATUS(crm_book_close(book), CRM_OK);

    /* Reopened without options: the currency comes from the store. */
    CHECK_STATUS(crm_book_open(path, NULL, &book), CRM_OK);
    CHECK(crm_book_len(book) == 2 && crm_book_event_count(book) == 2);
    CHECK(crm_book_cursor(book) == 2);
    char *after = view_of(book, 1);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    crm_string_free(before);
    crm_string_free(after);

    /* The change feed, one record per page. */
    char *json = NULL;
    uint64_t next = 99;
    CHECK_STATUS(crm_book_changes_json(book, 0, 1, &json, &next), CRM_OK);
    CHECK(next == 1 && contains(json, "\"seq\":1") && contains(json, "\"customers_added\""));
    CHECK(!contains(json, "\"seq\":2"));
    crm_string_free(json);
    CHECK_STATUS(crm_book_changes_json(book, next, 0, &json, &next), CRM_OK);
    CHECK(next == 2 && contains(json, "\"events_recorded\""));
    crm_string_free(json);
    CHECK_STATUS(crm_book_changes_json(book, 2, 0, &json, &next), CRM_OK);
    CHECK(next == 2 && json != NULL && strcmp(json, "[]") == 0);
    crm_string_free(json);

    /* A backup opens as an equal book and is never written over. */
    char copy[128];
    CHECK_STATUS(crm_book_backup(book, path_in("copy.crm", copy, sizeof copy)), CRM_OK);
    CHECK_STATUS(crm_book_backup(book, copy), CRM_INVALID_ARGUMENT);
    crm_book_t *other = NULL;
    CHECK_STATUS(crm_book_open(copy, "{\"create\": false}", &other), CRM_OK);
    CHECK(crm_book_len(other) == 2 && crm_book_cursor(other) == 2);
    crm_book_free(other);

    /* A failed write changes nothing: a duplicate id. */
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_DUPLICATE);
    CHECK(crm_book_len(book) == 2 && crm_book_cursor(book) == 2);
    crm_book_free(book);
}

static void test_a_reader_sees_a_writer_process_after_refresh(void) {
    char path[128];
    path_in("shared.crm", path, sizeof path);
    crm_book_t *reader = NULL;
    CHECK_STATUS(crm_book_open(path, "{\"currency\": \"TRY\"}", &reader), CRM_OK);
    /* The writer is this program again (`--writer PATH`), a process of its own. */
    pid_t child = fork();
    if (child == 0) {
        execl(self_path, self_path, "--writer", path, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(crm_book_len(reader) == 0);
    uint64_t replayed = 0;
    CHECK_STATUS(crm_book_refresh(reader, &replayed), CRM_OK);
    CHECK(replayed == 2 && crm_book_len(reader) == 2 && crm_book_event_count(reader) == 2);
    CHECK_STATUS(crm_book_refresh(reader, NULL), CRM_OK);
    CHECK_STATUS(crm_book_close(reader), CRM_OK);
}

static void test_bad_files_and_options(void) {
    char path[128];
    crm_book_t *book = (crm_book_t *)&book; /* must stay untouched on failure */
    crm_book_t *const sentinel = book;

    FILE *f = fopen(path_in("junk.crm", path, sizeof path), "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 200; i++) fputs("not a database, just bytes ", f);
        fclose(f);
    }
    CHECK_STATUS(crm_book_open(path, NULL, &book), CRM_PARSE_ERROR);
    CHECK(book == sentinel && contains(crm_last_error_message(), "junk.crm"));

    CHECK_STATUS(crm_book_open(path_in("missing.crm", path, sizeof path), "{\"create\": false}", &book),
                 CRM_NOT_FOUND);
    CHECK_STATUS(crm_book_open(path_in("new.crm", path, sizeof path), "{\"curency\": \"TRY\"}", &book),
                 CRM_PARSE_ERROR);
    CHECK(contains(crm_last_error_message(), "curency"));
    CHECK_STATUS(crm_book_open(path, "{\"currency\": \"TRY\"", &book), CRM_PARSE_ERROR);
    CHECK_STATUS(crm_book_open(NULL, NULL, &book), CRM_NULL_POINTER);
    CHECK(book == sentinel);

    /* A store written by a newer schema: SQLite keeps user_version at byte 60 (big-endian). */
    crm_book_t *fresh = NULL;
    CHECK_STATUS(crm_book_open(path_in("newer.crm", path, sizeof path), "{\"currency\": \"TRY\"}", &fresh),
                 CRM_OK);
    CHECK_STATUS(crm_book_close(fresh), CRM_OK);
    f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f != NULL) {
        const unsigned char version[4] = {0, 0, 0x03, 0xe7}; /* 999 */
        CHECK(fseek(f, 60, SEEK_SET) == 0 && fwrite(version, 1, 4, f) == 4);
        fclose(f);
    }
    CHECK_STATUS(crm_book_open(path, NULL, &book), CRM_UNSUPPORTED_VERSION);
    CHECK(contains(crm_last_error_message(), "999"));
}

static void test_store_only_calls_on_a_memory_book(void) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    uint64_t replayed = 7;
    CHECK_STATUS(crm_book_refresh(book, &replayed), CRM_OK);
    CHECK(replayed == 0 && crm_book_cursor(book) == 0);
    char *json = NULL;
    uint64_t next = 0;
    CHECK_STATUS(crm_book_changes_json(book, 0, 0, &json, &next), CRM_INVALID_ARGUMENT);
    CHECK(json == NULL && contains(crm_last_error_message(), "stored book"));
    char path[128];
    CHECK_STATUS(crm_book_backup(book, path_in("memory.crm", path, sizeof path)), CRM_INVALID_ARGUMENT);
    CHECK_STATUS(crm_book_close(book), CRM_OK);
    CHECK_STATUS(crm_book_close(NULL), CRM_OK);
}

/* The writer process: adds the customers and their events, one commit each. */
static int run_writer(const char *path) {
    crm_book_t *writer = NULL;
    int ok = crm_book_open(path, NULL, &writer) == CRM_OK
             && crm_book_add_customers_json(writer, CUSTOMERS) == CRM_OK
             && crm_book_record_json(writer, EVENTS) == CRM_OK;
    return (crm_book_close(writer) == CRM_OK && ok) ? 0 : 1;
}

/* The read-only process: as `nobody` when root (permission bits do not bind root), it meets
 * a 0444 store: opening or the first write fails with CRM_IO_ERROR naming the file, and the
 * book it opened is unchanged. Exit 0 when so, 3 when the file is still writable (skip). */
static int run_read_only(const char *path) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 2;
    if (access(path, W_OK) == 0) return 3;
    crm_book_t *book = NULL;
    int status = crm_book_open(path, NULL, &book);
    if (status != CRM_OK) {
        return status == CRM_IO_ERROR && contains(crm_last_error_message(), "ro.crm") ? 0 : 4;
    }
    size_t len = crm_book_len(book);
    uint64_t cursor = crm_book_cursor(book);
    status = crm_book_add_customers_json(book, "[{\"id\": 9, \"given_name\": \"Can\"}]");
    int ok = status == CRM_IO_ERROR && contains(crm_last_error_message(), "ro.crm")
             && contains(crm_last_error_message(), "read-only")
             && crm_book_len(book) == len && crm_book_cursor(book) == cursor;
    if (!ok) fprintf(stderr, "read-only write: status %d: %s\n", status, crm_last_error_message());
    crm_book_free(book);
    return ok ? 0 : 5;
}

static void test_a_read_only_file_fails_clearly_and_is_untouched(void) {
    char path[128];
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_open(path_in("ro.crm", path, sizeof path), "{\"currency\": \"TRY\"}", &book),
                 CRM_OK);
    CHECK_STATUS(crm_book_add_customers_json(book, CUSTOMERS), CRM_OK);
    CHECK_STATUS(crm_book_close(book), CRM_OK);
    CHECK(chmod(path, 0444) == 0 && chmod(dir, 0755) == 0);
    pid_t child = fork();
    if (child == 0) {
        execl(self_path, self_path, "--read-only", path, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        printf("skipped: the read-only file is still writable for this user (not root, "
               "but allowed to write past permission bits)\n");
    } else {
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK(chmod(path, 0644) == 0 && chmod(dir, 0700) == 0);
    /* Untouched: the same two customers, the same one change. */
    CHECK_STATUS(crm_book_open(path, NULL, &book), CRM_OK);
    CHECK(crm_book_len(book) == 2 && crm_book_cursor(book) == 1);
    crm_book_free(book);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--writer") == 0) return run_writer(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--read-only") == 0) return run_read_only(argv[2]);
    self_path = argv[0];
    strcpy(dir, "/tmp/crm-c-store-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_a_reopened_store_is_the_same_book();
    test_a_reader_sees_a_writer_process_after_refresh();
    test_bad_files_and_options();
    test_store_only_calls_on_a_memory_book();
    test_a_read_only_file_fails_clearly_and_is_untouched();
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return report();
}
