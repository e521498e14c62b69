import { useState } from 'preact/hooks';
import { api } from '../api';
import { BarChart } from '../chart';
import { href } from '../router';
import type { Component } from '../types';
import { ErrorBanner, Link } from '../ui';

interface Impact {
  total: number;
  affected: { twinId: string; serialNumber: string; path: string; component: Component }[];
  bySite: Record<string, number>;
  byProduct: Record<string, number>;
  nextCursor?: string;
}

/** OTA or bulletin impact: which units carry a part number in a software range or revision. */
export function ImpactPage() {
  const [partNumber, setPartNumber] = useState('');
  const [softwareVersion, setSoftwareVersion] = useState('');
  const [revision, setRevision] = useState('');
  const [impact, setImpact] = useState<Impact>();
  const [error, setError] = useState<unknown>();
  return (
    <section>
      <h1>Fleet impact</h1>
      <form
        class="row"
        aria-label="Impact query"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            setImpact(
              await api<Impact>('POST', '/v1/fleet/impact', {
                body: {
                  partNumber,
                  ...(softwareVersion ? { softwareVersion } : {}),
                  ...(revision ? { revision } : {}),
                },
                query: { limit: 100 },
              }),
            );
          } catch (caught) {
            setError(caught);
          }
        }}
      >
        <label>
          Part number
          <input required value={partNumber} onInput={(event) => setPartNumber(event.currentTarget.value)} />
        </label>
        <label>
          Software versions (semver range)
          <input
            value={softwareVersion}
            placeholder=">=5.0.0 <5.3.0"
            onInput={(event) => setSoftwareVersion(event.currentTarget.value)}
          />
        </label>
        <label>
          Revision
          <input value={revision} onInput={(event) => setRevision(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Find affected units
        </button>
      </form>
      <ErrorBanner error={error} />
      {impact && (
        <>
          <p role="status" data-testid="impact-total">
            {impact.total} affected installation(s)
          </p>
          <BarChart title="Affected units by site" counts={impact.bySite} testId="by-site" />
          <table class="list">
            <caption class="sr-only">Affected units</caption>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">Position</th>
                <th scope="col">Installed</th>
              </tr>
            </thead>
            <tbody>
              {impact.affected.map((item) => (
                <tr key={`${item.twinId}:${item.path}`}>
                  <td>
                    <Link href={href('twins', item.twinId)}>{item.serialNumber}</Link>
                  </td>
                  <td>
                    <code>{item.path}</code>
                  </td>
                  <td>
                    {item.component.partNumber}
                    {item.component.softwareVersion ? ` v${item.component.softwareVersion}` : ''}
                    {item.component.revision ? ` rev ${item.component.revision}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
