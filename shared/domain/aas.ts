import { type JsonObject, toJsonable } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import {
  AasSubmodelElements,
  AssetAdministrationShell,
  AssetInformation,
  AssetKind,
  DataTypeDefXsd,
  Entity,
  EntityType,
  Environment,
  File,
  type ISubmodelElement,
  Key,
  KeyTypes,
  LangStringNameType,
  Property,
  Reference,
  ReferenceElement,
  ReferenceTypes,
  RelationshipElement,
  SpecificAssetId,
  Submodel,
  SubmodelElementCollection,
  SubmodelElementList,
} from '@aas-core-works/aas-core3.0-typescript/types';
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
  const safe = xmlSafe(text);
  return [...safe].length <= max ? safe : `${[...safe].slice(0, max - 1).join('')}…`;
};

const names = (text: string | undefined) =>
  text === undefined || text.trim() === '' ? null : [new LangStringNameType('en', clip(text, 128))];

// ---------------------------------------------------------------------------------------------
// elements

const globalReference = (value: string) =>
  new Reference(ReferenceTypes.ExternalReference, [new Key(KeyTypes.GlobalReference, value)]);

function property(
  idShort: string,
  valueType: DataTypeDefXsd,
  value: string | null,
  semanticId?: string,
): Property {
  const element = new Property(valueType);
  element.idShort = idShort;
  element.value = value === null ? null : xmlSafe(value);
  if (semanticId !== undefined) element.semanticId = globalReference(semanticId);
  return element;
}

const text = (idShort: string, value: string, semanticId?: string) =>
  property(idShort, DataTypeDefXsd.String, value, semanticId);

function collection(idShort: string, value: ISubmodelElement[], displayName?: string) {
  const element = new SubmodelElementCollection();
  element.idShort = idShort;
  element.displayName = names(displayName);
  element.value = value.length > 0 ? value : null;
  return element;
}

const DATE = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME =
  /^([1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
/** A calendar date that exists (no 30 February). */
const realDate = (date: string) => new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);

/** The XSD type of an attribute value: dates and times are typed, the text stays as written. */
export function xsdTypeOf(value: string | number | boolean): DataTypeDefXsd {
  if (typeof value === 'boolean') return DataTypeDefXsd.Boolean;
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? DataTypeDefXsd.Integer : DataTypeDefXsd.Double;
  if (DATE.test(value) && realDate(value)) return DataTypeDefXsd.Date;
  const dateTime = DATE_TIME.exec(value);
  if (dateTime && realDate(dateTime[1]!)) return DataTypeDefXsd.DateTime;
  return DataTypeDefXsd.String;
}

type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);
const lexical = (value: string | number | boolean) => (typeof value === 'string' ? value : String(value));

/** One attribute: a Property (null: without a value), an array a SubmodelElementList of Properties. */
function attributeElement(idShort: string, key: string, value: unknown): ISubmodelElement {
  let element: ISubmodelElement;
  if (Array.isArray(value) && value.every(isScalar)) {
    const present = value.filter((item): item is string | number | boolean => item !== null);
    const types = new Set(present.map(xsdTypeOf));
    const valueType = types.size === 1 ? [...types][0]! : DataTypeDefXsd.String;
    const list = new SubmodelElementList(AasSubmodelElements.Property);
    list.valueTypeListElement = valueType;
    list.orderRelevant = true;
    list.value =
      value.length === 0
        ? null
        : value.map((item) => {
            const entry = new Property(valueType);
            entry.value = item === null ? null : xmlSafe(lexical(item));
            return entry;
          });
    element = list;
  } else if (isScalar(value)) {
    element =
      value === null
        ? new Property(DataTypeDefXsd.String)
        : property(idShort, xsdTypeOf(value), lexical(value));
  } else {
    element = property(idShort, DataTypeDefXsd.String, JSON.stringify(value));
  }
  element.idShort = idShort;
  if (idShort !== key) element.displayName = names(key);
  return element;
}

