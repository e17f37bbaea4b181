/**
 * `npm run bench`: prints the performance figures of the orchestrator.
 * Numbers depend on the machine; compare ratios measured in one run.
 */
import os from 'node:os';
import { runRoutingBenchmark } from './routing.ts';
import { runEslEventsBenchmark } from './esl-events.ts';
import { runThroughputBenchmark } from './throughput.ts';

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);

const routing = runRoutingBenchmark(5000);
console.log(`routing decision (1,000 agents, 100 queues, 20 skills, 300 waiting calls): p50 ${routing.p50Us} µs, p99 ${routing.p99Us} µs, max ${routing.maxUs} µs, ${routing.perSecond} decisions/s`);

const esl = await runEslEventsBenchmark(50_000);
console.log(`ESL events consumed: ${esl.perSecond} events/s (${esl.events} events, ${esl.mbPerSecond} MB/s)`);

for (const rate of [200, 400]) {
  const t = await runThroughputBenchmark({ calls: rate * 10, ratePerSec: rate, agents: 300, talkMs: 200 });
  console.log(
    `orchestrator throughput at ${rate} calls/s offered: ${t.callsPerSecond} calls/s completed (${t.answered}/${t.calls} answered, ${t.cdrsAnswered} CDRs), ` +
      `orchestrator CPU ${t.orchestratorCpuPct}% of one core, enqueue→originate p50 ${t.enqueueToOfferP50Ms} ms, p99 ${t.enqueueToOfferP99Ms} ms`,
  );
}
