// decode.mjs: the peer side of `offerdesk-bench --peer`
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node decode.mjs --runs N --min-time SECONDS [--cpu-time | --wall-time] NAME=STRING...
//
// Decodes each offer string with boltz-bolt12 (LDK's BOLT 12 parser compiled to WebAssembly)
// in a loop shaped like offerdesk-bench's own: batches doubling until a run lasts --min-time
// seconds, --runs runs, the median printed.  One operation is `new Offer(string)` then
// `free()`: the string is parsed into LDK's Offer (TLV stream, every field, the signing key
// checked as a curve point, the offer id hashed), like bolt12_message_decode() + free on our
// side.  Field reads are left out of the loop, which only favours the peer.  --cpu-time times
// by the process's CPU time (process.cpuUsage(), every thread of Node.js), as the bench does
// with its own --cpu-time.
//
// Output, one line per string: `NAME RATE` (strings/s); before the timing, one line
// `check NAME DESCRIPTION-JSON ISSUER-JSON PATHS` so offerdesk-bench can see that LDK read the
// same offer.  A string LDK refuses gives `error NAME MESSAGE` and no rate.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

// The package's entry point imports its .wasm file as an ES module, which Node only allows
// behind --experimental-wasm-modules: instantiate it by hand instead, with the package's own
// JavaScript glue as the import object (that is what the entry point does).
async function loadBolt12 () {
  const packageDir = dirname(require.resolve('boltz-bolt12/package.json'));
  const glue = await import(join(packageDir, 'boltz_bolt12_bg.js'));
  const bytes = readFileSync(join(packageDir, 'boltz_bolt12_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './boltz_bolt12_bg.js': glue });

  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

function parseArgs (argv) {
  const options = { runs: 5, minTime: 0.5, cpuTime: false, offers: [] };

  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      options.runs = Number(argv[++i]);
    } else if (argv[i] === '--min-time') {
      options.minTime = Number(argv[++i]);
    } else if (argv[i] === '--cpu-time' || argv[i] === '--wall-time') {
      options.cpuTime = argv[i] === '--cpu-time';
    } else {
      const eq = argv[i].indexOf('=');

      if (eq <= 0) {
        throw new Error(`expected NAME=STRING, got ${argv[i]}`);
      }
      options.offers.push({ name: argv[i].slice(0, eq), string: argv[i].slice(eq + 1) });
    }
  }
  if (!(options.runs >= 1) || !(options.minTime > 0)) {
    throw new Error('--runs must be >= 1 and --min-time > 0');
  }
  return options;
}

function decodeLoop (Offer, string, n) {
  for (let i = 0; i < n; i++) {
    const offer = new Offer(string);

    offer.free();
  }
}

// Nanoseconds of wall-clock time or of CPU time.
function clockNs (cpuTime) {
  if (cpuTime) {
    const usage = process.cpuUsage();

    return BigInt(usage.user + usage.system) * 1000n;
  }
  return process.hrtime.bigint();
}

// Operations per second of one run lasting at least minTime seconds.
function measureOnce (Offer, string, minTime, cpuTime) {
  const minNs = BigInt(Math.round(minTime * 1e9));
  const start = clockNs(cpuTime);
  let elapsed = 0n;
  let done = 0;
  let batch = 1;

  while (elapsed < minNs) {
    decodeLoop(Offer, string, batch);
    done += batch;
    elapsed = clockNs(cpuTime) - start;
    if (batch < (1 << 20) && elapsed < minNs / 4n) {
      batch *= 2;
    }
  }
  return done * 1e9 / Number(elapsed);
}

async function main () {
  const options = parseArgs(process.argv.slice(2));
  const { Offer } = await loadBolt12();

  for (const { name, string } of options.offers) {
    let offer;

    try {
      offer = new Offer(string);
    } catch (e) {
      console.log(`error ${name} ${String(e).replace(/\s+/g, ' ')}`);
      continue;
    }
    console.log(`check ${name} ${JSON.stringify(offer.description ?? null)} ` +
                `${JSON.stringify(offer.issuer ?? null)} ${offer.paths.length}`);
    offer.free();

    const rates = [];

    for (let r = 0; r < options.runs; r++) {
      rates.push(measureOnce(Offer, string, options.minTime, options.cpuTime));
    }
    rates.sort((a, b) => a - b);
    console.log(`${name} ${rates[Math.floor(options.runs / 2)].toFixed(0)}`);
  }
}

main().catch((e) => {
  console.error(`decode.mjs: ${e.stack ?? e}`);
  process.exit(1);
});
