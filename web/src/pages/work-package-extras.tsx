import type { LlpItem } from './llp-sheet';
import { governingLimit, LifeStatusBadge, lifeFigure, quantity } from './usage-life';

type PartLife = Omit<LlpItem, 'twinId'>;

/**
 * Life remaining of the life-limited parts in the package's scope; absent from the answer (a view
 * without usage): no section at all.
 */
export function LifeRemaining(props: { lives: PartLife[] | undefined }) {
  if (props.lives === undefined) return null;
  return (
    <>
      <h2>Life remaining</h2>
      {props.lives.length === 0 ? (
        <p>No life-limited part in this scope.</p>
      ) : (
        <table class="list" data-testid="life-remaining">
          <caption class="sr-only">Life-limited parts in this subtree, by their governing limit</caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Part number</th>
              <th scope="col">Serial</th>
              <th scope="col">Status</th>
              <th scope="col">Remaining</th>
            </tr>
          </thead>
          <tbody>
            {props.lives.map((life) => {
              const limit = governingLimit(life);
              return (
                <tr key={life.path}>
                  <td>
                    <code>{life.path}</code>
                  </td>
                  <td>{life.partNumber}</td>
                  <td>{life.serialNumber}</td>
                  <td>
                    <LifeStatusBadge status={life.status} />
                  </td>
                  <td>
                    {limit
                      ? `${lifeFigure(limit.remaining, limit.status, 'at most')} ${limit.parameter} of ${quantity(limit.limit)}`
                      : 'no limit in force'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

interface Allowed {
  partNumber: string;
  revisions?: string[];
  softwareVersions?: string;
  preferred?: boolean;
}

/** What the configuration model allows at each position in scope, preferred first; absent: no section. */
export function AllowedAlternatives(props: {
  alternatives: { path: string; modelVersion: number; allowed: Allowed[] }[] | undefined;
}) {
  if (props.alternatives === undefined || props.alternatives.length === 0) return null;
  return (
    <>
      <h2>Allowed parts</h2>
      <ul data-testid="allowed-alternatives">
        {props.alternatives.map((entry) => (
          <li key={entry.path}>
            <code>{entry.path}</code>:{' '}
            {entry.allowed.length === 0
              ? 'nothing may be fitted here'
              : entry.allowed
                  .map(
                    (part) =>
                      `${part.partNumber}${part.revisions ? ` rev ${part.revisions.join('/')}` : ''}${part.softwareVersions ? ` software ${part.softwareVersions}` : ''}${part.preferred ? ' (preferred)' : ''}`,
                  )
                  .join(', ')}{' '}
            <span class="muted">model version {entry.modelVersion}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
