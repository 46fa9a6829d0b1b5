/**
 * The bare saxes parse the ingest bench compares Sumi with, in a process that loads nothing else
 * (measured: the same streamed parse took 60% longer in a process that had loaded Sumi's store
 * and ingest modules, a heap that much larger to collect). Read, gunzip, parse, nothing kept:
 *   node bench/support/saxes.mjs whole|streamed PATH
 * `whole`: each file read whole and gunzipped in one call; `streamed`: each file through
 * createReadStream -> createGunzip -> saxes, the way a streaming parser is fed. PATH is a folder
 * of .xml.gz files or one of them. Prints {"seconds", "maxRssMb"}. Plain JavaScript, run by node
 * alone: tsx's loader (a thread of its own) would count in the peak RSS.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';

const [how, given] = process.argv.slice(2);
if ((how !== 'whole' && how !== 'streamed') || !given) {
  console.error('usage: saxes.mjs whole|streamed PATH');
  process.exit(2);
}
const files = statSync(given).isDirectory()
  ? readdirSync(given)
      .filter((f) => f.endsWith('.xml.gz'))
      .map((f) => path.join(given, f))
  : [given];

const started = performance.now();
for (const file of files) {
  if (how === 'whole') parseWhole(gunzipSync(readFileSync(file)));
  else await parseStreamed(file);
}
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

/** A parser counting the elements it opens. */
function counting() {
  const parser = new SaxesParser();
  let elements = 0;
  parser.on('opentag', () => {
    elements++;
  });
  return { parser, elements: () => elements };
}

function parseWhole(bytes) {
  const { parser, elements } = counting();
  // Chunks of 64 KiB, as the streaming parser reads them.
  for (let at = 0; at < bytes.length; at += 65_536) parser.write(bytes.toString('utf8', at, at + 65_536));
  parser.close();
  if (elements() === 0) throw new Error('no elements');
}

async function parseStreamed(file) {
  const { parser, elements } = counting();
  const decoder = new StringDecoder('utf8');
  for await (const chunk of createReadStream(file).pipe(createGunzip())) parser.write(decoder.write(chunk));
  parser.write(decoder.end());
  parser.close();
  if (elements() === 0) throw new Error('no elements');
}
