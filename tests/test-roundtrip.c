/* test-roundtrip.c: random offers and invoice requests survive encode -> decode unchanged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each iteration builds a message from a random combination of fields, encodes it, decodes the
 * string (and its upper-case and `+`-split forms) and compares every typed field.  Run with
 * --seed to repeat a failure.
 */

#include "config.h"

#include <string.h>

#include "bolt12.h"

#define N_OFFERS  400
#define N_INVREQS 250

/* ---------------------------------------------------------------------------------------------
 * Random values
 */

static gboolean
one_in (int n)
{
  return g_test_rand_int_range (0, n) == 0;
}

static guint64
rand_u64 (void)
{
  guint64 v = ((guint64) (guint32) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();

  /* Favour short truncated integers as much as long ones. */
  switch (g_test_rand_int_range (0, 4))
    {
    case 0:
      return v >> g_test_rand_int_range (0, 64);
    case 1:
      return v & 0xff;
    case 2:
      return v & 0xffffff;
    default:
      return v;
    }
}

static guint64
rand_range (guint64 lo,
            guint64 hi)
{
  guint64 v = rand_u64 ();

  if (hi - lo == G_MAXUINT64)
    return v;
  return lo + v % (hi - lo + 1);
}

static void
random_bytes (guint8 *p,
              gsize   len)
{
  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) g_test_rand_int_range (0, 256);
}

static GBytes *
random_gbytes (gsize min,
               gsize max,
               guint8 mask)
{
  gsize len = g_test_rand_int_range (min, max + 1);
  guint8 *p = g_malloc (len > 0 ? len : 1);

  random_bytes (p, len);
  for (gsize i = 0; i < len; i++)
    p[i] &= mask;

  return g_bytes_new_take (p, len);
}

static char *
random_text (guint max_pieces)
{
  static const char *pieces[] = {
    "a", "Z", "0", " ", "fish", "é", "€", "🥰", "日本", "\t", "ß", "\"", "🪢", "ü", "\n", "x",
  };
  GString *s = g_string_new (NULL);
  guint n = g_test_rand_int_range (0, max_pieces + 1);

  for (guint i = 0; i < n; i++)
    g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);

  return g_string_free (s, FALSE);
}

static char *
random_dns_label (void)
{
  static const char chars[] = "abcXYZ0189._-";
  guint n = g_test_rand_int_range (1, 21);
  char *s = g_malloc (n + 1);

  for (guint i = 0; i < n; i++)
    s[i] = chars[g_test_rand_int_range (0, sizeof chars - 1)];
  s[n] = '\0';

  return s;
}

static void
random_key (guint8 seckey[32],
            guint8 pubkey[33])
{
  do
    random_bytes (seckey, 32);
  while (!bolt12_seckey_valid (seckey));
  g_assert_true (bolt12_pubkey_from_seckey (seckey, pubkey));
}

static void
random_point (guint8 pubkey[33])
{
  guint8 sk[32];

  random_key (sk, pubkey);
}

static GPtrArray *
random_paths (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func ((GDestroyNotify) bolt12_blinded_path_free);
  guint n = g_test_rand_int_range (1, 4);

  for (guint i = 0; i < n; i++)
    {
      Bolt12BlindedPath *path = g_new0 (Bolt12BlindedPath, 1);
      guint n_hops = g_test_rand_int_range (1, 4);

      if (one_in (2))
        {
          path->first_is_scid = TRUE;
          path->first_scid_dir = g_test_rand_int_range (0, 2);
          path->first_scid = rand_u64 ();
        }
      else
        random_point (path->first_node_id);
      random_point (path->first_path_key);
      path->hops = g_ptr_array_new ();
      for (guint j = 0; j < n_hops; j++)
        {
          Bolt12BlindedHop *hop = g_new0 (Bolt12BlindedHop, 1);

          random_point (hop->blinded_node_id);
          hop->encrypted_recipient_data = random_gbytes (0, 60, 0xff);
          g_ptr_array_add (path->hops, hop);
        }
      g_ptr_array_add (paths, path);
    }

  return paths;
}

/* Odd types nobody defines, per range. */
static const guint64 offer_odd_types[] = {
  1, 33, 41, 77, G_GUINT64_CONSTANT (1000000001), G_GUINT64_CONSTANT (1000000033),
  G_GUINT64_CONSTANT (1999999999),
};
static const guint64 invreq_odd_types[] = {
  97, 159, 241, 999, G_GUINT64_CONSTANT (2000000001), G_GUINT64_CONSTANT (2999999999),
};

