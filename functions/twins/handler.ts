import { createFunctionHandler } from '../../shared/http/handler';
import { createTwin, getTwin, listTwins, patchTwin } from './operations';

/** Twins: create from an as-built record, list, read, edit. */
export const handler = createFunctionHandler('twins', { createTwin, listTwins, getTwin, patchTwin });
