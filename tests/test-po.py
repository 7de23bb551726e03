#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-po.py: the translations, checked the way a translator's tools see them (TAP output).
#
#   test-po.py SOURCE_ROOT
#
# 1. po/POTFILES.in is sorted, every file it lists exists, and every file under src/app, ui and
#    data with a translatable string is listed (C: _() N_() C_() NC_() ngettext(); .ui:
#    translatable="yes"; data: the gschema, *.desktop.in(.in), *.metainfo.xml.in(.in)).  Files
#    outside those trees (src/core, src/bolt12, src/cli: Core Lightning's own English words)
#    must not be listed.
# 2. po/LINGUAS names exactly the .po files there are.
# 3. `msgfmt --check --check-format` accepts every .po, with the two-form Plural-Forms header.
# 4. Every .po is complete against a pot made now with xgettext and meson's glib preset: no
#    untranslated and no fuzzy message once merged.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# meson's i18n.gettext(preset: 'glib') options (mesonbuild/modules/i18n.py), plus the -k_ its
# gettext script adds.
XGETTEXT_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '-k_',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
]

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*"yes"')
DATA_NAMES = re.compile(r'(\.gschema\.xml|\.desktop\.in(\.in)?|\.metainfo\.xml\.in(\.in)?)$')
SCANNED_TREES = ['src/app', 'ui', 'data']

results = []


def check(name, problems):
    results.append((name, problems))


def needs_translation(root, rel):
    path = os.path.join(root, rel)
    if DATA_NAMES.search(rel):
        return True
    if rel.endswith('.c') or rel.endswith('.h'):
        with open(path, encoding='utf-8') as f:
            return C_MARK.search(f.read()) is not None
    if rel.endswith('.ui'):
        with open(path, encoding='utf-8') as f:
            return UI_MARK.search(f.read()) is not None
    return False


def read_list(path):
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f
                if line.strip() != '' and not line.lstrip().startswith('#')]


def main():
    if len(sys.argv) != 2:
        print('usage: test-po.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    po_dir = os.path.join(root, 'po')
    xgettext = shutil.which('xgettext')
    msgfmt = shutil.which('msgfmt')
    msgmerge = shutil.which('msgmerge')
    msgattrib = shutil.which('msgattrib')
    if None in (xgettext, msgfmt, msgmerge, msgattrib):
        print('1..0 # SKIP gettext tools are not installed')
        return 0

    # 1. POTFILES.in
    potfiles = read_list(os.path.join(po_dir, 'POTFILES.in'))
    problems = []
    if potfiles != sorted(potfiles):
        problems.append('POTFILES.in is not sorted')
    if len(set(potfiles)) != len(potfiles):
        problems.append('POTFILES.in lists a file twice')
    for rel in potfiles:
        if not os.path.isfile(os.path.join(root, rel)):
            problems.append('listed but missing: ' + rel)
        elif not any(rel.startswith(tree + '/') for tree in SCANNED_TREES):
            problems.append('listed, but outside %s (Core Lightning words stay English): %s'
                            % (', '.join(SCANNED_TREES), rel))
    for tree in SCANNED_TREES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, tree)):
            dirnames.sort()
            for name in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                if rel not in potfiles and needs_translation(root, rel):
                    problems.append('has translatable strings, not in POTFILES.in: ' + rel)
    check('POTFILES.in is sorted, exists and lists every file with translatable strings', problems)

    # 2. LINGUAS
    linguas = read_list(os.path.join(po_dir, 'LINGUAS'))
    po_files = sorted(f[:-3] for f in os.listdir(po_dir) if f.endswith('.po'))
    problems = []
    if sorted(linguas) != po_files:
        problems.append('LINGUAS %r, .po files %r' % (linguas, po_files))
    check('LINGUAS names exactly the .po files', problems)

    # 3. msgfmt --check
    for lang in linguas:
        po = os.path.join(po_dir, lang + '.po')
        problems = []
        proc = subprocess.run([msgfmt, '--check', '--check-format', '-o', os.devnull, po],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            problems.append(proc.stderr.strip())
        with open(po, encoding='utf-8') as f:
            text = f.read()
        if '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' not in text:
            problems.append('Plural-Forms is not "nplurals=2; plural=(n != 1);"')
        if not re.search(r'"Language: %s\\n"' % re.escape(lang), text):
            problems.append('Language header is not ' + lang)
        check('msgfmt --check --check-format %s.po' % lang, problems)

    # 4. complete against a fresh pot
    with tempfile.TemporaryDirectory(prefix='offerdesk-po-') as tmp:
        pot = os.path.join(tmp, 'offerdesk.pot')
        proc = subprocess.run([xgettext, '--package-name=offerdesk', '-f',
                               os.path.join(po_dir, 'POTFILES.in'), '-D', root, '-o', pot]
                              + XGETTEXT_ARGS, capture_output=True, text=True)
        if proc.returncode != 0 or not os.path.isfile(pot):
            check('xgettext makes the pot', [proc.stderr.strip()])
        else:
            check('xgettext makes the pot', [])
            for lang in linguas:
                po = os.path.join(po_dir, lang + '.po')
                merged = os.path.join(tmp, lang + '.po')
                problems = []
                proc = subprocess.run([msgmerge, '--quiet', '--no-fuzzy-matching', '-o', merged,
                                       po, pot], capture_output=True, text=True)
                if proc.returncode != 0:
                    problems.append(proc.stderr.strip())
                else:
                    for flag, what in (('--untranslated', 'untranslated'),
                                       ('--only-fuzzy', 'fuzzy')):
                        out = subprocess.run([msgattrib, flag, '--no-obsolete', merged],
                                             capture_output=True, text=True).stdout
                        ids = re.findall(r'^msgid "(.+)"$', out, re.M)
                        if ids:
                            problems.append('%d %s: %s' % (len(ids), what, ', '.join(ids[:10])))
                    stats = subprocess.run([msgfmt, '--statistics', '-o', os.devnull, merged],
                                           capture_output=True, text=True).stderr.strip()
                    print('# %s: %s' % (lang, stats))
                check('%s.po translates every message of a fresh pot' % lang, problems)

    print('1..%d' % len(results))
    failed = 0
    for i, (name, problems) in enumerate(results, 1):
        if problems:
            failed += 1
            print('not ok %d - %s' % (i, name))
            for p in problems:
                for line in p.splitlines():
                    print('# ' + line)
        else:
            print('ok %d - %s' % (i, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
