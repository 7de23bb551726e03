#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# payment-flow.sh [BUILD_DIR]: the whole payment flow by hand: offerdesk-cli against od-test-node over CLNRest (HTTPS,
# pinned self-signed certificate, rune) and over the unix socket.
# Needs the build (default _build, from the source root), openssl, curl and python3.
set -e
B=$(cd "${1:-_build}" && pwd)
W=$(mktemp -d); cd "$W"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout key.pem -out cert.pem -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
printf 'till-rune' > till.rune; chmod 600 till.rune
node() { $B/tests/node/od-test-node --socket "$W/lightning-rpc" --data-dir "$W/node" --rest-port 3010 \
  --cert cert.pem --key key.pem --rune till-rune --ignore-stdin > node.out 2> node.err & NODE=$!;
  for i in $(seq 50); do grep -q ready node.out 2>/dev/null && break; sleep 0.1; done; }
rest() { $B/src/cli/offerdesk-cli --network regtest --data-dir "$W/till" --rest-url=https://127.0.0.1:3010 --rest-certificate=cert.pem "$@"; }
sock() { $B/src/cli/offerdesk-cli --network regtest --data-dir "$W/till" --rpc-file="$W/lightning-rpc" "$@"; }
devpay() { curl -s --cacert cert.pem -X POST https://127.0.0.1:3010/v1/dev-pay -H 'Rune: till-rune' -d "$1"; echo; }
node
echo '$ offerdesk-cli --rest-url=https://127.0.0.1:3010 --rest-certificate=cert.pem --rune-file=till.rune --save-rune getinfo'
rest --rune-file=till.rune --save-rune getinfo | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:d[k] for k in ("id","alias","network","backend","backend_address") if k in d})'
echo '$ offerdesk-cli --rest-url=… -k offer amount=2500sat description="Flat white" quantity_max=10   (rune found in the saved secret)'
OFFER=$(rest -k offer amount=2500sat description="Flat white" quantity_max=10 | tee offer.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["offer_id"])')
python3 -c 'import json; d=json.load(open("offer.json")); print({k:(v[:40]+"…" if isinstance(v,str) and len(v)>40 else v) for k,v in d.items()})'
echo "# the node is paid twice for it (dev-pay), the second with a payer note and quantity"
devpay "{\"offer_id\":\"$OFFER\",\"amount_msat\":2500000}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:d.get(k) for k in ("pay_index","status","amount_received_msat")})'
devpay "{\"offer_id\":\"$OFFER\",\"amount_msat\":5000000,\"payer_note\":\"two, please\",\"quantity\":2}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:d.get(k) for k in ("pay_index","status","amount_received_msat")})'
echo '$ offerdesk-cli --rpc-file=…/lightning-rpc syncpayments'
sock syncpayments
echo "# the node restarts; one more payment while the till is not looking"
kill $NODE; wait $NODE || true; node
devpay "{\"offer_id\":\"$OFFER\",\"amount_msat\":2500000}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:d.get(k) for k in ("pay_index","status")})'
echo '$ offerdesk-cli … syncpayments   (twice: the second finds nothing new)'
sock syncpayments; sock syncpayments
echo '$ offerdesk-cli … listpayments OFFER'
sock listpayments "$OFFER" | python3 -c '
import json,sys
for p in json.load(sys.stdin)["payments"]: print({k:p.get(k) for k in ("pay_index","amount_msat","payer_note","quantity","paid_at")})'
echo '$ offerdesk-cli … listoffers OFFER (used follows the node)'
sock listoffers "$OFFER" | python3 -c 'import json,sys; o=json.load(sys.stdin)["offers"][0]; print({k:o[k] for k in ("active","used","single_use")})'
echo '$ a wrong rune; a certificate that is not the pinned one'
$B/src/cli/offerdesk-cli --network regtest --data-dir "$W/till" --rest-url=https://127.0.0.1:3010 --rest-certificate=cert.pem --rune=wrong getinfo 2>&1 | python3 -c "import json,sys; print(json.load(sys.stdin))" || true
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -keyout k2.pem -out other.pem -subj /CN=localhost 2>/dev/null
$B/src/cli/offerdesk-cli --network regtest --data-dir "$W/till" --rest-url=https://127.0.0.1:3010 --rest-certificate=other.pem getinfo 2>&1 | python3 -c "import json,sys; print(json.load(sys.stdin))" || true
kill $NODE; wait $NODE || true
