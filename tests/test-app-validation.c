/* test-app-validation.c: every bad input of the acceptance table, typed into the forms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/data/acceptance.json lists CLI invocations of the `offer` and `invoicerequest`
 * commands with the exact error each one gives.  For every failing step whose parameters a
 * merchant can express in the offer form (OdOfferPage) or the refund form (OdRequestPage), this
 * test fills a fresh form through its widgets (the template children), waits for the debounced
 * check, and asserts that:
 *
 *  - exactly one inline message is shown, and it is the step's message, word for word;
 *  - it is shown next to the row of the parameter it names ("<param>: …", "missing required
 *    parameter: <param>", a "bolt12: …" reader rule about a field), or under the form when it
 *    names no field of the form (e.g. 1000 "Already exists, but isn't active");
 *  - "Create Offer" / "Create Request" is insensitive, and activating the action anyway stores
 *    nothing (listoffers and listinvoicerequests are unchanged).
 *
 * Each group of the table runs in a data dir of its own; the group's successful steps (setrate,
 * earlier offers, disableoffer, …) are replayed in order through od_commands_call_json(), the
 * way offerdesk-cli sends them, so every failing step meets the state it meets in the table.
 * Steps the form cannot express (unknown parameters, too many parameters, JSON literals, raw
 * bytes, refund_for, quantity_min, text a spin button or the date picker cannot produce, …) are
 * counted and reported with the reason.
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "od-commands.h"
#include "od-form-rows.h"
#include "od-offer-page.h"
#include "od-request-page.h"
#include "offerdesk-resources.h"

#include "od-test-app-utils.h"

/* How many failing offer/invoicerequest steps the forms can express (of 53 in the table when
 * this was written; see the skip messages for the others).  The issue asked for 40; the table
 * does not hold that many that a form can produce, so the floor is what it does hold. */
#define MIN_CHECKED 25

/* The parameters of the two commands, in positional order (od-offer-commands.c). */
static const char * const offer_params[] = {
  "amount", "description", "issuer", "label", "quantity_min", "quantity_max", "absolute_expiry",
  "recurrence", "recurrence_base", "recurrence_paywindow", "recurrence_limit", "refund_for",
  "single_use", "proportional_amount", "optional_recurrence", NULL
};

static const char * const request_params[] = {
  "amount", "description", "issuer", "label", "absolute_expiry", "single_use", NULL
};

/* The row (template child) each parameter is edited in. */
typedef struct
{
  const char *param;
  const char *row;
} ParamRow;

static const ParamRow offer_rows[] = {
  { "amount", "amount_row" },
  { "description", "description_row" },
  { "issuer", "issuer_row" },
  { "label", "label_row" },
  { "quantity_max", "quantity_row" },
  { "absolute_expiry", "expiry_row" },
  { "single_use", "single_use_row" },
  { "recurrence", "period_row" },
  { "recurrence_base", "base_time_row" },
  { "recurrence_paywindow", "after_row" },
  { "proportional_amount", "proportional_row" },
  { "recurrence_limit", "limit_count_row" },
  { "optional_recurrence", "optional_row" },
  { NULL, NULL }
};

static const ParamRow request_rows[] = {
  { "amount", "amount_row" },
  { "description", "description_row" },
  { "issuer", "issuer_row" },
  { "label", "label_row" },
  { "absolute_expiry", "expiry_row" },
  { "single_use", "single_use_row" },
  { NULL, NULL }
};

/* The reader rules behind "bolt12: …" messages, and the parameter each one is about. */
static const struct
{
  const char *words;
  const char *param;
} bolt12_rules[] = {
  { "zero amount", "amount" },
  { "recurrence period", "recurrence" },
  { "recurrence limit", "recurrence_limit" },
  { "paywindow", "recurrence_paywindow" },
  { NULL, NULL }
};

static const char * const period_units[] = {
  "second", "minute", "hour", "day", "week", "month", "year", NULL
};

/* OFFERDESK_DATA_DIR, set once before any thread starts; each group empties it. */
static char *data_dir;

static guint n_groups;
static guint n_groups_run;
static guint n_failing;
static guint n_checked;
static guint n_skipped;

/* ---- a group's state: its data dir, saved ${vars}, and the successful steps replayed ---- */

typedef struct
{
  const char *name;
  const char *dir;
  OdCommands *cmds;
  GHashTable *vars;
} Group;

