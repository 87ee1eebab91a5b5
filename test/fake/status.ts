// Kubernetes `Status` bodies as the API server sends them.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Default reason for an HTTP status code, as `errors.NewGenericServerResponse` picks it. */
export const reasonForCode: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Default message for a generic server response, close to what client-go/apiserver print. */
const messageForCode: Readonly<Record<number, string>> = {
  429: 'Too many requests, please try again later.',
  500: 'Internal error occurred: fake server fault',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

/** A Status body with `status: Failure`. */
export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return status;
}

/** A Status for an arbitrary HTTP code with its default reason and message (used by faults). */
export function genericFailure(code: number, retryAfterSeconds?: number): Status {
  const reason = reasonForCode[code] ?? '';
  const message = messageForCode[code] ?? `fake server fault (HTTP ${code})`;
  const details: StatusDetails | undefined = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
  return failure(code, reason, message, details);
}

/** An error carrying the Status (and extra headers) the server answers with. */
export class StatusError extends Error {
  constructor(
    readonly status: Status,
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

/** `<resource>[.<group>]`, the qualified resource used in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function resourceDetails(resource: string, group: string, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name !== undefined) details.name = name;
  if (group !== '') details.group = group;
  details.kind = resource;
  return details;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    failure(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, resourceDetails(resource, group, name)),
  );
}

/** The 404 for a path the server does not serve at all. */
export function pathNotFound(): StatusError {
  return new StatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    failure(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, resourceDetails(resource, group, name)),
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

export function unauthorized(): StatusError {
  return new StatusError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** 422 Invalid: `<Kind> "<name>" is invalid: <field>: <message>, ...` with one cause per error. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const details: StatusDetails = { name };
  if (group !== '') details.group = group;
  details.kind = kind;
  details.causes = causes;
  return new StatusError(failure(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, details));
}

export function forbidden(opts: {
  user: string;
  verb: string;
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
}): StatusError {
  const subject = qualifiedResource(opts.resource, opts.group) + (opts.name !== undefined ? ` "${opts.name}"` : '');
  const scope = opts.namespace ? `in the namespace "${opts.namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${opts.user}" cannot ${opts.verb} resource "${opts.resource}" in API group "${opts.group}" ${scope}`;
  return new StatusError(failure(403, 'Forbidden', message, resourceDetails(opts.resource, opts.group, opts.name)));
}

export const EXPIRED_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  );
}

export function methodNotAllowed(method: string): StatusError {
  return new StatusError(
    failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {}),
  );
}
