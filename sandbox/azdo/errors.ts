// Service-shaped errors. The node client reads `message` from the body and exposes the body
// as err.result, so callers can branch on `typeKey` like they would against the real service.

/** An error the emulator answers with the service's JSON error body. */
export class ServiceError extends Error {
  readonly status: number;
  readonly typeKey: string;
  readonly typeName: string;

  constructor(status: number, typeKey: string, message: string, namespace = 'Microsoft.TeamFoundation.DistributedTask.WebApi') {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.typeKey = typeKey;
    this.typeName = `${namespace}.${typeKey}, ${namespace}`;
  }

  /** The body exactly as the service shapes it (`$id`, `innerException: null`, `eventId: 3000`). */
  body(): Record<string, unknown> {
    return {
      $id: '1',
      innerException: null,
      message: this.message,
      typeName: this.typeName,
      typeKey: this.typeKey,
      errorCode: 0,
      eventId: 3000,
    };
  }
}

const FRAMEWORK = 'Microsoft.TeamFoundation.Framework.Server';
const VSS = 'Microsoft.VisualStudio.Services.WebApi';

export const unauthorized = (): ServiceError =>
  new ServiceError(401, 'UnauthorizedRequestException',
    "TF400813: The user '' is not authorized to access this resource. Send a valid PAT as basic auth (any user name).", FRAMEWORK);

export const poolNotFound = (poolId: string | number): ServiceError =>
  new ServiceError(404, 'TaskAgentPoolNotFoundException',
    `Agent pool ${poolId} could not be found. List pools with GET _apis/distributedtask/pools to find its id.`);

export const agentNotFound = (agentId: string | number, poolId: string | number): ServiceError =>
  new ServiceError(404, 'TaskAgentNotFoundException',
    `Agent ${agentId} could not be found in pool ${poolId}. It may have been deleted; list agents to find the current id.`);

export const jobNotFound = (requestId: string | number, poolId: string | number): ServiceError =>
  new ServiceError(404, 'TaskAgentJobNotFoundException',
    `No job request with id ${requestId} exists in pool ${poolId}.`);

export const agentExists = (name: string, poolId: number): ServiceError =>
  new ServiceError(409, 'TaskAgentExistsException',
    `Pool ${poolId} already contains an agent with name ${name}. Replace it (PUT agents/{id}) or pick another name.`);

export const sessionConflict = (agentName: string): ServiceError =>
  new ServiceError(409, 'TaskAgentSessionConflictException',
    `A session for agent ${agentName} already exists. Delete the old session or wait for it to expire.`);

export const sessionExpired = (sessionId: string): ServiceError =>
  new ServiceError(400, 'TaskAgentSessionExpiredException',
    `The session ${sessionId} has expired or was deleted. Create a new session.`);

export const badArgument = (message: string): ServiceError =>
  new ServiceError(400, 'ArgumentException', message, 'System');

export const badJson = (detail: string): ServiceError =>
  new ServiceError(400, 'VssRequestContentException', `The request body is not valid JSON: ${detail}. Send a JSON object.`, VSS);

export const demandsNotSatisfied = (poolName: string, demands: readonly string[]): ServiceError =>
  new ServiceError(400, 'TaskAgentDemandsNotSatisfiedException',
    `No agent found in pool ${poolName} which satisfies the specified demands: ${demands.join(', ')}. ` +
    'Register an agent (an offline placeholder is enough) whose capabilities match.');

export const routeNotFound = (method: string, path: string): ServiceError =>
  new ServiceError(404, 'ApiResourceNotFoundException',
    `API resource location for ${method} ${path} was not found. Check the route and the org name.`, VSS);

export const throttled = (resource: string): ServiceError =>
  new ServiceError(429, 'RequestBlockedException',
    `TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource '${resource}' in namespace 'User'. Wait for Retry-After seconds before sending more requests.`, FRAMEWORK);

export const injected = (status: number): ServiceError =>
  new ServiceError(status, 'InjectedFaultException', `Injected fault: the emulator was told to fail this request with HTTP ${status}.`, VSS);

export const outage = (): ServiceError =>
  new ServiceError(503, 'ServiceUnavailableException',
    'TF400898: An Internal Error Occurred. The service is unavailable (injected outage); retry later.', FRAMEWORK);