static char *
substitute (Group      *group,
            const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *start = strstr (p, "${");
      const char *end;
      g_autofree char *name = NULL;
      const char *value;

      if (start == NULL || (end = strchr (start, '}')) == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, start - p);
      name = g_strndup (start + 2, end - start - 2);
      value = g_hash_table_lookup (group->vars, name);
      if (value == NULL)
        g_error ("acceptance table uses ${%s} before saving it", name);
      g_string_append (out, value);
      p = end + 1;
    }

  return g_string_free (out, FALSE);
}

/* The step's arguments, ${vars} substituted and args_hex bytes put in place. */
static GPtrArray *
step_args (Group      *group,
           JsonObject *step)
{
  JsonArray *json = json_object_get_array_member (step, "args");
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (json); i++)
    g_ptr_array_add (args, substitute (group, json_array_get_string_element (json, i)));
  if (json_object_has_member (step, "args_hex"))
    {
      JsonObject *hex = json_object_get_object_member (step, "args_hex");
      g_autoptr(GList) members = json_object_get_members (hex);

      for (GList *l = members; l != NULL; l = l->next)
        {
          guint idx = (guint) g_ascii_strtoull (l->data, NULL, 10);
          const char *h = json_object_get_string_member (hex, l->data);
          gsize n = strlen (h) / 2;
          char *bytes = g_malloc0 (n + 1);

          for (gsize k = 0; k < n; k++)
            bytes[k] = (char) ((g_ascii_xdigit_value (h[2 * k]) << 4)
                               | g_ascii_xdigit_value (h[2 * k + 1]));
          while (args->len <= idx)
            g_ptr_array_add (args, g_strdup (""));
          g_free (args->pdata[idx]);
          args->pdata[idx] = bytes;
        }
    }

  return args;
}

/* One line for the log: the invocation as typed, invalid bytes made visible. */
static char *
step_text (GPtrArray *args)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < args->len; i++)
    {
      g_autofree char *valid = g_utf8_make_valid (args->pdata[i], -1);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, valid);
    }

  return g_strdelimit (g_string_free (out, FALSE), "\n\r", ' ');
}

/* offerdesk-cli's rule (lightning-cli's): digits, true, false, null and "…", […], {…} go as
 * JSON, the rest as a JSON string. */
static gboolean
is_json_literal (const char *value)
{
  gsize len = strlen (value);

  return (len > 0 && strspn (value, "0123456789") == len)
         || strcmp (value, "true") == 0
         || strcmp (value, "false") == 0
         || strcmp (value, "null") == 0
         || (len >= 2 && value[0] == '"' && value[len - 1] == '"')
         || (len >= 2 && value[0] == '[' && value[len - 1] == ']')
         || (len >= 2 && value[0] == '{' && value[len - 1] == '}');
}

static void
append_value (GString    *json,
              const char *value)
{
  if (is_json_literal (value))
    {
      g_string_append (json, value);
      return;
    }
  g_string_append_c (json, '"');
  for (const char *p = value; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (json, "\\\""); break;
      case '\\': g_string_append (json, "\\\\"); break;
      case '\n': g_string_append (json, "\\n"); break;
      case '\r': g_string_append (json, "\\r"); break;
      case '\t': g_string_append (json, "\\t"); break;
      default: g_string_append_c (json, *p); break;
      }
  g_string_append_c (json, '"');
}

/* A successful step, sent the way offerdesk-cli sends it; saves what the step saves. */
static void
replay (Group      *group,
        JsonObject *step,
        GPtrArray  *args)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean keywords = FALSE;
  gboolean first = TRUE;

  g_assert_cmpuint (args->len, >, 0);
  if (((char *) args->pdata[0])[0] == '-')
    return;   /* a CLI option, not a command: changes nothing */

  for (guint i = 1; i < args->len; i++)
    if (strcmp (args->pdata[i], "-k") == 0 || strcmp (args->pdata[i], "--keywords") == 0)
      keywords = TRUE;
  g_string_append_c (json, keywords ? '{' : '[');
  for (guint i = 1; i < args->len; i++)
    {
      const char *arg = args->pdata[i];

      if (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0)
        continue;
      if (!first)
        g_string_append (json, ", ");
      first = FALSE;
      if (keywords)
        {
          const char *eq = strchr (arg, '=');
          g_autofree char *name = g_strndup (arg, eq - arg);

          g_assert_nonnull (eq);
          append_value (json, name);
          g_string_append (json, ": ");
          append_value (json, eq + 1);
        }
      else
        append_value (json, arg);
    }
  g_string_append_c (json, keywords ? '}' : ']');

  result = od_commands_call_json (group->cmds, args->pdata[0], json->str, &error);
  g_assert_no_error (error);

  if (json_object_has_member (step, "save"))
    {
      JsonObject *save = json_object_get_object_member (step, "save");
      g_autoptr(GList) members = json_object_get_members (save);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *field = json_object_get_string_member (save, l->data);

          g_hash_table_insert (group->vars, g_strdup (l->data),
                               g_strdup (json_object_get_string_member (
                                 json_node_get_object (result), field)));
        }
    }
}

