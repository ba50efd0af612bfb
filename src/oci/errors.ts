/**
 * errors: the error classes of the OCI chart source. Each carries the data a caller needs to decide
 * (status, digests, limits) and the underlying `cause`; messages start with the step and name the
 * object (`pulling chart oci://host/repo/chart:1.2.3: manifest sha256:…: …`). Credentials never
 * appear in a message: URLs are printed without userinfo or query strings.
 */

/** OciError is the base class; `transient` tells callers whether a retry later may succeed. */
export class OciError extends Error {
  readonly transient: boolean;
  constructor(message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciError';
    this.transient = options?.transient ?? false;
  }
}

/** InvalidReferenceError: a reference string that is not `oci://HOST/REPO[:TAG][@DIGEST]`. */
export class InvalidReferenceError extends OciError {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`parsing reference ${JSON.stringify(reference)}: ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

/** RegistryHttpError: the registry answered with an unexpected status. `codes` are the OCI error codes of the body. */
export class RegistryHttpError extends OciError {
  constructor(
    message: string,
    readonly status: number,
    readonly method: string,
    readonly url: string,
    readonly codes: string[],
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause, transient: status === 429 || status >= 500 });
    this.name = 'RegistryHttpError';
  }
}

/** AuthenticationError: 401/403 from the registry or the token server; never retried. */
export class AuthenticationError extends RegistryHttpError {
  constructor(
    message: string,
    status: number,
    method: string,
    url: string,
    codes: string[],
    options?: { cause?: unknown },
  ) {
    super(message, status, method, url, codes, options);
    this.name = 'AuthenticationError';
  }
}

/** NotFoundError: the repository, tag, manifest or blob does not exist (404). */
export class NotFoundError extends RegistryHttpError {
  constructor(message: string, method: string, url: string, codes: string[]) {
    super(message, 404, method, url, codes);
    this.name = 'NotFoundError';
  }
}

/** NetworkError: the request never got an answer (refused, reset, TLS failure, timeout). */
export class NetworkError extends OciError {
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause, transient: true });
    this.name = 'NetworkError';
  }
}

/** DigestMismatchError: content whose sha256 (or size) is not what its descriptor promised. */
export class DigestMismatchError extends OciError {
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
    readonly expectedSize?: number,
    readonly actualSize?: number,
  ) {
    super(message);
    this.name = 'DigestMismatchError';
  }
}

/** SizeLimitError: a manifest or blob larger than the configured cap. */
export class SizeLimitError extends OciError {
  constructor(
    message: string,
    readonly limit: number,
    readonly size: number,
  ) {
    super(message);
    this.name = 'SizeLimitError';
  }
}

/** NotAChartError: the artifact exists but is not a Helm chart (or not the requested artifact type). */
export class NotAChartError extends OciError {
  constructor(
    message: string,
    readonly mediaType: string,
  ) {
    super(message);
    this.name = 'NotAChartError';
  }
}

/** NoMatchingVersionError: no tag satisfies the requested semver range. */
export class NoMatchingVersionError extends OciError {
  constructor(
    message: string,
    readonly range: string,
    readonly tags: string[],
  ) {
    super(message);
    this.name = 'NoMatchingVersionError';
  }
}

/** prefixError re-throws `err` with `prefix: ` in front of its message, keeping its class and data. */
export function prefixError(err: unknown, prefix: string): never {
  if (err instanceof Error) {
    err.message = `${prefix}: ${err.message}`;
    throw err;
  }
  throw new OciError(`${prefix}: ${String(err)}`, { cause: err });
}
