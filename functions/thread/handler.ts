import { createFunctionHandler } from '../../shared/http/handler';
import { documentCompliance } from './compliance-operations';
import { documentOperations } from './document-operations';
import { inspectionOperations } from './inspection-operations';
import { linkOperations } from './link-operations';

/** The digital thread: documents, links, the thread of a twin, inspections, work packages. */
export const handler = createFunctionHandler('thread', {
  ...documentOperations,
  ...inspectionOperations,
  ...linkOperations,
  documentCompliance,
});
