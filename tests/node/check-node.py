#!/usr/bin/env python3
# check-node.py: checks that tests/node/od-test-node speaks Core Lightning's wire formats
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-node.py NODE_EXECUTABLE EXAMPLES_DIR   (TAP on stdout)
#
# Starts the node twice in a temporary directory (a plain one with CLNRest, then one answering
# the recorded examples), talks to its unix socket with raw bytes (pipelined, split, malformed
# requests, faults) and to CLNRest with Python's own HTTPS client against a self-signed
# certificate made here with openssl, and checks what comes back.  The node must exit with
# status 0 when asked to stop: a sanitizer build reports leaks and errors through that status.

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

RECORDED_ID = '033845802d25b4e074ccfd7cd8b339a41dc75bf9978a034800444b51d42b07799a'

results = []


def check(name, condition, detail=''):
    results.append((name, bool(condition), detail))


class Node:
    def __init__(self, exe, tmp, extra, rest_cert=None, rune='check-rune'):
        self.socket_path = os.path.join(tmp, 'lightning-rpc')
        args = [exe, '--socket', self.socket_path, '--data-dir', os.path.join(tmp, 'data')]
        if rest_cert:
            args += ['--rest-port', '0', '--cert', rest_cert[0], '--key', rest_cert[1],
                     '--rune', rune]
        args += extra
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.info = {}
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError('the node exited before it was ready')
            line = line.strip()
            if line == 'ready':
                break
            key, _, value = line.partition(' ')
            self.info[key] = value
        self.rest_cert = rest_cert
        self.rune = rune

    def stop(self):
        self.proc.stdin.close()  # the node stops when stdin closes
        return self.proc.wait(timeout=60)

    # ---- unix socket: raw bytes in, raw bytes out ----

    def exchange(self, chunks, n_replies, timeout=60):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(self.socket_path)
        for chunk in chunks:
            s.sendall(chunk.encode())
            time.sleep(0.02)
        data = b''
        closed = False
        while data.count(b'\n\n') < n_replies:
            try:
                part = s.recv(65536)
            except socket.timeout:
                break
            if not part:
                closed = True
                break
            data += part
        s.close()
        return data.decode(errors='replace'), closed

    def call(self, method, params=None, rid=1):
        req = json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': method,
                          'params': {} if params is None else params})
        text, _ = self.exchange([req], 1)
        return json.loads(text.split('\n\n')[0])

    # ---- CLNRest ----

    def rest(self, method, body=None, rune=None, raw_body=None, http_method='POST'):
        ctx = ssl.create_default_context(cafile=self.rest_cert[0])
        conn = http.client.HTTPSConnection('127.0.0.1', int(self.info['rest-port']),
                                           context=ctx, timeout=120)
        headers = {'Content-Type': 'application/json'}
        if rune is not False:
            headers['Rune'] = rune or self.rune
        payload = raw_body if raw_body is not None else json.dumps(body or {})
        conn.request(http_method, '/v1/' + method, body=payload, headers=headers)
        resp = conn.getresponse()
        data = resp.read().decode()
        conn.close()
        return resp.status, data


def make_cert(tmp):
    cert = os.path.join(tmp, 'cert.pem')
    key = os.path.join(tmp, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '30', '-subj', '/CN=localhost', '-addext',
                    'subjectAltName=DNS:localhost,IP:127.0.0.1'],
                   check=True, capture_output=True)
    return cert, key


def req(method, params, rid):
    return json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': method, 'params': params})


