import type { Operation } from '../../shared/http/handler';

export const linkOperations: Record<string, Operation> = {};
