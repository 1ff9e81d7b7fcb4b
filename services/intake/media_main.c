/* lapor-intake-media: cleans one photo for intake (see media.h), in its own process.
 *
 * usage: lapor-intake-media IN TYPE OUT THUMB MAX_PIXELS LONG_SIDE
 * Answers one line on stdout: "ok WIDTH HEIGHT", "invalid WHY" (the file is
 * refused: WHY completes "file "x" ..."), or "error WHY". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "media.h"

int
main(int argc, char **argv)
{
    intake_media_limits_t limits;
    lp_error_t err;
    int width = 0, height = 0;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s IN TYPE OUT THUMB MAX_PIXELS LONG_SIDE\n"
               "Cleans one photo for lapor-intake: upright, at most LONG_SIDE pixels a side,\n"
               "no metadata, plus a JPEG thumbnail. Started by intake for each photo.\n",
               argv[0]);
        return 0;
    }
    if (argc != 7) {
        fprintf(stderr, "usage: %s IN TYPE OUT THUMB MAX_PIXELS LONG_SIDE (or --help)\n", argv[0]);
        return 2;
    }
    limits.max_pixels = strtoll(argv[5], NULL, 10);
    limits.long_side = atoi(argv[6]);
    lp_error_clear(&err);
    if (media_vips_start(argv[0]) != 0) {
        printf("error libvips failed to start\n");
        return 1;
    }
    int rc = media_vips_clean(argv[1], (lp_sniff_type_t) atoi(argv[2]), &limits, argv[3], argv[4],
                              &width, &height, &err);
    if (rc == 0)
        printf("ok %d %d\n", width, height);
    else
        printf("%s %s\n", err.code == LP_ERR_INVALID ? "invalid" : "error", err.message);
    vips_shutdown();
    return 0;
}
