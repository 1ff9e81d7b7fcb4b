/* web_text: the web pages' words, both languages side by side. */
#include "web_text.h"

#include <string.h>

static const char *const s_texts[WT__COUNT][2] = {
    [WT_LANG_CODE] = {"id", "en"},
    [WT_OTHER_LANG] = {"en", "id"},
    [WT_OTHER_LANG_NAME] = {"English", "Bahasa Indonesia"},
    [WT_SITE_TAGLINE] = {"Layanan Aspirasi dan Pengaduan Online Rakyat",
                         "People's Online Aspiration and Complaint Service"},
    [WT_NAV_HOME] = {"Beranda", "Home"},
    [WT_NAV_REPORT] = {"Sampaikan laporan", "Make a report"},
    [WT_NAV_TRACK] = {"Lacak laporan", "Track a report"},
    [WT_HOME_TITLE] = {"Sampaikan keluhan tentang layanan publik",
                       "Tell us about a problem with a public service"},
    [WT_HOME_INTRO] = {"LAPOR! meneruskan pengaduan, aspirasi dan permintaan informasi Anda ke "
                       "instansi pemerintah yang berwenang, dengan batas waktu yang jelas.",
                       "LAPOR! passes your complaint, suggestion or request for information to the "
                       "government agency in charge, with clear deadlines."},
    [WT_HOME_HOW] = {"Caranya", "How it works"},
    [WT_HOME_STEP_1] = {"Pilih tempat kejadian dan tulis laporan Anda.",
                        "Choose where it happened and write your report."},
    [WT_HOME_STEP_2] = {"Simpan nomor lacak yang Anda terima.",
                        "Keep the tracking number you receive."},
    [WT_HOME_STEP_3] = {"Ikuti perkembangannya di halaman lacak atau lewat SMS.",
                        "Follow it on the tracking page or by SMS."},
    [WT_HOME_SMS] = {"Tanpa internet? Kirim SMS berisi laporan Anda ke 1708.",
                     "No internet? Send your report by SMS to 1708."},
    [WT_PLACE_TITLE] = {"Di mana masalahnya terjadi?", "Where did it happen?"},
    [WT_PLACE_REGENCY] = {"Pilih kabupaten atau kota", "Choose the regency or city"},
    [WT_PLACE_DISTRICT] = {"Pilih kecamatan", "Choose the district (kecamatan)"},
    [WT_PLACE_VILLAGE] = {"Pilih desa atau kelurahan", "Choose the village (desa or kelurahan)"},
    [WT_PLACE_WHOLE_DISTRICT] = {"Tidak tahu desanya? Pilih seluruh kecamatan ini",
                                 "Don't know the village? Choose the whole district"},
    [WT_PLACE_SEARCH_LABEL] = {"Atau cari nama desa, kelurahan atau kecamatan",
                               "Or search for a village or district by name"},
    [WT_PLACE_SEARCH_BUTTON] = {"Cari", "Search"},
    [WT_PLACE_SEARCH_RESULTS] = {"Hasil pencarian", "Search results"},
    [WT_PLACE_NO_RESULTS] = {"Tidak ada tempat dengan nama itu.", "No place has that name."},
    [WT_PLACE_SEARCH_SHORT] = {"Ketik paling sedikit 3 huruf.", "Type at least 3 letters."},
    [WT_PLACE_START_OVER] = {"Mulai lagi dari kabupaten/kota", "Start again from the regency"},
    [WT_PLACE_LABEL] = {"Tempat kejadian", "Place"},
    [WT_PLACE_CHANGE] = {"Ganti tempat", "Change the place"},
    [WT_FORM_TITLE] = {"Sampaikan laporan", "Make a report"},
    [WT_FORM_TYPE_LEGEND] = {"Jenis laporan", "Kind of report"},
    [WT_TYPE_PENGADUAN] = {"Pengaduan", "Complaint"},
    [WT_TYPE_PENGADUAN_HINT] = {"layanan publik yang buruk atau merugikan Anda",
                                "a public service that was poor or harmed you"},
    [WT_TYPE_ASPIRASI] = {"Aspirasi", "Suggestion"},
    [WT_TYPE_ASPIRASI_HINT] = {"usul atau saran untuk pemerintah",
                               "an idea or proposal for the government"},
    [WT_TYPE_INFORMASI] = {"Permintaan informasi", "Request for information"},
    [WT_TYPE_INFORMASI_HINT] = {"pertanyaan kepada instansi pemerintah",
                                "a question to a government agency"},
    [WT_FORM_TITLE_LABEL] = {"Judul", "Title"},
    [WT_FORM_TITLE_HINT] = {"Singkat, 5 sampai 150 karakter.", "Short, 5 to 150 characters."},
    [WT_FORM_BODY_LABEL] = {"Isi laporan", "Your report"},
    [WT_FORM_BODY_HINT] =
        {"Ceritakan apa yang terjadi, di mana dan kapan (10 sampai 5000 karakter).",
         "Say what happened, where and when (10 to 5000 characters)."},
    [WT_FORM_CATEGORY_LABEL] = {"Kategori", "Category"},
    [WT_CATEGORY_UNKNOWN] = {"Tidak tahu (petugas yang memilihkan)",
                             "I don't know (staff will choose)"},
    [WT_FORM_PRIVACY_LEGEND] = {"Siapa yang boleh melihat laporan ini?",
                                "Who may see this report?"},
    [WT_PRIVACY_PUBLIC] = {"Publik", "Public"},
    [WT_PRIVACY_PUBLIC_HINT] = {"Siapa pun dapat membaca isi laporan; nama Anda hanya dilihat "
                                "instansi.",
                                "Anyone can read the report; only the agency sees your name."},
    [WT_PRIVACY_ANONYMOUS] = {"Anonim", "Anonymous"},
    [WT_PRIVACY_ANONYMOUS_HINT] = {"Siapa pun dapat membaca isi laporan, tetapi nama Anda tidak "
                                   "disimpan sama sekali.",
                                   "Anyone can read the report, but your name is not kept at all."},
    [WT_PRIVACY_CONFIDENTIAL] = {"Rahasia", "Confidential"},
    [WT_PRIVACY_CONFIDENTIAL_HINT] = {"Hanya instansi yang dapat membaca isi laporan; orang lain "
                                      "hanya melihat statusnya.",
                                      "Only the agency can read the report; others see only its "
                                      "status."},
    [WT_FORM_CONTACT_LEGEND] = {"Kontak Anda (tidak pernah ditampilkan)",
                                "How to reach you (never shown)"},
    [WT_FORM_CONTACT_HINT] = {"Isi nomor telepon atau email agar kami dapat mengabari Anda. "
                              "Boleh dikosongkan.",
                              "Give a phone number or an email address so we can tell you what "
                              "happens. You may leave them empty."},
    [WT_FORM_NAME_LABEL] = {"Nama (boleh dikosongkan)", "Name (optional)"},
    [WT_FORM_PHONE_LABEL] = {"Nomor telepon", "Phone number"},
    [WT_FORM_PHONE_HINT] = {"Misalnya 0812 3456 7890.", "For example 0812 3456 7890."},
    [WT_FORM_EMAIL_LABEL] = {"Email", "Email"},
    [WT_FORM_SUBMIT] = {"Kirim laporan", "Send the report"},
    [WT_FORM_ERRORS] = {"Laporan belum terkirim. Perbaiki bagian yang ditandai.",
                        "The report was not sent. Please correct the marked fields."},
    [WT_FORM_EXPIRED] = {"Formulir ini sudah kedaluwarsa atau tidak dikirim dari situs ini. "
                         "Periksa isinya, lalu kirim sekali lagi.",
                         "This form has expired or was not sent from this site. Check it, then "
                         "send it once more."},
    [WT_ERR_TYPE] = {"Pilih salah satu jenis laporan.", "Choose one kind of report."},
    [WT_ERR_TITLE] = {"Tulis judul 5 sampai 150 karakter.",
                      "Write a title of 5 to 150 characters."},
    [WT_ERR_BODY] = {"Tulis isi laporan 10 sampai 5000 karakter.",
                     "Write a report of 10 to 5000 characters."},
    [WT_ERR_CATEGORY] = {"Pilih kategori dari daftar.", "Choose a category from the list."},
    [WT_ERR_REGION] = {"Pilih tempat kejadian dari daftar.", "Choose the place from the list."},
    [WT_ERR_PRIVACY] = {"Pilih siapa yang boleh melihat laporan.",
                        "Choose who may see the report."},
    [WT_ERR_NAME] = {"Nama paling banyak 100 karakter.", "A name has at most 100 characters."},
    [WT_ERR_PHONE] = {"Tulis nomor telepon Indonesia, misalnya 0812 3456 7890.",
                      "Write an Indonesian phone number, such as 0812 3456 7890."},
    [WT_ERR_EMAIL] = {"Tulis alamat email yang benar, misalnya nama@contoh.id.",
                      "Write a valid email address, such as name@example.id."},
    [WT_ERR_FORM] = {"Isian formulir tidak dapat dibaca. Coba kirim sekali lagi.",
                     "The form could not be read. Please send it once more."},
    [WT_ERR_BUSY] = {"Layanan sedang sibuk dan laporan belum tersimpan. Coba lagi sebentar lagi.",
                     "The service is busy and the report was not saved. Please try again shortly."},
    [WT_ERR_RATE] = {"Terlalu banyak kiriman dari alamat Anda. Coba lagi sebentar lagi.",
                     "Too many submissions from your address. Please try again shortly."},
    [WT_DONE_TITLE] = {"Laporan Anda sudah diterima", "Your report has been received"},
    [WT_DONE_TRACKING] = {"Nomor lacak", "Tracking number"},
    [WT_DONE_KEEP] = {"Simpan nomor ini: Anda memerlukannya untuk melihat perkembangan laporan.",
                      "Keep this number: you need it to follow your report."},
    [WT_DONE_PIN] = {"PIN", "PIN"},
    [WT_DONE_PIN_HINT] = {"PIN hanya ditampilkan sekali ini. Anda memerlukannya untuk menjawab "
                          "pertanyaan petugas atau menilai tindak lanjut.",
                          "The PIN is shown only this once. You need it to answer questions from "
                          "staff or to rate the follow-up."},
    [WT_DONE_NEXT] = {"Apa selanjutnya?", "What happens next?"},
    [WT_DONE_NEXT_VERIFY] = {"Petugas memeriksa laporan Anda dan meneruskannya ke instansi yang "
                             "berwenang paling lambat {}.",
                             "Staff check your report and pass it to the agency in charge by {}."},
    [WT_DONE_NEXT_FOLLOWUP] = {"Instansi itu lalu punya {} hari kerja untuk menindaklanjutinya.",
                               "That agency then has {} working days to follow it up."},
    [WT_DONE_NEXT_NOTIFY] = {"Jika Anda memberi nomor telepon atau email, kami mengabari Anda "
                             "setiap ada perkembangan.",
                             "If you gave a phone number or email address, we tell you each time "
                             "something happens."},
    [WT_DONE_SMS] = {"Cek status lewat SMS: kirim STATUS {} ke 1708.",
                     "Check by SMS: send STATUS {} to 1708."},
    [WT_DONE_TRACK_LINK] = {"Lihat perkembangan laporan", "See how your report is doing"},
    [WT_DONE_DUPLICATE] = {"Anda sudah mengirim laporan yang hampir sama dalam 24 jam terakhir, "
                           "jadi kiriman ini digabungkan ke laporan tersebut.",
                           "You sent nearly the same report in the last 24 hours, so this one "
                           "was added to it."},
    [WT_TRACK_TITLE] = {"Lacak laporan", "Track a report"},
    [WT_TRACK_LABEL] = {"Nomor lacak (10 angka)", "Tracking number (10 digits)"},
    [WT_TRACK_BUTTON] = {"Lacak", "Track"},
    [WT_TRACK_NOT_FOUND] = {"Tidak ada laporan dengan nomor lacak itu. Periksa lagi angkanya.",
                            "No report has that tracking number. Please check the digits."},
    [WT_TRACK_HEADING] = {"Laporan {}", "Report {}"},
    [WT_TRACK_STATUS] = {"Status", "Status"},
    [WT_TRACK_TYPE] = {"Jenis", "Kind"},
    [WT_TRACK_PLACE] = {"Tempat", "Place"},
    [WT_TRACK_CATEGORY] = {"Kategori", "Category"},
    [WT_TRACK_SUBMITTED] = {"Dikirim", "Sent"},
    [WT_TRACK_AGENCY] = {"Instansi yang menangani", "Agency in charge"},
    [WT_TRACK_NO_AGENCY] = {"Belum ada: laporan sedang diperiksa.",
                            "None yet: the report is being checked."},
    [WT_TRACK_DISPOSE_BY] = {"Diteruskan ke instansi paling lambat",
                             "To be passed to an agency by"},
    [WT_TRACK_DEADLINE] = {"Batas waktu tindak lanjut", "Follow-up due by"},
    [WT_TRACK_SUBJECT] = {"Judul", "Title"},
    [WT_TRACK_BODY] = {"Isi", "Report"},
    [WT_TRACK_CONFIDENTIAL] = {"Isi laporan ini rahasia: hanya instansi yang dapat membacanya.",
                               "This report is confidential: only the agency can read it."},
    [WT_TRACK_HISTORY] = {"Riwayat", "History"},
    [WT_STATUS_RECEIVED] = {"Diterima, menunggu diperiksa", "Received, waiting to be checked"},
    [WT_STATUS_VERIFIED] = {"Sudah diperiksa", "Checked"},
    [WT_STATUS_DISPOSED] = {"Diteruskan ke instansi yang berwenang",
                            "Passed to the agency in charge"},
    [WT_STATUS_IN_PROGRESS] = {"Sedang ditindaklanjuti instansi", "Being handled by the agency"},
    [WT_STATUS_RESOLVED] = {"Selesai ditindaklanjuti", "Resolved"},
    [WT_STATUS_CLOSED] = {"Ditutup", "Closed"},
    [WT_STATUS_POSTPONED] = {"Ditunda: petugas menunggu keterangan dari Anda",
                             "On hold: staff are waiting for more information from you"},
    [WT_STATUS_ARCHIVED] = {"Diarsipkan: tidak dapat ditindaklanjuti",
                            "Archived: it cannot be followed up"},
    [WT_STATUS_REOPENED] = {"Dibuka kembali", "Reopened"},
    [WT_STATUS_UNKNOWN] = {"Sedang diproses", "In progress"},
    [WT_PAGE_NOT_FOUND] = {"Halaman tidak ditemukan", "Page not found"},
    [WT_PAGE_NOT_FOUND_HINT] = {"Alamat ini tidak ada. Mulai lagi dari beranda.",
                                "This address does not exist. Start again from the home page."},
    [WT_METHOD_NOT_ALLOWED] = {"Halaman ini tidak menerima kiriman seperti itu.",
                               "This page does not accept that kind of request."},
    [WT_TIME_ZONE] = {"WITA", "WITA (UTC+8)"},
};

