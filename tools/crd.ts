// Writes cluster-repo-example/crds/agentspec.yaml from reconciler/agentspec/agentSpecSchema.ts:
//   npm run crd
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_PATH, agentSpecCrdYaml } from '../reconciler/agentspec/agentSpecCrd.ts';

const path = join(import.meta.dirname, '..', CRD_PATH);
writeFileSync(path, agentSpecCrdYaml());
process.stdout.write(`wrote ${CRD_PATH}\n`);
