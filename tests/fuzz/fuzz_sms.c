/* fuzz_sms: an SMS text read as a command, its title and the place it names. */
#include <assert.h>
#include <string.h>

#include "fuzz_common.h"
#include "sms_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lp_region_t regions[] = {
        {"64", "provinsi", "Kalimantan Timur", ""},
        {"64.01", "kabupaten", "Paser", "64"},
        {"64.01.01", "kecamatan", "Batu Sopang", "64.01"},
        {"64.01.01.2009", "desa", "Samurangau", "64.01.01"},
        {"64.01.01.2010", "desa", "Minta", "64.01.01"},
    };
    intake_sms_cmd_t cmd;
    char title[INTAKE_SMS_TITLE_MAX * 4 + 1];
    const char *text = (const char *) data;

    intake_sms_parse(text, size, &cmd);
    /* Whatever it found lies inside the text. */
    assert(!cmd.id_len || (cmd.id >= text && cmd.id + cmd.id_len <= text + size));
    assert(!cmd.body_len || (cmd.body >= text && cmd.body + cmd.body_len <= text + size));
    if (cmd.kind == INTAKE_SMS_COMPLAINT && intake_sms_utf8_valid(cmd.body, cmd.body_len)) {
        intake_sms_title(cmd.body, cmd.body_len, title, sizeof title);
        intake_sms_region(cmd.body, cmd.body_len, regions, sizeof regions / sizeof regions[0]);
    }
    return 0;
}
