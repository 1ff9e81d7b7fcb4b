/* open311_catalog: groups and attributes of the Open311 services. */
#include "open311_catalog.h"

#include <string.h>

#include "validate.h"

/* ---------------------------------------------------------------------------- */
/* The table                                                                      */

static const intake_open311_value_t s_report_types[] = {
    {"pengaduan", "Pengaduan (complaint)"},
    {"aspirasi", "Aspirasi (suggestion)"},
    {"permintaan_informasi", "Permintaan informasi (information request)"},
    {NULL, NULL}};

static const intake_open311_value_t s_school_levels[] = {
    {"paud", "PAUD/TK"},        {"sd", "SD/MI"}, {"smp", "SMP/MTs"}, {"sma_smk", "SMA/SMK/MA"},
    {"pt", "Perguruan tinggi"}, {NULL, NULL}};

static const intake_open311_value_t s_documents[] = {{"ktp_el", "KTP elektronik"},
                                                     {"kk", "Kartu Keluarga"},
                                                     {"akta_kelahiran", "Akta kelahiran"},
                                                     {"akta_kematian", "Akta kematian"},
                                                     {"kia", "Kartu Identitas Anak"},
                                                     {"pindah_datang", "Surat pindah/datang"},
                                                     {"lainnya", "Lainnya"},
                                                     {NULL, NULL}};

static const intake_open311_value_t s_damage[] = {{"jalan_rusak", "Jalan rusak/berlubang"},
                                                  {"jembatan", "Jembatan"},
                                                  {"drainase", "Drainase/banjir"},
                                                  {"penerangan_jalan", "Penerangan jalan"},
                                                  {"lainnya", "Lainnya"},
                                                  {NULL, NULL}};

static const intake_open311_value_t s_programs[] = {{"pkh", "Program Keluarga Harapan"},
                                                    {"bpnt", "Bantuan Pangan Non Tunai"},
                                                    {"blt_dana_desa", "BLT Dana Desa"},
                                                    {"pbi_jk", "PBI Jaminan Kesehatan"},
                                                    {"lainnya", "Lainnya"},
                                                    {NULL, NULL}};

static const intake_open311_attribute_t s_attributes[] = {
    {"*", "report_type", "singlevaluelist", false, 0, "Jenis laporan",
     "pengaduan (default), aspirasi atau permintaan_informasi", s_report_types},
    {"pendidikan", "nama_sekolah", "string", false, 100, "Nama sekolah atau kampus",
     "teks, paling banyak 100 karakter", NULL},
    {"pendidikan", "jenjang", "singlevaluelist", false, 0, "Jenjang pendidikan", NULL,
     s_school_levels},
    {"kesehatan", "nama_fasilitas", "string", false, 100,
     "Nama fasilitas kesehatan (puskesmas, rumah sakit, klinik)",
     "teks, paling banyak 100 karakter", NULL},
    {"kependudukan", "jenis_dokumen", "singlevaluelist", true, 0, "Dokumen yang dimaksud", NULL,
     s_documents},
    {"infrastruktur", "jenis_kerusakan", "singlevaluelist", false, 0, "Jenis kerusakan", NULL,
     s_damage},
    {"bansos", "program", "singlevaluelist", false, 0, "Program bantuan", NULL, s_programs},
    {"air-listrik", "nomor_pelanggan", "number", false, 20,
     "Nomor pelanggan PDAM atau PLN (jika ada)", "angka, paling banyak 20 digit", NULL},
};

static const struct {
    const char *service;
    const char *group;
} s_groups[] = {
    {"kesehatan", "Layanan dasar"},
    {"pendidikan", "Layanan dasar"},
    {"air-listrik", "Layanan dasar"},
    {"kependudukan", "Administrasi"},
    {"perizinan", "Administrasi"},
    {"ketenagakerjaan", "Administrasi"},
    {"bansos", "Kesejahteraan sosial"},
    {"dana-desa", "Kesejahteraan sosial"},
    {"infrastruktur", "Infrastruktur dan lingkungan"},
    {"transportasi", "Infrastruktur dan lingkungan"},
    {"lingkungan", "Infrastruktur dan lingkungan"},
    {"ketertiban", "Ketertiban umum"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------- */
/* Lookups                                                                        */

const char *
intake_open311_group(const char *service)
{
    for (size_t i = 0; service && i < N(s_groups); i++)
        if (strcmp(s_groups[i].service, service) == 0)
            return s_groups[i].group;
    return "Lainnya";
}

size_t
intake_open311_attributes(const char *service, const intake_open311_attribute_t **out, size_t max)
{
    size_t n = 0;
    /* "*" rows first, so report_type is always question 1. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N(s_attributes) && n < max; i++) {
            bool any = strcmp(s_attributes[i].service, "*") == 0;
            if (pass == 0 ? any
                          : (!any && service && strcmp(s_attributes[i].service, service) == 0))
                out[n++] = &s_attributes[i];
        }
    return n;
}

const intake_open311_attribute_t *
intake_open311_attribute_find(const char *service, const char *code)
{
    for (size_t i = 0; code && i < N(s_attributes); i++)
        if (strcmp(s_attributes[i].code, code) == 0 &&
            (strcmp(s_attributes[i].service, "*") == 0 ||
             (service && strcmp(s_attributes[i].service, service) == 0)))
            return &s_attributes[i];
    return NULL;
}

int
intake_open311_attribute_check(const intake_open311_attribute_t *a, const char *value,
                               lp_error_t *err)
{
    if (a->values) {
        for (const intake_open311_value_t *v = a->values; v->key; v++)
            if (strcmp(v->key, value) == 0)
                return 0;
        lp_error_set(err, LP_ERR_INVALID, NULL, "is not one of the listed values");
        return -1;
    }
    if (strcmp(a->datatype, "number") == 0) {
        size_t n = strlen(value);
        if (n == 0 || n > a->max || strspn(value, "0123456789") != n) {
            lp_error_set(err, LP_ERR_INVALID, NULL, "must be 1 to %zu digits", a->max);
            return -1;
        }
        return 0;
    }
    size_t n = intake_utf8_length(value);
    if (n == 0 || n > a->max) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "must be 1 to %zu characters", a->max);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *) value; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            lp_error_set(err, LP_ERR_INVALID, NULL, "must not contain control characters");
            return -1;
        }
    return 0;
}
