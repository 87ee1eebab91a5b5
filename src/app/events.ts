// events <pvc>: one PVC's events, its migrations and its attachment.
import type { Context } from '../context.js';
import { DEFAULT_EVENT_TTL_SECONDS } from '../domain/audit.js';
import { buildPvcHistory } from '../domain/history.js';
import { KINDS, KUBEVIRT_GROUP_VERSION } from '../domain/kinds.js';
import { sanitizeText } from '../domain/sanitize.js';
import type { PodRecord, VmimRecord, VmiRecord } from '../domain/types.js';
import { ClusterError } from '../errors.js';
import { type Gateway, pvcEventSelector } from '../kube/gateway.js';
import { ahead } from './ahead.js';

export interface EventsOptions {
  pvc: string;
  /** Follow changes after printing the current state (`--watch`). */
  watch: boolean;
  all: boolean;
  output: 'table' | 'wide' | 'json' | 'yaml';
  noHeaders: boolean;
  driver: string;
  color: boolean;
}

/** Shows one PVC's migration history; exit 3 when the PVC does not exist. */
export async function runEvents(options: EventsOptions, gateway: Gateway, ctx: Context): Promise<number> {
  // The PVC, its events and the VolumeAttachment index need nothing from one another: all
  // three go out at once (a missing PVC still exits 3; the other two are then dropped).
  // The PVC is asked first: a server that answers in order then gives the PV's name early.
  const namespace = gateway.namespace;
  const pvcRead = gateway.getPvc(namespace, options.pvc);
  const eventsRead = ahead(gateway.listEvents({ namespace, fieldSelector: pvcEventSelector(options.pvc) }));
  const indexRead = ahead(gateway.indexVolumeAttachments());
  // The VM using the PVC and the pods of its namespace, read alongside.
  const kubevirtRead = ahead(readKubevirt(gateway, namespace));
  const podsRead = ahead(readPods(gateway, namespace));
  // Loaded while the requests are out.
  const renderer = ahead(import('../render/history.js'));
  const pvc = await pvcRead;
  const pvName = pvc.volumeName;
  // PersistentVolumes and VolumeAttachments are cluster-scoped, which a namespaced user may
  // not read; they only add detail (volume ID, timeout, attachment), so a 403 is a warning.
  const readOrWarn = async <T>(read: () => Promise<T>, what: string, fallback: T): Promise<[T, string?]> => {
    try {
      return [await read()];
    } catch (err) {
      if (!(err instanceof ClusterError && err.status === 403)) throw err;
      return [fallback, `${what}: ${err.message}`];
    }
  };
  // An unbound PVC has no volume: nothing to read, nothing to warn about.
  const unbound = <T>(value: T): [T, string?] => [value];
  const [events, [persistentVolume, pvWarning], [volumeAttachments, vaWarning], kubevirt, [pods, podsWarning]] = await Promise.all([
    eventsRead,
    pvName
      ? readOrWarn(
          () => gateway.getPersistentVolume(pvName),
          "the volume's migration timeout is unknown (5m is assumed where the events give none)",
          null,
        )
      : unbound(null),
    pvName ? readOrWarn(async () => (await indexRead)(pvName), 'the current attachment is unknown', []) : unbound([]),
    kubevirtRead,
    podsRead,
  ]);
  const warnings = [vaWarning, pvWarning, kubevirt.warning, podsWarning].filter((w): w is string => w !== undefined);
  const history = buildPvcHistory(
    {
      pvc,
      volumeId: persistentVolume?.volumeHandle ?? pvc.volumeName,
      events,
      persistentVolume,
      volumeAttachments,
      vmis: kubevirt.vmis,
      vmims: kubevirt.vmims,
      pods,
      warnings,
    },
    { now: ctx.now(), driver: options.driver, all: options.all, eventTtlSeconds: DEFAULT_EVENT_TTL_SECONDS },
  );
  const render = await renderer;
  if (options.output === 'json') ctx.stdout.write(render.renderHistoryJson(history));
  else if (options.output === 'yaml') ctx.stdout.write(await render.renderHistoryYaml(history));
  else {
    const [{ createPalette }, { outputWidth }] = await Promise.all([import('../render/palette.js'), import('../render/common.js')]);
    ctx.stdout.write(
      render.renderHistoryTable(history, {
        palette: createPalette(options.color),
        wide: options.output === 'wide',
        noHeaders: options.noHeaders,
        width: outputWidth(ctx.stdout),
        all: options.all,
        driver: options.driver,
      }),
    );
    // Table rows only on stdout (for awk and cut): what could not be read is said on stderr.
    if (options.noHeaders) for (const warning of history.warnings) ctx.logger.warn(sanitizeText(warning));
  }
  return 0;
}

function forbiddenWarning(err: unknown, what: string): string {
  if (!(err instanceof ClusterError && err.status === 403)) throw err;
  return `${what}: ${err.message}`;
}

/** The VMIs and VMIMs of the namespace where KubeVirt is served; a forbidden list is a warning. */
async function readKubevirt(gateway: Gateway, namespace: string): Promise<{ vmis: VmiRecord[]; vmims: VmimRecord[]; warning?: string }> {
  try {
    if (!(await gateway.serves(KUBEVIRT_GROUP_VERSION))) return { vmis: [], vmims: [] };
    const [vmis, vmims] = await Promise.all([
      gateway.list(KINDS.VirtualMachineInstance, { namespace }, KINDS.VirtualMachineInstance.normalize),
      gateway.list(KINDS.VirtualMachineInstanceMigration, { namespace }, KINDS.VirtualMachineInstanceMigration.normalize),
    ]);
    return { vmis, vmims };
  } catch (err) {
    return { vmis: [], vmims: [], warning: forbiddenWarning(err, 'the VM using the PVC and its migrations are unknown') };
  }
}

/** The pods of the namespace (the PVC's users among them), or null with a warning when forbidden. */
async function readPods(gateway: Gateway, namespace: string): Promise<[PodRecord[] | null, string?]> {
  try {
    return [await gateway.list(KINDS.Pod, { namespace }, KINDS.Pod.normalize)];
  } catch (err) {
    return [null, forbiddenWarning(err, 'the pods using the PVC are unknown')];
  }
}
