/* od-test-app-utils.h: helpers shared by the widget tests (tests/test-app-*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "od-application.h"
#include "od-window.h"

G_BEGIN_DECLS

/* C.UTF-8 (GTK must not pick the locale) and GTK; FALSE, after printing a TAP skip line, when
 * there is no display. */
gboolean   od_test_gtk_init        (void);

/* A new temporary directory "offerdesk-test-<name>-XXXXXX", set as OFFERDESK_DATA_DIR. */
char      *od_test_make_data_dir   (const char       *name);

/* Registers and activates app; returns its OdWindow (asserts there is one). */
OdWindow  *od_test_app_start       (OdApplication    *app);

/* Destroys window, runs what that left pending, and drops *app. */
void       od_test_app_stop        (OdWindow         *window,
                                    OdApplication   **app);

/* Runs what the default main context has pending, without waiting. */
void       od_test_flush_events    (void);

/* Iterates the default main context for ms milliseconds. */
void       od_test_wait_ms         (guint             ms);

typedef gboolean (*OdTestCondition) (gconstpointer data);

/* Iterates the default main context until condition (data) holds, for at most 10 s; returns
 * whether it holds. */
gboolean   od_test_wait_until      (OdTestCondition   condition,
                                    gconstpointer     data);

/* Iterates the default main context (blocking) until predicate (data) holds; aborts with
 * "Timed out waiting for <what>" after seconds. */
void       od_test_wait_for        (gboolean        (*predicate) (gpointer data),
                                    gpointer          data,
                                    guint             seconds,
                                    const char       *what);

/* The first widget, depth first from root itself, that is of type / an AdwPreferencesRow
 * titled title / a GtkButton labelled label; NULL when none is. */
GtkWidget *od_test_find_descendant (GtkWidget        *root,
                                    GType             type);
GtkWidget *od_test_find_row        (GtkWidget        *root,
                                    const char       *title);
GtkWidget *od_test_find_button     (GtkWidget        *root,
                                    const char       *label);

/* Whether a mapped GtkLabel below widget (or widget itself) shows text exactly, or, with
 * prefix, starts with it. */
gboolean   od_test_has_label_full  (GtkWidget        *widget,
                                    const char       *text,
                                    gboolean          prefix);
gboolean   od_test_has_label       (GtkWidget        *widget,
                                    const char       *text);

/* Whether menu, or a section of it, has an item labelled label. */
gboolean   od_test_menu_has        (GMenuModel       *menu,
                                    const char       *label);

/* widget as drawn now (its size, its native's renderer) to a PNG at path; asserts it is
 * written. */
void       od_test_save_png        (GtkWidget        *widget,
                                    const char       *path);

G_END_DECLS
