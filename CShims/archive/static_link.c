/*
 * Static-link trim for libarchive 3.6 (docs/images.md "Linking").
 *
 * Every tar writer (pax, ustar, gnutar) calls __archive_write_entry_filetype_unsupported() for file types it cannot
 * store. libarchive defines that helper in archive_write_set_format.o, the by-code format table, which references
 * every writer: pulling it from libarchive.a drags in the xar writer (libxml2 -> ICU), 7zip (liblzma, libbz2),
 * zip, warc, iso9660 and more into the fully static `bootlet`. Defining the helper here keeps that member out, so the
 * static link needs only libarchive, libzstd, libz and libacl. The behaviour matches libarchive's: record an error
 * naming the entry and the format; the caller then fails the entry. bl_create_tar() skips sockets, the only type the
 * pax writer rejects, so this runs only for corrupt input.
 *
 * If a future libarchive pulls archive_write_set_format.o for another reason, the static link fails with a duplicate
 * definition of this symbol: loud, never silent.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>

void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry, const char *format);

void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry, const char *format) {
    const char *p = archive_entry_pathname(entry);
    archive_set_error(a, EILSEQ, "%s: %s format cannot archive file type 0%o", p ? p : "(unnamed)", format,
                      (unsigned)archive_entry_filetype(entry));
}
