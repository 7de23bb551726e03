/* od-form-rows.h: pieces the offer and request forms share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OdDateTimePicker: a date (GtkCalendar in a GtkMenuButton popover) and a time (hour and minute
 * spin buttons), in local time, read as unix seconds.  The error rows: a red line under a form
 * row that shows a command's message for the parameter the row edits.
 */

#pragma once

#include <adwaita.h>

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

G_END_DECLS
