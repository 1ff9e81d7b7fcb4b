/* fuzz_common: what every libFuzzer target of lapor shares. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer calls this once per input; it must not keep state between calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
