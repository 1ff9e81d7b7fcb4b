/* templates: the citizen's messages in Bahasa Indonesia and English. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "templates.h"

typedef struct {
    const char *kind;
    const char *lang;
    const char *sms;
    const char *subject;
    const char *text;
} s_template_t;

/* Short words on purpose: many readers are on feature phones, and one SMS holds
 * 160 plain characters. */
static const s_template_t s_templates[] = {
    {"received", "id",
     "LAPOR: pengaduan diterima. Nomor lacak {id}, PIN {pin} (rahasiakan). Cek: kirim STATUS {id} "
     "ke {number}.",
     "Pengaduan Anda diterima ({id})",
     "Terima kasih. Pengaduan Anda sudah kami terima.\n\nNomor lacak: {id}\nPIN: {pin} "
     "(rahasiakan; diperlukan untuk menjawab, menerima atau menolak jawaban)\n\n"
     "Kami akan meneruskannya ke instansi yang berwenang dalam 3 hari kerja. Simpan nomor lacak "
     "ini untuk melihat perkembangannya di situs LAPOR atau dengan SMS STATUS {id} ke {number}."},
    {"received", "en",
     "LAPOR: complaint received. Tracking ID {id}, PIN {pin} (keep it secret). Status: text "
     "STATUS {id} to {number}.",
     "Your complaint was received ({id})",
     "Thank you. We have received your complaint.\n\nTracking ID: {id}\nPIN: {pin} "
     "(keep it secret; you need it to answer, accept or reject the answer)\n\n"
     "We will pass it to the responsible agency within 3 working days. Keep this tracking ID to "
     "follow it on the LAPOR website or by texting STATUS {id} to {number}."},
    {"disposed", "id",
     "LAPOR {id}: diteruskan ke {agency}. Tindak lanjut paling lambat {deadline}.",
     "Pengaduan {id} diteruskan ke {agency}",
     "Pengaduan Anda ({id}) sudah diteruskan ke {agency}.\n\n"
     "Instansi ini wajib menindaklanjutinya paling lambat {deadline}. Anda akan mendapat kabar "
     "setiap ada perkembangan."},
    {"disposed", "en", "LAPOR {id}: passed to {agency}. Follow-up due by {deadline}.",
     "Complaint {id} passed to {agency}",
     "Your complaint ({id}) has been passed to {agency}.\n\n"
     "The agency must follow it up by {deadline}. We will tell you whenever it moves."},
    {"followup", "id", "LAPOR {id}: {agency} sedang menindaklanjuti. {note}",
     "Pengaduan {id} sedang ditindaklanjuti",
     "{agency} sedang menindaklanjuti pengaduan Anda ({id}).\n\n{note}"},
    {"followup", "en", "LAPOR {id}: {agency} is working on it. {note}",
     "Complaint {id} is being followed up",
     "{agency} is working on your complaint ({id}).\n\n{note}"},
    {"question", "id",
     "LAPOR {id}: petugas bertanya: {note} Balas: BALAS {id} <jawaban> ke {number}.",
     "Pertanyaan tentang pengaduan {id}",
     "Petugas membutuhkan keterangan tambahan tentang pengaduan Anda ({id}):\n\n{note}\n\n"
     "Jawab di halaman lacak LAPOR, atau kirim SMS BALAS {id} <jawaban Anda> ke {number}. "
     "Pengaduan ditunda sampai Anda menjawab."},
    {"question", "en",
     "LAPOR {id}: the agency asks: {note} Reply: BALAS {id} <answer> to {number}.",
     "A question about complaint {id}",
     "The agency needs more information about your complaint ({id}):\n\n{note}\n\n"
     "Answer on the LAPOR tracking page, or text BALAS {id} <your answer> to {number}. "
     "The complaint waits until you answer."},
    {"resolved", "id",
     "LAPOR {id}: {agency} menyatakan selesai. Puas: TERIMA {id}. Belum: TOLAK {id} <alasan> ke "
     "{number}.",
     "Pengaduan {id} dinyatakan selesai",
     "{agency} menyatakan pengaduan Anda ({id}) sudah selesai ditindaklanjuti.\n\n{note}\n\n"
     "Jika Anda puas, kirim TERIMA {id} ke {number}. Jika belum, kirim TOLAK {id} <alasan>; "
     "pengaduan kembali ke instansi. Tanpa jawaban, pengaduan ditutup setelah 10 hari kerja."},
    {"resolved", "en",
     "LAPOR {id}: {agency} says it is resolved. OK: TERIMA {id}. Not: TOLAK {id} <reason> to "
     "{number}.",
     "Complaint {id} marked resolved",
     "{agency} says your complaint ({id}) has been resolved.\n\n{note}\n\n"
     "If you are satisfied, text TERIMA {id} to {number}. If not, text TOLAK {id} <reason>; "
     "the complaint goes back to the agency. Without an answer it closes after 10 working days."},
    {"escalated", "id",
     "LAPOR {id}: belum ditindaklanjuti tepat waktu, kini diteruskan ke {agency}.",
     "Pengaduan {id} dinaikkan ke {agency}",
     "Pengaduan Anda ({id}) belum ditindaklanjuti sebelum batas waktunya, sehingga kini "
     "diteruskan ke {agency} untuk ditangani."},
    {"escalated", "en", "LAPOR {id}: not followed up in time, now passed up to {agency}.",
     "Complaint {id} escalated to {agency}",
     "Your complaint ({id}) was not followed up before its deadline, so it has been passed up "
     "to {agency}."},
    {"closed", "id", "LAPOR {id}: pengaduan ditutup. Terima kasih telah melapor.",
     "Pengaduan {id} ditutup",
     "Pengaduan Anda ({id}) sudah ditutup. Terima kasih telah menggunakan LAPOR."},
    {"closed", "en", "LAPOR {id}: the complaint is closed. Thank you for reporting.",
     "Complaint {id} closed", "Your complaint ({id}) is closed. Thank you for using LAPOR."},
    {"archived", "id", "LAPOR {id}: tidak dapat ditindaklanjuti: {note}",
     "Pengaduan {id} tidak dapat ditindaklanjuti",
     "Pengaduan Anda ({id}) tidak dapat ditindaklanjuti.\n\nAlasan: {note}\n\n"
     "Anda dapat mengirim pengaduan baru dengan keterangan yang lebih lengkap."},
    {"archived", "en", "LAPOR {id}: cannot be followed up: {note}",
     "Complaint {id} cannot be followed up",
     "Your complaint ({id}) cannot be followed up.\n\nReason: {note}\n\n"
     "You can send a new complaint with more details."},
    {"reopened", "id", "LAPOR {id}: dibuka kembali dan dikembalikan ke {agency}.",
     "Pengaduan {id} dibuka kembali",
     "Pengaduan Anda ({id}) dibuka kembali dan dikembalikan ke {agency} dengan batas waktu baru."},
    {"reopened", "en", "LAPOR {id}: reopened and sent back to {agency}.", "Complaint {id} reopened",
     "Your complaint ({id}) was reopened and sent back to {agency} with a new deadline."},
    {"duplicate", "id",
     "LAPOR: pesan Anda mirip pengaduan {id} yang sedang diproses; kami gabungkan. Cek: STATUS "
     "{id}.",
     "Pesan Anda digabung dengan pengaduan {id}",
     "Pesan Anda hampir sama dengan pengaduan {id} yang Anda kirim dalam 24 jam terakhir, "
     "jadi kami menggabungkannya ke pengaduan itu."},
    {"duplicate", "en",
     "LAPOR: your message matches complaint {id}, already in progress; we joined them. STATUS "
     "{id}.",
     "Your message was added to complaint {id}",
     "Your message is nearly the same as complaint {id}, which you sent in the last 24 hours, "
     "so we added it to that complaint."},
};

