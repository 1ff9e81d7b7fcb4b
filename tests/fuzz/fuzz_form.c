/* fuzz_form: the form-urlencoded decoder the web form and Open311 share. */
#include <assert.h>
#include <string.h>

#include "fuzz_common.h"
#include "urlform.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_error_t err;
    lp_error_clear(&err);
    intake_urlform_t *form = intake_urlform_decode((const char *) data, size, &err);
    /* Either a form, or a refusal that says why. */
    assert(form || err.message[0]);
    intake_urlform_destroy(&form);
    return 0;
}
