/* fuzz_units.c: fuzz target for the duration and size parsers and formatters (src/units.c). */
#include <math.h>

#include "fuzz.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char buf[64];
	double d = -1;
	if (parse_duration(s, &d)) {
		FUZZ_CHECK(isfinite(d) && d >= 0, "parse_duration(\"%s\") = %g", s, d);
		format_duration(d, buf, sizeof buf);
		FUZZ_CHECK(buf[0] != '\0', "format_duration(%g) is empty", d);
		iso8601(d, buf, sizeof buf);
	}
	int64_t z = -1;
	if (parse_size(s, &z)) {
		FUZZ_CHECK(z >= 0, "parse_size(\"%s\") = %lld", s, (long long)z);
		format_size((double)z, buf, sizeof buf);
	}
	/* The formatters take any double a server's figures may produce: NaN, inf, negatives. */
	if (size >= sizeof(double)) {
		double v;
		memcpy(&v, data, sizeof v);
		format_duration(v, buf, sizeof buf);
		format_size(v, buf, sizeof buf);
		iso8601(v, buf, sizeof buf);
		char tiny[4];
		format_duration(v, tiny, sizeof tiny);
		format_size(v, tiny, sizeof tiny);
	}
	free(s);
	return 0;
}