/* Copies tpl into out, replacing {name} by its value; never overflows. */
static void
s_fill(const char *tpl, const notifier_vars_t *v, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = tpl; *p && n + 1 < size; p++) {
        const char *value = NULL;
        size_t skip = 0;
        if (*p == '{') {
            static const char *const names[] = {"{id}", "{agency}", "{deadline}", "{note}",
                                                "{number}"};
            const char *values[] = {v->tracking_id, v->agency, v->deadline, v->note, v->number};
            for (size_t i = 0; i < 5; i++)
                if (strncmp(p, names[i], strlen(names[i])) == 0) {
                    value = values[i] ? values[i] : "";
                    skip = strlen(names[i]) - 1;
                    break;
                }
        }
        if (!value) {
            out[n++] = *p;
            continue;
        }
        size_t len = strlen(value);
        if (len > size - 1 - n)
            len = size - 1 - n;
        memcpy(out + n, value, len);
        n += len;
        p += skip;
    }
    out[n] = '\0';
}

int
notifier_render(const char *kind, const char *lang, const notifier_vars_t *vars,
                notifier_message_t *out)
{
    const char *want = lang && strcmp(lang, "en") == 0 ? "en" : "id";
    for (size_t i = 0; i < sizeof s_templates / sizeof s_templates[0]; i++) {
        const s_template_t *t = &s_templates[i];
        if (strcmp(t->kind, kind) == 0 && strcmp(t->lang, want) == 0) {
            s_fill(t->sms, vars, out->sms, sizeof out->sms);
            s_fill(t->subject, vars, out->subject, sizeof out->subject);
            s_fill(t->text, vars, out->text, sizeof out->text);
            return 0;
        }
    }
    return -1;
}

void
notifier_date(long long ms, const char *lang, char *out, size_t size)
{
    static const char *const id[] = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun",
                                     "Jul", "Agu", "Sep", "Okt", "Nov", "Des"};
    static const char *const en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /* Kalimantan Timur keeps WITA, UTC+8, all year. */
    time_t secs = (time_t) (ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, size, "%d %s %d", tm.tm_mday,
             (lang && strcmp(lang, "en") == 0 ? en : id)[tm.tm_mon], tm.tm_year + 1900);
}

void
notifier_fill_pin(const char *text, const char *pin, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size; p++) {
        if (strncmp(p, "{pin}", 5) == 0) {
            size_t len = strlen(pin);
            if (len > size - 1 - n)
                len = size - 1 - n;
            memcpy(out + n, pin, len);
            n += len;
            p += 4;
        }
        else
            out[n++] = *p;
    }
    out[n] = '\0';
}
