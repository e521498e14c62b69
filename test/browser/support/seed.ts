import type { ConsoleHarness } from './console';

/** An aircraft as-built record in the README's shape: nested positions, the three kinds, a software version. */
export const aircraft = (serialNumber: string, site = 'TLS', overrides: Record<string, unknown> = {}) => ({
  serialNumber,
  product: { partNumber: 'A320-214', revision: 'B', name: 'Airbus A320' },
  site,
  builtAt: '2024-05-01T08:00:00Z',
  attributes: { operator: 'Acme Air' },
  configuration: [
    {
      position: 'engine-1',
      name: 'Engine 1',
      component: { partNumber: 'CFM56-5B4', serialNumber: `ESN-${serialNumber}`, kind: 'mechanical' },
      children: [
        {
          position: 'fadec',
          component: {
            partNumber: 'FADEC-3',
            serialNumber: `FDC-${serialNumber}`,
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
    },
    {
      position: 'hvac',
      children: [
        {
          position: 'controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: `HVC-${serialNumber}`, kind: 'electrical' },
        },
      ],
    },
    { position: 'cabin', component: null },
  ],
  ...overrides,
});

export interface SeededTwin {
  id: string;
  serialNumber: string;
  version: number;
}

export async function createTwin(
  harness: ConsoleHarness,
  token: string,
  record: Record<string, unknown>,
): Promise<SeededTwin> {
  return harness.call<SeededTwin>(token, 'POST', '/v1/twins', record);
}

/** ATA chapters of the large aircraft: grouping positions (no component) named as the manuals name them. */
const CHAPTERS = [24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36];

/**
 * An aircraft of `positions` positions (300 and more): the README aircraft's engine, FADEC and
 * software and its HVAC group, a second engine, and ATA chapter groups filled with serialized parts.
 */
export function largeAircraft(serialNumber: string, positions: number, site = 'TLS') {
  const engine = (index: number) => ({
    position: `engine-${index}`,
    name: `Engine ${index}`,
    component: { partNumber: 'CFM56-5B4', serialNumber: `ESN-${index}-${serialNumber}`, kind: 'mechanical' },
    children: [
      {
        position: 'fadec',
        component: {
          partNumber: 'FADEC-3',
          serialNumber: `FDC-${index}-${serialNumber}`,
          kind: 'electrical',
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
  const hvac = {
    position: 'hvac',
    name: 'Air conditioning (ATA 21)',
    component: null,
    children: [
      {
        position: 'controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: `HVC-${serialNumber}`, kind: 'electrical' },
      },
      ...[1, 2].map((pack) => ({
        position: `pack-${pack}`,
        component: { partNumber: 'PACK-7', serialNumber: `PK-${pack}-${serialNumber}`, kind: 'mechanical' },
      })),
    ],
  };
  const fixed = [engine(1), engine(2), hvac, { position: 'cabin', component: null }];
  // two engines of 3 positions, the HVAC group of 4, the cabin
  let left = positions - 11;
  const quota = Math.ceil(left / CHAPTERS.length);
  const groups = [];
  for (const [index, chapter] of CHAPTERS.entries()) {
    if (left <= 0) break;
    let room = Math.min(left, quota) - 1; // the chapter itself
    left -= room + 1;
    const sections = [];
    for (let section = 1; room > 0; section += 1) {
      const items = Math.min(6, room - 1);
      room -= items + 1;
      sections.push({
        position: `section-${section}`,
        name: `ATA ${chapter}-${section}`,
        component: null,
        children: Array.from({ length: items }, (_, item) => ({
          position: `item-${item + 1}`,
          // the first chapter's first item is software of its own part number
          component:
            index === 0 && section === 1 && item === 0
              ? { partNumber: 'ECS-SW', kind: 'software', softwareVersion: '11.0.2' }
              : {
                  partNumber: `PN-${chapter}-${section}-${item + 1}`,
                  serialNumber: `S${chapter}-${section}-${item + 1}-${serialNumber}`,
                  kind: index % 3 === 0 ? 'electrical' : 'mechanical',
                },
        })),
      });
    }
    groups.push({ position: `ata-${chapter}`, name: `ATA ${chapter}`, component: null, children: sections });
  }
  return {
    serialNumber,
    product: { partNumber: 'A350-941', name: 'Airbus A350' },
    site,
    builtAt: '2024-05-01T08:00:00Z',
    attributes: { tailNumber: `F-${serialNumber.slice(-4)}`, operator: 'Acme Air' },
    configuration: [...fixed, ...groups],
  };
}

/** Every position of a configuration, depth first. */
export const countPositions = (nodes: readonly object[]): number =>
  nodes.reduce<number>((sum, node) => {
    const children = (node as { children?: readonly object[] }).children ?? [];
    return sum + 1 + countPositions(children);
  }, 0);

/**
 * Puts the technician behind a view without `field` and the viewer behind one with it (both role views), so a
 * test can compare what the console shows each.
 */
export async function roleViewsWithoutAndWith(
  harness: ConsoleHarness,
  token: string,
  field: 'usage' | 'conformance',
) {
  const hidden = await harness.call<{ id: string }>(token, 'POST', '/v1/views', { name: `no ${field}` });
  const shown = await harness.call<{ id: string }>(token, 'POST', '/v1/views', {
    name: `with ${field}`,
    [field]: true,
  });
  await harness.call(token, 'PUT', '/v1/role-views/technician', { viewId: hidden.id });
  await harness.call(token, 'PUT', '/v1/role-views/viewer', { viewId: shown.id });
}
