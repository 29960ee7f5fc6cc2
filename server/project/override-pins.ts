import { isMap, parseDocument } from 'yaml';
import type { ServiceName } from '@/server/stack/types';
import { parseComposeOverride } from './compose-override';
import { ProjectError } from './project-error';
import { keepOriginalLines } from './yaml-keep-format';

/**
 * Pins (image set) or unpins (image null) one service in compose.override.yml text. Edits the YAML
 * document in place, so comments, other services, `ports: !override` and key order survive (and
 * the operator's untouched lines byte for byte, yaml-keep-format.ts); the
 * result is validated with the same reader the deploy uses before anyone writes it.
 */
export function renderPin(text: string | null, service: ServiceName, image: string | null, file: string): string {
  const source = text ?? '';
  // The current file must be one the console understands, or the edit could hide its problem.
  parseComposeOverride(source, file);
  const doc = parseDocument(source, { uniqueKeys: true });
  if (image !== null) {
    doc.setIn(['services', service, 'image'], image);
  } else if (doc.hasIn(['services', service, 'image'])) {
    doc.deleteIn(['services', service, 'image']);
    const body = doc.getIn(['services', service]);
    if (isMap(body) && body.items.length === 0) doc.deleteIn(['services', service]);
    const services = doc.getIn(['services']);
    if (isMap(services) && services.items.length === 0) doc.deleteIn(['services']);
  }
  const next = isMap(doc.contents) && doc.contents.items.length === 0 ? '' : keepOriginalLines(source, doc.toString({ flowCollectionPadding: false }), { flowCollectionPadding: false });
  const parsed = parseComposeOverride(next, file);
  if ((parsed[service]?.image ?? null) !== image) {
    throw new ProjectError('OVERRIDE_INVALID', 'The pin would not read back as written');
  }
  return next;
}