def plain_node_checks(exe, tmp):
    cert = make_cert(tmp)
    node = Node(exe, tmp, [], rest_cert=cert)
    node_id = node.info.get('id', '')
    check('node prints its id', len(node_id) == 66)

    info = node.call('getinfo')['result']
    check('getinfo id is the node key', info['id'] == node_id)
    check('getinfo has CLN members', all(k in info for k in (
        'alias', 'color', 'num_peers', 'network', 'version', 'blockheight', 'our_features')))
    check('getinfo network regtest', info['network'] == 'regtest')

    # Framing: two requests in one write, ids echoed as written.
    pipelined = (req('getinfo', {}, 'a"b') + '\n'
                 + '{"jsonrpc":"2.0","id":12.50,"method":"listoffers","params":[]}')
    text, _ = node.exchange([pipelined], 2)
    parts = [p for p in text.split('\n\n') if p]
    check('coalesced: two replies', len(parts) == 2, text[:200])
    check('string id echoed byte for byte', parts and parts[0].startswith(
        '{"jsonrpc":"2.0","id":"a\\"b",'), parts[:1])
    check('number id echoed as written', len(parts) > 1 and '"id":12.50,' in parts[1])

    # Split into 3-byte pieces.
    r = req('offer', {'amount': '10000msat', 'description': 'Fish sale!'}, 7)
    text, _ = node.exchange([r[i:i + 3] for i in range(0, len(r), 3)], 1)
    offer = json.loads(text.split('\n\n')[0])['result']
    check('split request answered', offer['bolt12'].startswith('lno1') and offer['created'])
    check('offer result has CLN members only', set(offer) == {
        'offer_id', 'active', 'single_use', 'bolt12', 'force_paths', 'used', 'created'},
        sorted(offer))

    # Bad requests.
    cases = [
        ('{"jsonrpc":"2.0","method":"getinfo","params":{}}', None, -32600, 'No id'),
        ('{"jsonrpc":"2.0","id":3,"params":{}}', 3, -32600, 'No method'),
        ('{"id":3,"method":"getinfo","params":{}}', 3, -32600, None),
        ('{"jsonrpc":"2.0","id":3,"method":"nosuch","params":{}}', 3, -32601,
         "Unknown command 'nosuch'"),
        ('[1,2]', None, -32600, 'Expected {} for json command'),
    ]
    for raw, rid, code, message in cases:
        text, _ = node.exchange([raw], 1)
        reply = json.loads(text.split('\n\n')[0])
        check('bad request %s -> %d' % (raw[:30], code),
              reply.get('id') == rid and reply['error']['code'] == code
              and (message is None or reply['error']['message'] == message), text)
    text, closed = node.exchange(['hello'], 1)
    check('garbage input: error and close', '"code":-32600' in text and text.endswith('\n\n'),
          text)

    # currencyconvert like CLN's test plugin.
    check('currencyconvert USD', node.call('currencyconvert', [1.5, 'USD'])['result'] ==
          {'msat': 7500})
    err = node.call('currencyconvert', {'amount': 1, 'currency': 'EUR'})['error']
    check('currencyconvert EUR refused', 'No values available for currency EUR' in err['message'])

    # Payments: a waiter parked before the payment gets it.
    single = node.call('offer', {'amount': '1USD', 'description': 'Coffee',
                                 'single_use': True})['result']
    waited = {}

    def waiter():
        waited['reply'] = node.call('waitanyinvoice', {'lastpay_index': 0})

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.3)
    paid = node.call('dev-pay', {'offer_id': single['offer_id'], 'payer_note': 'thanks'})
    t.join(10)
    inv = paid.get('result', {})
    check('dev-pay makes a paid invoice', inv.get('status') == 'paid' and inv.get(
        'pay_index') == 1 and inv.get('local_offer_id') == single['offer_id']
        and inv.get('bolt12', '').startswith('lni1') and inv.get('amount_msat') == 5000
        and inv.get('invreq_payer_note') == 'thanks', paid)
    check('parked waitanyinvoice answered', waited.get('reply', {}).get('result') == inv)
    listed = node.call('listoffers', [single['offer_id']])['result']['offers'][0]
    check('single-use offer used and inactive', listed['used'] and not listed['active'])
    again = node.call('dev-pay', {'offer_id': single['offer_id']})
    check('paying an inactive offer: 907', again.get('error', {}).get('code') == 907)
    err = node.call('waitanyinvoice', {'lastpay_index': 1, 'timeout': 0})['error']
    check('waitanyinvoice timeout 0: 904', err['code'] == 904)
    multi = offer['offer_id']
    node.call('dev-pay', {'offer_id': multi, 'amount_msat': 20000})
    got = node.call('waitanyinvoice', {'lastpay_index': 1, 'timeout': 5})['result']
    check('waitanyinvoice returns the next pay_index', got['pay_index'] == 2
          and got['amount_received_msat'] == 20000)
    invs = node.call('listinvoices', {'offer_id': multi})['result']['invoices']
    check('listinvoices by offer_id', [i['pay_index'] for i in invs] == [2])

    # Faults, each for one request.
    for fault in ('hangup', 'hangup-early', 'hangup-mid', 'garbage'):
        node.call('dev-fault', {'name': fault, 'count': 1})
        text, closed = node.exchange([req('getinfo', {}, 9)], 1)
        if fault in ('hangup', 'hangup-early'):
            ok = closed and text == ''
        elif fault == 'hangup-mid':
            ok = closed and text.startswith('{"jsonrpc":"2.0","id":9') and '\n\n' not in text
        else:
            ok = text.endswith('\n\n') and not text.lstrip().startswith('{')
        check('fault %s' % fault, ok, repr(text[:80]))
    check('fault count 1: next request is normal', 'result' in node.call('getinfo'))
    node.call('dev-fault', {'name': 'slow', 'delay_ms': 400, 'count': 1})
    t0 = time.time()
    node.call('getinfo')
    check('fault slow delays the reply', time.time() - t0 >= 0.35)
    node.call('dev-fault', {'name': 'tamper-offer', 'count': 1})
    tampered = node.call('offer', {'amount': '3msat', 'description': 'honest'})['result']
    node.call('dev-fault', {'name': 'other-node', 'count': 1})
    other = node.call('offer', {'amount': '4msat', 'description': 'other'})['result']
    check('tamper-offer and other-node return offers', tampered['bolt12'].startswith('lno1')
          and other['bolt12'].startswith('lno1'))
    listed = node.call('listoffers', {})['result']['offers']
    descriptions = {o['offer_id']: o.get('description') for o in listed}
    check('tampered offer differs from the params',
          descriptions.get(tampered['offer_id']) == 'honest (tampered)', descriptions)
    check('other-node offer is not in this node', other['offer_id'] not in descriptions)

    # CLNRest.
    status, body = node.rest('getinfo')
    check('rest getinfo 201', status == 201 and json.loads(body)['id'] == node_id, body)
    status, body = node.rest('getinfo', rune=False)
    check('rest without rune 403', status == 403 and json.loads(body)['code'] == 1501, body)
    status, body = node.rest('getinfo', rune='wrong')
    check('rest wrong rune 401', status == 401 and json.loads(body)['code'] == 1501, body)
    status, body = node.rest('nosuch')
    check('rest unknown method 404', status == 404 and json.loads(body)['code'] == -32601)
    status, body = node.rest('disableoffer', {'offer_id': '00' * 32})
    check('rest rpc error 500', status == 500 and json.loads(body) == {
        'code': -1, 'message': 'Unknown offer'}, body)
    status, body = node.rest('currencyconvert', raw_body='amount=3&currency=USD')
    check('rest form body', status == 201 and json.loads(body) == {'msat': 15000}, body)
    status, body = node.rest('offer', {'amount': '5msat', 'description': 'rest', 'label': None})
    check('rest offer (null dropped)', status == 201 and json.loads(body)['bolt12'].startswith(
        'lno1'), body)
    node.call('dev-fault', {'name': 'garbage', 'count': 1})
    status, body = node.rest('getinfo')
    check('rest fault garbage', status == 201 and not body.startswith('{'))
    node.call('dev-fault', {'name': 'hangup', 'count': 1})
    try:
        node.rest('getinfo')
        check('rest fault hangup', False)
    except (http.client.HTTPException, ConnectionError, ssl.SSLError, OSError):
        check('rest fault hangup', True)

    status = node.stop()
    check('node exits 0 on stdin EOF', status == 0, status)

    # Restart: same key, pay_index and invoices kept.
    node = Node(exe, tmp, [])
    check('restart keeps the key', node.info.get('id') == node_id)
    invs = node.call('listinvoices', {})['result']['invoices']
    check('restart keeps invoices', [i['pay_index'] for i in invs] == [1, 2])
    node.call('offer', {'amount': '6msat', 'description': 'after restart'})
    after = [o for o in node.call('listoffers', {})['result']['offers']
             if o.get('description') == 'after restart'][0]
    paid = node.call('dev-pay', {'offer_id': after['offer_id']})['result']
    check('restart continues pay_index', paid['pay_index'] == 3)
    node.proc.send_signal(15)
    check('node exits 0 on SIGTERM', node.proc.wait(timeout=60) == 0)


