# SPDX-License-Identifier: GPL-3.0-or-later
#
# offerdesk_e2e.py: helpers to drive the real Offerdesk binary from outside, as a person would,
# through AT-SPI (pyatspi) and X input (xdotool), and to look at the screen (ImageMagick
# `import`, zbarimg).  Used by tests/e2e/test-e2e.py and build-aux/screenshots.sh.
#
# Run with Debian's /usr/bin/python3 (pyatspi is not importable from other Pythons), inside
# `xvfb-run -a dbus-run-session -- …`, WITHOUT GTK_A11Y=none.

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pyatspi

# Whatever GLib/AT-SPI says about one node that went away while we looked at it.
_GONE = (Exception,)


class E2EError(Exception):
    """A step of the scenario failed; the message says what was expected."""


def log(msg):
    """Diagnostics: TAP comments on stdout (meson shows them with --print-errorlogs)."""
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def wait_until(what, func, timeout=15.0, interval=0.2):
    """Call func until it returns something true; E2EError naming `what` after timeout s."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = func()
            if value:
                return value
        except E2EError:
            raise
        except _GONE as exc:  # a node died under us: try again
            last_exc = exc
        if time.monotonic() >= deadline:
            extra = " (last error: %s)" % last_exc if last_exc else ""
            raise E2EError("timed out after %.0f s waiting for %s%s" % (timeout, what, extra))
        time.sleep(interval)


# --- the accessibility tree --------------------------------------------------------------------

def _role(acc):
    try:
        return acc.getRoleName()
    except _GONE:
        return ""


def _name(acc):
    try:
        return acc.name or ""
    except _GONE:
        return ""


def _states(acc):
    try:
        return set(acc.getState().getStates())
    except _GONE:
        return set()


def children(acc):
    try:
        count = acc.childCount
    except _GONE:
        return []
    out = []
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except _GONE:
            continue
        if child is not None:
            out.append(child)
    return out


def walk(root, max_depth=80):
    """Every node under root (depth first, root included); tolerates nodes that vanish."""
    stack = [(root, 0)]
    while stack:
        acc, depth = stack.pop()
        yield acc
        if depth < max_depth:
            kids = children(acc)
            for child in reversed(kids):
                stack.append((child, depth + 1))


def extents(acc):
    """(x, y, w, h) relative to the window.  WINDOW_COORDS: GTK 4.8 warns at DESKTOP_COORDS."""
    try:
        e = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        return e.x, e.y, e.width, e.height
    except (NotImplementedError,) + _GONE:
        return None


def is_showing(acc):
    """On screen.  GTK 4.8 sets VISIBLE but seldom SHOWING, and keeps the widgets of hidden stack
    pages visible at 0x0: a visible node with a non-empty allocation counts as showing."""
    st = _states(acc)
    if pyatspi.STATE_VISIBLE not in st:
        return False
    if pyatspi.STATE_SHOWING in st:
        return True
    ext = extents(acc)
    return bool(ext and ext[2] > 0 and ext[3] > 0)


def find_all(root, role=None, name=None, name_prefix=None, showing=False, pred=None):
    out = []
    for acc in walk(root):
        if role is not None and _role(acc) not in (role if isinstance(role, (tuple, list)) else (role,)):
            continue
        n = _name(acc)
        if name is not None and n != name:
            continue
        if name_prefix is not None and not n.startswith(name_prefix):
            continue
        if showing and not is_showing(acc):
            continue
        if pred is not None and not pred(acc):
            continue
        out.append(acc)
    return out


def find(root, **kw):
    found = find_all(root, **kw)
    return found[0] if found else None


def wait_find(root, what=None, timeout=15.0, **kw):
    desc = what or ", ".join("%s=%r" % item for item in kw.items() if item[0] != "pred")
    return wait_until(desc, lambda: find(root, **kw), timeout=timeout)


def dump(root, out=None, max_depth=80):
    """The tree as text (role, name, actions, states), for failure messages."""
    lines = []
    stack = [(root, 0)]
    while stack:
        acc, depth = stack.pop()
        parts = ["  " * depth + "[%s] %r" % (_role(acc), _name(acc))]
        acts = action_names(acc)
        if acts:
            parts.append("actions=" + ",".join(acts))
        st = _states(acc)
        flags = [label for label, s in (("showing", pyatspi.STATE_SHOWING),
                                        ("focused", pyatspi.STATE_FOCUSED),
                                        ("editable", pyatspi.STATE_EDITABLE),
                                        ("checked", pyatspi.STATE_CHECKED)) if s in st]
        if flags:
            parts.append("states=" + ",".join(flags))
        lines.append(" ".join(parts))
        if depth < max_depth:
            for child in reversed(children(acc)):
                stack.append((child, depth + 1))
    text = "\n".join(lines)
    if out is not None:
        out.write(text + "\n")
    return text


def action_names(acc):
    try:
        action = acc.queryAction()
    except (NotImplementedError,) + _GONE:
        return []
    names = []
    try:
        count = action.nActions
    except _GONE:
        return []
    for i in range(count):
        try:
            names.append(action.getName(i))
        except _GONE:
            pass
    return names


def do_action(acc, wanted=("click", "activate", "press")):
    """Run the first action of acc whose name is in wanted; True on success."""
    action = acc.queryAction()
    for i in range(action.nActions):
        try:
            if action.getName(i) in wanted:
                return bool(action.doAction(i))
        except _GONE:
            continue
    raise E2EError("%r (%s) has no action among %s (it has %s)"
                   % (_name(acc), _role(acc), wanted, action_names(acc)))


def set_text(acc, text):
    """Replace the text of an editable node (AT-SPI EditableText); True if it took."""
    editable = acc.queryEditableText()
    ok = editable.setTextContents(text)
    return bool(ok)


def get_text(acc):
    """The node's text (AT-SPI Text).  GTK 4.8 answers '' to getText(0, -1): ask for the count."""
    try:
        t = acc.queryText()
        return t.getText(0, t.characterCount)
    except (NotImplementedError,) + _GONE:
        return None


