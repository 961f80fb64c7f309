/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vpk-store.h"

G_BEGIN_DECLS

#define VPK_ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"
/* The columns vpk_store_job_from_result() reads, in order. */
#define VPK_JOB_COLUMNS                                                          \
  "p.id, p.input_content_id, p.status, p.stage, p.progress, p.kid, p.url, p.error, " \
  VPK_ISO ("p.created_at") ", " VPK_ISO ("p.updated_at") ", p.output_path, p.scheme, " \
  "p.encrypt_tracks, p.profile, p.segment_duration_ms, p.cancel_requested, p.attempts, " \
  "p.license_token"

VpkJobRow *vpk_store_job_from_result (VpkDbResult *result, guint row);

G_END_DECLS
