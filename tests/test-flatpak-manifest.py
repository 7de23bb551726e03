#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-flatpak-manifest.py: check flatpak/<app-id>.json offline, as TAP.
#
#   test-flatpak-manifest.py MANIFEST APP_ID MESON_OPTIONS_TXT
#
# Valid JSON; the required keys; a GNOME runtime; every git source pinned by tag + commit and
# every archive/file by sha256; the app module last, built with meson from this tree with its
# tests on; tight finish-args (no host or home filesystem, no bus sockets, network only when an
# x- key says why); config-opts naming real options.  When flatpak-builder is installed,
# `flatpak-builder --show-manifest` must accept the file too (it only parses: the runtime is not
# needed).  Standard library only, so it also runs inside the Flatpak SDK.

import json
import re
import shutil
import subprocess
import sys

HEX40 = re.compile(r'^[0-9a-f]{40}$')
HEX64 = re.compile(r'^[0-9a-f]{64}$')
REQUIRED_KEYS = ['id', 'runtime', 'runtime-version', 'sdk', 'command', 'finish-args', 'modules']
FORBIDDEN_ARGS = re.compile(
    r'^--(filesystem=(host|host-os|host-etc|home)(:\w+)?|socket=(session-bus|system-bus)|device=all)$')
# meson built-in options the manifest may set besides the project's own.
MESON_BUILTINS = {'buildtype', 'debug', 'optimization', 'werror', 'warning_level', 'default_library',
                  'b_lto', 'b_ndebug', 'b_sanitize', 'prefix', 'libdir'}

results = []


def check(name, problems):
    """Record one TAP test: ok when problems is empty, else not ok with a line per problem."""
    results.append((name, list(problems), None))


def skip(name, reason):
    results.append((name, [], reason))


def project_options(path):
    with open(path, encoding='utf-8') as f:
        return set(re.findall(r"option\(\s*'([^']+)'", f.read()))


def main():
    if len(sys.argv) != 4:
        print('usage: test-flatpak-manifest.py MANIFEST APP_ID MESON_OPTIONS_TXT', file=sys.stderr)
        return 2
    manifest_path, app_id, options_path = sys.argv[1:]

    try:
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
        check('the manifest is valid JSON', [])
    except (OSError, ValueError) as e:
        check('the manifest is valid JSON', [str(e)])
        return report()

    problems = ['missing key "%s"' % k for k in REQUIRED_KEYS if k not in manifest]
    if manifest.get('id') != app_id:
        problems.append('id is %r, not %r' % (manifest.get('id'), app_id))
    if manifest.get('command') != 'offerdesk':
        problems.append('command is %r, not "offerdesk"' % manifest.get('command'))
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append('runtime/sdk are not org.gnome.Platform/org.gnome.Sdk')
    if not re.fullmatch(r'\d+', str(manifest.get('runtime-version', ''))):
        problems.append('runtime-version %r is not a numbered stable branch'
                        % manifest.get('runtime-version'))
    check('the required keys are there, with a stable GNOME runtime', problems)

    modules = manifest.get('modules', [])
    if not isinstance(modules, list) or not modules or not all(isinstance(m, dict) for m in modules):
        check('modules are inline objects', ['modules must be a non-empty list of objects'])
        return report()

    problems = []
    for i, module in enumerate(modules):
        name = module.get('name', '#%d' % i)
        sources = module.get('sources', [])
        if not sources:
            problems.append('%s: no sources' % name)
        for source in sources:
            kind = source.get('type') if isinstance(source, dict) else None
            if kind == 'git':
                if not HEX40.match(source.get('commit', '')):
                    problems.append('%s: git source without a full commit id' % name)
                if not source.get('tag'):
                    problems.append('%s: git source without a tag' % name)
                if 'branch' in source:
                    problems.append('%s: git source follows a branch' % name)
            elif kind in ('archive', 'file'):
                if not HEX64.match(source.get('sha256', '')):
                    problems.append('%s: %s source without a sha256' % (name, kind))
            elif kind == 'dir':
                if i != len(modules) - 1:
                    problems.append('%s: a dir source outside the app module' % name)
            else:
                problems.append('%s: source type %r not allowed' % (name, kind))
    check('every source is pinned (git: tag + commit, archive: sha256)', problems)

    app = modules[-1]
    problems = []
    if app.get('name') != 'offerdesk':
        problems.append('the last module is %r, not offerdesk' % app.get('name'))
    if app.get('buildsystem') != 'meson':
        problems.append('the app module is not built with meson')
    if app.get('run-tests') is not True:
        problems.append('the app module does not set run-tests: true')
    if not app.get('test-commands') and app.get('test-rule', 'test') == '':
        problems.append('run-tests is on but neither test-rule nor test-commands run anything')
    if [s.get('type') for s in app.get('sources', [])] != ['dir'] or app['sources'][0].get('path') != '..':
        problems.append('the app module does not build this tree (one dir source, path "..")')
    check('the app module is last, meson, tests on, built from this tree', problems)

    known = project_options(options_path) | MESON_BUILTINS
    problems = []
    for opt in app.get('config-opts', []):
        m = re.match(r'^-D([\w.-]+)=', opt)
        if not m:
            problems.append('config-opt %r is not -Dname=value' % opt)
        elif m.group(1) not in known:
            problems.append('config-opt %r names no option of meson_options.txt' % opt)
    check('the app config-opts name real meson options', problems)

    finish_args = manifest.get('finish-args', [])
    problems = ['finish-arg %s is too broad' % a for a in finish_args if FORBIDDEN_ARGS.match(a)]
    if '--share=network' in finish_args:
        explained = any(k.startswith('x-') and 'network' in json.dumps(v)
                        for k, v in manifest.items())
        if not explained:
            problems.append('--share=network without an x- key saying why')
    # Filesystem access only read-only (the node's socket dir): nothing outside the app's own
    # data dir is ever written.
    problems += ['finish-arg %s is not read-only' % a for a in finish_args
                 if a.startswith('--filesystem=') and not a.endswith(':ro')]
    for needed in ('--share=ipc', '--device=dri'):
        if needed not in finish_args:
            problems.append('%s missing' % needed)
    if not any(a in finish_args for a in ('--socket=wayland', '--socket=fallback-x11', '--socket=x11')):
        problems.append('no display socket')
    check('finish-args are tight', problems)

    flatpak_builder = shutil.which('flatpak-builder')
    if flatpak_builder is None:
        skip('flatpak-builder --show-manifest accepts it', 'flatpak-builder is not installed')
    else:
        proc = subprocess.run([flatpak_builder, '--show-manifest', manifest_path],
                              capture_output=True, text=True, timeout=120)
        problems = []
        if proc.returncode != 0:
            problems.append('rc %d: %s' % (proc.returncode, proc.stderr.strip()))
        # A field of the wrong type is only a warning (rc stays 0): count it as a failure.
        problems += [line for line in proc.stderr.splitlines() if 'Failed to deserialize' in line]
        check('flatpak-builder --show-manifest accepts it', problems)

    return report()


def report():
    print('1..%d' % len(results))
    failed = 0
    for n, (name, problems, skip_reason) in enumerate(results, 1):
        if skip_reason is not None:
            print('ok %d - %s # SKIP %s' % (n, name, skip_reason))
        elif problems:
            failed += 1
            print('not ok %d - %s' % (n, name))
            for p in problems:
                print('# %s' % p)
        else:
            print('ok %d - %s' % (n, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
