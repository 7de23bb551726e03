/* od-export.c: the history with its payments as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The history is read in keyset pages (od_store_history_page_after), newest first, and each
 * page is written as one buffer, so memory stays bounded by a page plus the payments of one
 * offer.  An offer's payments follow it newest first too (the store lists them oldest first).
 * A payment line of an offer in a currency shows paid_amount_msat / rate when the payment
 * carries the rate of its time, else the offer's own currency amount (rate column empty).  Its
 * node_id is the offer's, or the payment's when the offer was stored without one.
 * Numbers are printed with integer arithmetic only: no locale, no binary floating point, so
 * "12.50" is exact and never "12,50".
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bolt12-amount.h"
#include "od-export.h"
#include "od-store.h"

#define EXPORT_PAGE_SIZE 256

static const char * const columns[] = {
  "date", "kind", "description", "amount_msat", "fiat_amount", "fiat_currency",
  "rate_msat_per_unit", "label", "status", "id", "node_id", "paid_at", "paid_amount_msat",
  "payer_note", "quantity", "recurrence_counter", "pay_index", "payment_hash",
};

/* One CSV field: RFC 4180 quoting, and a leading ' for what a spreadsheet would run as a
 * formula.  NULL is an empty field. */
static void
append_field (GString    *out,
              const char *value,
              gboolean    first)
{
  gboolean quote;

  if (!first)
    g_string_append_c (out, ',');
  if (value == NULL || value[0] == '\0')
    return;

  quote = strpbrk (value, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (out, '"');
  if (strchr ("=+-@", value[0]) != NULL)
    g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  if (quote)
    g_string_append_c (out, '"');
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  if (time == NULL)
    return NULL;

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_u64 (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/* msat / msat_per_unit in the currency's major units with its minor-unit digits, rounded half
 * up: long division one digit at a time, each step written so that nothing overflows (the
 * remainder stays below the rate, and 10 × remainder is built by repeated modular addition). */
static char *
format_fiat (guint64     msat,
             guint64     msat_per_unit,
             const char *currency)
{
  const Bolt12Currency *info = bolt12_currency_lookup (currency);
  GString *out;
  guint8 digits[8];
  guint64 whole;
  guint64 rem;

  if (info == NULL || msat_per_unit == 0 || info->exponent > G_N_ELEMENTS (digits))
    return NULL;

  whole = msat / msat_per_unit;
  rem = msat % msat_per_unit;
  for (guint i = 0; i < info->exponent; i++)
    {
      guint64 acc = 0;
      guint8 digit = 0;

      /* acc = 10 × rem mod rate, digit = 10 × rem div rate, with rem, acc < rate. */
      for (guint k = 0; k < 10; k++)
        {
          if (acc >= msat_per_unit - rem)
            {
              acc -= msat_per_unit - rem;
              digit++;
            }
          else
            {
              acc += rem;
            }
        }
      digits[i] = digit;
      rem = acc;
    }

  /* Half up: the remainder is at least half the rate. */
  if (rem >= msat_per_unit - rem)
    {
      guint i = info->exponent;

      while (i > 0 && digits[i - 1] == 9)
        digits[--i] = 0;
      if (i > 0)
        digits[i - 1]++;
      else
        whole++;  /* at most 2.1e18 + 1: no overflow */
    }

  out = g_string_new (NULL);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, whole);
  if (info->exponent > 0)
    {
      g_string_append_c (out, '.');
      for (guint i = 0; i < info->exponent; i++)
        g_string_append_c (out, (char) ('0' + digits[i]));
    }

  return g_string_free (out, FALSE);
}

/* As the history shows it (od-history-model.c): disabled, used, expired or active. */
static const char *
row_status (const OdHistoryRow *row,
            gint64              now)
{
  if (!row->active)
    return row->used ? "used" : "disabled";
  if (row->has_absolute_expiry && now >= 0 && row->absolute_expiry < (guint64) now)
    return "expired";
  return "active";
}

/* One line for row, with payment's columns when payment is not NULL. */
static void
append_line (GString            *out,
             const OdHistoryRow *row,
             const OdPayment    *payment,
             gint64              now)
{
  g_autofree char *date = format_time (row->created_at);
  g_autofree char *amount_msat = row->has_amount_msat ? format_u64 (row->amount_msat) : NULL;
  g_autofree char *fiat_amount = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *paid_at = NULL;
  g_autofree char *paid_amount = NULL;
  g_autofree char *quantity = NULL;
  g_autofree char *counter = NULL;
  g_autofree char *pay_index = NULL;
  const char *node_id = row->node_id;

  if (row->currency != NULL)
    {
      if (payment != NULL && payment->rate_msat_per_unit > 0)
        {
          fiat_amount = format_fiat (payment->amount_msat, payment->rate_msat_per_unit,
                                     row->currency);
          rate = format_u64 (payment->rate_msat_per_unit);
        }
      else
        {
          fiat_amount = bolt12_currency_format (row->currency_amount, row->currency);
        }
    }

  if (payment != NULL)
    {
      paid_at = format_time (payment->paid_at);
      paid_amount = format_u64 (payment->amount_msat);
      if (payment->has_quantity)
        quantity = format_u64 (payment->quantity);
      if (payment->has_recurrence_counter)
        counter = format_u64 (payment->recurrence_counter);
      pay_index = format_u64 (payment->pay_index);
      if (node_id == NULL)
        node_id = payment->node_id;
    }

  append_field (out, date, TRUE);
  append_field (out, row->kind == OD_KIND_OFFER ? "offer" : "invoice_request", FALSE);
  append_field (out, row->description, FALSE);
  append_field (out, amount_msat, FALSE);
  append_field (out, fiat_amount, FALSE);
  append_field (out, row->currency, FALSE);
  append_field (out, rate, FALSE);
  append_field (out, row->label, FALSE);
  append_field (out, row_status (row, now), FALSE);
  append_field (out, row->id, FALSE);
  append_field (out, node_id, FALSE);
  append_field (out, paid_at, FALSE);
  append_field (out, paid_amount, FALSE);
  append_field (out, payment != NULL ? payment->payer_note : NULL, FALSE);
  append_field (out, quantity, FALSE);
  append_field (out, counter, FALSE);
  append_field (out, pay_index, FALSE);
  append_field (out, payment != NULL ? payment->payment_hash : NULL, FALSE);
  g_string_append (out, "\r\n");
}

static gboolean
write_buffer (GOutputStream  *out,
              GString        *buffer,
              GCancellable   *cancellable,
              GError        **error)
{
  gboolean ok = g_output_stream_write_all (out, buffer->str, buffer->len, NULL, cancellable,
                                           error);

  g_string_truncate (buffer, 0);

  return ok;
}

/**
 * od_export_csv:
 *
 * Writes the history of @commands' store, with its payments, to @out as CSV (see od-export.h).
 * Without a store yet, only the header row is written.  @out is not closed.
 */
gboolean
od_export_csv (OdCommands     *commands,
               GOutputStream  *out,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 last_created_at = 0;
  gint64 last_seq = 0;
  gboolean first_page = TRUE;
  OdStore *store;

  g_return_val_if_fail (commands != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    append_field (buffer, columns[i], i == 0);
  g_string_append (buffer, "\r\n");
  if (!write_buffer (out, buffer, cancellable, error))
    return FALSE;

  store = od_commands_open_store (commands, FALSE, &local_error);
  if (store == NULL)
    {
      if (local_error == NULL)
        return TRUE;  /* no database yet: an empty history */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (first_page)
        page = od_store_history_page (store, NULL, 0, EXPORT_PAGE_SIZE, error);
      else
        page = od_store_history_page_after (store, NULL, last_created_at, last_seq,
                                            EXPORT_PAGE_SIZE, error);
      if (page == NULL)
        return FALSE;
      if (page->len == 0)
        break;
      first_page = FALSE;

      for (guint i = 0; i < page->len; i++)
        {
          const OdHistoryRow *row = g_ptr_array_index (page, i);
          g_autoptr(GPtrArray) payments = NULL;

          if (row->kind == OD_KIND_OFFER && row->paid_count > 0)
            {
              payments = od_store_list_payments (store, row->id, error);
              if (payments == NULL)
                return FALSE;
            }

          if (payments == NULL || payments->len == 0)
            append_line (buffer, row, NULL, now);
          else
            for (guint j = payments->len; j > 0; j--)
              append_line (buffer, row, g_ptr_array_index (payments, j - 1), now);
        }

      {
        const OdHistoryRow *last = g_ptr_array_index (page, page->len - 1);

        last_created_at = last->created_at;
        last_seq = last->seq;
      }

      if (!write_buffer (out, buffer, cancellable, error))
        return FALSE;
      if (page->len < EXPORT_PAGE_SIZE)
        break;
    }

  return TRUE;
}

/* GIO's message for a failed create names the temporary file, which means nothing to the
 * person who chose the path: for the usual causes, the system's words without a file name. */
static const char *
create_error_reason (const GError *error)
{
  static const struct
  {
    GIOErrorEnum code;
    int          errnum;
  } reasons[] = {
    { G_IO_ERROR_NOT_FOUND, ENOENT },
    { G_IO_ERROR_PERMISSION_DENIED, EACCES },
    { G_IO_ERROR_NO_SPACE, ENOSPC },
    { G_IO_ERROR_READ_ONLY, EROFS },
    { G_IO_ERROR_NOT_DIRECTORY, ENOTDIR },
    { G_IO_ERROR_IS_DIRECTORY, EISDIR },
    { G_IO_ERROR_FILENAME_TOO_LONG, ENAMETOOLONG },
  };

  if (error->domain == G_IO_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
      if (error->code == (int) reasons[i].code)
        return g_strerror (reasons[i].errnum);

  return error->message;
}

/* Flushes the file's data to the disk before it replaces anything (a crash after the rename
 * must not leave an empty file in place of the old one). */
static gboolean
sync_file (const char  *path,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }

  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Cannot write %s: %s", path, g_strerror (saved_errno));

  return FALSE;
}

/**
 * od_export_csv_file:
 *
 * Writes the CSV to a new file next to @path (".<name>.<random>.tmp", same directory, so the
 * rename cannot cross file systems), syncs it and renames it over @path.  On any error the
 * temporary file is removed and @path is left as it was.
 */
gboolean
od_export_csv_file (OdCommands     *commands,
                    const char     *path,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFile) parent = NULL;
  g_autoptr(GFile) tmp = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *tmp_path = NULL;

  g_return_val_if_fail (commands != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  target = g_file_new_for_path (path);
  parent = g_file_get_parent (target);
  basename = g_file_get_basename (target);
  if (parent == NULL || basename == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   "Cannot export to %s: not a file name", path);
      return FALSE;
    }

  for (guint attempt = 0; stream == NULL; attempt++)
    {
      g_autofree char *name = g_strdup_printf (".%s.%08x.tmp", basename, g_random_int ());

      g_clear_object (&tmp);
      g_clear_error (&local_error);
      tmp = g_file_get_child (parent, name);
      stream = g_file_create (tmp, G_FILE_CREATE_NONE, cancellable, &local_error);
      if (stream == NULL
          && (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) || attempt >= 16))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "Cannot export to %s: %s", path, create_error_reason (local_error));
          return FALSE;
        }
    }
  tmp_path = g_file_get_path (tmp);

  if (!od_export_csv (commands, G_OUTPUT_STREAM (stream), cancellable, &local_error)
      || !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &local_error)
      || !sync_file (tmp_path, &local_error))
    goto failed;

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (&local_error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      goto failed;
    }

  return TRUE;

failed:
  /* Closing first: an unclosed stream would still hold the file open. */
  if (!g_output_stream_is_closed (G_OUTPUT_STREAM (stream)))
    g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
  g_unlink (tmp_path);
  g_set_error (error, local_error->domain, local_error->code,
               "Cannot export to %s: %s", path, local_error->message);

  return FALSE;
}
