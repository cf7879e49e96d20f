/* human.h: a figure as a person reads it, by its unit (struct metric_def's MU_*): counts with
   thousands separators, sizes, durations, percentages, rates; three significant digits. The
   one place every view and text format turns a number into words (json, prometheus and
   nagios values stay raw base units by contract). "-" for NaN or infinity (not known). */
#ifndef SYNCTOP_HUMAN_H
#define SYNCTOP_HUMAN_H

#include <stddef.h>

#include "kinds/kind.h"

/* A count, whole, with thousands separators: "0", "999", "1,000", "-1,234,567". */
void human_count(double v, char *buf, size_t n);
/* Three significant digits, whole from 100 up, with separators: "0.5", "2.5", "12.3",
   "1.52", "0.0123", "123", "1,235". */
void human_number(double v, char *buf, size_t n);
/* A fraction of one as a percentage: whole from 10% ("98%", "100%"), one decimal below it
   ("0.5%", "5%"); never rounded to 100% or 0% when it is not: "99.9%", "<0.1%". */
void human_ratio(double v, char *buf, size_t n);
/* A rate per second: "2.5/s", "1,235/s", "0/s". */
void human_rate(double v, char *buf, size_t n);
/* v in the form of unit u: MU_COUNT and MU_COUNTER as counts, MU_SECONDS as a duration
   ("4m12s"), MU_BYTES as a size ("1.2 GiB"), MU_RATIO as a percentage, MU_PER_SECOND as a
   rate, anything else (MU_FACTOR) as a number. */
void human_value(enum metric_unit u, double v, char *buf, size_t n);

#endif
