/* The book-building both test_find.c and test_matches.c share: the same checks on a book in
 * memory and on a stored one, then on the stored one reopened. Include after "check.h" (and
 * after defining _POSIX_C_SOURCE, for mkdtemp). */
#ifndef CRM_TEST_TWO_BOOKS_H
#define CRM_TEST_TWO_BOOKS_H

#include <stdio.h>
#include <stdlib.h>

/* Runs `fill` then `check` on a new book in memory, then on a new stored book in a fresh
 * folder under /tmp named after `name`; closes that one, reopens it, runs `reopened` on it
 * and removes the folder. Returns 1 when no folder could be made, else 0 (the checks
 * count their own failures). */
static int on_two_books(const char *name, void (*fill)(crm_book_t *), void (*check)(crm_book_t *),
                        void (*reopened)(crm_book_t *)) {
    crm_book_t *book = NULL;
    CHECK_STATUS(crm_book_new("TRY", &book), CRM_OK);
    fill(book);
    check(book);
    crm_book_free(book);

    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/crm-c-%s-XXXXXX", name);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char path[96];
    snprintf(path, sizeof path, "%s/book.crm", dir);
    book = NULL;
    CHECK_STATUS(crm_book_open(path, "{\"currency\": \"TRY\"}", &book), CRM_OK);
    if (book != NULL) {
        fill(book);
        check(book);
        CHECK_STATUS(crm_book_close(book), CRM_OK);
        book = NULL;
        CHECK_STATUS(crm_book_open(path, NULL, &book), CRM_OK);
        if (book != NULL) reopened(book);
        crm_book_free(book);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}

#endif
