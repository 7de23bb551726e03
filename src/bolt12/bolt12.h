/* bolt12.h: the BOLT 12 layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "bolt12-types.h"
#include "bolt12-string.h"
#include "bolt12-tlv.h"
#include "bolt12-merkle.h"
#include "bolt12-amount.h"
#include "bolt12-recurrence.h"
#include "bolt12-message.h"
