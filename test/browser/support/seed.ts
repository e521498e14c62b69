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
