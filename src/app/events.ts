// events <pvc> (SPEC §3.2): one PVC's events, its migrations and its attachment.
import { checkName } from '../cli/options.js';
import { createLogger, type Context, type GlobalOptions } from '../context.js';
import { buildPvcHistory } from '../domain/history.js';
import type { PersistentVolumeRecord, VolumeAttachmentRecord } from '../domain/types.js';
import { dnsSubdomainProblem } from '../domain/validation.js';
import { ClusterError } from '../errors.js';
import { openGateway } from '../kube/gateway.js';
import { pvcEventSelector } from './post.js';

export interface EventsOptions {
  pvc: string;
  all: boolean;
  output: 'table' | 'wide' | 'json' | 'yaml';
  noHeaders: boolean;
}

/** Validates the events flags. */
export function resolveEventsOptions(pvc: string, raw: Record<string, unknown>): EventsOptions {
  checkName('PVC name', pvc, dnsSubdomainProblem);
  return {
    pvc,
    all: raw.all === true,
    output: (typeof raw.output === 'string' ? raw.output : 'table') as EventsOptions['output'],
    noHeaders: raw.headers === false,
  };
}

/** Shows one PVC's migration history; exit 3 when the PVC does not exist. */
export async function runEvents(options: EventsOptions, globals: GlobalOptions, ctx: Context): Promise<number> {
  const logger = createLogger(ctx.stderr, globals.verbose);
  const gateway = await openGateway(ctx, globals, logger);
  const warnings: string[] = [];
  try {
    const pvc = await gateway.getPvc(gateway.namespace, options.pvc);
    const readAttachments = async (): Promise<VolumeAttachmentRecord[]> => {
      if (!pvc.volumeName) return [];
      try {
        return await gateway.listVolumeAttachmentsOfPv(pvc.volumeName);
      } catch (err) {
        if (err instanceof ClusterError && err.status === 403) {
          warnings.push(`the current attachment is unknown: ${err.message}`);
          return [];
        }
        throw err;
      }
    };
    // PersistentVolumes are cluster-scoped, which a namespaced user may not read: like the
    // VolumeAttachments, the PV only adds detail (volume ID, timeout), so a 403 is a warning.
    const readPersistentVolume = async (): Promise<PersistentVolumeRecord | null> => {
      if (!pvc.volumeName) return null;
      try {
        return await gateway.getPersistentVolume(pvc.volumeName);
      } catch (err) {
        if (err instanceof ClusterError && err.status === 403) {
          warnings.push(`the volume's migration timeout is unknown (5m0s is assumed where the events give none): ${err.message}`);
          return null;
        }
        throw err;
      }
    };
    const [events, persistentVolume, volumeAttachments] = await Promise.all([
      gateway.listEvents({ namespace: pvc.namespace, fieldSelector: pvcEventSelector(pvc) }),
      readPersistentVolume(),
      readAttachments(),
    ]);
    const history = buildPvcHistory(
      { pvc, volumeId: persistentVolume?.volumeHandle ?? pvc.volumeName, events, persistentVolume, volumeAttachments, warnings },
      { now: ctx.now(), driver: globals.driver, all: options.all },
    );
    const render = await import('../render/history.js');
    if (options.output === 'json') ctx.stdout.write(render.renderHistoryJson(history));
    else if (options.output === 'yaml') ctx.stdout.write(await render.renderHistoryYaml(history));
    else {
      const { createPalette } = await import('../render/palette.js');
      ctx.stdout.write(render.renderHistoryTable(history, { palette: createPalette(globals.color), wide: options.output === 'wide', noHeaders: options.noHeaders, all: options.all }));
    }
    return 0;
  } finally {
    gateway.close();
  }
}