# --- the application ---------------------------------------------------------------------------

def find_application(pid, name="offerdesk"):
    desktop = pyatspi.Registry.getDesktop(0)
    for app in children(desktop):
        try:
            app_pid = app.get_process_id()
        except _GONE:
            app_pid = None
        if app_pid == pid or (app_pid is None and _name(app) == name):
            return app
    return None


def wait_frame(pid, timeout=15.0, title=None, proc=None):
    """The application's top-level frame once it is showing (fails at once if proc exits)."""
    def get():
        if proc is not None and proc.poll() is not None:
            raise E2EError("the app exited with status %s before its window appeared"
                           % proc.returncode)
        app = find_application(pid)
        if app is None:
            return None
        for frame in children(app):
            if _role(frame) == "frame" and (title is None or _name(frame) == title) \
               and pyatspi.STATE_SHOWING in _states(frame):
                return app, frame
        return None
    return wait_until("the AT-SPI frame of pid %d" % pid, get, timeout=timeout)


def app_env(data_dir, extra=None):
    env = dict(os.environ)
    env["OFFERDESK_DATA_DIR"] = data_dir
    env.setdefault("GSETTINGS_BACKEND", "memory")
    env.setdefault("GSK_RENDERER", "cairo")
    # AT-SPI needs GTK's accessibility: never run these with GTK_A11Y=none / NO_AT_BRIDGE.
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    if extra:
        env.update(extra)
    return env


class App:
    """The offerdesk binary, started with its own data dir; always killed by close()."""

    def __init__(self, binary, data_dir, extra_env=None, args=(), log_path=None):
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path or os.path.join(data_dir, "offerdesk-app.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary] + list(args), env=app_env(data_dir, extra_env),
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        if not self._log.closed:
            self._log.close()

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        # The AT-SPI bridge of GTK 4.8 warns about screen coordinates at every extents query.
        data = [l for l in data if l.strip() and "Screen coordinates not supported" not in l]
        return "\n".join(data[-lines:])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- X: input and screen -----------------------------------------------------------------------

def xdotool(*args, check=True, timeout=20):
    r = subprocess.run(["xdotool"] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise E2EError("xdotool %s failed (%d): %s" % (" ".join(map(str, args)), r.returncode,
                                                        r.stderr.strip()))
    return r.stdout.strip()


def x_window_of_pid(pid, timeout=15.0):
    """The X id of the app's main (largest mapped) window."""
    def get():
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                           capture_output=True, text=True)
        ids = [w for w in r.stdout.split() if w.strip()]
        best = None
        for wid in ids:
            geo = window_geometry(wid)
            if geo and (best is None or geo[2] * geo[3] > best[1]):
                best = (wid, geo[2] * geo[3])
        return best[0] if best else None
    return wait_until("an X window of pid %d" % pid, get, timeout=timeout)


def window_geometry(wid):
    """(x, y, width, height) of an X window, or None."""
    r = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(wid)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    vals = {}
    for line in r.stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            vals[k] = v
    try:
        return int(vals["X"]), int(vals["Y"]), int(vals["WIDTH"]), int(vals["HEIGHT"])
    except (KeyError, ValueError):
        return None


def key(wid, *keys):
    """Send key presses (xdotool names: ctrl+n, F11, Escape) to the window, focusing it first."""
    xdotool("windowactivate", "--sync", wid, check=False)
    xdotool("windowfocus", "--sync", wid, check=False)
    xdotool("key", "--clearmodifiers", "--window", wid, *keys)


def screenshot(path, crop=None):
    """The whole X screen (import -window root), optionally cropped to (x, y, w, h)."""
    cmd = ["import", "-window", "root"]
    if crop:
        x, y, w, h = crop
        cmd += ["-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage"]
    cmd.append(path)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or not os.path.exists(path):
        raise E2EError("import failed (%d): %s" % (r.returncode, r.stderr.strip()))
    return path


def zbar_decode(path):
    """The QR payloads zbarimg finds in the image (list, may be empty)."""
    r = subprocess.run(["zbarimg", "-q", "--nodbus", "--raw", path], capture_output=True,
                       text=True, timeout=60)
    # rc 4: no symbol found.
    return [l for l in r.stdout.splitlines() if l.strip()]


# --- the command line --------------------------------------------------------------------------

def cli(cli_binary, data_dir, *args, check=True):
    r = subprocess.run([cli_binary, "--data-dir", data_dir] + list(args), capture_output=True,
                       text=True, timeout=60)
    if check and r.returncode != 0:
        raise E2EError("%s %s: exit %d\nstdout: %s\nstderr: %s"
                       % (os.path.basename(cli_binary), " ".join(args), r.returncode,
                          r.stdout.strip(), r.stderr.strip()))
    try:
        return json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        raise E2EError("%s %s: not JSON: %r" % (cli_binary, " ".join(args), r.stdout[:500]))
