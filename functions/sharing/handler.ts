import { createFunctionHandler } from '../../shared/http/handler';
import { grantOperations } from './grant-operations';
import { installedBaseOperations } from './installed-base-operations';
import { listingOperations } from './listing-operations';
import { sharedSearchOperations } from './search-operations';
import { sharedExportOperations } from './shared-export-operations';
import { sharedReadOperations } from './shared-read-operations';
import { sharedUsageOperations } from './shared-usage-operations';
import { sharedWriteOperations } from './shared-write-operations';
import { viewOperations } from './view-operations';

/** Sharing: views and grants (owner admins), and what grantees read and write through them. */
export const handler = createFunctionHandler('sharing', {
  ...viewOperations,
  ...grantOperations,
  ...sharedReadOperations,
  ...sharedUsageOperations,
  ...sharedExportOperations,
  ...sharedWriteOperations,
  ...listingOperations,
  ...sharedSearchOperations,
  ...installedBaseOperations,
});
