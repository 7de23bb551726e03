#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-e2e.py: the whole way through, as a person does it, on the real `offerdesk` binary:
# type an amount and a description, press "Create Offer", scan the QR code off the screen, and
# check with offerdesk-cli that the offer is in the history.  TAP on stdout.
#
# Run by meson (tests/meson.build, suites gui and e2e) inside
#   xvfb-run -a -s '-screen 0 1024x768x24' dbus-run-session -- meson test -C BUILD e2e
# Environment: OFFERDESK_APP (the app binary), OFFERDESK_CLI (offerdesk-cli), GSETTINGS_SCHEMA_DIR,
# GSETTINGS_BACKEND=memory.  AT-SPI needs GTK's accessibility, so never GTK_A11Y=none here.
# Needs Debian's /usr/bin/python3 (pyatspi), xdotool, ImageMagick's `import` and zbarimg.
# Set OFFERDESK_E2E_KEEP=1 to keep the data dir and screenshots after a run.

import os
import shutil
import sys
import tempfile
import time
import traceback

if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    print("1..0 # SKIP no display")
    sys.exit(0)

try:
    import pyatspi  # noqa: F401  (Debian's python3-pyatspi)
except ImportError as exc:
    print("1..0 # SKIP pyatspi is not importable by %s (%s)" % (sys.executable, exc))
    sys.exit(0)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offerdesk_e2e as e2e  # noqa: E402

AMOUNT = "2500"
DESCRIPTION = "Espresso"
# msat per unit, for the units the form may show by default.
UNIT_MSAT = {"msat": 1, "sat": 1000, "sats": 1000, "btc": 100_000_000_000}

STEPS = [
    "the app starts and its window appears (AT-SPI)",
    "the amount is typed into \"Amount\"",
    "the description is typed into \"Description\"",
    "\"Create Offer\" shows the result with the lno1 string",
    "the QR code on the screen scans as the offer in upper case",
    "offerdesk-cli listoffers lists the offer with its description",
    "the app ran without criticals and was closed",
]


class Tap:
    def __init__(self, steps):
        self.steps = steps
        self.n = 0
        self.failed = False
        print("1..%d" % len(steps), flush=True)

    def ok(self, note=""):
        self.n += 1
        print("ok %d - %s%s" % (self.n, self.steps[self.n - 1], (" (%s)" % note) if note else ""),
              flush=True)

    def not_ok(self, reason):
        self.n += 1
        self.failed = True
        print("not ok %d - %s" % (self.n, self.steps[self.n - 1]), flush=True)
        e2e.log(reason)

    def skip_rest(self, reason):
        while self.n < len(self.steps):
            self.n += 1
            print("ok %d - %s # SKIP %s" % (self.n, self.steps[self.n - 1], reason),
                  flush=True)


def required_env(name):
    value = os.environ.get(name)
    if not value or not os.path.exists(value):
        raise e2e.E2EError("%s is not set to an existing file (got %r)" % (name, value))
    return value


def enter_text(frame, field_name, text, wid):
    """Put text into the entry row named field_name; falls back to focus + real typing."""
    field = e2e.wait_find(frame, "the text field %r" % field_name, role="text",
                          name=field_name, showing=True, timeout=15)
    how = "EditableText"
    try:
        e2e.set_text(field, text)
    except Exception as exc:  # no EditableText: type it
        e2e.log("setTextContents on %r failed (%s); typing instead" % (field_name, exc))
    got = e2e.get_text(field)
    if got != text:
        how = "xdotool type"
        e2e.log("%r reads back %r after setTextContents; focusing and typing" % (field_name, got))
        field.queryComponent().grabFocus()
        time.sleep(0.3)
        e2e.xdotool("key", "--clearmodifiers", "--window", wid, "ctrl+a", "BackSpace")
        e2e.xdotool("type", "--delay", "40", "--window", wid, text)
        e2e.wait_until("%r to read %r" % (field_name, text),
                       lambda: e2e.get_text(field) == text, timeout=5)
    return how


def default_unit(frame):
    """The unit the amount form shows (the label in the "Unit" combo row), or None."""
    combo = e2e.find(frame, role="combo box", name="Unit", showing=True)
    if combo is None:
        return None
    for label in e2e.find_all(combo, role="label", showing=True):
        if label.name and label.name != "Unit":
            return label.name
    return None


def find_offer_string(frame):
    """The showing label that holds the bolt12 string: by its name, else by its text."""
    for label in e2e.find_all(frame, role="label", showing=True):
        name = label.name or ""
        if name.startswith("lno1"):
            return name
        text = e2e.get_text(label) or ""
        if text.startswith("lno1"):
            return text
    return None


