import { api } from '../api';
import { href } from '../router';
import { TimeTravelControls, useTimeTravel } from '../time-travel';
import type { Component } from '../types';
import { ErrorBanner, formatTime, KindBadge, Link, useAsync } from '../ui';
import { describeComponent } from './history';
import { ComponentUsageLife, useTwinSerials } from './usage-life';

interface Trace {
  component: Component;
  installations: { twinId: string; path: string; validFrom: string; validTo: string | null }[];
}

/** A serialized component through every unit and position it sat in, with its usage and life at a time. */
export function ComponentPage(props: { partNumber: string; serialNumber: string }) {
  const trace = useAsync(
    () => api<Trace>('GET', href('v1', 'components', props.partNumber, props.serialNumber)),
    [props.partNumber, props.serialNumber],
  );
  // a link from a twin replaying a past time carries it (?asOf=&knownAt=)
  const travel = useTimeTravel(Object.fromEntries(new URLSearchParams(location.search)));
  const data = trace.data;
  const serials = useTwinSerials(data?.installations.map((item) => item.twinId) ?? []);
  return (
    <section>
      <h1>
        {props.partNumber} SN {props.serialNumber}
      </h1>
      <ErrorBanner error={trace.error} onRetry={trace.reload} />
      {data && serials && (
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
                    <Link href={href('twins', item.twinId)}>{serials.get(item.twinId) ?? item.twinId}</Link>
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
          <TimeTravelControls travel={travel} legend="Usage and life at a time" subject="Usage and life" />
          <ComponentUsageLife
            partNumber={props.partNumber}
            serialNumber={props.serialNumber}
            time={travel.time}
          />
        </>
      )}
    </section>
  );
}
