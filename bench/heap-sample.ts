/**
 * A diagnosis preload for benchmarks (`--ward-node-arg --import=<build>/bench/heap-sample.js`): runs V8's
 * sampling heap profiler for the life of the process, counting objects the GC has already collected too
 * (so the profile is the allocation rate, not what is live), and on exit writes it as
 * `<HEAP_SAMPLE_DIR or the temp dir>/ward-<pid>.heapprofile` for heap-profile.ts to summarise.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A sample every 16 KiB allocated on average: fine enough for per-function shares, cheap enough to leave the run's timing near.
const SAMPLING_INTERVAL_BYTES = 16 * 1024;

const session = new Session();
session.connect();
// A same-thread inspector session answers synchronously, so the profile can be taken in the 'exit' handler.
session.post('HeapProfiler.startSampling', {
  samplingInterval: SAMPLING_INTERVAL_BYTES, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
});
process.once('exit', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) { process.stderr.write(`heap-sample: ${err.message}\n`); return; }
    const file = join(process.env.HEAP_SAMPLE_DIR ?? tmpdir(), `ward-${process.pid}.heapprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    process.stderr.write(`heap-sample: ${file}\n`);
  });
});
