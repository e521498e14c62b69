import type { AsBuiltNode, CreateTwinBody } from '../../shared/schemas/twin';

/** An A320 as built: engines with FADEC hardware and software, an HVAC controller, a cabin position left empty. */
export function aircraftRecord(
  serialNumber: string,
  overrides: Partial<CreateTwinBody> = {},
): CreateTwinBody {
  const engine = (side: number): AsBuiltNode => ({
    position: `engine-${side}`,
    name: `Engine ${side}`,
    component: { partNumber: 'CFM56-5B4', serialNumber: `${serialNumber}-ESN-${side}`, kind: 'mechanical' },
    children: [
      {
        position: 'fadec',
        name: 'FADEC',
        component: {
          partNumber: 'FADEC-3',
          serialNumber: `${serialNumber}-FDC-${side}`,
          kind: 'electrical',
          revision: 'C',
        },
        children: [
          {
            position: 'sw',
            component: { partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '5.2.1' },
          },
        ],
      },
    ],
  });
  return {
    serialNumber,
    product: { partNumber: 'A320-214', revision: 'B', name: 'Airbus A320' },
    site: 'TLS',
    attributes: { operator: 'Example Air', seats: 180 },
    builtAt: '2024-05-01T08:00:00Z',
    configuration: [
      engine(1),
      engine(2),
      {
        position: 'hvac',
        children: [
          {
            position: 'controller',
            component: {
              partNumber: 'HVAC-CTL-9',
              serialNumber: `${serialNumber}-HVC`,
              kind: 'electrical',
              attributes: { supplier: 'Acme Thermal' },
            },
          },
        ],
      },
      { position: 'cabin', name: 'Cabin', component: null },
    ],
    ...overrides,
  };
}

/** A flat twin of `count` positions, each holding a serialized component. */
export function wideRecord(serialNumber: string, count: number, withComponents = true): CreateTwinBody {
  return {
    serialNumber,
    product: { partNumber: 'ROBOT-CELL' },
    site: 'LINE-1',
    configuration: Array.from({ length: count }, (_, index) => ({
      position: `p-${index}`,
      ...(withComponents
        ? {
            component: {
              partNumber: 'SERVO',
              serialNumber: `${serialNumber}-S${index}`,
              kind: 'mechanical' as const,
            },
          }
        : {}),
    })),
  };
}

/** Counts the positions of a configuration tree. */
export function countNodes(nodes: { children: unknown[] }[]): number {
  return nodes.reduce((sum, node) => sum + 1 + countNodes(node.children as { children: unknown[] }[]), 0);
}
