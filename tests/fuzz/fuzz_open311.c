/* fuzz_open311: POST requests.json parameters, decoded and checked. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_lookup.h"
#include "open311_parse.h"

static int
s_by_address(void *arg, const char *address, char *code, size_t size)
{
    (void) arg;
    if (!strstr(address, "Samurangau"))
        return -1;
    snprintf(code, size, "64.01.01.2009");
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    intake_open311_lookup_t lookup = {*fuzz_lookup(), s_by_address, NULL, "64.01"};
    intake_complaint_t c;
    lp_error_t err;

    lp_error_clear(&err);
    if (intake_open311_parse_request((const char *) data, size, &lookup, &c, &err) == 0) {
        assert(c.title && c.body && c.region);
        intake_complaint_clear(&c);
    }
    else
        assert(err.message[0]);
    return 0;
}
