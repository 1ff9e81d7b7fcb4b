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
    [WT_PORTAL_NAME] = {"Portal Instansi", "Agency portal"},
    [WT_PORTAL_LOGIN_TITLE] = {"Masuk ke portal instansi", "Log in to the agency portal"},
    [WT_PORTAL_USERNAME] = {"Nama pengguna", "Username"},
    [WT_PORTAL_PASSWORD] = {"Kata sandi", "Password"},
    [WT_PORTAL_LOGIN_BUTTON] = {"Masuk", "Log in"},
    [WT_PORTAL_LOGIN_WRONG] = {"Nama pengguna atau kata sandi salah.",
                               "Wrong username or password."},
    [WT_PORTAL_LOGIN_LOCKED] =
        {"Terlalu banyak kata sandi salah. Akun dikunci selama 15 menit; coba lagi nanti.",
         "Too many wrong passwords. The account is locked for 15 minutes; try again later."},
    [WT_PORTAL_LOGGED_OUT] = {"Anda sudah keluar.", "You have logged out."},
    [WT_PORTAL_LOGOUT] = {"Keluar", "Log out"},
    [WT_PORTAL_QUEUE] = {"Antrean pengaduan", "Complaint queue"},
    [WT_PORTAL_TRIAGE] = {"Meja triase", "Triage desk"},
    [WT_PORTAL_SIGNED_IN_AS] = {"Masuk sebagai {}", "Logged in as {}"},
    [WT_PORTAL_FILTER] = {"Saring menurut status", "Filter by status"},
    [WT_PORTAL_ALL] = {"Semua", "All"},
    [WT_PORTAL_EMPTY] = {"Tidak ada pengaduan di sini.", "There are no complaints here."},
    [WT_PORTAL_OVERDUE] = {"TERLAMBAT", "OVERDUE"},
    [WT_PORTAL_DEADLINE] = {"Batas waktu", "Deadline"},
    [WT_PORTAL_PAGE] = {"Halaman {}", "Page {}"},
    [WT_PORTAL_PREV] = {"Sebelumnya", "Previous"},
    [WT_PORTAL_NEXT] = {"Berikutnya", "Next"},
    [WT_PORTAL_TOTAL] = {"Jumlah: {}", "Total: {}"},
    [WT_PORTAL_ANALYST] =
        {"Peran analis tidak memiliki antrean pengaduan. Gunakan laporan statistik.",
         "Analysts have no complaint queue. Use the statistics reports."},
    [WT_PORTAL_NO_AGENCY] = {"Pilih instansi: tambahkan ?agency=<kode> pada alamat.",
                             "Choose an agency: add ?agency=<id> to the address."},
    [WT_PORTAL_FORBIDDEN] = {"Anda tidak berwenang melakukan ini.",
                             "You are not allowed to do this."},
    [WT_PORTAL_FORBIDDEN_DECIDE] =
        {"Hanya Admin Penghubung instansi yang dapat memutuskan ini.",
         "Only the agency's liaison (Admin Penghubung) can decide this."},
    [WT_PORTAL_EXPIRED] = {"Formulir sudah kedaluwarsa. Muat ulang halaman dan coba lagi.",
                           "The form is out of date. Reload the page and try again."},
    [WT_PORTAL_BUSY] = {"Sistem sedang sibuk. Coba lagi sebentar lagi.",
                        "The system is busy. Try again in a moment."},
    [WT_PORTAL_CHANGED] = {"Pengaduan ini baru saja berubah. Periksa lagi lalu ulangi.",
                           "This complaint changed meanwhile. Check it again and repeat."},
    [WT_PORTAL_BAD_STATUS] = {"Tindakan ini tidak dapat dilakukan pada status sekarang.",
                              "This cannot be done in the complaint's present status."},
    [WT_PORTAL_TEXT_LENGTH] = {"Tulis 5 sampai 2000 karakter.", "Write 5 to 2000 characters."},
    [WT_PORTAL_REASON_LENGTH] = {"Tulis alasan 5 sampai 500 karakter.",
                                 "Write a reason of 5 to 500 characters."},
    [WT_PORTAL_QUESTION_LENGTH] = {"Tulis pertanyaan 5 sampai 500 karakter.",
                                   "Write a question of 5 to 500 characters."},
    [WT_PORTAL_REPORTER] = {"Pelapor", "Reporter"},
    [WT_PORTAL_REPORTER_HIDDEN] = {"Identitas pelapor dirahasiakan.",
                                   "The reporter's identity is not shown."},
    [WT_PORTAL_REPLIES] = {"Balasan pelapor", "The reporter's replies"},
    [WT_PORTAL_FOLLOWUPS] = {"Tindak lanjut", "Follow-ups"},
    [WT_PORTAL_NONE_YET] = {"Belum ada.", "None yet."},
    [WT_PORTAL_QUESTION_OPEN] = {"Pertanyaan yang menunggu jawaban",
                                 "Question waiting for an answer"},
    [WT_PORTAL_ANSWER] = {"Jawaban instansi", "The agency's answer"},
    [WT_PORTAL_ACT_FOLLOWUP] = {"Tambah tindak lanjut", "Add a follow-up"},
    [WT_PORTAL_ACT_QUESTION] = {"Tanya pelapor", "Ask the reporter"},
    [WT_PORTAL_ACT_RESOLVE] = {"Selesaikan (dengan jawaban)", "Resolve (with the answer)"},
    [WT_PORTAL_ACT_NOT_AUTHORITY] = {"Bukan kewenangan kami", "Not our authority"},
    [WT_PORTAL_FIELD_TEXT] = {"Isi tindak lanjut", "Follow-up"},
    [WT_PORTAL_FIELD_QUESTION] = {"Pertanyaan untuk pelapor", "Question for the reporter"},
    [WT_PORTAL_FIELD_ANSWER] = {"Jawaban untuk pelapor", "Answer for the reporter"},
    [WT_PORTAL_FIELD_REASON] = {"Alasan", "Reason"},
    [WT_PORTAL_SEND] = {"Kirim", "Send"},
    [WT_PORTAL_DONE_FOLLOWUP] = {"Tindak lanjut tersimpan.", "The follow-up is saved."},
    [WT_PORTAL_DONE_QUESTION] =
        {"Pertanyaan terkirim; pengaduan menunggu jawaban pelapor.",
         "The question is sent; the complaint waits for the reporter's answer."},
    [WT_PORTAL_DONE_RESOLVE] = {"Pengaduan diselesaikan; jawaban dikirim ke pelapor.",
                                "The complaint is resolved; the answer goes to the reporter."},
    [WT_PORTAL_DONE_NOT_AUTHORITY] = {"Pengaduan dikembalikan untuk disposisi ulang.",
                                      "The complaint went back to be disposed again."},
    [WT_PORTAL_BACK_QUEUE] = {"Kembali ke antrean", "Back to the queue"},
    [WT_TRIAGE_INTRO] =
        {"Pengaduan yang menunggu verifikasi dan disposisi, yang terlama lebih dulu.",
         "Complaints waiting for verification and disposition, oldest first."},
    [WT_TRIAGE_SUGGESTED] = {"Kategori usulan: {}", "Suggested category: {}"},
    [WT_TRIAGE_REASON] = {"Alasan menunggu: {}", "Why it waits: {}"},
    [WT_TRIAGE_DISPOSE] = {"Disposisi", "Dispose"},
    [WT_TRIAGE_AGENCY] = {"Instansi (kosongkan: menurut aturan)", "Agency (empty: by the rules)"},
    [WT_TRIAGE_POSTPONE] = {"Tunda dengan pertanyaan", "Postpone with a question"},
    [WT_TRIAGE_ARCHIVE] = {"Arsipkan", "Archive"},
    [WT_TRIAGE_ARCHIVE_REASON] = {"Alasan arsip", "Reason to archive"},
    [WT_TRIAGE_R_TOO_GENERAL] = {"Terlalu umum", "Too general"},
    [WT_TRIAGE_R_NOT_RELEVANT] = {"Tidak relevan", "Not relevant"},
    [WT_TRIAGE_R_DUPLICATE] = {"Duplikat", "Duplicate"},
    [WT_TRIAGE_R_SPAM] = {"Spam", "Spam"},
    [WT_TRIAGE_R_NOT_AUTHORITY] = {"Bukan kewenangan pemerintah", "Not for any government body"},
    [WT_TRIAGE_DONE] = {"Tersimpan untuk pengaduan {}.", "Saved for complaint {}."},
    [WT_TRIAGE_ERROR] = {"Pengaduan {} tidak berubah: periksa isian dan statusnya.",
                         "Complaint {} did not change: check the fields and its status."},
    [WT_CITIZEN_TITLE] = {"Untuk pelapor", "For the reporter"},
    [WT_CITIZEN_INTRO] = {"Masukkan PIN 6 angka yang Anda terima lewat SMS atau email.",
                          "Enter the 6-digit PIN you received by SMS or email."},
    [WT_CITIZEN_PIN] = {"PIN", "PIN"},
    [WT_CITIZEN_QUESTION] = {"Pertanyaan instansi: {}", "The agency asks: {}"},
    [WT_CITIZEN_ANSWER_LABEL] = {"Jawaban Anda", "Your answer"},
    [WT_CITIZEN_ADD_LABEL] = {"Tambahkan keterangan", "Add information"},
    [WT_CITIZEN_SEND] = {"Kirim", "Send"},
    [WT_CITIZEN_ACCEPT] = {"Terima jawaban", "Accept the answer"},
    [WT_CITIZEN_RATING] = {"Penilaian (1 buruk - 5 sangat baik)", "Rating (1 poor - 5 very good)"},
    [WT_CITIZEN_COMMENT] = {"Komentar (tidak wajib)", "Comment (optional)"},
    [WT_CITIZEN_REJECT] = {"Tolak jawaban dan buka kembali", "Reject the answer and reopen"},
    [WT_CITIZEN_REJECT_REASON] = {"Apa yang belum beres?", "What is still wrong?"},
    [WT_CITIZEN_AGENCY_ANSWER] = {"Jawaban instansi: {}", "The agency's answer: {}"},
    [WT_CITIZEN_PIN_WRONG] = {"PIN tidak cocok untuk pengaduan ini.",
                              "The PIN is not right for this complaint."},
    [WT_CITIZEN_PIN_LOCKED] = {"Terlalu banyak PIN salah. Tunggu 15 menit lalu coba lagi.",
                               "Too many wrong PINs. Wait 15 minutes and try again."},
    [WT_CITIZEN_TEXT] = {"Tulis 2 sampai 2000 karakter.", "Write 2 to 2000 characters."},
    [WT_CITIZEN_REASON] = {"Tulis 5 sampai 1000 karakter tentang apa yang belum beres.",
                           "Say in 5 to 1000 characters what is still wrong."},
    [WT_CITIZEN_RATING_ERR] = {"Pilih penilaian 1 sampai 5.", "Choose a rating from 1 to 5."},
    [WT_CITIZEN_DONE_REPLY] = {"Terima kasih, keterangan Anda sudah kami terima.",
                               "Thank you, we have your information."},
    [WT_CITIZEN_DONE_ACCEPT] = {"Terima kasih. Pengaduan ditutup.",
                                "Thank you. The complaint is closed."},
    [WT_CITIZEN_DONE_REJECT] = {"Pengaduan dibuka kembali dan dikirim lagi ke instansi.",
                                "The complaint is reopened and goes back to the agency."},
    [WT_FORM_FILES_LABEL] = {"Foto atau dokumen (tidak wajib)", "Photos or documents (optional)"},
    [WT_FORM_FILES_HINT] =
        {"JPEG, PNG, WebP atau PDF. Data lokasi dan kamera di dalam foto dihapus.",
         "JPEG, PNG, WebP or PDF. Location and camera data inside photos are "
         "removed."},
    [WT_FORM_FILES_COUNT] = {"Paling banyak {} berkas,", "At most {} files,"},
    [WT_FORM_FILES_SIZE] = {"masing-masing paling besar {} MB.", "of up to {} MB each."},
    [WT_FORM_FILES_PERSONAL] = {"Lampiran ini berisi data pribadi saya (tidak ditampilkan untuk "
                                "umum, dihapus bersama data saya)",
                                "These files hold my personal data (never shown to the public, "
                                "erased with my details)"},
    [WT_ERR_ATTACHMENT] =
        {"Lampiran ditolak: hanya JPEG, PNG, WebP atau PDF yang utuh, dalam batas "
         "jumlah dan ukuran. Berkas:",
         "Attachment refused: only whole JPEG, PNG, WebP or PDF files, within the "
         "number and size limits. File:"},
    [WT_TRACK_ATTACHMENTS] = {"Lampiran", "Attachments"},
    [WT_TRACK_ATTACHMENT_N] = {"Lampiran {}", "Attachment {}"},
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
        {"lampiran", WT_ERR_ATTACHMENT},
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