static void
add_random_extras (Bolt12Message *msg,
                   const guint64 *types,
                   guint          n_types)
{
  guint64 chosen = 0; /* bit per index */
  guint n = g_test_rand_int_range (1, 4);

  for (guint i = 0; i < n; i++)
    {
      guint k = g_test_rand_int_range (0, n_types);
      g_autoptr(GBytes) value = NULL;

      if (chosen & (G_GUINT64_CONSTANT (1) << k))
        continue;
      chosen |= G_GUINT64_CONSTANT (1) << k;
      value = random_gbytes (0, 30, 0xff);
      bolt12_message_add_extra (msg, types[k], g_bytes_get_data (value, NULL),
                                g_bytes_get_size (value));
    }
}

/* The offer fields (for an offer, or mirrored in an invoice_request). */
static void
random_offer_part (Bolt12Message *msg,
                   gboolean       offerless)
{
  static const char *chains[] = { "bitcoin", "testnet", "testnet4", "signet", "regtest" };

  if (one_in (3) && !offerless)
    {
      GByteArray *buf = g_byte_array_new ();
      guint n = g_test_rand_int_range (1, 4);

      for (guint i = 0; i < n; i++)
        {
          guint8 chain[32];

          if (one_in (4))
            random_bytes (chain, 32); /* a chain we do not know is still an encoding */
          else
            g_assert_true (bolt12_chain_from_name (chains[g_test_rand_int_range (0, 5)], chain));
          g_byte_array_append (buf, chain, 32);
        }
      msg->offer_chains = g_byte_array_free_to_bytes (buf);
    }
  if (one_in (2) && !offerless)
    msg->offer_metadata = random_gbytes (0, 40, 0xff);

  switch (offerless ? 0 : g_test_rand_int_range (0, 3))
    {
    case 1:
      msg->has_offer_amount = TRUE;
      msg->offer_amount = rand_range (1, BOLT12_MAX_MSAT);
      break;
    case 2:
      msg->offer_currency = g_strdup_printf ("%c%c%c", 'A' + g_test_rand_int_range (0, 26),
                                             'A' + g_test_rand_int_range (0, 26),
                                             'A' + g_test_rand_int_range (0, 26));
      msg->has_offer_amount = TRUE;
      msg->offer_amount = rand_range (1, G_MAXUINT64);
      break;
    default:
      break;
    }
  if (msg->has_offer_amount || offerless || one_in (2))
    msg->offer_description = random_text (12);
  if (one_in (3) && !offerless)
    msg->offer_features = random_gbytes (0, 5, 0xaa); /* odd bits only */
  if (one_in (3))
    {
      msg->has_offer_absolute_expiry = TRUE;
      msg->offer_absolute_expiry = rand_u64 ();
    }
  if (one_in (3) && !offerless)
    msg->offer_paths = random_paths ();
  if (one_in (3))
    msg->offer_issuer = random_text (6);
  if (one_in (3) && !offerless)
    {
      msg->has_offer_quantity_max = TRUE;
      msg->offer_quantity_max = one_in (4) ? 0 : rand_u64 ();
    }
  if (!offerless && (msg->offer_paths == NULL || one_in (2)))
    {
      msg->has_offer_issuer_id = TRUE;
      random_point (msg->offer_issuer_id);
    }
  if (one_in (3) && !offerless)
    {
      Bolt12Recurrence *r = &msg->recurrence;

      r->present = TRUE;
      r->compulsory = one_in (2);
      r->time_unit = g_test_rand_int_range (0, 3);
      r->period = (guint32) rand_range (1, G_MAXUINT32);
      if (r->compulsory && one_in (2))
        {
          r->has_base = TRUE;
          r->proportional_amount = one_in (2);
          r->basetime = rand_u64 ();
        }
      if (one_in (2))
        {
          r->has_paywindow = TRUE;
          r->seconds_before = (guint32) rand_u64 ();
          r->seconds_after = (guint32) rand_u64 ();
        }
      if (one_in (2))
        {
          r->has_limit = TRUE;
          r->limit = (guint32) rand_range (1, G_MAXUINT32);
        }
    }
  if (one_in (3))
    add_random_extras (msg, offer_odd_types, G_N_ELEMENTS (offer_odd_types));
}

/* ---------------------------------------------------------------------------------------------
 * Comparison
 */

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a),
                   g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static void
