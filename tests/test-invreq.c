/* test-invreq.c: invoice requests (lnr) and invoices (lni): rules and signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "bolt12.h"
#include "od-test-utils.h"

/* signature-test.json's complete invoice_request: Alice's offer, Bob's request. */
#define VECTOR_LNR \
  "lnr1qqyqqqqqqqqqqqqqqcp4256ypqqkgzshgysy6ct5dpjk6ct5d93kzmpq23ex2ct5d9ek293pqthvwfzadd7jejes" \
  "8q9lhc4rvjxd022zv5l44g6qah82ru5rdpnpjkppqvjx204vgdzgsqpvcp4mldl3plscny0rt707gvpdh6ndydfacz43" \
  "euzqhrurageg3n7kafgsek6gz3e9w52parv8gs2hlxzk95tzeswywffxlkeyhml0hh46kndmwf4m6xma3tkq2lu04qz3" \
  "slje2rfthc89vss"

/* Core Lightning's `invoicerequest` example (offer-less, signed). */
#define CLN_LNR \
  "lnr1qqgv27pu76evyr7zc4urea4jcg8uyzst2d5k6urvv5s8getnw3gzqp3zderpzxstt8927ynqg044h0egcd8n5h3n" \
  "9g0u0v4h8ncc3yg02gps7sjqtqssxwz9sqkjtd8qwnx06lxckvu6g8w8t0ue0zsrfqqygj636s4sw7v67pqwvcxd9ngrv" \
  "wv4ccd2dc9vtyskuqpl6kskculsxsldq88hahcmyfp4mr3pqeeas9hsywx65c288qjcx5qj2lf73matnke66c2p32e67g"

#define POINT_A "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619"
#define POINT_B "0324653eac434488002cc06bbfb7f10fe18991e35f9fe4302dbea6d2353dc0ab1c"

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static Bolt12Message *
decode_ok (const char *str)
{
  g_autoptr(GError) error = NULL;
  Bolt12Message *msg = bolt12_message_decode (str, &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);

  return msg;
}

typedef enum
{
  EDIT_NONE,
  EDIT_DROP,     /* remove the record of that type */
  EDIT_REPLACE,  /* replace its value (hex) */
  EDIT_FLIP,     /* flip the lowest bit of its last value byte */
  EDIT_ADD,      /* insert a record of that type (value hex) at its place */
} EditKind;

/* The stream of msg with one edit, in ascending order. */
static GByteArray *
edit_stream (const Bolt12Message *msg,
             EditKind             kind,
             guint64              type,
             const char          *hex)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) value = hex != NULL ? od_test_hex_to_array (hex) : g_byte_array_new ();
  gboolean done = FALSE;

  for (guint i = 0; i < msg->records->len; i++)
    {
      const Bolt12Record *rec = &g_array_index (msg->records, Bolt12Record, i);

      if (kind == EDIT_ADD && !done && rec->type > type)
        {
          bolt12_tlv_append (out, type, value->data, value->len);
          done = TRUE;
        }
      if (rec->type != type || kind == EDIT_ADD)
        {
          g_byte_array_append (out, rec->raw, rec->raw_length);
          continue;
        }
      done = TRUE;
      if (kind == EDIT_REPLACE)
        bolt12_tlv_append (out, type, value->data, value->len);
      else if (kind == EDIT_FLIP)
        {
          g_autoptr(GByteArray) copy = g_byte_array_new ();

          g_byte_array_append (copy, rec->value, rec->length);
          g_assert_cmpuint (copy->len, >, 0);
          copy->data[copy->len - 1] ^= 1;
          bolt12_tlv_append (out, type, copy->data, copy->len);
        }
    }
  if (kind == EDIT_ADD && !done)
    bolt12_tlv_append (out, type, value->data, value->len);
  g_assert_true (done || kind == EDIT_ADD);

  return out;
}

/* Parses msg's stream after one edit; returns the message or NULL with error. */
static Bolt12Message *
parse_edited (const Bolt12Message  *msg,
              EditKind              kind,
              guint64               type,
              const char           *hex,
              GError              **error)
{
  g_autoptr(GByteArray) buf = edit_stream (msg, kind, type, hex);

  return bolt12_message_parse (msg->kind, buf->data, buf->len, error);
}

static void
expect_edit_error (const Bolt12Message *msg,
                   EditKind             kind,
                   guint64              type,
                   const char          *hex,
                   int                  code,
                   const char          *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) bad = parse_edited (msg, kind, type, hex, &error);

  g_assert_null (bad);
  g_assert_error (error, BOLT12_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("error \"%s\" does not contain \"%s\"", error->message, words);
}

static void
random_bytes (guint8 *p,
              gsize   len)
{
  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) g_test_rand_int_range (0, 256);
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

static GBytes *
bytes_from_hex (const char *hex)
{
  GByteArray *b = od_test_hex_to_array (hex);

  return g_byte_array_free_to_bytes (b);
}

/* ---------------------------------------------------------------------------------------------
 * invoice_request
 */

