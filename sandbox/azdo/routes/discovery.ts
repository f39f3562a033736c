// What azure-devops-node-api needs before its first real call: the Location area's
// ResourceAreas route, an (empty) ResourceAreas list, and the distributedtask route table.
import type { Route } from '../context.ts';
import { list } from '../wire.ts';

const location = (id: string, area: string, resourceName: string, routeTemplate: string, resourceVersion: number, releasedVersion: string) =>
  ({ id, area, resourceName, routeTemplate, resourceVersion, minVersion: '1.0', maxVersion: '7.2', releasedVersion });

export const TASK_AGENT_LOCATIONS = [
  location('a8c47e17-4d56-4a56-92bb-de7ea7dc65be', 'distributedtask', 'pools', '_apis/{area}/{resource}/{poolId}', 1, '7.1'),
  location('e298ef32-5878-4cab-993c-043836571f42', 'distributedtask', 'agents', '_apis/{area}/pools/{poolId}/{resource}/{agentId}', 2, '7.1'),
  location('fc825784-c92a-4299-9221-998a02d1b54f', 'distributedtask', 'jobrequests', '_apis/{area}/pools/{poolId}/{resource}/{requestId}', 1, '7.1'),
  location('134e239e-2df3-4794-a6f6-24f1f19ec8dc', 'distributedtask', 'sessions', '_apis/{area}/pools/{poolId}/{resource}/{sessionId}', 1, '7.1'),
  location('c3a054f6-7a8a-49c0-944e-3a8e5d7adfd7', 'distributedtask', 'messages', '_apis/{area}/pools/{poolId}/{resource}/{messageId}', 1, '7.1'),
];

const LOCATION_LOCATIONS = [
  location('e81700f7-3be2-46de-8624-2eb35882fcaa', 'Location', 'ResourceAreas', '_apis/{resource}/{areaId}', 1, '0.0'),
];

export const discoveryRoutes: Route[] = [
  { method: 'OPTIONS', pattern: 'Location', handler: () => ({ status: 200, body: list(LOCATION_LOCATIONS) }) },
  // An empty list makes the client use the org URL as the base for every area.
  { method: 'GET', pattern: 'ResourceAreas', handler: () => ({ status: 200, body: list([]) }) },
  { method: 'OPTIONS', pattern: 'distributedtask', handler: () => ({ status: 200, body: list(TASK_AGENT_LOCATIONS) }) },
];
