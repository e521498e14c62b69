import { NotFound } from './errors';

/**
 * The AAS API read profile over twinthread's AAS environments (pure): identifiers as the API
 * carries them, submodel elements by idShort path, the value-only serialization, and the AAS
 * Result of an error. Mapping decisions are listed in the README (AAS API).
 */

// biome-ignore lint/suspicious/noExplicitAny: AAS JSON is walked freely; aas-core verifies its shape in tests
type AasObject = Record<string, any>;

/** Path identifiers are base64url-encoded (RFC 4648 §5, without padding as the spec's examples, padding accepted). */
export function decodeIdentifier(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded.replace(/=+$/, ''), 'base64url').toString('utf8');
  return Buffer.from(decoded, 'utf8').toString('base64url') === encoded.replace(/=+$/, '')
    ? decoded
    : undefined;
}

export const encodeIdentifier = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

const TWIN_URN = /^urn:twinthread:twin:([0-9A-HJKMNP-TV-Z]{26})(?::(aas|submodel:([a-z-]+)))?$/;

/** The twin an AAS identifier names, and the submodel (by its id's name) if it is one. */
export function parseAasIdentifier(id: string): { twinId: string; kind: 'aas' | 'submodel' } | undefined {
  const match = TWIN_URN.exec(id);
  if (!match || match[2] === undefined) return undefined;
  return { twinId: match[1]!, kind: match[2] === 'aas' ? 'aas' : 'submodel' };
}

const childrenOf = (element: AasObject): AasObject[] =>
  element.modelType === 'Entity'
    ? (element.statements ?? [])
    : element.modelType === 'Submodel'
      ? (element.submodelElements ?? [])
      : Array.isArray(element.value) && element.modelType !== 'MultiLanguageProperty'
        ? element.value
        : [];

/**
 * The element at an idShort path (`EntryNode.engine_1.fadec`, list items by index: `Documents[0]`),
 * as AAS API Part 2 defines it, or 404.
 */
export function elementAtPath(submodel: AasObject, idShortPath: string): AasObject {
  const notFound = new NotFound(`No submodel element ${idShortPath}`);
  const steps = idShortPath.split('.');
  let current: AasObject = submodel;
  for (const step of steps) {
    const match = /^([A-Za-z][A-Za-z0-9_-]*)((?:\[\d+\])*)$/.exec(step);
    if (!match) throw notFound;
    const next = childrenOf(current).find((child) => child.idShort === match[1]);
    if (!next) throw notFound;
    current = next;
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) {
      if (current.modelType !== 'SubmodelElementList') throw notFound;
      const item = (current.value ?? [])[Number(index[1])];
      if (!item) throw notFound;
      current = item;
    }
  }
  return current;
}

/** The value-only serialization (AAS API Part 2, "ValueOnly") of a submodel element. */
export function valueOnly(element: AasObject): unknown {
  switch (element.modelType) {
    case 'Property':
      return element.value ?? null;
    case 'MultiLanguageProperty':
      return (element.value ?? []).map((text: AasObject) => ({ [text.language]: text.text }));
    case 'File':
      return {
        contentType: element.contentType,
        ...(element.value === undefined ? {} : { value: element.value }),
      };
    case 'ReferenceElement':
      return element.value ?? null;
    case 'RelationshipElement':
      return { first: element.first, second: element.second };
    case 'SubmodelElementList':
      return (element.value ?? []).map(valueOnly);
    case 'Entity':
      return {
        ...(element.statements ? { statements: valuesByIdShort(element.statements) } : {}),
        entityType: element.entityType,
        ...(element.globalAssetId === undefined ? {} : { globalAssetId: element.globalAssetId }),
        ...(element.specificAssetIds === undefined
          ? {}
          : { specificAssetIds: element.specificAssetIds.map((id: AasObject) => ({ [id.name]: id.value })) }),
      };
    default:
      return valuesByIdShort(element.value ?? []);
  }
}

const valuesByIdShort = (elements: readonly AasObject[]) =>
  Object.fromEntries(elements.map((child) => [child.idShort, valueOnly(child)]));

/** A submodel's value-only serialization: its elements by idShort. */
export const submodelValue = (submodel: AasObject) => valuesByIdShort(submodel.submodelElements ?? []);

/** A model reference to an identifiable. */
export const modelReference = (type: 'Submodel' | 'AssetAdministrationShell', value: string) => ({
  type: 'ModelReference',
  keys: [{ type, value }],
});

/** An AAS API Result: one message per problem, the request id as correlation id. */
export function aasResult(
  problem: { status: number; title: string; detail?: string; errors?: { path: string; message: string }[] },
  requestId: string,
  now: Date,
) {
  const message = (text: string) => ({
    code: String(problem.status),
    messageType: 'Error',
    text,
    timestamp: now.toISOString(),
    ...(requestId === '' ? {} : { correlationId: requestId.slice(0, 128) }),
  });
  const texts = problem.errors?.length
    ? problem.errors.map((error) => `${error.path}: ${error.message}`)
    : [problem.detail ?? problem.title];
  return { messages: texts.map(message) };
}
