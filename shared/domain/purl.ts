import { PackageURL } from 'packageurl-js';

/**
 * Package URLs (purl) as twinthread keys software by them: the package's identity (type, namespace,
 * name) without version, qualifiers or subpath, in the purl library's canonical form.
 */
export function purlIdentity(purl: string): string | undefined {
  try {
    const parsed = PackageURL.fromString(purl);
    return new PackageURL(parsed.type, parsed.namespace, parsed.name).toString();
  } catch {
    return undefined;
  }
}

/** The version a purl names, if any. */
export function purlVersion(purl: string): string | undefined {
  try {
    return PackageURL.fromString(purl).version ?? undefined;
  } catch {
    return undefined;
  }
}