/* What the store holds: the two lists, as JSON text. */
static char *
stored (Group *group)
{
  g_autoptr(JsonNode) offers = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  offers = od_commands_call_json (group->cmds, "listoffers", "[]", &error);
  g_assert_no_error (error);
  requests = od_commands_call_json (group->cmds, "listinvoicerequests", "[]", &error);
  g_assert_no_error (error);
  a = json_to_string (offers, FALSE);
  b = json_to_string (requests, FALSE);

  return g_strconcat (a, "\n", b, NULL);
}

/* ---- from the step's parameters to what is typed and switched in the form ---- */

typedef struct
{
  gboolean    is_offer;
  GHashTable *params;        /* name -> value, as the CLI would send it */
} Step;

static gboolean
in_list (const char * const *list,
         const char         *name)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], name) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
is_digits (const char *text)
{
  return text[0] != '\0' && strspn (text, "0123456789") == strlen (text);
}

/* An unsigned number the spin buttons hold exactly: digits, at most 4294967296. */
static gboolean
parse_count (const char *text,
             guint64     max,
             guint64    *out)
{
  if (!is_digits (text) || strlen (text) > 10)
    return FALSE;
  *out = g_ascii_strtoull (text, NULL, 10);

  return *out <= max;
}

/* A time the date picker (date, hour, minute; local time, here UTC) shows exactly. */
static gboolean
parse_time (const char *text,
            gint64     *out)
{
  guint64 value;

  if (!parse_count (text, G_GUINT64_CONSTANT (253402300740), &value) || value % 60 != 0)
    return FALSE;
  *out = (gint64) value;

  return TRUE;
}

