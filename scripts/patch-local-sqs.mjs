// postinstall: one change to local-aws-sqs, the in-process SQS endpoint of `thaw dev` (local/in-process-sqs.ts).
//
// Its ReceiveMessage looks at the queue only on a 10 ms interval, the first time 10 ms after the
// request, so a message that is already there still waits a tick: 10 ms on each of the five queue
// hops of a wake (docs/benchmarks.md, "wake"). This looks once at once, then on the same interval.
// Idempotent; fails the install, naming the file, when the code it changes is not there (a new
// version of the package: check whether it still needs this, then update or remove it).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve('local-aws-sqs/package.json')), 'dist', 'index.js');
const MARK = '/* thaw: receive looks at once */';

const TICK =
  'c=setInterval(()=>{d++;for(let y of S(this,E))if(!y.delayed){if(y.visible){l(this,D,Wt).call(this,y,i);let f=ke({},y);f.record=ke({},f.record),f.record.attributes=ke({},f.record.attributes),r.push(f)}if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}},10)';
const LOCALS = 'let r=[],n,o,a=new Promise(y=>{o=y}),d=0,c;';

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
  .replace(TICK, `${TICK.replace('c=setInterval(()=>', 'c=setInterval(look=()=>')},look()`);
writeFileSync(file, `${source}\n${MARK}\n`);