static void
test_vector_signature (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (VECTOR_LNR);
  guint8 alice[32], bob[32], pub[33];

  g_assert_cmpint (msg->kind, ==, BOLT12_KIND_INVOICE_REQUEST);
  g_assert_true (msg->has_signature);
  g_assert_true (msg->signature_checked);

  /* Keys as the vector says: Alice 0x4141.. issues, Bob 0x4242.. pays. */
  memset (alice, 0x41, 32);
  memset (bob, 0x42, 32);
  g_assert_true (bolt12_pubkey_from_seckey (alice, pub));
  g_assert_cmpmem (msg->offer_issuer_id, 33, pub, 33);
  g_assert_true (bolt12_pubkey_from_seckey (bob, pub));
  g_assert_cmpmem (msg->invreq_payer_id, 33, pub, 33);

  g_assert_cmpstr (msg->offer_description, ==, "A Mathematical Treatise");
  g_assert_cmpstr (msg->offer_currency, ==, "USD");
  g_assert_cmpuint (msg->offer_amount, ==, 100);
  g_assert_cmpmem (g_bytes_get_data (msg->invreq_metadata, NULL),
                   g_bytes_get_size (msg->invreq_metadata), "\0\0\0\0\0\0\0\0", 8);
}

static void
test_bad_signature (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (VECTOR_LNR);

  /* one bit of the signature, or one bit of a signed field */
  expect_edit_error (msg, EDIT_FLIP, BOLT12_TLV_SIGNATURE, NULL, BOLT12_ERROR_SIGNATURE,
                     "does not verify");
  expect_edit_error (msg, EDIT_FLIP, BOLT12_TLV_OFFER_DESCRIPTION, NULL, BOLT12_ERROR_SIGNATURE,
                     NULL);
  expect_edit_error (msg, EDIT_FLIP, BOLT12_TLV_INVREQ_METADATA, NULL, BOLT12_ERROR_SIGNATURE,
                     NULL);
  /* a signature of the wrong size */
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_SIGNATURE, "00", BOLT12_ERROR_TLV, "signature");
}

static void
test_signature_range (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (VECTOR_LNR);
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) with_odd = NULL;

  /* 241..1000 are outside the Merkle tree: an odd one is kept and the signature holds. */
  with_odd = parse_edited (msg, EDIT_ADD, 241, "abcd", &error);
  g_assert_no_error (error);
  g_assert_true (with_odd->signature_checked);
  g_assert_cmpuint (with_odd->unknown_records->len, ==, 1);
  g_assert_cmpuint (g_array_index (with_odd->unknown_records, Bolt12Record, 0).type, ==, 241);
  /* ... and it is not part of invreq_id */
  g_assert_cmpmem (with_odd->invreq_id, 32, msg->invreq_id, 32);

  expect_edit_error (msg, EDIT_ADD, 242, "abcd", BOLT12_ERROR_INVALID, "unknown even field 242");
  expect_edit_error (msg, EDIT_ADD, 1001, "ab", BOLT12_ERROR_INVALID, "outside");
  expect_edit_error (msg, EDIT_ADD, 161, "ab", BOLT12_ERROR_INVALID, "outside");
  expect_edit_error (msg, EDIT_ADD, G_GUINT64_CONSTANT (3000000001), "ab",
                     BOLT12_ERROR_INVALID, "outside");
}

static void
test_unsigned (void)
{
  g_autoptr(Bolt12Message) offerless = decode_ok (CLN_LNR);
  g_autoptr(Bolt12Message) answer = decode_ok (VECTOR_LNR);
  g_autoptr(Bolt12Message) unsigned_offerless = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (offerless->signature_checked);
  g_assert_false (offerless->has_offer_issuer_id);
  g_assert_null (offerless->offer_paths);

  /* Offer-less (LDK refund style): the signature is optional. */
  unsigned_offerless = parse_edited (offerless, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (unsigned_offerless->has_signature);
  g_assert_false (unsigned_offerless->signature_checked);
  g_assert_cmpmem (unsigned_offerless->invreq_id, 32, offerless->invreq_id, 32);

  /* Answering an offer: it must be signed. */
  expect_edit_error (answer, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL, BOLT12_ERROR_SIGNATURE,
                     "not signed");
}

static void
test_required_fields (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (CLN_LNR);

  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVREQ_METADATA, NULL, BOLT12_ERROR_INVALID,
                     "invreq_metadata");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVREQ_PAYER_ID, NULL, BOLT12_ERROR_INVALID,
                     "invreq_payer_id");
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVREQ_PAYER_ID,
                     "020000000000000000000000000000000000000000000000000000000000000007",
                     BOLT12_ERROR_TLV, "invreq_payer_id");
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVREQ_CHAIN, "00", BOLT12_ERROR_TLV,
                     "invreq_chain");
}

