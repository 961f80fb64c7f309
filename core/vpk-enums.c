/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one string table of every enum that reaches the config, the database or JSON. */
#include "vpk.h"

typedef struct {
  int         value;
  const char *name;
} EnumName;

static const char *
enum_to_string (const EnumName *table,
                gsize           n,
                int             value)
{
  for (gsize i = 0; i < n; i++)
    if (table[i].value == value)
      return table[i].name;
  return NULL;
}

static gboolean
enum_from_string (const EnumName *table,
                  gsize           n,
                  const char     *text,
                  int            *out_value)
{
  for (gsize i = 0; text != NULL && i < n; i++) {
    if (g_ascii_strcasecmp (table[i].name, text) == 0) {
      *out_value = table[i].value;
      return TRUE;
    }
  }
  return FALSE;
}

#define DEFINE_ENUM_STRINGS(Type, prefix, ...)                                   \
  static const EnumName prefix##_names[] = { __VA_ARGS__ };                    \
  const char *vpk_##prefix##_to_string (Type value)                            \
  {                                                                            \
    return enum_to_string (prefix##_names, G_N_ELEMENTS (prefix##_names),       \
                           (int) value);                                       \
  }                                                                            \
  gboolean vpk_##prefix##_from_string (const char *text, Type *out_value)      \
  {                                                                            \
    int v;                                                                     \
    if (!enum_from_string (prefix##_names, G_N_ELEMENTS (prefix##_names), text, \
                           &v))                                                \
      return FALSE;                                                            \
    *out_value = (Type) v;                                                     \
    return TRUE;                                                               \
  }

DEFINE_ENUM_STRINGS (VpkScheme, scheme,
                     { VPK_SCHEME_CBCS, "cbcs" },
                     { VPK_SCHEME_CENC, "cenc" })

DEFINE_ENUM_STRINGS (VpkEncryptTracks, encrypt_tracks,
                     { VPK_ENCRYPT_VIDEO, "video" },
                     { VPK_ENCRYPT_ALL, "all" })

DEFINE_ENUM_STRINGS (VpkProfile, profile,
                     { VPK_PROFILE_LIVE, "live" },
                     { VPK_PROFILE_ON_DEMAND, "on-demand" })

static const EnumName stage_names[] = {
  { VPK_STAGE_INGEST, "ingest" },
  { VPK_STAGE_FRAGMENT, "fragment" },
  { VPK_STAGE_ENCRYPT, "encrypt" },
  { VPK_STAGE_PACKAGE, "package" },
};

const char *
vpk_stage_kind_to_string (VpkStageKind kind)
{
  const char *name = enum_to_string (stage_names, G_N_ELEMENTS (stage_names), (int) kind);

  return name != NULL ? name : "unknown";
}

gboolean
vpk_stage_kind_from_string (const char   *name,
                            VpkStageKind *out_kind)
{
  int v;

  if (!enum_from_string (stage_names, G_N_ELEMENTS (stage_names), name, &v))
    return FALSE;
  *out_kind = (VpkStageKind) v;
  return TRUE;
}
