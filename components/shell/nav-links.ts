// The top navigation, in Vault's order. Hrefs are basePath-relative (/ui is
// added by next/link).
export interface NavLink {
  label: string;
  href: string;
}

export const NAV_LINKS: readonly NavLink[] = [
  { label: 'Secrets', href: '/vault/secrets' },
  { label: 'Access', href: '/vault/access' },
  { label: 'Policies', href: '/vault/policies' },
  { label: 'Tools', href: '/vault/tools' },
];

export function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}
