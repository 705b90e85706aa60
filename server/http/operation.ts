import type { Operation } from '../core/request';
import { VaultError } from '../errors';
import { parseGoBool } from './parse-bool';

// HTTP method (+ `?list=`) → Vault operation (vault/http/logical.go
// buildLogicalRequestNoAuth). `list` is read with Go's ParseBool: an empty
// value is a plain read, a spelling Go refuses is a 400 with no message.
export function operationOf(method: string, query: URLSearchParams): Operation {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const list = query.get('list');
      if (list === null || list === '') return 'read';
      const asked = parseGoBool(list);
      if (asked === undefined) throw new VaultError('invalid_request', ''); // Vault: 400 {"errors":[]}
      return asked ? 'list' : 'read';
    }
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      throw new VaultError('method_not_allowed', ''); // Vault: 405 {"errors":[]}
  }
}