/* "<n><unit>" with a unit of the "Every" drop-down (singular or plural). */
static gboolean
parse_recurrence (const char *text,
                  guint64    *count,
                  guint      *unit)
{
  gsize digits = strspn (text, "0123456789");
  g_autofree char *number = g_strndup (text, digits);
  const char *name = text + digits;

  if (!parse_count (number, G_MAXUINT32, count))
    return FALSE;
  for (guint i = 0; period_units[i] != NULL; i++)
    {
      gsize len = strlen (period_units[i]);

      if (strncmp (name, period_units[i], len) == 0
          && (name[len] == '\0' || (name[len] == 's' && name[len + 1] == '\0')))
        {
          *unit = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* "-<before>+<after>[%]", in seconds. */
static gboolean
parse_paywindow (const char *text,
                 guint64    *before,
                 guint64    *after,
                 gboolean   *proportional)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *copy = NULL;
  gsize len = strlen (text);

  if (len < 4 || text[0] != '-')
    return FALSE;
  copy = g_strdup (text + 1);
  *proportional = copy[strlen (copy) - 1] == '%';
  if (*proportional)
    copy[strlen (copy) - 1] = '\0';
  parts = g_strsplit (copy, "+", -1);

  return g_strv_length (parts) == 2
         && parse_count (parts[0], G_MAXUINT32, before)
         && parse_count (parts[1], G_MAXUINT32, after);
}

/* Why the form cannot express the step, or NULL when it can (params filled in). */
static char *
parse_step (GPtrArray *args,
            Step      *step)
{
  const char * const *names = step->is_offer ? offer_params : request_params;
  gboolean keywords = FALSE;
  guint position = 0;
  GHashTableIter iter;
  const char *name;
  const char *value;

  for (guint i = 1; i < args->len; i++)
    if (strcmp (args->pdata[i], "-k") == 0 || strcmp (args->pdata[i], "--keywords") == 0)
      keywords = TRUE;

  for (guint i = 1; i < args->len; i++)
    {
      const char *arg = args->pdata[i];
      g_autofree char *key = NULL;

      if (strcmp (arg, "-k") == 0 || strcmp (arg, "--keywords") == 0)
        continue;
      if (keywords)
        {
          const char *eq = strchr (arg, '=');

          if (eq == NULL)
            return g_strdup_printf ("'%s' is not NAME=VALUE", arg);
          key = g_strndup (arg, eq - arg);
          arg = eq + 1;
          if (!in_list (names, key))
            return g_strdup_printf ("unknown parameter '%s': the form has no field for it", key);
        }
      else
        {
          if (position >= g_strv_length ((char **) names))
            return g_strdup_printf ("too many parameters (%u): the form has a field for each "
                                    "parameter once", args->len - 1);
          key = g_strdup (names[position++]);
        }
      if (g_hash_table_contains (step->params, key))
        return g_strdup_printf ("%s given twice", key);
      if (!g_utf8_validate (arg, -1, NULL))
        return g_strdup_printf ("%s holds raw bytes that are not UTF-8: a text field only "
                                "holds UTF-8", key);
      if (arg[0] == '"')
        return g_strdup_printf ("%s is a JSON-literal string%s: the form sends what is typed",
                                key, strstr (arg, "\\u") != NULL ? " with a \\u escape" : "");
      if (arg[0] == '[' || arg[0] == '{' || strcmp (arg, "null") == 0)
        return g_strdup_printf ("%s is a JSON literal (%s): the form sends what is typed",
                                key, arg);
      g_hash_table_insert (step->params, g_steal_pointer (&key), g_strdup (arg));
    }

  /* Each parameter, as the form's widgets produce it. */
  g_hash_table_iter_init (&iter, step->params);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &value))
    {
      guint64 n = 0;
      gint64 t = 0;
      guint unit = 0;
      guint64 before = 0;
      guint64 after = 0;
      gboolean proportional;

      if (strcmp (name, "refund_for") == 0 || strcmp (name, "quantity_min") == 0)
        return g_strdup_printf ("%s: the offer form has no such field", name);
      if (strcmp (name, "amount") == 0 || strcmp (name, "description") == 0
          || strcmp (name, "issuer") == 0 || strcmp (name, "label") == 0)
        {
          if (value[0] == '\0' || g_ascii_isspace (value[0])
              || g_ascii_isspace (value[strlen (value) - 1]))
            return g_strdup_printf ("%s is empty or has spaces at its ends: the form trims "
                                    "what is typed and sends no parameter for an empty field",
                                    name);
          if (strpbrk (value, "\n\r") != NULL)
            return g_strdup_printf ("%s has a line break: an entry row holds one line", name);
        }
      if (strcmp (name, "amount") == 0 && !is_digits (value) && strcmp (value, "any") != 0
          && !g_ascii_isalpha (value[strlen (value) - 1]))
        return g_strdup_printf ("amount '%s' ends in neither a unit nor a digit run the form "
                                "sends as msat", value);
      if ((strcmp (name, "single_use") == 0 || strcmp (name, "proportional_amount") == 0
           || strcmp (name, "optional_recurrence") == 0)
          && strcmp (value, "true") != 0 && strcmp (value, "false") != 0)
        return g_strdup_printf ("%s=%s: a switch is only on or off", name, value);
      if (strcmp (name, "quantity_max") == 0 && !parse_count (value, 1000000, &n))
        return g_strdup_printf ("quantity_max=%s: the quantity spin button holds 1 to "
                                "1000000 (or Unlimited, 0)", value);
      if (strcmp (name, "absolute_expiry") == 0 && !parse_time (value, &t))
        return g_strdup_printf ("absolute_expiry=%s: not a time the date picker shows (whole "
                                "minutes from 1970 on)", value);
      if (strcmp (name, "recurrence") == 0 && !parse_recurrence (value, &n, &unit))
        return g_strdup_printf ("recurrence=%s: the form sends a whole number from its "
                                "\"Every\" spin button and a unit from its drop-down", value);
      if (strcmp (name, "recurrence_base") == 0
          && !parse_time (value[0] == '@' ? value + 1 : value, &t))
        return g_strdup_printf ("recurrence_base=%s: not a time the date picker shows, with "
                                "or without @", value);
      if (strcmp (name, "recurrence_paywindow") == 0
          && !parse_paywindow (value, &before, &after, &proportional))
        return g_strdup_printf ("recurrence_paywindow=%s: the form sends -<before>+<after> "
                                "from two spin buttons", value);
      if (strcmp (name, "recurrence_limit") == 0
          && (!parse_count (value, G_MAXUINT32, &n) || n < 1))
        return g_strdup_printf ("recurrence_limit=%s: \"Number of payments\" holds 2 or more, "
                                "sent as the last period number (1 or more)", value);
      if ((strcmp (name, "recurrence_base") == 0 || strcmp (name, "recurrence_paywindow") == 0
           || strcmp (name, "recurrence_limit") == 0
           || strcmp (name, "proportional_amount") == 0
           || strcmp (name, "optional_recurrence") == 0)
          && !g_hash_table_contains (step->params, "recurrence"))
        return g_strdup_printf ("%s without recurrence: the form sends it only while "
                                "Recurring is on", name);
    }

  return NULL;
}

