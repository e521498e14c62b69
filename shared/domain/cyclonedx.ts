import { createHash } from 'node:crypto';
import type { Component, Node } from '../schemas/twin';
import type { Twin } from './twin';

/**
 * A CycloneDX 1.6 bill of materials of one unit as configured at `asOf` (pure): the twin as the
 * metadata component, each installed component nested below the one it is installed in. Hardware
 * carries part number, serial and revision; software its name (part number), version and the
 * package URL its tenant-defined `purl` attribute gives (the version appended). Written directly:
 * `@cyclonedx/cyclonedx-library` validates it in tests (test/e2e/cyclonedx.test.ts) and stays out of
 * the function bundles.
 */

export const CYCLONEDX_SPEC_VERSION = '1.6';
/** The component attribute that names a software package (declared by the tenant's software type). */
export const PURL_ATTRIBUTE = 'purl';

type Json = Record<string, unknown>;

/** A deterministic UUID (v5-style, SHA-1) so the same twin at the same times is the same BOM. */
function uuidOf(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A package URL with the installed version, when the component names one and carries none yet. */
export function versionedPurl(purl: string, version: string | undefined): string {
  if (version === undefined || /@[^/]*$/.test(purl.split(/[?#]/)[0]!)) return purl;
  const [base, ...rest] = purl.split(/(?=[?#])/);
  return `${base}@${encodeURIComponent(version)}${rest.join('')}`;
}

const property = (name: string, value: string | undefined) =>
  value === undefined ? [] : [{ name: `twinthread:${name}`, value }];

function componentOf(node: Node & { component: Component }, children: Json[]): Json {
  const { component } = node;
  const software = component.kind === 'software';
  const purl = component.attributes?.[PURL_ATTRIBUTE];
  const version = software ? component.softwareVersion : component.revision;
  return {
    // software in a unit is its firmware; mechanical and electrical parts are devices
    type: software ? 'firmware' : 'device',
    'bom-ref': `position:${node.path}`,
    name: component.partNumber,
    ...(version === undefined ? {} : { version }),
    ...(software && typeof purl === 'string' ? { purl: versionedPurl(purl, component.softwareVersion) } : {}),
    properties: [
      ...property('position', node.path),
      ...property('partNumber', component.partNumber),
      ...property('serialNumber', component.serialNumber),
      ...property('revision', component.revision),
      ...property('kind', component.kind),
      ...property('softwareVersion', component.softwareVersion),
      ...property('twinId', component.twinId),
    ],
    ...(children.length === 0 ? {} : { components: children }),
  };
}

/** The installed components below these positions, nested as installed; empty positions pass their children up. */
function componentsOf(nodes: readonly Node[]): Json[] {
  return nodes.flatMap((node) => {
    const children = componentsOf(node.children);
    return node.component ? [componentOf(node as Node & { component: Component }, children)] : children;
  });
}

/** The CycloneDX 1.6 JSON BOM of a twin at valid time `asOf`, as recorded up to `knownAt`. */
export function cycloneDxBom(twin: Twin, at: { asOf: string; knownAt: string }): Json {
  return {
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${uuidOf(`${twin.id}|${twin.version}|${at.asOf}|${at.knownAt}`)}`,
    version: 1,
    metadata: {
      timestamp: at.asOf,
      tools: { components: [{ type: 'application', name: 'twinthread' }] },
      component: {
        type: 'device',
        'bom-ref': `twin:${twin.id}`,
        name: twin.product.name ?? twin.product.partNumber,
        ...(twin.product.revision === undefined ? {} : { version: twin.product.revision }),
        ...(twin.oem === undefined ? {} : { manufacturer: { name: twin.oem } }),
        properties: [
          ...property('twinId', twin.id),
          ...property('partNumber', twin.product.partNumber),
          ...property('serialNumber', twin.serialNumber),
          ...property('revision', twin.product.revision),
          ...property('knownAt', at.knownAt),
        ],
      },
    },
    components: componentsOf(twin.configuration),
  };
}