assert_paths_equal (GPtrArray *a,
                    GPtrArray *b)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const Bolt12BlindedPath *pa = g_ptr_array_index (a, i);
      const Bolt12BlindedPath *pb = g_ptr_array_index (b, i);

      g_assert_cmpint (pa->first_is_scid, ==, pb->first_is_scid);
      if (pa->first_is_scid)
        {
          g_assert_cmpuint (pa->first_scid_dir, ==, pb->first_scid_dir);
          g_assert_cmpuint (pa->first_scid, ==, pb->first_scid);
        }
      else
        g_assert_cmpmem (pa->first_node_id, 33, pb->first_node_id, 33);
      g_assert_cmpmem (pa->first_path_key, 33, pb->first_path_key, 33);
      g_assert_cmpuint (pa->hops->len, ==, pb->hops->len);
      for (guint j = 0; j < pa->hops->len; j++)
        {
          const Bolt12BlindedHop *ha = g_ptr_array_index (pa->hops, j);
          const Bolt12BlindedHop *hb = g_ptr_array_index (pb->hops, j);

          g_assert_cmpmem (ha->blinded_node_id, 33, hb->blinded_node_id, 33);
          assert_bytes_equal (ha->encrypted_recipient_data, hb->encrypted_recipient_data);
        }
    }
}

#define ASSERT_OPTIONAL(has, field) \
  G_STMT_START { \
    g_assert_cmpint (a->has, ==, b->has); \
    if (a->has) \
      g_assert_cmpuint (a->field, ==, b->field); \
  } G_STMT_END

#define ASSERT_OPTIONAL_MEM(has, field) \
  G_STMT_START { \
    g_assert_cmpint (a->has, ==, b->has); \
    if (a->has) \
      g_assert_cmpmem (a->field, sizeof a->field, b->field, sizeof b->field); \
  } G_STMT_END

