/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cenc/vpk-cenc-boxes.h"

/**
 * vpk_cenc_aux_info_new:
 *
 * Returns: (transfer full): an empty list of samples' auxiliary information
 */
VpkCencAuxInfo *
vpk_cenc_aux_info_new (void)
{
  VpkCencAuxInfo *aux = g_new0 (VpkCencAuxInfo, 1);

  aux->samples = g_array_new (FALSE, TRUE, sizeof (VpkCencSampleAux));
  aux->subsamples = g_array_new (FALSE, FALSE, sizeof (VpkCencSubsample));
  return aux;
}

void
vpk_cenc_aux_info_free (VpkCencAuxInfo *aux)
{
  if (aux == NULL)
    return;
  g_clear_pointer (&aux->samples, g_array_unref);
  g_clear_pointer (&aux->subsamples, g_array_unref);
  g_free (aux);
}

/**
 * vpk_cenc_aux_info_add_sample:
 * @iv: (array length=iv_size) (nullable): the sample's IV; %NULL when @iv_size is 0
 * @iv_size: 0, 8 or 16
 * @subsamples: (array length=n_subsamples) (nullable): copied
 *
 * Appends one sample, as vpk_cenc_encrypt_sample() described it.
 */
void
vpk_cenc_aux_info_add_sample (VpkCencAuxInfo         *aux,
                              const guint8           *iv,
                              guint                   iv_size,
                              const VpkCencSubsample *subsamples,
                              guint                   n_subsamples)
{
  VpkCencSampleAux sample = { .iv_size = (guint8) iv_size };

  g_return_if_fail (iv_size == 0 || iv_size == 8 || iv_size == 16);
  g_return_if_fail (iv != NULL || iv_size == 0);

  if (iv_size > 0)
    memcpy (sample.iv, iv, iv_size);
  sample.first_subsample = aux->subsamples->len;
  sample.n_subsamples = n_subsamples;
  g_array_append_val (aux->samples, sample);
  if (n_subsamples > 0)
    g_array_append_vals (aux->subsamples, subsamples, n_subsamples);
}

/**
 * vpk_cenc_aux_info_has_subsamples:
 *
 * Returns: whether 'senc' carries subsample maps (flag 0x2)
 */
gboolean
vpk_cenc_aux_info_has_subsamples (const VpkCencAuxInfo *aux)
{
  return aux->subsamples->len > 0;
}

/**
 * vpk_cenc_aux_info_sample_size:
 *
 * Returns: the size of sample @index's auxiliary information, as 'saiz' says it
 */
guint
vpk_cenc_aux_info_sample_size (const VpkCencAuxInfo *aux,
                               guint                 index)
{
  const VpkCencSampleAux *sample;

  g_return_val_if_fail (index < aux->samples->len, 0);

  sample = &g_array_index (aux->samples, VpkCencSampleAux, index);
  if (!vpk_cenc_aux_info_has_subsamples (aux))
    return sample->iv_size;
  return sample->iv_size + 2 + 6 * sample->n_subsamples;
}

void
vpk_cenc_pssh_free (VpkCencPssh *pssh)
{
  if (pssh == NULL)
    return;
  g_clear_pointer (&pssh->kids, g_array_unref);
  g_clear_pointer (&pssh->data, g_bytes_unref);
  g_free (pssh);
}