def main():
    tap = Tap(STEPS)
    app_bin = cli_bin = None
    try:
        app_bin = required_env("OFFERDESK_APP")
        cli_bin = required_env("OFFERDESK_CLI")
        for tool in ("xdotool", "import", "zbarimg"):
            if shutil.which(tool) is None:
                raise e2e.E2EError("%s is not installed (build-aux/install-deps.sh installs it)"
                                   % tool)
    except e2e.E2EError as exc:
        tap.not_ok(str(exc))
        tap.skip_rest("no app to test")
        return 1

    data_dir = tempfile.mkdtemp(prefix="offerdesk-e2e-")
    keep = bool(os.environ.get("OFFERDESK_E2E_KEEP"))
    app = None
    frame = None
    bolt12 = None
    try:
        # 1. launch
        try:
            app = e2e.App(app_bin, data_dir)
            _, frame = e2e.wait_frame(app.pid, timeout=20, proc=app.proc)
            wid = e2e.x_window_of_pid(app.pid, timeout=10)
            tap.ok("X window %s, %s" % (wid, e2e.window_geometry(wid)))
        except e2e.E2EError as exc:
            alive = app is not None and app.alive()
            tap.not_ok("%s\napp %s; its output:\n%s" % (exc, "running" if alive else "exited",
                                                       app.log_tail() if app else ""))
            tap.skip_rest("the app did not come up")
            return 1

        # 2./3. the form
        unit = default_unit(frame)
        for step_text, field, value in (("amount", "Amount", AMOUNT),
                                        ("description", "Description", DESCRIPTION)):
            try:
                how = enter_text(frame, field, value, wid)
                tap.ok("%s%s" % (how, ", unit %s" % unit if field == "Amount" else ""))
            except Exception as exc:
                tap.not_ok("%s\n%s" % (exc, e2e.dump(frame)[:20000]))
                tap.skip_rest("the form could not be filled")
                return 1

        # 4. create
        try:
            button = e2e.wait_find(frame, "the push button \"Create Offer\"",
                                   role="push button", name="Create Offer", timeout=10)
            if not e2e.do_action(button):
                raise e2e.E2EError("the click action of \"Create Offer\" returned false")
            bolt12 = e2e.wait_until("a showing label with the lno1 string (the result view)",
                                    lambda: find_offer_string(frame), timeout=20)
            tap.ok("%d characters" % len(bolt12))
        except Exception as exc:
            shot = os.path.join(data_dir, "after-create.png")
            try:
                e2e.screenshot(shot)
            except Exception:
                shot = "(no screenshot)"
            keep = True
            tap.not_ok("%s\nscreen: %s\napp output:\n%s\ntree:\n%s"
                       % (exc, shot, app.log_tail(), e2e.dump(frame)[:20000]))
            tap.skip_rest("no result")
            return 1

        # 5. scan the screen
        shot = os.path.join(data_dir, "result.png")
        decoded = []
        try:
            def scan():
                e2e.screenshot(shot)
                found = e2e.zbar_decode(shot)
                decoded[:] = found
                return bolt12.upper() in found
            e2e.wait_until("zbarimg to read the offer off the screen", scan, timeout=15,
                           interval=0.5)
            tap.ok("read by zbarimg from a screenshot of the screen")
        except e2e.E2EError as exc:
            keep = True
            tap.not_ok("%s\nexpected %s\nzbarimg read %r\nscreen: %s"
                       % (exc, bolt12.upper(), decoded, shot))

        # 6. the history, through the command line
        try:
            listed = e2e.cli(cli_bin, data_dir, "listoffers")
            offers = listed.get("offers", []) if isinstance(listed, dict) else []
            match = [o for o in offers if o.get("bolt12") == bolt12]
            if not match:
                raise e2e.E2EError("%s is not among the %d offers listed: %s"
                                   % (bolt12, len(offers), [o.get("bolt12") for o in offers]))
            offer = match[0]
            if offer.get("description") != DESCRIPTION:
                raise e2e.E2EError("description %r, expected %r"
                                   % (offer.get("description"), DESCRIPTION))
            note = "description %r" % offer["description"]
            per_unit = UNIT_MSAT.get((unit or "").lower())
            if per_unit is not None:
                want = int(AMOUNT) * per_unit
                if offer.get("offer_amount_msat") != want:
                    raise e2e.E2EError("offer_amount_msat %r, expected %d (%s %s)"
                                       % (offer.get("offer_amount_msat"), want, AMOUNT, unit))
                note += ", %d msat" % want
            if not offer.get("active"):
                raise e2e.E2EError("the offer is not active: %r" % offer)
            tap.ok(note)
        except e2e.E2EError as exc:
            tap.not_ok(str(exc))

        # 7. close
        if not app.alive():
            tap.not_ok("the app exited by itself:\n%s" % app.log_tail())
        else:
            app.close()
            criticals = [l for l in app.log_tail(10000).splitlines()
                         if "-CRITICAL **" in l or "-ERROR **" in l]
            if criticals:
                tap.not_ok("the app logged:\n" + "\n".join(criticals[:30]))
            else:
                tap.ok()
    except Exception:
        tap.not_ok("unexpected error:\n" + traceback.format_exc())
        tap.skip_rest("unexpected error")
    finally:
        if app is not None:
            app.close()
        if keep or tap.failed:
            e2e.log("data dir and screenshots kept in %s" % data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