static void
test_invreq_fields (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (CLN_LNR);
  g_autoptr(Bolt12Message) unsigned_msg = NULL;
  g_autoptr(Bolt12Message) named = NULL;
  g_autoptr(Bolt12Message) with_paths = NULL;
  g_autoptr(GByteArray) stripped = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (msg->has_invreq_chain);
  g_assert_cmpstr (bolt12_chain_name (msg->invreq_chain), ==, "regtest");
  g_assert_cmpuint (msg->invreq_amount, ==, 1000000);
  g_assert_cmpstr (msg->offer_description, ==, "Simple test");

  /* Work on the unsigned form so edits are judged by the field rules alone. */
  stripped = edit_stream (msg, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL);
  unsigned_msg = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, stripped->data, stripped->len,
                                       &error);
  g_assert_no_error (error);

  /* bip_353_name: "alice" @ "example.com" */
  named = parse_edited (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_BIP_353_NAME,
                        "05616c696365" "0b6578616d706c652e636f6d", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (named->invreq_bip_353_name, ==, "alice");
  g_assert_cmpstr (named->invreq_bip_353_domain, ==, "example.com");
  /* '@' in the name, a space in the domain */
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_BIP_353_NAME,
                     "05616c694065" "0b6578616d706c652e636f6d", BOLT12_ERROR_INVALID,
                     "invreq_bip_353_name");
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_BIP_353_NAME,
                     "05616c696365" "0b6578616d706c6520636f6d", BOLT12_ERROR_INVALID,
                     "invreq_bip_353_name");
  /* lengths that do not match */
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_BIP_353_NAME,
                     "05616c696365" "0c6578616d706c652e636f6d", BOLT12_ERROR_TLV,
                     "invreq_bip_353_name");
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_BIP_353_NAME,
                     "05616c696365", BOLT12_ERROR_TLV, "invreq_bip_353_name");

  /* invreq_paths: one good path; zero hops and empty are invalid */
  with_paths = parse_edited (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_PATHS,
                             POINT_A POINT_B "01" POINT_A "0000", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (with_paths->invreq_paths->len, ==, 1);
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_PATHS,
                     POINT_A POINT_B "00", BOLT12_ERROR_INVALID, "no hops");
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_PATHS,
                     "", BOLT12_ERROR_INVALID, "empty invreq_paths");

  /* features: odd bits fine, even bits unknown */
  {
    g_autoptr(Bolt12Message) f = parse_edited (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_FEATURES,
                                               "0200", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (f->invreq_features), ==, 2);
  }
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_FEATURES, "0100",
                     BOLT12_ERROR_INVALID, "feature bit 8");

  /* payer note must be UTF-8 */
  expect_edit_error (unsigned_msg, EDIT_ADD, BOLT12_TLV_INVREQ_PAYER_NOTE, "ff",
                     BOLT12_ERROR_TLV, "invreq_payer_note");
  /* amount ceiling */
  expect_edit_error (unsigned_msg, EDIT_REPLACE, BOLT12_TLV_INVREQ_AMOUNT, "1d24b2dfac520001",
                     BOLT12_ERROR_INVALID, "21 million");
  /* unknown even / odd in the invreq range */
  expect_edit_error (unsigned_msg, EDIT_ADD, 96, "00", BOLT12_ERROR_INVALID,
                     "unknown even field 96");
  {
    g_autoptr(Bolt12Message) odd = parse_edited (unsigned_msg, EDIT_ADD, 97, "00", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (odd->unknown_records->len, ==, 1);
    g_assert_true (memcmp (odd->invreq_id, unsigned_msg->invreq_id, 32) != 0);
  }
}

/* bolt12-notes.md §6 reader rule 9: an offer-less invoice_request (neither offer_issuer_id nor
 * offer_paths) must not carry offer_chains, offer_features or offer_quantity_max, and must
 * carry invreq_amount. */
static void
test_offerless_rules (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (CLN_LNR);
  g_autoptr(GByteArray) stream = edit_stream (msg, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) base = NULL;

  base = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, stream->data, stream->len, &error);
  g_assert_no_error (error);
  g_assert_false (base->has_offer_issuer_id);
  g_assert_null (base->offer_paths);

  expect_edit_error (base, EDIT_ADD, BOLT12_TLV_OFFER_CHAINS,
                     "06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f",
                     BOLT12_ERROR_INVALID, "offer_chains");
  expect_edit_error (base, EDIT_ADD, BOLT12_TLV_OFFER_FEATURES, "02",
                     BOLT12_ERROR_INVALID, "offer_features");
  expect_edit_error (base, EDIT_ADD, BOLT12_TLV_OFFER_QUANTITY_MAX, "",
                     BOLT12_ERROR_INVALID, "offer_quantity_max");
  expect_edit_error (base, EDIT_DROP, BOLT12_TLV_INVREQ_AMOUNT, NULL,
                     BOLT12_ERROR_INVALID, "invreq_amount");

  /* The same fields are fine in a request that answers an offer (it mirrors the offer). */
  {
    g_autoptr(Bolt12Message) answer = decode_ok (VECTOR_LNR);

    g_assert_true (answer->has_offer_issuer_id);
    g_assert_false (answer->has_invreq_amount);
  }
}

/* A payer note with U+0000 (valid UTF-8, but Core Lightning's utf8_check() refuses it and the
 * typed view is a C string). */