/* ---- the form ---- */

typedef struct
{
  GtkWidget *window;
  GtkWidget *page;
  GType      type;
} Form;

static gpointer
child (Form       *form,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (form->page, form->type, name);

  if (object == NULL)
    g_error ("the form has no template child %s", name);

  return object;
}

static void
set_text (Form       *form,
          const char *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (form, row)), text != NULL ? text : "");
}

static void
set_switch (Form       *form,
            const char *name,
            gboolean    active)
{
  gtk_switch_set_active (GTK_SWITCH (child (form, name)), active);
}

static void
set_spin (Form       *form,
          const char *name,
          double      value)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (form, name));

  gtk_spin_button_set_value (spin, value);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, value);
}

static void
set_time (Form       *form,
          const char *name,
          gint64      unix_time)
{
  OdDateTimePicker *picker = OD_DATE_TIME_PICKER (child (form, name));
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  od_date_time_picker_set_date_time (picker, time);
  g_assert_cmpint (od_date_time_picker_get_unix (picker), ==, unix_time);
}

/* Selects the unit row's item shown as label; FALSE when there is none. */
static gboolean
select_unit (Form       *form,
             const char *label)
{
  AdwComboRow *row = ADW_COMBO_ROW (child (form, "unit_row"));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return TRUE;
      }

  return FALSE;
}

/* The amount as a merchant enters it: "any" is the offer form's "Any amount" unit; a bare
 * number is msat (as for the command); <number><unit> with a unit the unit row offers is the
 * number in the entry and the unit selected; anything else is typed as it is (the form sends
 * text that ends in letters as typed). */
