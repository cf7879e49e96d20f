/* record_zstd.c: recordings named *.zst: a zstd frame per flush, and the whole file read back (libzstd). */
#include "record_zstd.h"

#include <errno.h>
#include <stdlib.h>
#include <zstd.h>

#include "util.h"

bool zstd_frame_write(FILE *f, const char *buf, size_t n, size_t *written)
{
	size_t cap = ZSTD_compressBound(n);
	char *out = xmalloc(cap ? cap : 1);
	size_t got = ZSTD_compress(out, cap, buf, n, 3);
	bool ok = !ZSTD_isError(got);
	if (!ok)
		errno = EIO;
	ok = ok && fwrite(out, 1, got, f) == got && fflush(f) == 0;
	free(out);
	*written = ok ? got : 0;
	return ok;
}

char *zstd_read_all(FILE *f, size_t *len, bool *cut, char *why, size_t n)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	struct sbuf out = {0};
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	char *ibuf = xmalloc(in_cap), *obuf = xmalloc(out_cap);
	size_t last = 0, got;
	bool ok = true;
	*cut = false;
	while (ok && (got = fread(ibuf, 1, in_cap, f)) > 0) {
		ZSTD_inBuffer in = {ibuf, got, 0};
		while (ok && in.pos < in.size) {
			ZSTD_outBuffer o = {obuf, out_cap, 0};
			last = ZSTD_decompressStream(ds, &o, &in);
			if (ZSTD_isError(last)) {
				snprintf(why, n, "not zstd data, or damaged: %s", ZSTD_getErrorName(last));
				ok = false;
			}
			sbuf_addn(&out, obuf, o.pos);
		}
	}
	/* the decoder keeps a frame's end in its buffers: drain them */
	for (;;) {
		ZSTD_inBuffer in = {ibuf, 0, 0};
		ZSTD_outBuffer o = {obuf, out_cap, 0};
		if (!ok || last == 0)
			break;
		last = ZSTD_decompressStream(ds, &o, &in);
		if (ZSTD_isError(last) || o.pos == 0)
			break;
		sbuf_addn(&out, obuf, o.pos);
	}
	if (ok && last != 0)
		*cut = true; /* the last frame needs input the file does not have */
	ZSTD_freeDStream(ds);
	free(ibuf);
	free(obuf);
	if (!ok) {
		free(out.s);
		return NULL;
	}
	sbuf_addn(&out, "", 0);
	*len = out.len;
	return out.s;
}