function attributesCollection(attributes: Record<string, unknown> | undefined): ISubmodelElement[] {
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

function submodel(id: string, idShort: string, semanticId: string, elements: ISubmodelElement[]): Submodel {
  const model = new Submodel(id);
  model.idShort = idShort;
  model.semanticId = globalReference(semanticId);
  model.submodelElements = elements.length > 0 ? elements : null;
  return model;
}

const timeProperties = (asOf: string, knownAt: string) => [
  property('ConfigurationAsOf', DataTypeDefXsd.DateTime, asOf, AAS_SEMANTICS.configurationAsOf),
  property('ConfigurationKnownAt', DataTypeDefXsd.DateTime, knownAt, AAS_SEMANTICS.configurationKnownAt),
];

const optional = (idShort: string, value: string | undefined, semanticId?: string) =>
  value === undefined ? [] : [text(idShort, value, semanticId)];

function identificationSubmodel(input: AasExportInput): Submodel {
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
    property('BuiltAt', DataTypeDefXsd.DateTime, twin.builtAt),
    property('TwinVersion', DataTypeDefXsd.Integer, String(twin.version)),
    ...timeProperties(input.asOf, input.knownAt),
    ...attributesCollection(twin.attributes),
  ]);
}

/** A model reference to an entity of the hierarchical structures submodel. */
const entityReference = (structureId: string, idShorts: readonly string[]) =>
  new Reference(ReferenceTypes.ModelReference, [
    new Key(KeyTypes.Submodel, structureId),
    ...idShorts.map((idShort) => new Key(KeyTypes.Entity, idShort)),
  ]);

function hasPart(structureId: string, parent: readonly string[], child: string, index: number) {
  const relation = new RelationshipElement(
    entityReference(structureId, parent),
    entityReference(structureId, [...parent, child]),
  );
  relation.idShort = `HasPart${String(index + 1).padStart(2, '0')}`;
  relation.semanticId = globalReference(AAS_SEMANTICS.hasPart);
  return relation;
}

function componentStatements(component: Component): ISubmodelElement[] {
  return [
    text('PartNumber', component.partNumber, AAS_SEMANTICS.partNumber),
    ...optional('SerialNumber', component.serialNumber, AAS_SEMANTICS.serialNumber),
    ...optional('Revision', component.revision),
    text('Kind', component.kind),
    ...optional('SoftwareVersion', component.softwareVersion, AAS_SEMANTICS.softwareVersion),
    ...optional('TwinId', component.twinId),
    ...optional('Type', component.type),
    ...attributesCollection(component.attributes),
  ];
}

/**
 * A position as a Node entity: self-managed when it holds a component with an identity of its own
 * (a twin: its asset id; a serialized part: part and serial number as specific asset ids),
 * co-managed otherwise (an unserialized component, or an empty position).
 */
function nodeEntity(node: Node, structureId: string, parentPath: readonly string[]): Entity {
  const { component } = node;
  const selfManaged =
    component !== null && (component.twinId !== undefined || component.serialNumber !== undefined);
  const entity = new Entity(selfManaged ? EntityType.SelfManagedEntity : EntityType.CoManagedEntity);
  const idShort = slugIdShort(node.position);
  const path = [...parentPath, idShort];
  entity.idShort = idShort;
  entity.displayName = names(node.name ?? node.position);
  entity.semanticId = globalReference(AAS_SEMANTICS.node);
  if (component?.twinId !== undefined) entity.globalAssetId = twinAssetId(component.twinId);
  else if (component?.serialNumber !== undefined)
    entity.specificAssetIds = assetIds(component.partNumber, component.serialNumber);
  entity.statements = [
    text('Path', node.path),
    ...optional('Name', node.name),
    ...(component ? componentStatements(component) : []),
    ...children(node.children, structureId, path),
  ];
  return entity;
}

const children = (
  nodes: readonly Node[],
  structureId: string,
  parent: readonly string[],
): ISubmodelElement[] => [
  ...nodes.map((child) => nodeEntity(child, structureId, parent)),
  ...nodes.map((child, index) => hasPart(structureId, parent, slugIdShort(child.position), index)),
];

