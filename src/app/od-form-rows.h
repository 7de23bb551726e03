/* od-form-rows.h: pieces the offer and request forms share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OdDateTimePicker: a date (GtkCalendar in a GtkMenuButton popover) and a time (hour and minute
 * spin buttons), in local time, read as unix seconds.  The error rows: a red line under a form
 * row that shows a command's message for the parameter the row edits.  OdFormCreate: what both
 * command forms do around their fields: check the params as the user types, show the
 * command's message under the row it names, and run the command from the create action while
 * the check passes and the node can be reached.
 */

#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "od-commands.h"

G_BEGIN_DECLS

#define OD_TYPE_DATE_TIME_PICKER (od_date_time_picker_get_type ())

G_DECLARE_FINAL_TYPE (OdDateTimePicker, od_date_time_picker, OD, DATE_TIME_PICKER, GtkWidget)

GtkWidget  *od_date_time_picker_new          (void);
/* Local time -> unix seconds. */
gint64      od_date_time_picker_get_unix     (OdDateTimePicker *self);
void        od_date_time_picker_set_date_time (OdDateTimePicker *self,
                                               GDateTime        *date_time);
/* For screen readers: "Expiry" gives "Expiry date", "Expiry hour", "Expiry minute". */
void        od_date_time_picker_set_label    (OdDateTimePicker *self,
                                              const char       *label);

/* A hidden row inserted after row in its list box; returns it (owned by the list box). */
GtkWidget  *od_form_error_row_new            (GtkWidget        *row);
/* NULL or "" hides it.  Also marks row with the .error style class. */
void        od_form_error_row_set            (GtkWidget        *error_row,
                                              GtkWidget        *row,
                                              const char       *message);
const char *od_form_error_row_get            (GtkWidget        *error_row);

/* The parameter a command's error names: "<param>: …", "missing required parameter: <param>",
 * or, for "bolt12: …", the parameter the reader rule is about (NULL when none). */
char       *od_form_error_param              (const char       *message);

/* What a form tells OdFormCreate; page is the form widget given to od_form_create_new(). */
typedef struct
{
  const char *command;                            /* "offer", "invoicerequest" */
  const char *action_name;                        /* "offer.create": enabled while valid */
  JsonNode   *(*build_params)  (GtkWidget  *page);
  /* Nothing typed yet: a failed check shows no message. */
  gboolean    (*is_pristine)   (GtkWidget  *page);
  /* Before each check (NULL for none). */
  void        (*before_check)  (GtkWidget  *page);
  /* After a successful create. */
  void        (*reset)         (GtkWidget  *page);
  /* The toast for a failed create, with the command's message. */
  char       *(*failure_toast) (const char *message);
} OdFormCreateInfo;

typedef struct _OdFormCreate OdFormCreate;

/* Call right after gtk_widget_init_template(); info must outlive the form. */
OdFormCreate *od_form_create_new            (GtkWidget              *page,
                                             const OdFormCreateInfo *info,
                                             GtkWidget              *create_button,
                                             GtkLabel               *general_error_label);
/* From the page's dispose (before gtk_widget_dispose_template()) and finalize. */
void          od_form_create_dispose        (OdFormCreate           *self);
void          od_form_create_free           (OdFormCreate           *self);
/* A command message about param shows under row (and a hidden error row after it). */
void          od_form_create_add_error_row  (OdFormCreate           *self,
                                             const char             *param,
                                             gpointer                row);
/* The window's, the application's, or (a page on its own) a command layer of the form's. */
OdCommands   *od_form_create_get_commands   (OdFormCreate           *self);
/* A field changed: check again a moment later. */
void          od_form_create_schedule_check (OdFormCreate           *self);
/* Enter in a row: the pending check runs now, then create if it passes. */
void          od_form_create_activate       (OdFormCreate           *self);
/* The create action. */
void          od_form_create_run            (OdFormCreate           *self);
/* From the page's map: check, and follow the application's connection state. */
void          od_form_create_map            (OdFormCreate           *self);

G_END_DECLS
