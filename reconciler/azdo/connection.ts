import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import type { ITaskAgentApi } from 'azure-devops-node-api/TaskAgentApi.js';
import { callAzdo } from './classifyAzdoError.ts';

export type TaskAgentApi = ITaskAgentApi;

/** Connects the published client (location discovery happens on the first call of an area). */
export async function connectTaskAgentApi(orgUrl: string, token: string): Promise<TaskAgentApi> {
  const web = new WebApi(orgUrl, getPersonalAccessTokenHandler(token), { socketTimeout: 30_000 });
  return callAzdo('connect to Azure DevOps', () => web.getTaskAgentApi());
}
