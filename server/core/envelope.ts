import type { Request, Response } from './request';

// Vault's JSON response envelope (vault/http/logical.go LogicalResponse).
export function envelope(req: Request, res: Response): Record<string, unknown> {
  return {
    request_id: req.id,
    lease_id: '',
    renewable: res.renewable ?? false,
    lease_duration: res.leaseDuration ?? 0,
    data: res.data ?? null,
    wrap_info: res.wrapInfo ?? null,
    warnings: res.warnings?.length ? res.warnings : null,
    auth: res.auth ?? null,
    mount_type: '',
  };
}
