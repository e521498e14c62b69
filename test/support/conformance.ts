/** A configuration model of the fixture aircraft (test/support/fixtures.ts aircraftRecord): every position allowed as built. */
export const aircraftModel = (overrides: Record<string, unknown> = {}) => ({
  description: 'A320-214 allowed configuration',
  positions: [1, 2]
    .flatMap((side) => [
      { path: `engine-${side}`, mandatory: true, allowed: [{ partNumber: 'CFM56-5B4' }] },
      {
        path: `engine-${side}/fadec`,
        mandatory: true,
        allowed: [
          { partNumber: 'FADEC-3', revisions: ['C', 'D'], preferred: true },
          { partNumber: 'FADEC-4' },
        ],
        interchange: [{ from: 'FADEC-3', to: 'FADEC-4', kind: 'one-way' }],
      },
      { path: `engine-${side}/fadec/sw`, allowed: [{ partNumber: 'FADEC-SW', softwareVersions: '>=4.0.0' }] },
    ])
    .concat([
      { path: 'hvac', allowed: [] },
      { path: 'hvac/controller', allowed: [{ partNumber: 'HVAC-CTL-9' }, { partNumber: 'HVAC-CTL-10' }] },
      { path: 'cabin', allowed: [] },
    ] as never[]),
  rules: [
    {
      id: 'fadec3-needs-sw5',
      when: { path: 'engine-1/fadec', partNumber: 'FADEC-3' },
      requires: { path: 'engine-1/fadec/sw', partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0' },
      level: 'red',
    },
  ],
  ...overrides,
});