static void
test_payer_note_nul (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (CLN_LNR);
  g_autoptr(GByteArray) stream = edit_stream (msg, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) base = NULL;

  base = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, stream->data, stream->len, &error);
  g_assert_no_error (error);
  expect_edit_error (base, EDIT_ADD, BOLT12_TLV_INVREQ_PAYER_NOTE, "610062",
                     BOLT12_ERROR_TLV, "invreq_payer_note");
}

/* Recurrence fields of the invoice_request and the offer recurrence they need. */
static void
test_invreq_recurrence (void)
{
  g_autoptr(Bolt12Message) msg = decode_ok (CLN_LNR);
  g_autoptr(GByteArray) stream = edit_stream (msg, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Bolt12Message) base = NULL;
  g_autoptr(Bolt12Message) recurring = NULL;
  g_autoptr(Bolt12Message) counted = NULL;
  g_autoptr(Bolt12Message) cancel = NULL;
  g_autoptr(GByteArray) s2 = NULL;
  g_autoptr(GByteArray) s3 = NULL;

  base = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, stream->data, stream->len, &error);
  g_assert_no_error (error);

  /* counter without an offer recurrence */
  expect_edit_error (base, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_COUNTER, "01",
                     BOLT12_ERROR_INVALID, "no recurrence");

  recurring = parse_edited (base, EDIT_ADD, BOLT12_TLV_OFFER_RECURRENCE_COMPULSORY, "0101",
                            &error);
  g_assert_no_error (error);
  g_assert_true (recurring->recurrence.present);

  s2 = edit_stream (recurring, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_COUNTER, "05");
  counted = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, s2->data, s2->len, &error);
  g_assert_no_error (error);
  g_assert_true (counted->has_invreq_recurrence_counter);
  g_assert_cmpuint (counted->invreq_recurrence_counter, ==, 5);

  /* cancel: with a counter above 0 only; the value is empty */
  s3 = edit_stream (counted, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_CANCEL, "");
  cancel = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, s3->data, s3->len, &error);
  g_assert_no_error (error);
  g_assert_true (cancel->invreq_recurrence_cancel);
  expect_edit_error (recurring, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_CANCEL, "",
                     BOLT12_ERROR_INVALID, "cancels");
  expect_edit_error (counted, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_CANCEL, "00",
                     BOLT12_ERROR_TLV, "invreq_recurrence_cancel");
  {
    g_autoptr(GByteArray) zero = edit_stream (recurring, EDIT_ADD,
                                              BOLT12_TLV_INVREQ_RECURRENCE_COUNTER, "");
    g_autoptr(Bolt12Message) z = bolt12_message_parse (BOLT12_KIND_INVOICE_REQUEST, zero->data,
                                                       zero->len, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (z->invreq_recurrence_counter, ==, 0);
    expect_edit_error (z, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_CANCEL, "",
                       BOLT12_ERROR_INVALID, "cancels");
  }

  /* the 2024 numbering for the counter next to a current-numbering offer: a mix */
  expect_edit_error (recurring, EDIT_ADD, G_GUINT64_CONSTANT (2212121212), "01",
                     BOLT12_ERROR_INVALID, "numberings");
  /* a non-minimal counter */
  expect_edit_error (recurring, EDIT_ADD, BOLT12_TLV_INVREQ_RECURRENCE_COUNTER, "0001",
                     BOLT12_ERROR_TLV, "invreq_recurrence_counter");
}

/* The expiry of the offer applies only to the initial request of a recurrence. */
static void
test_invreq_expiry (void)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);

  msg->has_offer_absolute_expiry = TRUE;
  msg->offer_absolute_expiry = 100;
  g_assert_true (bolt12_message_is_expired (msg, 101));
  msg->has_invreq_recurrence_counter = TRUE;
  msg->invreq_recurrence_counter = 0;
  g_assert_true (bolt12_message_is_expired (msg, 101));
  msg->invreq_recurrence_counter = 1;
  g_assert_false (bolt12_message_is_expired (msg, 101));
}

