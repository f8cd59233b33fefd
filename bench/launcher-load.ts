// The load side of the launcher benchmark, in its own process (so it can be pinned to its own core):
// autocannon against the URL in argv[2]; prints one JSON line with the result and each socket error's code.
import autocannon from 'autocannon';

const [url, connections, seconds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const errorCodes: Record<string, number> = {};
// Called without a callback, autocannon returns an instance that is both a promise and an emitter.
const instance = autocannon({
  url,
  connections,
  duration: seconds,
  headers: { host: 'bench.qa.example.com', accept: 'application/json' },
}) as Promise<autocannon.Result> & autocannon.Instance;
instance.on('reqError', (error: NodeJS.ErrnoException) => {
  const code = error.code ?? error.message;
  errorCodes[code] = (errorCodes[code] ?? 0) + 1;
});
const result = await instance;
console.log(
  JSON.stringify({
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    errorCodes,
  }),
);
