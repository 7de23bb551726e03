#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# make-screenshots.py: the AppStream / issue screenshots of Offerdesk, in light and dark style.
# Called by build-aux/screenshots.sh inside its own Xvfb (1280x800) + D-Bus session; see there.
#
#   make-screenshots.py APP_BINARY CLI_BINARY SCHEMA_DIR OUT_DIR
#
# For each style (libadwaita 1.2.2 honours ADW_DEBUG_COLOR_SCHEME=prefer-light/prefer-dark;
# checked: a bogus value gives "Invalid color scheme"), on one data dir filled through
# offerdesk-cli:
#   offer-form-STYLE.png        the New Offer page, filled in (nothing is submitted)
#   history-STYLE.png           the History page (Ctrl+F) with ~15 offers and requests
#   recurring-result-STYLE.png  the recurring "Coffee subscription" offer opened from History
#   recurring-summary-STYLE.png the same, scrolled to "What the Customer Sees" (the recurrence)
#   customer-display-STYLE.png  the customer display (F11) of that offer
# Window size 1000x720: the window-width / window-height keys, through GSettings' keyfile
# backend in a private XDG_CONFIG_HOME (the memory backend does not cross processes).

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offerdesk_e2e as e2e  # noqa: E402

WIDTH, HEIGHT = 1000, 720
SHOP = "Café Lumen"


def fill_history(cli, data_dir):
    """~15 varied offers and requests; returns the recurring offer's bolt12."""
    def offer(**kw):
        args = ["offer", "-k"] + ["%s=%s" % item for item in kw.items()]
        return e2e.cli(cli, data_dir, *args)

    def invreq(**kw):
        args = ["invoicerequest", "-k"] + ["%s=%s" % item for item in kw.items()]
        return e2e.cli(cli, data_dir, *args)

    e2e.cli(cli, data_dir, "setrate", "EUR", "1050000")  # msat per euro (about 1050 sat)
    now = int(time.time())
    offer(amount="2500sat", description="Espresso", issuer=SHOP)
    offer(amount="4500sat", description="Flat white", issuer=SHOP, label="counter")
    offer(amount="3.50EUR", description="Croissant", issuer=SHOP)
    offer(amount="any", description="Tips for the team", issuer=SHOP, label="tip jar")
    offer(amount="12000sat", description="Bag of beans, 250 g", issuer=SHOP, quantity_max=5)
    offer(amount="800sat", description="Extra oat milk", issuer=SHOP, single_use="true")
    recurring = offer(amount="25000sat", description="Coffee subscription", issuer=SHOP,
                      recurrence="4weeks", recurrence_limit=12, label="members")
    offer(amount="150000sat", description="Barista workshop (Saturday)", issuer=SHOP,
          absolute_expiry=now + 14 * 86400)
    old = offer(amount="3000sat", description="Summer iced latte", issuer=SHOP,
                label="seasonal")
    e2e.cli(cli, data_dir, "disableoffer", old["offer_id"])
    offer(amount="6.90EUR", description="Lunch menu", issuer=SHOP,
          absolute_expiry=now - 3600)
    offer(amount="1btc", description="Espresso machine (display model)", issuer=SHOP,
          single_use="true")
    invreq(amount="2500sat", description="Refund: Espresso (order 1042)", issuer=SHOP,
           label="refund")
    invreq(amount="42000sat", description="Payout: weekly tips", issuer=SHOP,
           label="payroll")
    r = invreq(amount="9000sat", description="Refund: double charge", issuer=SHOP)
    e2e.cli(cli, data_dir, "disableinvoicerequest", r["invreq_id"])
    offer(amount="5500sat", description="Cappuccino & cookie", issuer=SHOP)
    return recurring["bolt12"]


def write_settings(config_home):
    path = os.path.join(config_home, "glib-2.0", "settings")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "keyfile"), "w", encoding="utf-8") as f:
        f.write("[io/github/offerdesk/Offerdesk]\n")
        f.write("window-width=%d\nwindow-height=%d\n" % (WIDTH, HEIGHT))
        f.write("shop-name='%s'\n" % SHOP)


def capture(wid, path):
    geo = e2e.window_geometry(wid)
    if geo is None:
        raise e2e.E2EError("no geometry for window %s" % wid)
    time.sleep(0.8)  # let transitions (crossfades, toasts) settle
    e2e.screenshot(path, crop=geo)
    print("wrote %s (%dx%d at %d,%d)" % (path, geo[2], geo[3], geo[0], geo[1]), flush=True)


def press(wid, *keys, settle=0.6):
    e2e.key(wid, *keys)
    # Park the pointer off the window so no row shows a hover highlight.
    e2e.xdotool("mousemove", "1279", "799", check=False)
    time.sleep(settle)


