/**
 * Marks a promise started before it is needed (a read or a module load that runs while other
 * work goes on): if the command fails before awaiting it, its rejection is not reported as
 * unhandled. Awaiting it later still throws.
 */
export function ahead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
