import { api } from '../api';
import { href } from '../router';
import type { Component, Twin } from '../types';
import { ErrorBanner, formatTime, KindBadge, Link, useAsync } from '../ui';
import { describeComponent } from './history';

interface Trace {
  component: Component;
  installations: { twinId: string; path: string; validFrom: string; validTo: string | null }[];
}

/** A serialized component through every unit and position it sat in. */
export function ComponentPage(props: { partNumber: string; serialNumber: string }) {
  const trace = useAsync(async () => {
    const found = await api<Trace>('GET', href('v1', 'components', props.partNumber, props.serialNumber));
    const ids = [...new Set(found.installations.map((item) => item.twinId))];
    const twins = await Promise.all(
      ids.map((id) => api<Twin>('GET', href('v1', 'twins', id)).catch(() => undefined)),
    );
    const serials = new Map(ids.map((id, index) => [id, twins[index]?.serialNumber ?? id]));
    return { ...found, serials };
  }, [props.partNumber, props.serialNumber]);
  const data = trace.data;
  return (
    <section>
      <h1>
        {props.partNumber} SN {props.serialNumber}
      </h1>
      <ErrorBanner error={trace.error} onRetry={trace.reload} />
      {data && (
        <>
          <p>
            <KindBadge kind={data.component.kind} /> {describeComponent(data.component)}
          </p>
          <h2>Where it has been</h2>
          <table class="list">
            <caption class="sr-only">Installations, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">Position</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {data.installations.map((item) => (
                <tr key={`${item.twinId}:${item.path}:${item.validFrom}`}>
                  <td>
                    <Link href={href('twins', item.twinId)}>{data.serials.get(item.twinId)}</Link>
                  </td>
                  <td>
                    <code>{item.path}</code>
                  </td>
                  <td>{formatTime(item.validFrom)}</td>
                  <td>{item.validTo ? formatTime(item.validTo) : 'installed now'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
