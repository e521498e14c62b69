import { createFunctionHandler } from '../../shared/http/handler';
import { createBaseline, diffTwin, getBaseline, listBaselines } from './baseline-operations';
import { changeTwin, componentTrace, twinHistory } from './change-operations';
import { createTwin, getTwin, listTwins, patchTwin } from './twin-operations';
import { getType, listTypes, putType } from './type-operations';

/** Twins: create from an as-built record, list, read (at any time), edit, change, history, component trace. */
export const handler = createFunctionHandler('twins', {
  createTwin,
  listTwins,
  getTwin,
  patchTwin,
  changeTwin,
  twinHistory,
  componentTrace,
  createBaseline,
  listBaselines,
  getBaseline,
  diffTwin,
  putType,
  getType,
  listTypes,
});