/* built: what we wrote (unknown fields in extra_records); parsed: what we read back. */
static void
assert_messages_equal (const Bolt12Message *a,
                       const Bolt12Message *b)
{
  const Bolt12Recurrence *ra = &a->recurrence;
  const Bolt12Recurrence *rb = &b->recurrence;
  guint n_extra = a->extra_records != NULL ? a->extra_records->len : 0;

  g_assert_cmpint (a->kind, ==, b->kind);

  assert_bytes_equal (a->invreq_metadata, b->invreq_metadata);
  assert_bytes_equal (a->offer_chains, b->offer_chains);
  assert_bytes_equal (a->offer_metadata, b->offer_metadata);
  g_assert_cmpstr (a->offer_currency, ==, b->offer_currency);
  ASSERT_OPTIONAL (has_offer_amount, offer_amount);
  g_assert_cmpstr (a->offer_description, ==, b->offer_description);
  assert_bytes_equal (a->offer_features, b->offer_features);
  ASSERT_OPTIONAL (has_offer_absolute_expiry, offer_absolute_expiry);
  assert_paths_equal (a->offer_paths, b->offer_paths);
  g_assert_cmpstr (a->offer_issuer, ==, b->offer_issuer);
  ASSERT_OPTIONAL (has_offer_quantity_max, offer_quantity_max);
  ASSERT_OPTIONAL_MEM (has_offer_issuer_id, offer_issuer_id);

  g_assert_cmpint (ra->present, ==, rb->present);
  if (ra->present)
    {
      g_assert_cmpint (rb->numbering, ==, BOLT12_RECURRENCE_CLN_CURRENT);
      g_assert_cmpint (ra->compulsory, ==, rb->compulsory);
      g_assert_cmpuint (ra->time_unit, ==, rb->time_unit);
      g_assert_cmpuint (ra->period, ==, rb->period);
    }
  g_assert_cmpint (ra->has_base, ==, rb->has_base);
  if (ra->has_base)
    {
      g_assert_cmpint (ra->proportional_amount, ==, rb->proportional_amount);
      g_assert_cmpuint (ra->basetime, ==, rb->basetime);
    }
  g_assert_cmpint (ra->has_paywindow, ==, rb->has_paywindow);
  if (ra->has_paywindow)
    {
      g_assert_cmpuint (ra->seconds_before, ==, rb->seconds_before);
      g_assert_cmpuint (ra->seconds_after, ==, rb->seconds_after);
    }
  g_assert_cmpint (ra->has_limit, ==, rb->has_limit);
  if (ra->has_limit)
    g_assert_cmpuint (ra->limit, ==, rb->limit);

  ASSERT_OPTIONAL_MEM (has_invreq_chain, invreq_chain);
  ASSERT_OPTIONAL (has_invreq_amount, invreq_amount);
  assert_bytes_equal (a->invreq_features, b->invreq_features);
  ASSERT_OPTIONAL (has_invreq_quantity, invreq_quantity);
  ASSERT_OPTIONAL_MEM (has_invreq_payer_id, invreq_payer_id);
  g_assert_cmpstr (a->invreq_payer_note, ==, b->invreq_payer_note);
  assert_paths_equal (a->invreq_paths, b->invreq_paths);
  g_assert_cmpstr (a->invreq_bip_353_name, ==, b->invreq_bip_353_name);
  g_assert_cmpstr (a->invreq_bip_353_domain, ==, b->invreq_bip_353_domain);
  ASSERT_OPTIONAL (has_invreq_recurrence_counter, invreq_recurrence_counter);
  ASSERT_OPTIONAL (has_invreq_recurrence_start, invreq_recurrence_start);
  g_assert_cmpint (a->invreq_recurrence_cancel, ==, b->invreq_recurrence_cancel);

  ASSERT_OPTIONAL_MEM (has_signature, signature);

  /* The extra records come back as unknown records, in type order. */
  g_assert_cmpuint (b->unknown_records->len, ==, n_extra);
  for (guint i = 0; i < b->unknown_records->len; i++)
    {
      const Bolt12Record *u = &g_array_index (b->unknown_records, Bolt12Record, i);
      gboolean found = FALSE;

      if (i > 0)
        g_assert_cmpuint (g_array_index (b->unknown_records, Bolt12Record, i - 1).type, <,
                          u->type);
      for (guint j = 0; j < n_extra; j++)
        {
          const Bolt12Record *e = &g_array_index (a->extra_records, Bolt12Record, j);

          if (e->type == u->type)
            {
              g_assert_cmpmem (e->value, e->length, u->value, u->length);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
}

/* ---------------------------------------------------------------------------------------------
 * String forms
 */

/* Inserts `+` joins (with optional whitespace) at random places between two data characters. */
static char *
split_randomly (const char *str)
{
  static const char *joins[] = { "+", "+ ", "+\n ", "+\r\n", "+\t", "+\n  \n" };
  const char *data = strrchr (str, '1') + 1;
  GString *out = g_string_new_len (str, data - str);
  gsize n = strlen (data);
  guint inserted = 0;

  for (gsize i = 0; i < n; i++)
    {
      g_string_append_c (out, data[i]);
      if (i + 1 < n && (one_in (25) || (inserted == 0 && i + 2 == n)))
        {
          g_string_append (out, joins[g_test_rand_int_range (0, G_N_ELEMENTS (joins))]);
          inserted++;
        }
    }

  return g_string_free (out, FALSE);
}

/* The string, its other case and a split form all decode to msg (already encoded). */
static void
check_decodes (Bolt12Message *msg,
               const char    *str)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_case = NULL;
  g_autofree char *split = NULL;
  const char *forms[3];

  if (g_ascii_isupper (str[0]))
    other_case = g_ascii_strdown (str, -1);
  else
    other_case = g_ascii_strup (str, -1);
  split = split_randomly (str);
  forms[0] = str;
  forms[1] = other_case;
  forms[2] = split;

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(Bolt12Message) back = bolt12_message_decode (forms[i], &error);

      if (back == NULL)
        g_error ("%s: %s", forms[i], error->message);
      g_assert_true (g_bytes_equal (back->raw, msg->raw));
      assert_messages_equal (msg, back);
      g_assert_cmpmem (back->offer_id, 32, msg->offer_id, 32);
      g_assert_cmpmem (back->invreq_id, 32, msg->invreq_id, 32);
      g_assert_cmpint (back->signature_checked, ==, msg->has_signature);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Tests
 */

static void
test_offers (void)
{
  for (guint iter = 0; iter < N_OFFERS; iter++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);
      g_autoptr(GError) error = NULL;
      g_autofree char *str = NULL;
      gboolean upper = one_in (2);

      random_offer_part (msg, FALSE);
      str = bolt12_message_encode (msg, upper, &error);
      if (str == NULL)
        g_error ("offer %u: %s", iter, error->message);
      g_assert_true (g_str_has_prefix (str, upper ? "LNO1" : "lno1"));
      g_assert_false (msg->signature_checked);
      check_decodes (msg, str);
    }
}

static void
test_invreqs (void)
{
  for (guint iter = 0; iter < N_INVREQS; iter++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
      g_autoptr(GError) error = NULL;
      g_autofree char *str = NULL;
      gboolean offerless = one_in (4);
      gboolean upper = one_in (2);
      guint8 seckey[32];

      random_offer_part (msg, offerless);

      msg->invreq_metadata = random_gbytes (16, 32, 0xff);
      if (one_in (3))
        {
          msg->has_invreq_chain = TRUE;
          g_assert_true (bolt12_chain_from_name (one_in (2) ? "regtest" : "signet",
                                                 msg->invreq_chain));
        }
      if (offerless || one_in (2))
        {
          msg->has_invreq_amount = TRUE;
          msg->invreq_amount = rand_range (1, BOLT12_MAX_MSAT);
        }
      if (one_in (3))
        msg->invreq_features = random_gbytes (0, 4, 0xaa);
      if (msg->has_offer_quantity_max)
        {
          msg->has_invreq_quantity = TRUE;
          msg->invreq_quantity = rand_range (1, 1000);
        }
      msg->has_invreq_payer_id = TRUE;
      random_key (seckey, msg->invreq_payer_id);
      if (one_in (3))
        msg->invreq_payer_note = random_text (10);
      if (one_in (4))
        msg->invreq_paths = random_paths ();
      if (one_in (4))
        {
          msg->invreq_bip_353_name = random_dns_label ();
          msg->invreq_bip_353_domain = random_dns_label ();
        }
      if (msg->recurrence.present && one_in (2))
        {
          msg->has_invreq_recurrence_counter = TRUE;
          msg->invreq_recurrence_counter = (guint32) rand_u64 ();
          if (msg->recurrence.has_base)
            {
              msg->has_invreq_recurrence_start = TRUE;
              msg->invreq_recurrence_start = (guint32) rand_u64 ();
            }
          if (msg->invreq_recurrence_counter > 0 && one_in (4))
            msg->invreq_recurrence_cancel = TRUE;
        }
      if (one_in (3))
        add_random_extras (msg, invreq_odd_types, G_N_ELEMENTS (invreq_odd_types));

      /* Offer-less requests are sometimes left unsigned (as LDK's refunds are). */
      if (!offerless || one_in (2))
        {
          if (!bolt12_message_sign (msg, seckey, &error))
            g_error ("invreq %u: %s", iter, error->message);
        }

      str = bolt12_message_encode (msg, upper, &error);
      if (str == NULL)
        g_error ("invreq %u: %s", iter, error->message);
      g_assert_true (g_str_has_prefix (str, upper ? "LNR1" : "lnr1"));
      g_assert_cmpint (msg->signature_checked, ==, msg->has_signature);
      check_decodes (msg, str);
    }
}

/* A decoded message serializes back to its own raw stream when its unknown records are added
 * as extras: the typed view holds everything. */
static void
test_reserialize (void)
{
  for (guint iter = 0; iter < 100; iter++)
    {
      g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);
      g_autoptr(Bolt12Message) back = NULL;
      g_autoptr(GBytes) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *str = NULL;

      random_offer_part (msg, FALSE);
      str = bolt12_message_encode (msg, FALSE, &error);
      g_assert_no_error (error);
      back = bolt12_message_decode (str, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < back->unknown_records->len; i++)
        {
          const Bolt12Record *rec = &g_array_index (back->unknown_records, Bolt12Record, i);

          bolt12_message_add_extra (back, rec->type, rec->value, rec->length);
        }
      again = bolt12_message_serialize (back, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (again, back->raw));
    }
}

/* A value longer than a TLV record can carry through GByteArray (G_MAXUINT bytes) is refused
 * up front, not recorded with a value pointer computed from a buffer that never received it. */
static void
test_add_extra_too_long (void)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_OFFER);
  static const guint8 byte = 0;

  if (sizeof (gsize) <= sizeof (guint))
    {
      g_test_skip ("gsize is no wider than guint here");
      return;
    }

  /* Only the length is looked at before the refusal: nothing is read from value. */
  g_test_expect_message ("Bolt12", G_LOG_LEVEL_CRITICAL, "*len <= G_MAXUINT*");
  bolt12_message_add_extra (msg, 33, &byte, (gsize) G_MAXUINT + 1);
  g_test_assert_expected_messages ();
  g_assert_true (msg->extra_records == NULL || msg->extra_records->len == 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bolt12/roundtrip/offers", test_offers);
  g_test_add_func ("/bolt12/roundtrip/invreqs", test_invreqs);
  g_test_add_func ("/bolt12/roundtrip/reserialize", test_reserialize);
  g_test_add_func ("/bolt12/roundtrip/add-extra-too-long", test_add_extra_too_long);

  return g_test_run ();
}