function structureSubmodel(input: AasExportInput): Submodel {
  const { twin } = input;
  const id = submodelId(twin.id, 'hierarchical-structures');
  const entryNode = new Entity(EntityType.SelfManagedEntity);
  entryNode.idShort = 'EntryNode';
  entryNode.displayName = names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`);
  entryNode.semanticId = globalReference(AAS_SEMANTICS.entryNode);
  entryNode.globalAssetId = twinAssetId(twin.id);
  const statements = children(twin.configuration, id, ['EntryNode']);
  entryNode.statements = statements.length > 0 ? statements : null;
  return submodel(id, 'HierarchicalStructures', AAS_SEMANTICS.hierarchicalStructures, [
    text('ArcheType', 'Full', AAS_SEMANTICS.archeType),
    ...timeProperties(input.asOf, input.knownAt),
    entryNode,
  ]);
}

/** The media type as AAS takes it (RFC 2046, ≤ 100 characters): parameters go when they do not fit. */
function aasContentType(contentType: string): string {
  const mime =
    /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+\/[!#$%&'*+\-.^_`|~0-9a-zA-Z]+([ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9a-zA-Z]+=([!#$%&'*+\-.^_`|~0-9a-zA-Z]+|"[^"\\]*"))*$/;
  return mime.test(contentType) && contentType.length <= 100 ? contentType : mediaTypeOf(contentType);
}

function documentCollection(entry: AasDocument, vias: ReadonlySet<string>, input: AasExportInput) {
  const { document } = entry;
  const version = document.availableVersion;
  const url =
    input.documentUrl?.(document.id, version) ??
    `${input.baseUrl ?? ''}/v1/documents/${encodeURIComponent(document.id)}${version === undefined ? '' : `?version=${version}`}`;
  const file = new File(aasContentType(document.contentType));
  file.idShort = 'File';
  file.value = url;
  const element = collection(
    `Document_${document.id.replace(/[^a-zA-Z0-9_]/g, '_')}`,
    [
      text('DocumentId', document.id),
      text('Title', document.title),
      text('Kind', document.kind),
      property('Version', DataTypeDefXsd.Integer, String(version ?? document.latestVersion)),
      text('Via', [...vias].sort().join(' ')),
      file,
    ],
    document.title,
  );
  element.semanticId = globalReference(AAS_SEMANTICS.document);
  return element;
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
function documentationSubmodel(input: AasExportInput): Submodel {
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
  const elements: ISubmodelElement[] = [];
  if (places.has('')) elements.push(collection('Twin', documentsAt('')));
  if (positions.length > 0) {
    const list = new SubmodelElementList(AasSubmodelElements.SubmodelElementCollection);
    list.idShort = 'Positions';
    list.orderRelevant = false;
    list.value = positions.map((path) => {
      const entity = entities.get(path);
      const placed = new SubmodelElementCollection();
      const reference = entity === undefined ? [] : [new ReferenceElement()];
      if (entity !== undefined) {
        reference[0]!.idShort = 'Position';
        reference[0]!.value = entityReference(structureId, entity);
      }
      placed.value = [text('Path', path), ...reference, ...documentsAt(path)];
      return placed;
    });
    elements.push(list);
  }
  return submodel(
    submodelId(twin.id, 'documentation'),
    'Documentation',
    AAS_SEMANTICS.documentation,
    elements,
  );
}

// ---------------------------------------------------------------------------------------------
// the environment

function assetIds(partNumber: string, serialNumber: string): SpecificAssetId[] {
  const serial = new SpecificAssetId('serialNumber', clip(serialNumber, 2000));
  serial.semanticId = globalReference(AAS_SEMANTICS.serialNumber);
  const part = new SpecificAssetId('partNumber', clip(partNumber, 2000));
  part.semanticId = globalReference(AAS_SEMANTICS.partNumber);
  return [serial, part];
}

const submodelReference = (model: Submodel) =>
  new Reference(ReferenceTypes.ModelReference, [new Key(KeyTypes.Submodel, model.id)]);

/** The AAS V3.0 environment of a twin as it was at `asOf`, as recorded up to `knownAt`, as JSON. */
export function aasEnvironment(input: AasExportInput): JsonObject {
  const { twin } = input;
  const submodels = [identificationSubmodel(input), structureSubmodel(input), documentationSubmodel(input)];
  const asset = new AssetInformation(AssetKind.Instance);
  asset.globalAssetId = twinAssetId(twin.id);
  asset.specificAssetIds = assetIds(twin.product.partNumber, twin.serialNumber);
  asset.assetType = clip(twin.product.partNumber, 2000);
  const shell = new AssetAdministrationShell(shellId(twin.id), asset);
  shell.idShort = `Twin_${twin.id.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  shell.displayName = names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`);
  shell.submodels = submodels.map(submodelReference);
  return toJsonable(new Environment([shell], submodels));
}
