/* region_match: which Kemendagri region a free-text address names.
 *
 * The address is split at commas and semicolons ("Samurangau, Batu Sopang, Kab.
 * Paser"). Each part is compared with every region name, case-insensitively, with
 * spaces collapsed and a leading level word dropped on both sides (desa,
 * kelurahan, kel., kecamatan, kec., kabupaten, kab., kota, provinsi), so "kab
 * paser" names "Kabupaten Paser". Parts that name nothing (a street, a house
 * number) are ignored. Of the regions named, the one agreeing with the most other
 * parts (they name it or one of its ancestors) wins; of a region and one inside
 * it ("Anggana" is a kecamatan and a desa in it) the inner one; when several
 * unrelated regions remain (a village name found in three districts) the answer
 * is their nearest common ancestor. Pure: no I/O, no globals. */
#ifndef INTAKE_REGION_MATCH_H
#define INTAKE_REGION_MATCH_H

#include <stddef.h>

#include "lp_refdata.h"

#define INTAKE_ADDRESS_MAX 500 /* bytes; a longer address is refused */
#define INTAKE_ADDRESS_PARTS 8 /* parts looked at; more are ignored */

/* Writes the code of the region address names into code (size bytes) and returns
 * 0; -1 when no part names a region (or the address is too long). regions: n
 * regions (lp_refdata_regions). */
int intake_region_match(const lp_region_t *regions, size_t n, const char *address, char *code,
                        size_t size);

#endif