def recorded_node_checks(exe, tmp, examples):
    node = Node(exe, tmp, ['--recorded', examples])
    info = node.call('getinfo')['result']
    check('recorded getinfo as recorded', info['id'] == RECORDED_ID
          and info['alias'] == 'SILENTARTIST-v26.09')
    with open(os.path.join(examples, 'offer.json')) as f:
        example = json.load(f)['examples'][1]
    got = node.call('offer', example['request']['params'])['result']
    check('recorded offer answered verbatim', got == example['response'], got)
    with open(os.path.join(examples, 'listinvoices.json')) as f:
        example = json.load(f)['examples'][1]
    got = node.call('listinvoices', example['request']['params'])['result']
    check('recorded listinvoices answered verbatim', got == example['response'])
    own = node.call('offer', {'amount': '9msat', 'description': 'not recorded'})['result']
    check('other requests fall back to the node', own['bolt12'].startswith('lno1'))
    check('recorded node exits 0', node.stop() == 0)


def main():
    exe, examples = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix='od-check-node-')
    tmp2 = tempfile.mkdtemp(prefix='od-check-node-')
    try:
        plain_node_checks(exe, tmp)
        recorded_node_checks(exe, tmp2, examples)
    except Exception as e:  # report, do not hide: a crash is a failure
        check('no exception', False, repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp2, ignore_errors=True)

    print('1..%d' % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok and detail != '':
            print('# ' + str(detail)[:500].replace('\n', '\n# '))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