/* Build an invoice_request answering an offer with a fresh payer key, sign, encode, decode. */
static void
test_build_and_sign (void)
{
  g_autoptr(Bolt12Message) msg = bolt12_message_new (BOLT12_KIND_INVOICE_REQUEST);
  g_autoptr(Bolt12Message) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *str = NULL;
  guint8 issuer_sk[32], issuer_pk[33], payer_sk[32], payer_pk[33], other_sk[32], other_pk[33];
  guint8 metadata[16];

  random_key (issuer_sk, issuer_pk);
  random_key (payer_sk, payer_pk);
  random_key (other_sk, other_pk);
  random_bytes (metadata, sizeof metadata);

  msg->invreq_metadata = g_bytes_new (metadata, sizeof metadata);
  msg->offer_description = g_strdup ("Coffee ☕");
  msg->has_offer_amount = TRUE;
  msg->offer_amount = 1000000;
  msg->has_offer_quantity_max = TRUE;
  msg->offer_quantity_max = 10;
  msg->has_offer_issuer_id = TRUE;
  memcpy (msg->offer_issuer_id, issuer_pk, 33);
  msg->has_invreq_quantity = TRUE;
  msg->invreq_quantity = 2;
  msg->has_invreq_amount = TRUE;
  msg->invreq_amount = 2000000;
  msg->invreq_payer_note = g_strdup ("Thanks!");
  msg->has_invreq_payer_id = TRUE;
  memcpy (msg->invreq_payer_id, payer_pk, 33);

  /* unsigned: refused, since it answers an offer */
  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE);
  g_clear_error (&error);

  /* the wrong key */
  g_assert_false (bolt12_message_sign (msg, other_sk, &error));
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE);
  g_assert_false (msg->has_signature);
  g_clear_error (&error);

  g_assert_true (bolt12_message_sign (msg, payer_sk, &error));
  g_assert_no_error (error);
  g_assert_true (msg->has_signature);
  str = bolt12_message_encode (msg, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (str, "lnr1"));
  g_assert_true (msg->signature_checked);

  back = bolt12_message_decode (str, &error);
  g_assert_no_error (error);
  g_assert_true (back->signature_checked);
  g_assert_cmpmem (back->signature, 64, msg->signature, 64);
  g_assert_cmpmem (back->invreq_payer_id, 33, payer_pk, 33);
  g_assert_cmpmem (back->offer_issuer_id, 33, issuer_pk, 33);
  g_assert_cmpstr (back->offer_description, ==, "Coffee ☕");
  g_assert_cmpstr (back->invreq_payer_note, ==, "Thanks!");
  g_assert_cmpuint (back->invreq_quantity, ==, 2);
  g_assert_cmpuint (back->invreq_amount, ==, 2000000);
  g_assert_cmpmem (back->invreq_id, 32, msg->invreq_id, 32);
  g_assert_cmpmem (back->offer_id, 32, msg->offer_id, 32);
  g_assert_true (g_bytes_equal (back->raw, msg->raw));

  /* Signing again (after a change) replaces the signature. */
  g_free (msg->invreq_payer_note);
  msg->invreq_payer_note = g_strdup ("Changed");
  g_assert_true (bolt12_message_sign (msg, payer_sk, &error));
  g_clear_pointer (&str, g_free);
  str = bolt12_message_encode (msg, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (str, "LNR1"));

  /* An offer cannot be signed. */
  {
    g_autoptr(Bolt12Message) offer = bolt12_message_new (BOLT12_KIND_OFFER);

    g_assert_false (bolt12_message_sign (offer, payer_sk, &error));
    g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* ---------------------------------------------------------------------------------------------
 * invoice
 */

static GPtrArray *invoice_strings;

static void
collect_invoices (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

        for (GList *l = members; l != NULL; l = l->next)
          collect_invoices (l->data);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          collect_invoices (json_array_get_element (array, i));
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING
          && g_ascii_strncasecmp (json_node_get_string (node), "lni1", 4) == 0)
        g_ptr_array_add (invoice_strings, g_strdup (json_node_get_string (node)));
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static void
load_invoices (void)
{
  static const char *files[] = { "strings.json", "listinvoices.json", "fetchinvoice.json",
                                 "sendinvoice.json" };

  invoice_strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples",
                                                     files[i], NULL);
      g_autoptr(GError) error = NULL;

      if (!json_parser_load_from_file (parser, path, &error))
        g_error ("%s: %s", path, error->message);
      collect_invoices (json_parser_get_root (parser));
    }
}

static void
test_cln_invoices (void)
{
  g_assert_cmpuint (invoice_strings->len, >=, 20);

  for (guint i = 0; i < invoice_strings->len; i++)
    {
      const char *str = g_ptr_array_index (invoice_strings, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(Bolt12Message) msg = bolt12_message_decode (str, &error);

      if (error != NULL)
        g_error ("%s: %s", str, error->message);
      g_assert_cmpint (msg->kind, ==, BOLT12_KIND_INVOICE);
      g_assert_true (msg->signature_checked);
      g_assert_true (msg->has_invoice_amount);
      g_assert_true (msg->has_invoice_created_at);
      g_assert_true (msg->has_invoice_payment_hash);
      g_assert_true (msg->has_invoice_node_id);
      g_assert_cmpuint (msg->invoice_paths->len, ==, msg->invoice_blindedpay->len);
      g_assert_nonnull (msg->invreq_metadata);
      g_assert_true (msg->has_invreq_payer_id);
      if (msg->has_offer_issuer_id)
        g_assert_cmpmem (msg->invoice_node_id, 33, msg->offer_issuer_id, 33);
      if (msg->has_invreq_amount)
        g_assert_cmpuint (msg->invoice_amount, ==, msg->invreq_amount);
      /* CLN sets MPP optional (bit 17) when it sets invoice_features */
      if (msg->invoice_features != NULL)
        g_assert_cmpmem (g_bytes_get_data (msg->invoice_features, NULL),
                         g_bytes_get_size (msg->invoice_features), "\x02\x00\x00", 3);
    }
}

/* listinvoices.json: the invoice's own fields against what CLN lists next to it. */
static void
test_listinvoices (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cln-examples",
                                                 "listinvoices.json", NULL);
  g_autoptr(GError) error = NULL;
  JsonArray *examples;
  guint checked = 0;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  examples = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "examples");
  for (guint e = 0; e < json_array_get_length (examples); e++)
    {
      JsonObject *response = json_object_get_object_member (
        json_array_get_object_element (examples, e), "response");
      JsonArray *invoices = json_object_get_array_member (response, "invoices");

      for (guint i = 0; i < json_array_get_length (invoices); i++)
        {
          JsonObject *inv = json_array_get_object_element (invoices, i);
          g_autoptr(Bolt12Message) msg = NULL;
          g_autofree char *hash = NULL;

          if (!json_object_has_member (inv, "bolt12"))
            continue;
          msg = decode_ok (json_object_get_string_member (inv, "bolt12"));
          hash = od_test_hex (msg->invoice_payment_hash, 32);
          g_assert_cmpstr (hash, ==, json_object_get_string_member (inv, "payment_hash"));
          g_assert_cmpuint (msg->invoice_amount, ==,
                            json_object_get_int_member (inv, "amount_msat"));
          g_assert_cmpstr (msg->offer_description, ==,
                           json_object_get_string_member (inv, "description"));
          /* expires_at = created_at + relative expiry (default 7200) */
          g_assert_cmpuint (msg->invoice_created_at
                              + (msg->has_invoice_relative_expiry ? msg->invoice_relative_expiry
                                                                  : BOLT12_DEFAULT_RELATIVE_EXPIRY),
                            ==, json_object_get_int_member (inv, "expires_at"));
          if (json_object_has_member (inv, "invreq_payer_note"))
            g_assert_cmpstr (msg->invreq_payer_note, ==,
                             json_object_get_string_member (inv, "invreq_payer_note"));
          checked++;
        }
    }
  g_assert_cmpuint (checked, ==, 2);
}

