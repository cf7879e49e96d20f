/* record_zstd.h: recordings named *.zst: a zstd frame per flush, and the whole file read back (libzstd). */
#ifndef SYNCTOP_RECORD_ZSTD_H
#define SYNCTOP_RECORD_ZSTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Appends buf (n bytes) to f as one zstd frame (concatenated frames decode as one stream:
   zstd -d reads the file) and flushes; the frame's size in *written. False on a write error
   (errno set). */
bool zstd_frame_write(FILE *f, const char *buf, size_t n, size_t *written);

/* The decompressed text of the zstd file f, NUL-terminated, its length in *len; *cut is true
   when the last frame ends short (a crash mid-write: what came before it stands). NULL with
   the reason in why when it is not zstd data. */
char *zstd_read_all(FILE *f, size_t *len, bool *cut, char *why, size_t n);

#endif
