// postinstall: one change to local-aws-sqs, the in-process SQS endpoint of `thaw dev` (local/in-process-sqs.ts),
// so that its ReceiveMessage answers as SQS does.
//
// As published, it looks at the queue on a 10 ms interval, the first time 10 ms after the request, and
// answers only once it holds MaxNumberOfMessages or 40 ms after WaitTimeSeconds: a receive for up to 10
// with one message there waits 40 ms, and a long poll does not return when a message arrives. SQS
// returns the messages it has (a long poll, as soon as there is one: "Amazon SQS long polling",
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
// Patched: it looks once at once, then on the same interval, and answers as soon as it has any
// message. Each queue hop of a wake costs a few ms instead of ~45 (docs/benchmarks.md, "wake").
// Idempotent; fails the install, naming the file, when the code it changes is not there (a new
// version of the package: check whether it still needs this, then update or remove it).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve('local-aws-sqs/package.json')), 'dist', 'index.js');
const MARK = '/* thaw: receive answers as SQS does */';

const LOCALS = 'let r=[],n,o,a=new Promise(y=>{o=y}),d=0,c;';
const TICK =
  'c=setInterval(()=>{d++;for(let y of S(this,E))if(!y.delayed){if(y.visible){l(this,D,Wt).call(this,y,i);let f=ke({},y);f.record=ke({},f.record),f.record.attributes=ke({},f.record.attributes),r.push(f)}if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}},10)';
const PATCHED_TICK =
  'c=setInterval(look=()=>{d++;for(let y of S(this,E))if(!y.delayed){if(y.visible){l(this,D,Wt).call(this,y,i);let f=ke({},y);f.record=ke({},f.record),f.record.attributes=ke({},f.record.attributes),r.push(f)}if(r.length==e)break}r.length&&(clearInterval(c),clearTimeout(n),o())},10),look()';

let source = readFileSync(file, 'utf8');
if (source.includes(MARK)) process.exit(0);
for (const needle of [TICK, LOCALS]) {
  if (source.split(needle).length !== 2) {
    console.error(
      `scripts/patch-local-sqs.mjs: ${file} does not contain the code this patch changes (a new version of local-aws-sqs?): ${needle.slice(0, 60)}…`,
    );
    process.exit(1);
  }
}
source = source
  .replace(LOCALS, 'let r=[],n,o,a=new Promise(y=>{o=y}),d=0,c,look;')
  .replace(TICK, PATCHED_TICK);
writeFileSync(file, `${source}\n${MARK}\n`);
