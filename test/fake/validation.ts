// What a core/v1 API server checks on an Event create.

import type { StatusCause } from './status.js';
import { badRequest } from './status.js';

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function decodeError(kind: string, version: string, detail: string): never {
  throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${detail}`);
}

/** metav1.Time: RFC 3339 (fractions accepted), stored and served at whole seconds. */
export function normalizeTime(value: unknown, kind: string, version: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    decodeError(
      kind,
      version,
      `parsing time ${JSON.stringify(String(value))} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(String(value))} as "2006"`,
    );
  }
  return new Date(Date.parse(value)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: exactly six fractional digits, or the real server's 400. */
export function checkMicroTime(value: unknown, kind: string, version: string): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && RFC3339_MICRO.test(value)) return;
  const text = String(value);
  const rest = text.replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, '');
  decodeError(
    kind,
    version,
    `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(rest)} as ".000000"`,
  );
}

/** Decode-time normalisation of an Event body (timestamps). Throws 400 like the decoder. */
export function decodeEvent(event: any): void {
  event.firstTimestamp = normalizeTime(event.firstTimestamp, 'Event', 'v1');
  event.lastTimestamp = normalizeTime(event.lastTimestamp, 'Event', 'v1');
  checkMicroTime(event.eventTime, 'Event', 'v1');
  checkMicroTime(event.series?.lastObservedTime, 'Event', 'v1');
}

function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}
function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}
function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field };
}

/** Object-meta checks shared by every create: name present and a valid path segment. */
export function validateObjectMeta(obj: any): StatusCause[] {
  const name = obj.metadata?.name;
  if (!name) {
    if (obj.metadata?.generateName) return [];
    return [required('metadata.name', 'name or generateName is required')];
  }
  if (name === '.' || name === '..') return [invalidValue('metadata.name', name, `may not be '${name}'`)];
  for (const bad of ['/', '%']) {
    if (String(name).includes(bad)) return [invalidValue('metadata.name', name, `may not contain '${bad}'`)];
  }
  return [];
}

/** `legacyValidateEvent` for a core/v1 create: namespace rules, plus the strict rules when eventTime is set. */
export function validateCoreEvent(event: any): StatusCause[] {
  const causes = validateObjectMeta(event);
  const ns: string = event.metadata?.namespace ?? '';
  const ioNs: string = event.involvedObject?.namespace ?? '';
  const strict = event.eventTime !== undefined && event.eventTime !== null;
  if (!strict) {
    if (ioNs === '') {
      if (ns !== '' && ns !== 'default') causes.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    } else if (ns !== ioNs) {
      causes.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
    if (ns !== '' && !DNS1123_SUBDOMAIN.test(ns)) {
      causes.push(
        invalidValue(
          'namespace',
          ns,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
    return causes;
  }
  if (ioNs === '') {
    if (ns !== 'default' && ns !== 'kube-system')
      causes.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  } else if (ns !== ioNs) {
    causes.push(invalidValue('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  }
  const rc: string = event.reportingComponent ?? '';
  if (rc === '') causes.push(required('reportingController'));
  else if (!QUALIFIED_NAME.test(rc))
    causes.push(invalidValue('reportingController', rc, 'name part must consist of alphanumeric characters'));
  const ri: string = event.reportingInstance ?? '';
  if (ri === '') causes.push(required('reportingInstance'));
  else if (ri.length > 128) causes.push(tooLong('reportingInstance', 128));
  const action: string = event.action ?? '';
  if (action === '') causes.push(required('action'));
  else if (action.length > 128) causes.push(tooLong('action', 128));
  const reason: string = event.reason ?? '';
  if (reason === '') causes.push(required('reason'));
  else if (reason.length > 128) causes.push(tooLong('reason', 128));
  if (Buffer.byteLength(String(event.message ?? '')) > 1024) causes.push(tooLong('message', 1024));
  return causes;
}

/** events.k8s.io/v1 create (`ValidateEventCreate`), checked on the converted core form. */
export function validateEventsV1Event(event: any, original: any): StatusCause[] {
  const causes = validateCoreEvent(event);
  const name = event.metadata?.name;
  if (name && !DNS1123_SUBDOMAIN.test(name)) {
    causes.push(
      invalidValue(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  }
  if (original.eventTime === undefined || original.eventTime === null) causes.push(required('eventTime'));
  if (original.type !== 'Normal' && original.type !== 'Warning') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(original.type ?? '')}: supported values: "Normal", "Warning"`,
      field: 'type',
    });
  }
  for (const f of ['deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount']) {
    if (original[f] !== undefined && original[f] !== null && original[f] !== 0) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(original[f])}: needs to be unset`, field: f });
    }
  }
  return causes;
}
