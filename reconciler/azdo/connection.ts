import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { callAzdo } from './classifyAzdoError.ts';
import { checkOrganization } from './organizationCheck.ts';

/**
 * The calls the reconciler makes, and nothing else: the published client is one implementation,
 * the simulator's in-memory service (sim/) another.
 */
export type TaskAgentApi = Pick<
  ITaskAgentApi,
  | 'getAgentPools' | 'getAgents' | 'getAgent' | 'updateAgent' | 'deleteAgent' | 'addAgent' | 'getAgentRequestsForAgents'
  // The HTTP client the job-request listing streams through (jobRequests.ts).
  | 'vsoClient' | 'rest' | 'createRequestOptions'
>;

/** Connects the published client (location discovery happens on the first call of an area). AZDO_ORG_URL must name an organization. */
export async function connectTaskAgentApi(orgUrl: string, token: string): Promise<TaskAgentApi> {
  // keepAlive: without it the client makes a new agent, so a new TCP connection and TLS
  // handshake, for every call; a pass makes one call per page of each pool's job listing, in turn.
  const web = new WebApi(orgUrl, getPersonalAccessTokenHandler(token), { socketTimeout: 30_000, keepAlive: true });
  await checkOrganization(web, orgUrl);
  return callAzdo('connect to Azure DevOps', () => web.getTaskAgentApi());
}
