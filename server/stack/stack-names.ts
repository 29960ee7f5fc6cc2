import type { Color, RotatableService, ServiceName, StatefulService } from './types';
import type { VolumeName } from './service-catalog';

// Every Docker name derives from the project id (docs/tale-cli.md#names).

export const statefulProject = (id: string): string => id;
export const colorProject = (id: string, color: Color): string => `${id}-${color}`;
export const networkName = (id: string): string => `${id}_internal`;
export const volumeName = (id: string, volume: VolumeName): string => `${id}_${volume}`;

export function composeServiceKey(service: ServiceName, color: Color | null): string {
  return color && isRotatable(service) ? `${service}-${color}` : service;
}

export function containerName(id: string, service: ServiceName, color: Color | null): string {
  return `${id}-${composeServiceKey(service, color)}`;
}

export function isRotatable(service: ServiceName): service is RotatableService {
  return service === 'platform' || service === 'rag' || service === 'crawler';
}

export function isStateful(service: ServiceName): service is StatefulService {
  return !isRotatable(service);
}

export const otherColor = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

/** The next deploy's colour: green after blue, blue otherwise (so a first deploy is blue). */
export const nextColor = (current: Color | null): Color => (current === 'blue' ? 'green' : 'blue');

/**
 * Aliases of a colour that has not passed the health gate: only its colour name, so the proxy
 * (which routes to `platform`) cannot reach it yet.
 */
export function candidateAliases(service: RotatableService, color: Color): string[] {
  return [`${service}-${color}`];
}

/** Aliases of the live colour: the shared name the proxy and the other services use, plus its own. */
export function liveAliases(service: RotatableService, color: Color): string[] {
  return [service, `${service}-${color}`];
}
