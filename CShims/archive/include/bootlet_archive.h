#ifndef BOOTLET_ARCHIVE_H
#define BOOTLET_ARCHIVE_H
/* placeholder: filled by the archive work */
int bl_archive_placeholder(void);
#endif
