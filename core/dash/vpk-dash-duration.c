/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "dash/vpk-dash-private.h"

char *
vpk_dash_format_duration (gint64 us)
{
  gint64 ms = (MAX (us, 0) + 500) / 1000;

  return g_strdup_printf ("PT%" G_GINT64_FORMAT ".%03dS", ms / 1000, (int) (ms % 1000));
}

/* One "<number><unit>" part; the fraction is allowed on seconds only. */
static gboolean
parse_part (const char **p,
            double      *out_value,
            char        *out_unit)
{
  char *end = NULL;
  double v;

  if (!g_ascii_isdigit (**p))
    return FALSE;
  v = g_ascii_strtod (*p, &end);
  if (end == *p || *end == '\0' || v < 0 || v > 1e12)
    return FALSE;
  *out_value = v;
  *out_unit = *end;
  *p = end + 1;
  return TRUE;
}

gboolean
vpk_dash_parse_duration (const char *text,
                         gint64     *out_us)
{
  const char *p = text;
  gboolean in_time = FALSE;
  double total = 0;

  if (text == NULL || *p++ != 'P' || *p == '\0')
    return FALSE;

  while (*p != '\0') {
    double v;
    char unit;

    if (*p == 'T' && !in_time) {
      in_time = TRUE;
      p++;
      continue;
    }
    if (!parse_part (&p, &v, &unit))
      return FALSE;
    if (unit == 'D' && !in_time)
      total += v * 86400;
    else if (unit == 'H' && in_time)
      total += v * 3600;
    else if (unit == 'M' && in_time)
      total += v * 60;
    else if (unit == 'S' && in_time)
      total += v;
    else
      return FALSE;
  }

  if (total > 1e9)  /* some 31 years: refuse rather than overflow */
    return FALSE;
  *out_us = (gint64) (total * G_USEC_PER_SEC + 0.5);
  return TRUE;
}
