/* Smoke test of the C ABI: the header compiles cleanly (C11 and C++17) and the library
 * reports the version and ABI version the header was generated with. */
#include "crm.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    int failed = 0;
    const char *version = crm_version();
    if (version == NULL || strlen(version) == 0) {
        fprintf(stderr, "crm_version returned an empty string\n");
        failed++;
    }
    if (crm_abi_version() != CRM_ABI_VERSION) {
        fprintf(stderr, "ABI mismatch: library %u, header %u\n", (unsigned)crm_abi_version(),
                (unsigned)CRM_ABI_VERSION);
        failed++;
    }
    printf("libcrm %s (ABI %u)\n", version ? version : "?", (unsigned)crm_abi_version());
    printf("%d passed, %d failed\n", 2 - failed, failed);
    return failed == 0 ? 0 : 1;
}