static const char *const s_months[12][2] = {
    {"Januari", "January"}, {"Februari", "February"}, {"Maret", "March"},
    {"April", "April"},     {"Mei", "May"},           {"Juni", "June"},
    {"Juli", "July"},       {"Agustus", "August"},    {"September", "September"},
    {"Oktober", "October"}, {"November", "November"}, {"Desember", "December"},
};

const char *
web_text(web_lang_t lang, web_text_id_t id)
{
    const char *text = NULL;
    if ((int) id < 0 || id >= WT__COUNT)
        return "";
    text = s_texts[id][lang == WEB_LANG_EN ? 1 : 0];
    return text ? text : "";
}

web_lang_t
web_lang_from(const char *code)
{
    return code && strcmp(code, "en") == 0 ? WEB_LANG_EN : WEB_LANG_ID;
}

web_text_id_t
web_text_status(const char *status)
{
    static const struct {
        const char *name;
        web_text_id_t id;
    } map[] = {
        {"received", WT_STATUS_RECEIVED},   {"verified", WT_STATUS_VERIFIED},
        {"disposed", WT_STATUS_DISPOSED},   {"in_progress", WT_STATUS_IN_PROGRESS},
        {"resolved", WT_STATUS_RESOLVED},   {"closed", WT_STATUS_CLOSED},
        {"postponed", WT_STATUS_POSTPONED}, {"archived", WT_STATUS_ARCHIVED},
        {"reopened", WT_STATUS_REOPENED},
    };
    for (size_t i = 0; status && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, status) == 0)
            return map[i].id;
    return WT_STATUS_UNKNOWN;
}

web_text_id_t
web_text_type(const char *type)
{
    if (type && strcmp(type, "aspirasi") == 0)
        return WT_TYPE_ASPIRASI;
    if (type && strcmp(type, "informasi") == 0)
        return WT_TYPE_INFORMASI;
    return WT_TYPE_PENGADUAN;
}

web_text_id_t
web_text_field_error(const char *field)
{
    static const struct {
        const char *field;
        web_text_id_t id;
    } map[] = {
        {"type", WT_ERR_TYPE},
        {"title", WT_ERR_TITLE},
        {"body", WT_ERR_BODY},
        {"category", WT_ERR_CATEGORY},
        {"region", WT_ERR_REGION},
        {"privacy", WT_ERR_PRIVACY},
        {"reporter.name", WT_ERR_NAME},
        {"reporter.phone", WT_ERR_PHONE},
        {"reporter.email", WT_ERR_EMAIL},
    };
    for (size_t i = 0; field && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].field, field) == 0)
            return map[i].id;
    return WT_ERR_FORM;
}

const char *
web_text_month(web_lang_t lang, int month)
{
    if (month < 1 || month > 12)
        return "";
    return s_months[month - 1][lang == WEB_LANG_EN ? 1 : 0];
}
