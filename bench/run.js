// Benchmarks, each reported as a ratio against a baseline measured in the same run,
// so the figures hold on a noisy machine. Run with `npm run bench` (builds first).
import { auditBench } from './audit.bench.js';
import { policyPageBench } from './policy-page.bench.js';
import { vaultBench } from './vault.bench.js';

const results = [await auditBench(), await policyPageBench(), await vaultBench()];
for (const result of results) {
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
