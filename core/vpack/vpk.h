/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The vpack plugin SDK: include only this header. */
#define VPK_INSIDE
#include <vpack/vpk-version.h>
#include <vpack/vpk-error.h>
#include <vpack/vpk-key.h>
#include <vpack/vpk-media-info.h>
#include <vpack/vpk-option.h>
#include <vpack/vpk-job.h>
#include <vpack/vpk-backend.h>
#undef VPK_INSIDE
