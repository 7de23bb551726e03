#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write fuzz seeds for fuzz-decode from the test vectors in tests/data.

    extract-seeds.py [--tlv] DATA_DIR OUT_DIR

Every JSON string value under DATA_DIR that holds a BOLT 12 string (lno1/lnr1/lni1, any case,
`+` joins and URI wrappers included) becomes one seed file, as it is.  With --tlv, each one that
bech32-decodes also gives a binary seed: the kind byte (0 offer, 1 invoice_request, 2 invoice,
the mode byte of fuzz-decode.c) followed by the raw TLV stream.  File names are the kind and the
first 16 hex digits of the content's SHA-1, so running it twice gives the same files.
"""

import hashlib
import json
import os
import re
import sys

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
KINDS = {"lno": 0, "lnr": 1, "lni": 2}
BOLT12_RE = re.compile(r"ln[oir]1", re.IGNORECASE)


def walk(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)
    elif isinstance(node, str):
        yield node


def looks_like_bolt12(value):
    """A vector string, not prose that mentions one: starts with a BOLT 12 hrp or a URI."""
    squeezed = re.sub(r"[+\s]", "", value).lower()
    return bool(BOLT12_RE.match(squeezed)) or squeezed.startswith(("lightning:", "bitcoin:"))


def bech32_payload(text):
    """The hrp and bytes of a BOLT 12 string, or None (seeds only: lenient about `+`)."""
    s = re.sub(r"\+\s*", "", text.strip())
    m = re.search(r"ln[oir]1[0-9a-z]+", s, re.IGNORECASE)
    if not m:
        return None
    s = m.group(0).lower()
    hrp, _, data = s.rpartition("1")
    if hrp not in KINDS:
        return None
    acc = bits = 0
    out = bytearray()
    for ch in data:
        v = CHARSET.find(ch)
        if v < 0:
            return None
        acc = (acc << 5) | v
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc & ((1 << bits) - 1)):
        return None
    return hrp, bytes(out)


def write_seed(out_dir, prefix, content):
    name = "%s-%s" % (prefix, hashlib.sha1(content).hexdigest()[:16])
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(content)
        return 1
    return 0


def main(argv):
    tlv = "--tlv" in argv
    args = [a for a in argv if a != "--tlv"]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    data_dir, out_dir = args
    os.makedirs(out_dir, exist_ok=True)

    strings = set()
    for root, _, files in os.walk(data_dir):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                try:
                    doc = json.load(f)
                except ValueError:
                    continue
            for value in walk(doc):
                if looks_like_bolt12(value) and len(value) < 8192:
                    strings.add(value)

    # The URI wrappers bolt12_decode_json() strips, around the shortest offer.
    offers = sorted((s for s in strings
                     if s.startswith("lno1") and len(s) >= 50 and bech32_payload(s)),
                    key=lambda s: (len(s), s))
    if offers:
        strings.add("lightning:" + offers[0])
        strings.add("bitcoin:?lno=" + offers[0])
        strings.add("BITCOIN:?LNO=" + offers[0].upper())

    n_str = n_tlv = 0
    for s in sorted(strings):
        n_str += write_seed(out_dir, "str", s.encode("utf-8"))
        if tlv:
            decoded = bech32_payload(s)
            if decoded:
                hrp, payload = decoded
                n_tlv += write_seed(out_dir, hrp, bytes([KINDS[hrp]]) + payload)

    print("extract-seeds: %d strings, %d new string seeds, %d new TLV seeds in %s"
          % (len(strings), n_str, n_tlv, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