/* A CLN invoice with invoice_features and invreq_amount, to edit. */
static Bolt12Message *
pick_invoice (void)
{
  for (guint i = 0; i < invoice_strings->len; i++)
    {
      Bolt12Message *msg = decode_ok (g_ptr_array_index (invoice_strings, i));

      if (msg->invoice_features != NULL && msg->has_invreq_amount)
        return msg;
      bolt12_message_free (msg);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_invoice_required (void)
{
  g_autoptr(Bolt12Message) msg = pick_invoice ();
  const Bolt12Record *payinfo = NULL;
  g_autofree char *two = NULL;

  /* Each missing field fails its rule before the signature is looked at. */
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_AMOUNT, NULL, BOLT12_ERROR_INVALID,
                     "invoice_amount");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_CREATED_AT, NULL, BOLT12_ERROR_INVALID,
                     "invoice_created_at");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_PAYMENT_HASH, NULL, BOLT12_ERROR_INVALID,
                     "invoice_payment_hash");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_NODE_ID, NULL, BOLT12_ERROR_INVALID,
                     "invoice_node_id");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_PATHS, NULL, BOLT12_ERROR_INVALID,
                     "invoice_paths");
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_PATHS, "", BOLT12_ERROR_INVALID,
                     "invoice_paths");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVOICE_BLINDEDPAY, NULL, BOLT12_ERROR_INVALID,
                     "invoice_blindedpay");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVREQ_METADATA, NULL, BOLT12_ERROR_INVALID,
                     "invreq_metadata");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_INVREQ_PAYER_ID, NULL, BOLT12_ERROR_INVALID,
                     "invreq_payer_id");
  expect_edit_error (msg, EDIT_DROP, BOLT12_TLV_SIGNATURE, NULL, BOLT12_ERROR_SIGNATURE,
                     "not signed");
  expect_edit_error (msg, EDIT_FLIP, BOLT12_TLV_SIGNATURE, NULL, BOLT12_ERROR_SIGNATURE,
                     "does not verify");
  expect_edit_error (msg, EDIT_FLIP, BOLT12_TLV_INVOICE_PAYMENT_HASH, NULL,
                     BOLT12_ERROR_SIGNATURE, "does not verify");

  /* two payinfos for one path */
  for (guint i = 0; i < msg->records->len; i++)
    if (g_array_index (msg->records, Bolt12Record, i).type == BOLT12_TLV_INVOICE_BLINDEDPAY)
      payinfo = &g_array_index (msg->records, Bolt12Record, i);
  g_assert_nonnull (payinfo);
  {
    g_autofree char *one = od_test_hex (payinfo->value, payinfo->length);

    two = g_strconcat (one, one, NULL);
  }
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_BLINDEDPAY, two, BOLT12_ERROR_INVALID,
                     "invoice_blindedpay entries");
  /* a truncated payinfo */
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_BLINDEDPAY, "00000000",
                     BOLT12_ERROR_TLV, "invoice_blindedpay");
  /* unknown even invoice feature; MPP bits are known */
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_FEATURES, "040000",
                     BOLT12_ERROR_INVALID, "feature bit 18");
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_FEATURES, "010000",
                     BOLT12_ERROR_SIGNATURE, NULL);
  /* invoice amount must be the requested one */
  expect_edit_error (msg, EDIT_REPLACE, BOLT12_TLV_INVOICE_AMOUNT, "01", BOLT12_ERROR_INVALID,
                       "differs");
  /* fallbacks: truncated */
  expect_edit_error (msg, EDIT_ADD, BOLT12_TLV_INVOICE_FALLBACKS, "000014aa", BOLT12_ERROR_TLV,
                     "invoice_fallbacks");
  /* invoice range: 240..1000 even unknown, and beyond 3999999999 */
  expect_edit_error (msg, EDIT_ADD, 500, "00", BOLT12_ERROR_INVALID, "unknown even field 500");
  expect_edit_error (msg, EDIT_ADD, G_GUINT64_CONSTANT (4000000001), "00", BOLT12_ERROR_INVALID,
                     "outside");
}