static void
fill_amount (Form       *form,
             gboolean    is_offer,
             const char *amount)
{
  static const struct
  {
    const char *code;
    const char *label;
  } units[] = {
    { "sat", "sat" }, { "msat", "msat" }, { "btc", "BTC" },
  };
  gsize digits;

  g_assert_true (select_unit (form, "sat"));
  if (amount == NULL)
    {
      set_text (form, "amount_row", "");
      return;
    }
  if (is_offer && strcmp (amount, "any") == 0)
    {
      set_text (form, "amount_row", "");
      g_assert_true (select_unit (form, "Any amount"));
      return;
    }
  if (is_digits (amount))
    {
      g_assert_true (select_unit (form, "msat"));
      set_text (form, "amount_row", amount);
      return;
    }

  digits = strspn (amount, "0123456789.");
  if (digits > 0 && g_ascii_isdigit (amount[digits - 1]) && amount[digits] != '\0')
    {
      const char *suffix = amount + digits;
      const char *label = NULL;
      g_autofree char *number = g_strndup (amount, digits);

      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (strcmp (suffix, units[i].code) == 0)
          label = units[i].label;
      /* A currency the unit row lists (one with a rate): shown by its code. */
      if (label == NULL && is_offer && strlen (suffix) == 3
          && strspn (suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)
        label = suffix;
      if (label != NULL && select_unit (form, label))
        {
          set_text (form, "amount_row", number);
          return;
        }
    }
  set_text (form, "amount_row", amount);
}

static void
fill_offer (Form       *form,
            GHashTable *params)
{
  const char *value;
  AdwExpanderRow *recurring = ADW_EXPANDER_ROW (gtk_widget_get_ancestor (
    GTK_WIDGET (child (form, "period_row")), ADW_TYPE_EXPANDER_ROW));
  guint64 n = 0;
  gint64 t = 0;

  fill_amount (form, TRUE, g_hash_table_lookup (params, "amount"));
  set_text (form, "description_row", g_hash_table_lookup (params, "description"));
  set_text (form, "issuer_row", g_hash_table_lookup (params, "issuer"));
  set_text (form, "label_row", g_hash_table_lookup (params, "label"));

  value = g_hash_table_lookup (params, "quantity_max");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (child (form, "quantity_row")),
                                         value != NULL);
  if (value != NULL)
    {
      g_assert_true (parse_count (value, 1000000, &n));
      set_switch (form, "quantity_unlimited_switch", n == 0);
      if (n > 0)
        set_spin (form, "quantity_max_spin", (double) n);
    }

  value = g_hash_table_lookup (params, "absolute_expiry");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (child (form, "expiry_row")),
                                         value != NULL);
  if (value != NULL)
    {
      g_assert_true (parse_time (value, &t));
      set_time (form, "expiry_picker", t);
    }

  value = g_hash_table_lookup (params, "recurrence");
  adw_expander_row_set_enable_expansion (recurring, value != NULL);
  set_switch (form, "base_switch", FALSE);
  set_switch (form, "base_at_switch", FALSE);
  set_switch (form, "paywindow_switch", FALSE);
  set_switch (form, "proportional_switch", FALSE);
  set_switch (form, "limit_switch", FALSE);
  set_switch (form, "optional_switch", FALSE);
  if (value != NULL)
    {
      guint unit = 0;
      gboolean proportional = FALSE;

      g_assert_true (parse_recurrence (value, &n, &unit));
      set_spin (form, "period_spin", (double) n);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (child (form, "period_unit_dropdown")), unit);

      value = g_hash_table_lookup (params, "recurrence_base");
      if (value != NULL)
        {
          set_switch (form, "base_switch", TRUE);
          set_switch (form, "base_at_switch", value[0] == '@');
          g_assert_true (parse_time (value[0] == '@' ? value + 1 : value, &t));
          set_time (form, "base_picker", t);
        }

      value = g_hash_table_lookup (params, "recurrence_paywindow");
      if (value != NULL)
        {
          guint64 before = 0;
          guint64 after = 0;

          g_assert_true (parse_paywindow (value, &before, &after, &proportional));
          set_switch (form, "paywindow_switch", TRUE);
          gtk_drop_down_set_selected (GTK_DROP_DOWN (child (form, "before_unit_dropdown")), 0);
          gtk_drop_down_set_selected (GTK_DROP_DOWN (child (form, "after_unit_dropdown")), 0);
          set_spin (form, "before_spin", (double) before);
          set_spin (form, "after_spin", (double) after);
        }

      /* A trailing % on the pay window is proportional_amount=true. */
      value = g_hash_table_lookup (params, "proportional_amount");
      set_switch (form, "proportional_switch",
                  proportional || g_strcmp0 (value, "true") == 0);

      value = g_hash_table_lookup (params, "recurrence_limit");
      if (value != NULL)
        {
          g_assert_true (parse_count (value, G_MAXUINT32, &n));
          set_switch (form, "limit_switch", TRUE);
          set_spin (form, "limit_spin", (double) n + 1);   /* N payments: last index N-1 */
        }

      set_switch (form, "optional_switch",
                  g_strcmp0 (g_hash_table_lookup (params, "optional_recurrence"), "true") == 0);
    }

  set_switch (form, "single_use_switch",
              g_strcmp0 (g_hash_table_lookup (params, "single_use"), "true") == 0);
}

static void
fill_request (Form       *form,
              GHashTable *params)
{
  const char *value;
  gint64 t = 0;

  fill_amount (form, FALSE, g_hash_table_lookup (params, "amount"));
  set_text (form, "description_row", g_hash_table_lookup (params, "description"));
  set_text (form, "issuer_row", g_hash_table_lookup (params, "issuer"));
  set_text (form, "label_row", g_hash_table_lookup (params, "label"));

  value = g_hash_table_lookup (params, "absolute_expiry");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (child (form, "expiry_row")),
                                         value != NULL);
  if (value != NULL)
    {
      g_assert_true (parse_time (value, &t));
      set_time (form, "expiry_picker", t);
    }

  /* The command's default is true, and so is the switch's. */
  set_switch (form, "single_use_switch",
              g_strcmp0 (g_hash_table_lookup (params, "single_use"), "false") != 0);
}

/* The inline messages on screen: mapped labels with the .error style and some text. */
static void
collect_errors (GtkWidget *root,
                GPtrArray *out)
{
  for (GtkWidget *widget = gtk_widget_get_first_child (root); widget != NULL;
       widget = gtk_widget_get_next_sibling (widget))
    {
      if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error")
          && gtk_widget_get_mapped (widget)
          && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
        g_ptr_array_add (out, widget);
      collect_errors (widget, out);
    }
}

static char *
form_state (Form *form)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  collect_errors (form->page, labels);
  for (guint i = 0; i < labels->len; i++)
    g_string_append_printf (out, "%s|", gtk_label_get_text (labels->pdata[i]));
  g_string_append (out, gtk_widget_get_sensitive (child (form, "create_button")) ? "1" : "0");

  return g_string_free (out, FALSE);
}

