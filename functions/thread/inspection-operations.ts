import type { Operation } from '../../shared/http/handler';

export const inspectionOperations: Record<string, Operation> = {};
