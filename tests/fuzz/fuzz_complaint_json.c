/* fuzz_complaint_json: intake_complaint_parse on arbitrary bytes. */
#include <assert.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_lookup.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    intake_complaint_t c;
    lp_error_t err;

    lp_error_clear(&err);
    if (intake_complaint_parse((const char *) data, size, fuzz_lookup(), &c, &err) == 0) {
        /* What the parser accepts must hold what validate.h promises. */
        assert(c.title && c.body && c.region);
        assert(intake_utf8_length(c.title) >= INTAKE_TITLE_MIN);
        assert(intake_utf8_length(c.title) <= INTAKE_TITLE_MAX);
        assert(intake_utf8_length(c.body) <= INTAKE_BODY_MAX);
        assert(!c.reporter_phone || strncmp(c.reporter_phone, "+62", 3) == 0);
        /* Anonymous: never a name; a phone or email only to be sealed. */
        assert(c.privacy != LAPOR__V1__PRIVACY__PRIVACY_ANONYMOUS || !c.reporter_name);
        assert(strcmp(c.lang, "id") == 0 || strcmp(c.lang, "en") == 0);
        intake_complaint_clear(&c);
    }
    else
        assert(err.message[0]);
    return 0;
}
