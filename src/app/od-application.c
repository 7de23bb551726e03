/* od-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "od-application.h"

struct _OdApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (OdApplication, od_application, ADW_TYPE_APPLICATION)

static void
od_application_class_init (OdApplicationClass *klass)
{
}

static void
od_application_init (OdApplication *self)
{
}

OdApplication *
od_application_new (void)
{
  return g_object_new (OD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}