static Bolt12BlindedPath *
random_path (void)
{
  Bolt12BlindedPath *path = g_new0 (Bolt12BlindedPath, 1);
  guint8 sk[32];
  guint n_hops = g_test_rand_int_range (1, 4);

  random_key (sk, path->first_node_id);
  random_key (sk, path->first_path_key);
  path->hops = g_ptr_array_new ();
  for (guint i = 0; i < n_hops; i++)
    {
      Bolt12BlindedHop *hop = g_new0 (Bolt12BlindedHop, 1);
      guint8 data[40];
      gsize len = g_test_rand_int_range (0, sizeof data);

      random_key (sk, hop->blinded_node_id);
      random_bytes (data, len);
      hop->encrypted_recipient_data = g_bytes_new (data, len);
      g_ptr_array_add (path->hops, hop);
    }

  return path;
}

/* Build an invoice answering an offer-less invoice_request, sign it with the node key. */
static void
test_build_invoice (void)
{
  g_autoptr(Bolt12Message) inv = bolt12_message_new (BOLT12_KIND_INVOICE);
  g_autoptr(Bolt12Message) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *str = NULL;
  guint8 node_sk[32], node_pk[33], payer_sk[32], payer_pk[33], hash[32], meta[16];
  Bolt12Payinfo *info;
  Bolt12Fallback *fallback;

  random_key (node_sk, node_pk);
  random_key (payer_sk, payer_pk);
  random_bytes (hash, 32);
  random_bytes (meta, 16);

  inv->invreq_metadata = g_bytes_new (meta, 16);
  inv->offer_description = g_strdup ("Refund");
  inv->has_invreq_amount = TRUE;
  inv->invreq_amount = 5000;
  inv->has_invreq_payer_id = TRUE;
  memcpy (inv->invreq_payer_id, payer_pk, 33);
  inv->invoice_paths = g_ptr_array_new_with_free_func ((GDestroyNotify) bolt12_blinded_path_free);
  g_ptr_array_add (inv->invoice_paths, random_path ());
  g_ptr_array_add (inv->invoice_paths, random_path ());
  inv->invoice_blindedpay = g_ptr_array_new ();
  for (guint i = 0; i < 2; i++)
    {
      info = g_new0 (Bolt12Payinfo, 1);
      info->fee_base_msat = 1000 + i;
      info->fee_proportional_millionths = 499;
      info->cltv_expiry_delta = 162;
      info->htlc_minimum_msat = 1;
      info->htlc_maximum_msat = BOLT12_MAX_MSAT;
      info->features = g_bytes_new (NULL, 0);
      g_ptr_array_add (inv->invoice_blindedpay, info);
    }
  inv->has_invoice_created_at = TRUE;
  inv->invoice_created_at = 1738000000;
  inv->has_invoice_relative_expiry = TRUE;
  inv->invoice_relative_expiry = 90;
  inv->has_invoice_payment_hash = TRUE;
  memcpy (inv->invoice_payment_hash, hash, 32);
  inv->has_invoice_amount = TRUE;
  inv->invoice_amount = 5000;
  inv->invoice_fallbacks = g_ptr_array_new ();
  fallback = g_new0 (Bolt12Fallback, 1);
  fallback->version = 0;
  fallback->address = bytes_from_hex ("751e76e8199196d454941c45d1b3a323f1433bd6");
  g_ptr_array_add (inv->invoice_fallbacks, fallback);
  inv->invoice_features = bytes_from_hex ("020000");
  inv->has_invoice_node_id = TRUE;
  memcpy (inv->invoice_node_id, node_pk, 33);

  /* unsigned invoices are refused */
  str = bolt12_message_encode (inv, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_SIGNATURE);
  g_clear_error (&error);

  g_assert_true (bolt12_message_sign (inv, node_sk, &error));
  g_assert_no_error (error);
  str = bolt12_message_encode (inv, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (str, "lni1"));

  back = bolt12_message_decode (str, &error);
  g_assert_no_error (error);
  g_assert_true (back->signature_checked);
  g_assert_cmpuint (back->invoice_paths->len, ==, 2);
  g_assert_cmpuint (back->invoice_blindedpay->len, ==, 2);
  info = g_ptr_array_index (back->invoice_blindedpay, 1);
  g_assert_cmpuint (info->fee_base_msat, ==, 1001);
  g_assert_cmpuint (info->fee_proportional_millionths, ==, 499);
  g_assert_cmpuint (info->cltv_expiry_delta, ==, 162);
  g_assert_cmpuint (info->htlc_minimum_msat, ==, 1);
  g_assert_cmpuint (info->htlc_maximum_msat, ==, BOLT12_MAX_MSAT);
  g_assert_cmpuint (back->invoice_fallbacks->len, ==, 1);
  fallback = g_ptr_array_index (back->invoice_fallbacks, 0);
  g_assert_cmpuint (fallback->version, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (fallback->address), ==, 20);
  g_assert_cmpuint (back->invoice_relative_expiry, ==, 90);
  g_assert_cmpmem (back->invoice_payment_hash, 32, hash, 32);
  for (guint p = 0; p < 2; p++)
    {
      const Bolt12BlindedPath *a = g_ptr_array_index (inv->invoice_paths, p);
      const Bolt12BlindedPath *b = g_ptr_array_index (back->invoice_paths, p);

      g_assert_cmpmem (a->first_node_id, 33, b->first_node_id, 33);
      g_assert_cmpmem (a->first_path_key, 33, b->first_path_key, 33);
      g_assert_cmpuint (a->hops->len, ==, b->hops->len);
      for (guint h = 0; h < a->hops->len; h++)
        {
          const Bolt12BlindedHop *ha = g_ptr_array_index (a->hops, h);
          const Bolt12BlindedHop *hb = g_ptr_array_index (b->hops, h);

          g_assert_cmpmem (ha->blinded_node_id, 33, hb->blinded_node_id, 33);
          g_assert_true (g_bytes_equal (ha->encrypted_recipient_data,
                                        hb->encrypted_recipient_data));
        }
    }

  /* expiry of an invoice: created_at + relative expiry */
  g_assert_false (bolt12_message_is_expired (back, 1738000090));
  g_assert_true (bolt12_message_is_expired (back, 1738000091));
  back->has_invoice_relative_expiry = FALSE;
  g_assert_false (bolt12_message_is_expired (back, 1738007200));
  g_assert_true (bolt12_message_is_expired (back, 1738007201));

  /* an invoice for a recurring request needs its basetime */
  inv->recurrence.present = TRUE;
  inv->recurrence.compulsory = TRUE;
  inv->recurrence.time_unit = BOLT12_TIME_UNIT_DAYS;
  inv->recurrence.period = 30;
  inv->has_invreq_recurrence_counter = TRUE;
  inv->invreq_recurrence_counter = 0;
  g_assert_true (bolt12_message_sign (inv, node_sk, &error));
  g_clear_pointer (&str, g_free);
  str = bolt12_message_encode (inv, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "invoice_recurrence_basetime"));
  g_clear_error (&error);

  inv->has_invoice_recurrence_basetime = TRUE;
  inv->invoice_recurrence_basetime = 1738000000;
  g_assert_true (bolt12_message_sign (inv, node_sk, &error));
  str = bolt12_message_encode (inv, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&back, bolt12_message_free);
  back = bolt12_message_decode (str, &error);
  g_assert_no_error (error);
  g_assert_true (back->has_invoice_recurrence_basetime);
  g_assert_cmpuint (back->invoice_recurrence_basetime, ==, 1738000000);
  g_assert_cmpuint (back->recurrence.period, ==, 30);

  /* a cancellation is never answered */
  inv->invreq_recurrence_counter = 3;
  inv->invreq_recurrence_cancel = TRUE;
  g_assert_true (bolt12_message_sign (inv, node_sk, &error));
  g_clear_pointer (&str, g_free);
  str = bolt12_message_encode (inv, FALSE, &error);
  g_assert_null (str);
  g_assert_error (error, BOLT12_ERROR, BOLT12_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_invoices ();

  g_test_add_func ("/bolt12/invreq/vector-signature", test_vector_signature);
  g_test_add_func ("/bolt12/invreq/bad-signature", test_bad_signature);
  g_test_add_func ("/bolt12/invreq/signature-range", test_signature_range);
  g_test_add_func ("/bolt12/invreq/unsigned", test_unsigned);
  g_test_add_func ("/bolt12/invreq/required-fields", test_required_fields);
  g_test_add_func ("/bolt12/invreq/fields", test_invreq_fields);
  g_test_add_func ("/bolt12/invreq/offerless-rules", test_offerless_rules);
  g_test_add_func ("/bolt12/invreq/payer-note-nul", test_payer_note_nul);
  g_test_add_func ("/bolt12/invreq/recurrence", test_invreq_recurrence);
  g_test_add_func ("/bolt12/invreq/expiry", test_invreq_expiry);
  g_test_add_func ("/bolt12/invreq/build-and-sign", test_build_and_sign);
  g_test_add_func ("/bolt12/invoice/cln-invoices", test_cln_invoices);
  g_test_add_func ("/bolt12/invoice/listinvoices", test_listinvoices);
  g_test_add_func ("/bolt12/invoice/required-fields", test_invoice_required);
  g_test_add_func ("/bolt12/invoice/build", test_build_invoice);

  ret = g_test_run ();
  g_ptr_array_unref (invoice_strings);

  return ret;
}