/* The debounced check: ~300 ms, then until nothing changes for three looks in a row. */
static void
settle (Form *form)
{
  g_autofree char *last = NULL;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint same = 0;

  od_test_wait_ms (300);
  last = form_state (form);
  while (same < 3 && g_get_monotonic_time () < end)
    {
      g_autofree char *now = NULL;

      od_test_wait_ms (60);
      now = form_state (form);
      same = strcmp (now, last) == 0 ? same + 1 : 0;
      g_free (last);
      last = g_steal_pointer (&now);
    }
  g_assert_cmpuint (same, >=, 3);
}

/* The parameter a message is about, as a merchant reads it (NULL: the form as a whole). */
static const char *
message_param (const char  *message,
               char       **owned)
{
  const char *colon = strstr (message, ": ");

  *owned = NULL;
  if (g_str_has_prefix (message, "missing required parameter: "))
    return message + strlen ("missing required parameter: ");
  if (g_str_has_prefix (message, "bolt12: "))
    {
      for (guint i = 0; bolt12_rules[i].words != NULL; i++)
        if (strstr (message, bolt12_rules[i].words) != NULL)
          return bolt12_rules[i].param;
      return NULL;
    }
  if (colon == NULL || strchr (message, ' ') < colon)
    return NULL;
  *owned = g_strndup (message, colon - message);

  return *owned;
}

static void
check_step (Group      *group,
            JsonObject *json,
            guint       index,
            GPtrArray  *args)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *error = json_object_get_object_member (json, "error");
  const char *expected = json_object_get_string_member (error, "message");
  g_autofree char *text = step_text (args);
  g_autofree char *reason = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *owned = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  const ParamRow *rows;
  const char *param;
  const char *row_name = NULL;
  gboolean pristine;
  Step step = { 0 };
  Form form = { 0 };

  step.is_offer = strcmp (args->pdata[0], "offer") == 0;
  step.params = params;
  rows = step.is_offer ? offer_rows : request_rows;
  reason = parse_step (args, &step);
  if (reason != NULL)
    {
      n_skipped++;
      g_test_message ("SKIP %s step %u (%s): %s", group->name, index, text, reason);
      return;
    }
  /* An empty form shows no message until something is entered (by design); Create is still
   * off and nothing is stored, which is checked below. */
  pristine = !g_hash_table_contains (params, "amount")
             && !g_hash_table_contains (params, "description");

  g_test_message ("%s step %u: %s -> %s", group->name, index, text, expected);
  form.type = step.is_offer ? OD_TYPE_OFFER_PAGE : OD_TYPE_REQUEST_PAGE;
  form.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (form.window), 720, 1400);
  form.page = g_object_new (form.type, NULL);
  gtk_window_set_child (GTK_WINDOW (form.window), form.page);
  gtk_window_present (GTK_WINDOW (form.window));
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    /* Mapped: the offer form lists the currencies with a rate from then on. */
    while (!gtk_widget_get_mapped (form.page) && g_get_monotonic_time () < end)
      od_test_wait_ms (20);
    g_assert_true (gtk_widget_get_mapped (form.page));
    od_test_wait_ms (50);
  }

  before = stored (group);
  if (step.is_offer)
    fill_offer (&form, params);
  else
    fill_request (&form, params);
  settle (&form);

  collect_errors (form.page, shown);
  g_assert_false (gtk_widget_get_sensitive (child (&form, "create_button")));
  if (pristine)
    {
      g_assert_cmpuint (shown->len, ==, 0);
    }
  else
    {
      GtkWidget *label;

      if (shown->len != 1)
        {
          g_autofree char *state = form_state (&form);

          g_error ("%s step %u: expected the one message \"%s\", the form shows %s",
                   group->name, index, expected, state);
        }
      label = shown->pdata[0];
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, expected);

      /* Next to the row of the parameter it names, or under the form. */
      param = message_param (expected, &owned);
      for (guint i = 0; param != NULL && rows[i].param != NULL; i++)
        if (strcmp (rows[i].param, param) == 0)
          row_name = rows[i].row;
      if (row_name != NULL)
        {
          GtkWidget *error_row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);

          g_assert_nonnull (error_row);
          if (gtk_widget_get_prev_sibling (error_row) != child (&form, row_name))
            g_error ("%s step %u: \"%s\" is not shown under %s", group->name, index, expected,
                     row_name);
          g_assert_true (gtk_widget_has_css_class (child (&form, row_name), "error"));
        }
      else if (param != NULL || !g_str_has_prefix (expected, "bolt12: "))
        {
          /* About no field of this form: under the form.  (A "bolt12: …" rule this test does
           * not know may be shown anywhere.) */
          g_assert_true (label == child (&form, "general_error_label"));
        }
    }

  /* The action does nothing either. */
  gtk_widget_activate_action (form.page, step.is_offer ? "offer.create" : "request.create", NULL);
  od_test_wait_ms (200);
  after = stored (group);
  g_assert_cmpstr (before, ==, after);

  gtk_window_destroy (GTK_WINDOW (form.window));
  od_test_wait_ms (20);

  if (pristine)
    {
      n_skipped++;
      g_test_message ("SKIP %s step %u (%s): nothing entered, and an untouched form shows no "
                      "message (Create insensitive and nothing stored were checked)",
                      group->name, index, text);
      return;
    }
  n_checked++;
}

