import templates from './standards/aas-templates.json' with { type: 'json' };

/** One required element of an IDTA template, as copied into standards/aas-templates.json. */
interface RequiredElement {
  idShort?: string;
  idShortFixed?: boolean;
  semanticId: string;
  modelType: string;
  cardinality: 'One' | 'OneToMany';
  required?: RequiredElement[];
}

// biome-ignore lint/suspicious/noExplicitAny: AAS JSON is walked freely here
type Json = Record<string, any>;

export type TemplateName = keyof typeof templates.templates;

const semanticOf = (element: Json): string | undefined => element.semanticId?.keys?.[0]?.value;
const childrenOf = (element: Json): Json[] =>
  element.modelType === 'Entity'
    ? (element.statements ?? [])
    : Array.isArray(element.value)
      ? element.value
      : [];

function missingIn(children: readonly Json[], required: readonly RequiredElement[], at: string): string[] {
  return required.flatMap((spec) => {
    const name = `${at}/${spec.idShort ?? '[]'}`;
    const matches = children.filter(
      (child) =>
        semanticOf(child) === spec.semanticId &&
        child.modelType === spec.modelType &&
        (spec.idShortFixed !== true || child.idShort === spec.idShort),
    );
    if (matches.length === 0) return [`${name} (${spec.semanticId})`];
    if (spec.cardinality === 'One' && matches.length > 1) return [`${name}: more than one`];
    return matches.flatMap((match) => missingIn(childrenOf(match), spec.required ?? [], name));
  });
}

/**
 * The required elements of an IDTA template (from the template's own cardinalities) that a submodel
 * of the environment lacks; the submodel itself is found by the template's semantic id.
 */
export function missingTemplateElements(environment: Json, name: TemplateName): string[] {
  const template = templates.templates[name];
  const submodel = (environment.submodels ?? []).find(
    (model: Json) => semanticOf(model) === template.semanticId,
  );
  if (!submodel) return [`${template.idShort} (${template.semanticId}): no such submodel`];
  return missingIn(submodel.submodelElements ?? [], template.required as RequiredElement[], template.idShort);
}