def one_style(style, app_bin, cli_bin, schema_dir, data_dir, config_home, out_dir, recurring):
    env = {
        "GSETTINGS_SCHEMA_DIR": schema_dir,
        "GSETTINGS_BACKEND": "keyfile",
        "XDG_CONFIG_HOME": config_home,
        "ADW_DEBUG_COLOR_SCHEME": "prefer-" + style,
        "GSK_RENDERER": "cairo",
        "LC_ALL": "C.UTF-8",
    }
    app = e2e.App(app_bin, data_dir, env, log_path=os.path.join(os.path.dirname(data_dir), "app-%s.log" % style))
    problems = []
    try:
        try:
            _, frame = e2e.wait_frame(app.pid, timeout=20, proc=app.proc)
        except e2e.E2EError:
            print("the app's output:\n" + app.log_tail(), file=sys.stderr)
            raise
        wid = e2e.x_window_of_pid(app.pid)
        time.sleep(1)

        # 1. the offer form, filled in
        press(wid, "ctrl+n")
        for name, value in (("Amount", "4500"), ("Description", "Flat white"),
                            ("Issuer (your shop's name, shown to the customer)", SHOP)):
            field = e2e.find(frame, role="text", name=name, showing=True)
            if field is None:
                problems.append("offer form: no showing text field %r" % name)
                continue
            e2e.set_text(field, value)
            try:
                field.queryText().setCaretOffset(len(value))
            except Exception:
                pass
        capture(wid, os.path.join(out_dir, "offer-form-%s.png" % style))

        # 2. the history
        press(wid, "ctrl+f", settle=1.5)
        capture(wid, os.path.join(out_dir, "history-%s.png" % style))

        # 3. the recurring offer, opened from the history with the keyboard
        search = e2e.find(frame, role=("text", "entry"), name="Search History", showing=True)
        if search is None:
            problems.append("history: no showing \"Search History\" entry")
        else:
            e2e.set_text(search, "Coffee subscription")
            time.sleep(1.0)
            press(wid, "Return", settle=0.5)   # search entry → the list
            press(wid, "Return", settle=1.0)   # open the row

        def result_shown():
            return any((e2e.get_text(l) or l.name or "") == recurring
                       for l in e2e.find_all(frame, role="label", showing=True))
        try:
            e2e.wait_until("the recurring offer's result view", result_shown, timeout=4)
        except e2e.E2EError:
            # Enter from the search entry may land on the row's menu button: use its "Open".
            app_acc = e2e.find_application(app.pid)
            item = e2e.find(app_acc, role="menu item", name="Open", showing=True)
            problems.append("history: Enter in the search entry, then Enter, did not open the "
                            "offer (%s)" % ("the row's menu opened instead" if item
                                            else "nothing opened"))
            if item is not None:
                e2e.do_action(item)
        try:
            e2e.wait_until("the recurring offer's result view", result_shown, timeout=10)
        except e2e.E2EError as exc:
            problems.append("history → result: %s" % exc)
        capture(wid, os.path.join(out_dir, "recurring-result-%s.png" % style))
        # …and its details (what the customer sees: the recurrence), scrolled down.
        e2e.xdotool("mousemove", WIDTH // 2, HEIGHT // 2, check=False)
        e2e.xdotool("click", "--repeat", "8", "--delay", "60", "5", check=False)
        e2e.xdotool("mousemove", "1279", "799", check=False)
        capture(wid, os.path.join(out_dir, "recurring-summary-%s.png" % style))

        # 4. the customer display (F11 on the result)
        def second_window():
            wids = e2e.xdotool("search", "--onlyvisible", "--pid", app.pid, check=False).split()
            others = [w for w in wids if w != wid
                      and (e2e.window_geometry(w) or (0, 0, 0, 0))[2] > 300]
            return others[-1] if others else None

        press(wid, "F11", settle=0.5)
        try:
            customer = e2e.wait_until("the customer display window after F11", second_window,
                                      timeout=8)
        except e2e.E2EError as exc:
            problems.append("customer display: %s; trying the frame's win.customer-display "
                            "action" % exc)
            e2e.do_action(frame, ("win.customer-display",))
            try:
                customer = e2e.wait_until("the customer display window after the action",
                                          second_window, timeout=8)
            except e2e.E2EError as exc2:
                problems.append("customer display: %s" % exc2)
                customer = wid
        # Under Xvfb (no window manager) GTK 4.8 keeps replacing the customer window's X window
        # (new ids every ~0.5 s, see the report): grab whichever one is mapped, by its id.
        path = os.path.join(out_dir, "customer-display-%s.png" % style)
        deadline = time.monotonic() + 15
        grabbed = False
        while not grabbed and time.monotonic() < deadline and customer != wid:
            w = second_window()
            if w:
                r = subprocess.run(["import", "-window", w, path], capture_output=True)
                grabbed = r.returncode == 0 and os.path.exists(path)
            if not grabbed:
                time.sleep(0.1)
        if grabbed:
            print("wrote %s (window %s)" % (path, w), flush=True)
        else:
            capture(wid, path)
        e2e.key(wid, "Escape")
        time.sleep(0.5)
        press(wid, "Escape")
        if not app.alive():
            problems.append("the app exited during the run:\n" + app.log_tail())
    finally:
        app.close()
    return problems


def main():
    if len(sys.argv) != 5:
        print(__doc__ or "usage: make-screenshots.py APP CLI SCHEMA_DIR OUT_DIR", file=sys.stderr)
        return 2
    app_bin, cli_bin, schema_dir, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="offerdesk-shots-")
    try:
        data_dir = os.path.join(work, "data")
        config_home = os.path.join(work, "config")
        os.makedirs(data_dir)
        write_settings(config_home)
        recurring = fill_history(cli_bin, data_dir)
        problems = []
        for style in ("light", "dark"):
            problems += ["%s: %s" % (style, p) for p in
                         one_style(style, app_bin, cli_bin, schema_dir, data_dir, config_home,
                                   out_dir, recurring)]
        for p in problems:
            print("PROBLEM: " + p, flush=True)
        return 1 if problems else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
