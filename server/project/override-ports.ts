import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, YAMLSeq } from 'yaml';
import { DEFAULT_PROXY_PORTS, isDefaultPorts, PORT_BINDS, portEntry, type PortBind, type ProxyPorts } from '@/lib/settings/proxy-ports';
import type { StackOverride } from '@/server/stack/types';
import { parseComposeOverride } from './compose-override';
import { ProjectError } from './project-error';
import { keepOriginalLines } from './yaml-keep-format';

/**
 * The proxy's published ports as the form shows them, or null when the file says something the
 * form cannot (more entries, another address, different addresses for the two ports): then they
 * are edited by hand, and the form says so instead of overwriting them.
 */
export function proxyPortsOf(override: StackOverride): ProxyPorts | null {
  const ports = override.proxy?.ports;
  if (!ports) return DEFAULT_PROXY_PORTS;
  const http = ports.filter((p) => p.containerPort === 80);
  const https = ports.filter((p) => p.containerPort === 443);
  if (ports.length !== 2 || http.length !== 1 || https.length !== 1) return null;
  const bind = http[0]!.hostIp;
  if (bind !== https[0]!.hostIp || !(PORT_BINDS as readonly string[]).includes(bind)) return null;
  return { bind: bind as PortBind, http: http[0]!.hostPort, https: https[0]!.hostPort };
}

function removeEmpty(doc: Document, path: string[]): void {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth));
    if (isMap(node) && node.items.length === 0) doc.deleteIn(path.slice(0, depth));
  }
}

/**
 * compose.override.yml text with the proxy publishing `ports` (the defaults remove the entry, so
 * the base file's 80 and 443 apply again). An existing list is edited entry by entry, keeping its
 * style, tag and quotes, and every line the edit does not touch stays byte for byte: a changed
 * port shows as one changed line. Validated with the deploy's own reader before anyone writes it.
 */
export function renderProxyPorts(text: string | null, ports: ProxyPorts, file: string): string {
  const source = text ?? '';
  parseComposeOverride(source, file);
  const doc = parseDocument(source, { uniqueKeys: true });
  const path = ['services', 'proxy', 'ports'];
  if (isDefaultPorts(ports)) {
    if (!doc.hasIn(path)) return source;
    doc.deleteIn(path);
    removeEmpty(doc, ['services', 'proxy']);
  } else {
    const wanted = [portEntry(ports.bind, ports.http, 80), portEntry(ports.bind, ports.https, 443)];
    const existing = doc.getIn(path, true);
    if (isSeq(existing) && existing.items.length === wanted.length && existing.items.every((i) => isScalar(i) && i.range)) {
      // Only the changed entries' text is replaced, in their own quotes: the line keeps its
      // spacing and comment, and reads as one changed line.
      let next = source;
      const items = existing.items as Scalar[];
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i]!;
        if (item.value === wanted[i]) continue;
        const quote = item.type === 'QUOTE_SINGLE' ? "'" : '"';
        next = next.slice(0, item.range![0]) + quote + wanted[i] + quote + next.slice(item.range![1]);
      }
      return checked(next, ports, file);
    } else {
      const seq = new YAMLSeq();
      seq.flow = true;
      seq.tag = '!override';
      seq.items = wanted.map((w) => Object.assign(new Scalar(w), { type: 'QUOTE_DOUBLE' as const }));
      if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
      doc.setIn(path, seq);
    }
  }
  const empty = isMap(doc.contents) && doc.contents.items.length === 0 && !doc.commentBefore && !doc.comment;
  return checked(empty ? '' : keepOriginalLines(source, doc.toString()), ports, file);
}

function checked(next: string, ports: ProxyPorts, file: string): string {
  const read = proxyPortsOf(parseComposeOverride(next, file));
  if (!read || read.bind !== ports.bind || read.http !== ports.http || read.https !== ports.https) {
    throw new ProjectError('OVERRIDE_INVALID', 'The ports would not read back as written');
  }
  return next;
}
