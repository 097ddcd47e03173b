// Benchmarks, each reported as a ratio against a baseline measured in the same run,
// so the figures hold on a noisy machine. Run with `npm run bench` (builds first).
import { auditBench } from './audit.bench.js';
import { consentBench } from './consent.bench.js';
import { consoleBench } from './console.bench.js';
import { disclosureBench } from './disclosure.bench.js';
import { ingestBench } from './ingest.bench.js';
import { policyPageBench } from './policy-page.bench.js';
import { publicationBench } from './publication.bench.js';
import { replicaBench } from './replica.bench.js';
import { requestsBench } from './requests.bench.js';
import { scanBench } from './scan.bench.js';
import { sdkBench } from './sdk.bench.js';
import { statsBench } from './stats.bench.js';
import { systemsBench } from './systems.bench.js';
import { vaultBench } from './vault.bench.js';

const results = [await auditBench(), await policyPageBench(), await publicationBench(), await vaultBench(), await ingestBench(), await statsBench(), await disclosureBench(), await requestsBench(), await systemsBench(), await sdkBench(), await scanBench(), await consoleBench(), await replicaBench(), await consentBench()];
for (const result of results) {
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
