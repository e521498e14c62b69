import type { Component, Node } from '../schemas/twin';
import type { DocumentRecord } from './document';
import { mediaTypeOf } from './document';
import type { Twin } from './twin';

/**
 * Asset Administration Shell V3.0 export of a twin: one shell, three submodels (identification,
 * IDTA Hierarchical Structures of the configuration, documentation). Pure: the same twin, documents
 * and times give the same environment. Mapping choices are listed in the README.
 */

/** Semantic IDs: IDTA and ECLASS where one fits, twinthread's own URNs otherwise. */
export const AAS_SEMANTICS = {
  hierarchicalStructures: 'https://admin-shell.io/idta/HierarchicalStructures/1/0/Submodel',
  archeType: 'https://admin-shell.io/idta/HierarchicalStructures/ArcheType/1/0',
  entryNode: 'https://admin-shell.io/idta/HierarchicalStructures/EntryNode/1/0',
  node: 'https://admin-shell.io/idta/HierarchicalStructures/Node/1/0',
  hasPart: 'https://admin-shell.io/idta/HierarchicalStructures/HasPart/1/0',
  /** ECLASS "serial number", as in the IDTA Digital Nameplate. */
  serialNumber: '0173-1#02-AAM556#002',
  /** ECLASS "product article number of manufacturer". */
  partNumber: '0173-1#02-AAO676#003',
  /** ECLASS "software version". */
  softwareVersion: '0173-1#02-AAM737#002',
  identification: 'urn:twinthread:aas:semantic:Identification:1:0',
  documentation: 'urn:twinthread:aas:semantic:Documentation:1:0',
  document: 'urn:twinthread:aas:semantic:Document:1:0',
  configurationAsOf: 'urn:twinthread:aas:semantic:ConfigurationAsOf:1:0',
  configurationKnownAt: 'urn:twinthread:aas:semantic:ConfigurationKnownAt:1:0',
} as const;

/** The asset id of a twin: tenant-independent (twin ids are ULIDs), stable across exports. */
export const twinAssetId = (twinId: string) => `urn:twinthread:twin:${twinId}`;
export const shellId = (twinId: string) => `${twinAssetId(twinId)}:aas`;
export const submodelId = (
  twinId: string,
  name: 'identification' | 'hierarchical-structures' | 'documentation',
) => `${twinAssetId(twinId)}:submodel:${name}`;

/** The metadata of a thread document that the export uses. */
export interface AasDocument {
  document: Pick<
    DocumentRecord,
    'id' | 'kind' | 'title' | 'contentType' | 'latestVersion' | 'availableVersion'
  >;
  via: 'link' | 'effectivity';
  /** The position it is linked to or applies at; absent: linked to the twin. */
  path?: string;
}

export interface AasExportInput {
  twin: Twin;
  documents: readonly AasDocument[];
  asOf: string;
  knownAt: string;
  /** Prefix of the document addresses, e.g. `https://api.example.com`; default: relative. */
  baseUrl?: string;
  /** Where a reader gets a document (e.g. a grantee's route); default `<baseUrl>/v1/documents/<id>?version=`. */
  documentUrl?: (documentId: string, version: number | undefined) => string;
}

// ---------------------------------------------------------------------------------------------
// idShorts and strings

/**
 * A position slug as an idShort, reversibly: slugs are lower case, so upper-case letters can mark
 * escapes. `-` → `_`, `.` → `_D`, `_` → `_U`, a leading digit gets a `P`. A 64-character slug
 * stays within the 128 characters of an idShort.
 */
export function slugIdShort(slug: string): string {
  let idShort = /^[0-9]/.test(slug) ? 'P' : '';
  for (const char of slug) {
    if (char === '-') idShort += '_';
    else if (char === '.') idShort += '_D';
    else if (char === '_') idShort += '_U';
    else idShort += char;
  }
  return idShort;
}

