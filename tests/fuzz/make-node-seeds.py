#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the seeds of fuzz-node (tests/fuzz/seeds-node/) from the recorded node replies.

    make-node-seeds.py DATA_DIR OUT_DIR

DATA_DIR is tests/data/cln-examples: the invoice objects of listinvoices, waitanyinvoice and
waitinvoice become mode 1 seeds (0x01 + the object's JSON), as recorded and, for the bolt12
ones, paid and with their lni string mutated; every lni1 string of strings.json a mode 3 seed
(0x03 + the string); the recorded responses, wrapped in JSON-RPC envelopes as Core Lightning
writes them, mode 0 and mode 2 seeds (framing).  See fuzz-node.c for the layouts.  File names
are the mode and the first 16 hex digits of the content's SHA-1, so running it twice gives the
same files; hand-written regression seeds (named regress-…) are left alone.
"""

import hashlib
import json
import os
import sys


def write(out_dir, mode, payload):
    data = bytes([mode]) + payload
    name = "m%d-%s" % (mode, hashlib.sha1(data).hexdigest()[:16])
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)


def examples(data_dir, command):
    with open(os.path.join(data_dir, command + ".json"), encoding="utf-8") as f:
        return json.load(f)["examples"]


def invoices(data_dir):
    for command in ("listinvoices", "waitanyinvoice", "waitinvoice"):
        for example in examples(data_dir, command):
            response = example["response"]
            if "invoices" in response:
                yield from response["invoices"]
            else:
                yield response


def mutations(lni):
    """A few broken copies of an lni string: what a confused or hostile node might send."""
    middle = len(lni) // 2
    flipped = "q" if lni[middle] != "q" else "p"
    yield lni[:middle] + flipped + lni[middle + 1:]     # checksum-free bech32: a TLV changed
    yield lni[: len(lni) * 2 // 3]                      # cut short
    yield lni.upper()                                   # all upper case is allowed
    yield lni[:40] + "+\n  " + lni[40:]                 # a + join
    yield "lni1"                                        # nothing after the hrp
    yield lni.replace("lni1", "lno1", 1)                # another kind


def envelope(request_id, result):
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def reader_seed(max_byte, cuts, stream):
    return bytes([max_byte, len(cuts)] + cuts) + stream


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)

    # Mode 1: invoice objects.
    for invoice in invoices(data_dir):
        write(out_dir, 1, json.dumps(invoice).encode())
        if "bolt12" not in invoice:
            continue
        paid = dict(invoice, status="paid", pay_index=9, paid_at=1738000000,
                    amount_received_msat=invoice.get("amount_msat", 1000))
        write(out_dir, 1, json.dumps(paid).encode())
        for broken in mutations(invoice["bolt12"]):
            write(out_dir, 1, json.dumps(dict(paid, bolt12=broken)).encode())
        write(out_dir, 1, json.dumps(dict(paid, amount_received_msat="1000msat")).encode())
        write(out_dir, 1, json.dumps(dict(paid, local_offer_id="00" * 32)).encode())
        waited = dict(paid)
        waited.pop("invreq_payer_note", None)
        write(out_dir, 1, json.dumps(waited).encode())

    # Mode 3: bare bolt12 strings.
    with open(os.path.join(data_dir, "strings.json"), encoding="utf-8") as f:
        strings = [entry["string"] for entry in json.load(f)]
    for string in strings:
        if string.lower().startswith("lni1"):
            write(out_dir, 3, string.encode())

    # Modes 0 and 2: JSON-RPC streams of recorded responses.
    responses = []
    for command in ("getinfo", "listinvoices", "waitanyinvoice", "offer", "listoffers"):
        for number, example in enumerate(examples(data_dir, command)):
            responses.append(envelope("offerdesk:%s#%d" % (command, number), example["response"]))
    error = {"jsonrpc": "2.0", "id": 7,
             "error": {"code": 1000, "message": "Already exists, but isn't active"}}
    responses.append(error)

    for number, response in enumerate(responses):
        text = json.dumps(response).encode() + b"\n\n"
        # Whole, then cut in three places.
        write(out_dir, 0, reader_seed(0, [], text))
        write(out_dir, 0, reader_seed(0, [number % 256, 128, 250], text + text))
        # Two small responses with max_size 16 * 2: the second is over it.
        if number == 0:
            write(out_dir, 0, reader_seed(2, [64], b'{"id":1}\n\n' + text))
        write(out_dir, 2, bytes([number % 2, 2, 30, 200]) + json.dumps(response).encode()
              + b"\0" + json.dumps(error).encode())

    # Strings full of the reader's special characters, pretty-printed replies, garbage.
    tricky = [
        b'{"a":"}\\"{[","b":["]}"]}\n\n{"c":"\\\\"}\n\n',
        b'{\n  "result": {\n    "x": [1, {"y": "\\u007d"}]\n  }\n}\n',
        b'\n\n\n  \r\n{"ok":true}garbage',
        b'{"unterminated": "string',
        b'{]} {"after": 1}',
        b'\xff\xfe{"bom":1}',
    ]
    for stream in tricky:
        write(out_dir, 0, reader_seed(0, [], stream))
        write(out_dir, 0, reader_seed(1, [10, 20, 200], stream))
        write(out_dir, 2, bytes([1, 1, 77]) + stream.replace(b"\n\n", b"\0"))


if __name__ == "__main__":
    main()
