import { useState } from 'preact/hooks';
import type { TimePoint } from './twin-context';
import { formatTime, fromLocalInput, TimeInput } from './ui';

/** The typed fields of a time control: as of (valid time) and, when switched on, known at (record time). */
export interface TimeTravel {
  time: TimePoint;
  asOf: string;
  setAsOf: (value: string) => void;
  knownAtOn: boolean;
  setKnownAtOn: (on: boolean) => void;
  knownAt: string;
  setKnownAt: (value: string) => void;
}

/** A time control's state; starts at `initial` (e.g. the times a link carried), else now. */
export function useTimeTravel(initial: TimePoint = {}): TimeTravel {
  const typed = (iso: string | undefined) => (iso ? formatTime(iso).replace(' UTC', '') : '');
  const [asOf, setAsOf] = useState(() => typed(initial.asOf));
  const [knownAtOn, setKnownAtOn] = useState(Boolean(initial.knownAt));
  const [knownAt, setKnownAt] = useState(() => typed(initial.knownAt));
  const time: TimePoint = {
    ...(fromLocalInput(asOf) ? { asOf: fromLocalInput(asOf) } : {}),
    ...(knownAtOn && fromLocalInput(knownAt) ? { knownAt: fromLocalInput(knownAt) } : {}),
  };
  return { time, asOf, setAsOf, knownAtOn, setKnownAtOn, knownAt, setKnownAt };
}

/** The one time control of a page: every panel below it reads at this time. */
export function TimeTravelControls(props: { travel: TimeTravel; legend: string; subject: string }) {
  const { travel } = props;
  const { time } = travel;
  return (
    <fieldset class="time-controls no-print">
      <legend>{props.legend}</legend>
      <TimeInput label="As of (UTC)" value={travel.asOf} onValue={travel.setAsOf} />
      <label class="inline">
        <input
          type="checkbox"
          role="switch"
          aria-checked={travel.knownAtOn}
          checked={travel.knownAtOn}
          onChange={(event) => travel.setKnownAtOn(event.currentTarget.checked)}
        />
        As the system knew it at…
      </label>
      {travel.knownAtOn && (
        <TimeInput label="Known at (UTC)" value={travel.knownAt} onValue={travel.setKnownAt} />
      )}
      <button
        type="button"
        onClick={() => {
          travel.setAsOf('');
          travel.setKnownAt('');
          travel.setKnownAtOn(false);
        }}
      >
        Now
      </button>
      <p role="status" class="time-status" data-testid="time-status">
        {time.asOf ? `${props.subject} as of ${formatTime(time.asOf)}` : `${props.subject} now`}
        {time.knownAt ? `, as known at ${formatTime(time.knownAt)}` : ''}
      </p>
    </fieldset>
  );
}
