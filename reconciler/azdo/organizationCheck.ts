// Is AZDO_ORG_URL an organization? Asked once at start-up with the location call the client
// makes first anyway (OPTIONS {org}/_apis/Location): an organization answers it with its route
// table as JSON. A 404, or a 2xx page that is not that JSON, means the URL names something else
// (a typo, a project or repository URL, a web page): a setting to fix, not an outage to wait out.
import type { WebApi } from 'azure-devops-node-api';
import { redactUrl } from '../support/redact.ts';
import { ConfigError } from '../errors/configError.ts';
import { classifyAzdoError } from './classifyAzdoError.ts';

const FIX = 'Set it to the organization URL as the browser shows it. For example AZDO_ORG_URL=https://dev.azure.com/my-org';

function notAnOrganization(orgUrl: string, why: string): ConfigError {
  return new ConfigError('AZDO_ORG_URL', `${redactUrl(orgUrl)} is not an Azure DevOps organization (${why})`, FIX);
}

export async function checkOrganization(web: WebApi, orgUrl: string): Promise<void> {
  const url = `${orgUrl}/_apis/Location`;
  const res = await web.rest.options<{ value?: unknown }>(url).catch((err: unknown) => {
    const status = (err as { statusCode?: number } | undefined)?.statusCode;
    // A web server that is not Azure DevOps refuses OPTIONS.
    if (status === 400 || status === 405) throw notAnOrganization(orgUrl, `its location call answered ${status}`);
    // 401/403 is the token's problem, 5xx and network errors an outage: classified as for any call.
    throw classifyAzdoError('connect to Azure DevOps', err);
  });
  if (res.statusCode === 404) throw notAnOrganization(orgUrl, 'its location call answered 404 Not Found');
  if (!Array.isArray(res.result?.value)) {
    throw notAnOrganization(orgUrl, `its location call answered ${res.statusCode} with a body that is not Azure DevOps JSON; a proxy, login or maintenance page in front of it looks the same`);
  }
}