static void
run_group (gconstpointer data)
{
  JsonObject *json = (JsonObject *) data;
  JsonArray *steps = json_object_get_array_member (json, "steps");
  const char *network = json_object_get_string_member (json, "network");
  Group group = { 0 };

  group.name = json_object_get_string_member (json, "name");
  group.dir = data_dir;
  g_assert_false (g_file_test (group.dir, G_FILE_TEST_EXISTS));
  group.vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* The forms, on their own, use OFFERDESK_DATA_DIR on bitcoin. */
  g_assert_cmpstr (network, ==, "bitcoin");
  group.cmds = od_commands_new (group.dir, network);

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);
      g_autoptr(GPtrArray) args = step_args (&group, step);

      if (args->len == 0)
        continue;
      if (json_object_get_int_member (step, "exit") == 0)
        replay (&group, step, args);
      else if (strcmp (args->pdata[0], "offer") == 0
               || strcmp (args->pdata[0], "invoicerequest") == 0)
        check_step (&group, step, i, args);
    }

  n_groups_run++;
  od_commands_free (group.cmds);
  g_hash_table_unref (group.vars);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", group.dir);

    g_assert_cmpint (system (cmd), ==, 0);
  }
}

static void
test_summary (void)
{
  if (n_groups_run < n_groups)
    {
      g_test_skip ("not every group ran");
      return;
    }
  g_test_message ("%u failing offer/invoicerequest steps: %u checked in the forms, %u skipped",
                  n_failing, n_checked, n_skipped);
  g_assert_cmpuint (n_checked + n_skipped, ==, n_failing);
  g_assert_cmpuint (n_checked, >=, MIN_CHECKED);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  JsonArray *groups;
  int status;

  /* The date pickers show local time: UTC makes every whole minute exact. */
  g_setenv ("TZ", "UTC", TRUE);
  base = g_dir_make_tmp ("test-app-validation-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (base, "data", NULL);
  g_setenv ("OFFERDESK_DATA_DIR", data_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  if (!od_test_gtk_init ())
    {
      g_rmdir (base);
      return 0;
    }
  adw_init ();
  g_resources_register (od_get_resource ());

  path = g_test_build_filename (G_TEST_DIST, "data", "acceptance.json", NULL);
  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  groups = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "groups");

  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonObject *group = json_array_get_object_element (groups, i);
      JsonArray *steps = json_object_get_array_member (group, "steps");
      guint failing = 0;

      for (guint s = 0; s < json_array_get_length (steps); s++)
        {
          JsonObject *step = json_array_get_object_element (steps, s);
          JsonArray *args = json_object_get_array_member (step, "args");
          const char *method;

          if (json_array_get_length (args) == 0 || json_object_get_int_member (step, "exit") == 0)
            continue;
          method = json_array_get_string_element (args, 0);
          if (strcmp (method, "offer") == 0 || strcmp (method, "invoicerequest") == 0)
            failing++;
        }
      /* Only the groups with a bad offer or invoice request in them. */
      if (failing > 0)
        {
          g_autofree char *test_path = g_strdup_printf ("/app/validation/%s",
                                                        json_object_get_string_member (group,
                                                                                       "name"));

          n_failing += failing;
          n_groups++;
          g_test_add_data_func (test_path, group, run_group);
        }
    }
  g_test_add_func ("/app/validation/summary", test_summary);

  status = g_test_run ();
  g_rmdir (base);
  g_free (data_dir);

  return status;
}