const ID_SHORT = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** 32-bit FNV-1a, hex: a short stable tag that keeps converted names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * An attribute key as an idShort: itself when it is one, else its letters and digits plus a hash
 * of the key (the key itself goes to `displayName`); valid keys first, a counter for what still clashes.
 */
export function attributeIdShorts(keys: readonly string[]): Map<string, string> {
  const valid = (key: string) => ID_SHORT.test(key) && key.length <= 128;
  const names = new Map<string, string>(keys.filter(valid).map((key) => [key, key]));
  const used = new Set(names.values());
  for (const key of keys.filter((key) => !valid(key))) {
    const cleaned = key.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 100);
    const name = `${/^[a-zA-Z]/.test(cleaned) ? '' : 'a_'}${cleaned}_${fnv1a(key)}`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`;
    used.add(unique);
    names.set(key, unique);
  }
  return names;
}

// Characters an AAS string may hold (AASd-130); anything else becomes U+FFFD.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlSafe = (text: string) => text.replace(NOT_XML, '\uFFFD');
const clip = (text: string, max: number) => {
  const safe = [...xmlSafe(text)];
  return safe.length <= max ? safe.join('') : `${safe.slice(0, max - 1).join('')}…`;
};

// ---------------------------------------------------------------------------------------------
// the AAS V3.0 JSON serialization, written directly: the AAS library is ~250 KB minified, so it
// only verifies in tests (test/unit/aas.test.ts), and no function bundle carries it

/** A JSON value of the AAS V3.0 serialization. */
export type AasJson = string | boolean | AasJson[] | { [key: string]: AasJson };
type AasObject = { [key: string]: AasJson };

/** Drops absent members: AAS lists must hold at least one item when present, strings one character. */
function object(members: Record<string, AasJson | undefined | null>): AasObject {
  const json: AasObject = {};
  for (const [key, value] of Object.entries(members)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    json[key] = value;
  }
  return json;
}

const names = (text: string | undefined) =>
  text === undefined || text.trim() === '' ? undefined : [{ language: 'en', text: clip(text, 128) }];

const globalReference = (value: string): AasObject => ({
  type: 'ExternalReference',
  keys: [{ type: 'GlobalReference', value }],
});

/** XSD data types the export writes. */
type Xsd = 'xs:string' | 'xs:integer' | 'xs:double' | 'xs:boolean' | 'xs:date' | 'xs:dateTime';

function property(idShort: string | undefined, valueType: Xsd, value: string | null, semanticId?: string) {
  return object({
    idShort,
    semanticId: semanticId === undefined ? undefined : globalReference(semanticId),
    valueType,
    value: value === null ? undefined : xmlSafe(value),
    modelType: 'Property',
  });
}

const text = (idShort: string, value: string, semanticId?: string) =>
  property(idShort, 'xs:string', value, semanticId);

const collection = (idShort: string | undefined, value: AasObject[], extra: Record<string, AasJson> = {}) =>
  object({ idShort, ...extra, value, modelType: 'SubmodelElementCollection' });

const DATE = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME =
  /^([1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
/** A calendar date that exists (no 30 February). */
const realDate = (date: string) => new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);

/** The XSD type of an attribute value: dates and times are typed, the text stays as written. */
export function xsdTypeOf(value: string | number | boolean): Xsd {
  if (typeof value === 'boolean') return 'xs:boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'xs:integer' : 'xs:double';
  if (DATE.test(value) && realDate(value)) return 'xs:date';
  const dateTime = DATE_TIME.exec(value);
  if (dateTime && realDate(dateTime[1]!)) return 'xs:dateTime';
  return 'xs:string';
}

type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);
const lexical = (value: string | number | boolean) => (typeof value === 'string' ? value : String(value));

/** One attribute: a Property (null: without a value), an array a SubmodelElementList of Properties. */
function attributeElement(idShort: string, key: string, value: unknown): AasObject {
  const displayName = idShort === key ? undefined : names(key);
  if (Array.isArray(value) && value.every(isScalar)) {
    const present = value.filter((item): item is string | number | boolean => item !== null);
    const types = new Set(present.map(xsdTypeOf));
    const valueType: Xsd = types.size === 1 ? [...types][0]! : 'xs:string';
    return object({
      idShort,
      displayName,
      orderRelevant: true,
      typeValueListElement: 'Property',
      valueTypeListElement: valueType,
      value: value.map((item) => property(undefined, valueType, item === null ? null : lexical(item))),
      modelType: 'SubmodelElementList',
    });
  }
  const element = isScalar(value)
    ? property(
        idShort,
        value === null ? 'xs:string' : xsdTypeOf(value),
        value === null ? null : lexical(value),
      )
    : property(idShort, 'xs:string', JSON.stringify(value));
  return displayName === undefined ? element : { idShort, displayName, ...element };
}

function attributesCollection(attributes: Record<string, unknown> | undefined): AasObject[] {
  const keys = Object.keys(attributes ?? {}).sort();
  if (!attributes || keys.length === 0) return [];
  const idShorts = attributeIdShorts(keys);
  return [
    collection(
      'Attributes',
      keys.map((key) => attributeElement(idShorts.get(key)!, key, attributes[key])),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// submodels

const submodel = (id: string, idShort: string, semanticId: string, elements: AasObject[]) =>
  object({
    id,
    idShort,
    kind: 'Instance',
    semanticId: globalReference(semanticId),
    submodelElements: elements,
    modelType: 'Submodel',
  });

const timeProperties = (asOf: string, knownAt: string) => [
  property('ConfigurationAsOf', 'xs:dateTime', asOf, AAS_SEMANTICS.configurationAsOf),
  property('ConfigurationKnownAt', 'xs:dateTime', knownAt, AAS_SEMANTICS.configurationKnownAt),
];

const optional = (idShort: string, value: string | undefined, semanticId?: string) =>
  value === undefined ? [] : [text(idShort, value, semanticId)];

function identificationSubmodel(input: AasExportInput) {
  const { twin } = input;
  return submodel(submodelId(twin.id, 'identification'), 'Identification', AAS_SEMANTICS.identification, [
    text('TwinId', twin.id),
    text('SerialNumber', twin.serialNumber, AAS_SEMANTICS.serialNumber),
    text('PartNumber', twin.product.partNumber, AAS_SEMANTICS.partNumber),
    ...optional('Revision', twin.product.revision),
    ...optional('ProductName', twin.product.name),
    ...optional('Oem', twin.oem),
    ...optional('Site', twin.site),
    text('Lifecycle', twin.lifecycle),
    ...optional('Type', twin.type),
    property('BuiltAt', 'xs:dateTime', twin.builtAt),
    property('TwinVersion', 'xs:integer', String(twin.version)),
    ...timeProperties(input.asOf, input.knownAt),
    ...attributesCollection(twin.attributes),
  ]);
}

/** A model reference to an entity of the hierarchical structures submodel. */
const entityReference = (structureId: string, idShorts: readonly string[]): AasObject => ({
  type: 'ModelReference',
  keys: [
    { type: 'Submodel', value: structureId },
    ...idShorts.map((idShort) => ({ type: 'Entity', value: idShort })),
  ],
});

const hasPart = (structureId: string, parent: readonly string[], child: string, index: number) => ({
  idShort: `HasPart${String(index + 1).padStart(2, '0')}`,
  semanticId: globalReference(AAS_SEMANTICS.hasPart),
  first: entityReference(structureId, parent),
  second: entityReference(structureId, [...parent, child]),
  modelType: 'RelationshipElement',
});

const componentStatements = (component: Component) => [
  text('PartNumber', component.partNumber, AAS_SEMANTICS.partNumber),
  ...optional('SerialNumber', component.serialNumber, AAS_SEMANTICS.serialNumber),
  ...optional('Revision', component.revision),
  text('Kind', component.kind),
  ...optional('SoftwareVersion', component.softwareVersion, AAS_SEMANTICS.softwareVersion),
  ...optional('TwinId', component.twinId),
  ...optional('Type', component.type),
  ...attributesCollection(component.attributes),
];

/**
 * A position as a Node entity: self-managed when it holds a component with an identity of its own
 * (a twin: its asset id; a serialized part: part and serial number as specific asset ids),
 * co-managed otherwise (an unserialized component, or an empty position). AASd-014 allows one
 * of global and specific asset ids on a self-managed entity, neither on a co-managed one.
 */
function nodeEntity(node: Node, structureId: string, parentPath: readonly string[]): AasObject {
  const { component } = node;
  const idShort = slugIdShort(node.position);
  const twinId = component?.twinId;
  const serialized = component?.serialNumber === undefined ? undefined : component;
  return object({
    idShort,
    displayName: names(node.name ?? node.position),
    semanticId: globalReference(AAS_SEMANTICS.node),
    statements: [
      text('Path', node.path),
      ...optional('Name', node.name),
      ...(component ? componentStatements(component) : []),
      ...children(node.children, structureId, [...parentPath, idShort]),
    ],
    entityType: twinId !== undefined || serialized ? 'SelfManagedEntity' : 'CoManagedEntity',
    globalAssetId: twinId === undefined ? undefined : twinAssetId(twinId),
    specificAssetIds:
      twinId === undefined && serialized
        ? assetIds(serialized.partNumber, serialized.serialNumber!)
        : undefined,
    modelType: 'Entity',
  });
}

const children = (nodes: readonly Node[], structureId: string, parent: readonly string[]): AasObject[] => [
  ...nodes.map((child) => nodeEntity(child, structureId, parent)),
  ...nodes.map((child, index) => hasPart(structureId, parent, slugIdShort(child.position), index)),
];

function structureSubmodel(input: AasExportInput) {
  const { twin } = input;
  const id = submodelId(twin.id, 'hierarchical-structures');
  const entryNode = object({
    idShort: 'EntryNode',
    displayName: names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`),
    semanticId: globalReference(AAS_SEMANTICS.entryNode),
    statements: children(twin.configuration, id, ['EntryNode']),
    entityType: 'SelfManagedEntity',
    globalAssetId: twinAssetId(twin.id),
    modelType: 'Entity',
  });
  return submodel(id, 'HierarchicalStructures', AAS_SEMANTICS.hierarchicalStructures, [
    text('ArcheType', 'Full', AAS_SEMANTICS.archeType),
    ...timeProperties(input.asOf, input.knownAt),
    entryNode,
  ]);
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9a-zA-Z]+";
const MIME = new RegExp(`^${TOKEN}/${TOKEN}([ \\t]*;[ \\t]*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

/** The media type as AAS takes it (RFC 2046, ≤ 100 characters): parameters go when they do not fit. */
const aasContentType = (contentType: string) =>
  MIME.test(contentType) && contentType.length <= 100 ? contentType : mediaTypeOf(contentType);

function documentCollection(entry: AasDocument, vias: ReadonlySet<string>, input: AasExportInput) {
  const { document } = entry;
  const version = document.availableVersion;
  const url =
    input.documentUrl?.(document.id, version) ??
    `${input.baseUrl ?? ''}/v1/documents/${encodeURIComponent(document.id)}${version === undefined ? '' : `?version=${version}`}`;
  return collection(
    `Document_${document.id.replace(/[^a-zA-Z0-9_]/g, '_')}`,
    [
      text('DocumentId', document.id),
      text('Title', document.title),
      text('Kind', document.kind),
      property('Version', 'xs:integer', String(version ?? document.latestVersion)),
      text('Via', [...vias].sort().join(' ')),
      { idShort: 'File', contentType: aasContentType(document.contentType), value: url, modelType: 'File' },
    ],
    object({ displayName: names(document.title), semanticId: globalReference(AAS_SEMANTICS.document) }),
  );
}

/** Paths of every position in the tree, to the idShorts of their entities. */
function entityPaths(nodes: readonly Node[], parent: readonly string[], into = new Map<string, string[]>()) {
  for (const node of nodes) {
    const idShorts = [...parent, slugIdShort(node.position)];
    into.set(node.path, idShorts);
    entityPaths(node.children, idShorts, into);
  }
  return into;
}

/** Documents grouped where they are linked: the twin, or each position (with a reference to its entity). */
function documentationSubmodel(input: AasExportInput) {
  const { twin } = input;
  const places = new Map<string, Map<string, { entry: AasDocument; vias: Set<string> }>>();
  for (const entry of input.documents) {
    const place = entry.path ?? '';
    const documents = places.get(place) ?? new Map();
    places.set(place, documents);
    const seen = documents.get(entry.document.id);
    if (seen) seen.vias.add(entry.via);
    else documents.set(entry.document.id, { entry, vias: new Set([entry.via]) });
  }
  const documentsAt = (place: string) =>
    [...(places.get(place)?.values() ?? [])]
      .sort((a, b) => (a.entry.document.id < b.entry.document.id ? -1 : 1))
      .map(({ entry, vias }) => documentCollection(entry, vias, input));
  const structureId = submodelId(twin.id, 'hierarchical-structures');
  const entities = entityPaths(twin.configuration, ['EntryNode']);
  const positions = [...places.keys()].filter((place) => place !== '').sort();
  const atPosition = (path: string) => {
    const entity = entities.get(path);
    const reference =
      entity === undefined
        ? []
        : [
            {
              idShort: 'Position',
              value: entityReference(structureId, entity),
              modelType: 'ReferenceElement',
            },
          ];
    return collection(undefined, [text('Path', path), ...reference, ...documentsAt(path)]);
  };
  return submodel(submodelId(twin.id, 'documentation'), 'Documentation', AAS_SEMANTICS.documentation, [
    ...(places.has('') ? [collection('Twin', documentsAt(''))] : []),
    ...(positions.length === 0
      ? []
      : [
          object({
            idShort: 'Positions',
            orderRelevant: false,
            typeValueListElement: 'SubmodelElementCollection',
            value: positions.map(atPosition),
            modelType: 'SubmodelElementList',
          }),
        ]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// the environment

const assetIds = (partNumber: string, serialNumber: string) => [
  {
    name: 'serialNumber',
    value: clip(serialNumber, 2000),
    semanticId: globalReference(AAS_SEMANTICS.serialNumber),
  },
  {
    name: 'partNumber',
    value: clip(partNumber, 2000),
    semanticId: globalReference(AAS_SEMANTICS.partNumber),
  },
];

/** The AAS V3.0 environment (JSON serialization) of a twin as it was at `asOf`, as recorded up to `knownAt`. */
export function aasEnvironment(input: AasExportInput): AasObject {
  const { twin } = input;
  const submodels = [identificationSubmodel(input), structureSubmodel(input), documentationSubmodel(input)];
  const shell = object({
    id: shellId(twin.id),
    idShort: `Twin_${twin.id.replace(/[^a-zA-Z0-9_]/g, '_')}`,
    displayName: names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`),
    assetInformation: object({
      assetKind: 'Instance',
      globalAssetId: twinAssetId(twin.id),
      specificAssetIds: assetIds(twin.product.partNumber, twin.serialNumber),
      assetType: clip(twin.product.partNumber, 2000),
    }),
    submodels: submodels.map((model) => ({
      type: 'ModelReference',
      keys: [{ type: 'Submodel', value: model.id as string }],
    })),
    modelType: 'AssetAdministrationShell',
  });
  return { assetAdministrationShells: [shell], submodels };
}
