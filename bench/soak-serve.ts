// The soak benchmark's API server process (bundled by bench/soak.mjs into bench/out/soak-serve.mjs
// and run as its own process, so the measured client does not share its event loop):
//   node bench/out/soak-serve.mjs --dir <tmp> [--example]
// serves the fake API server of test/fake over HTTPS with a small cluster (bench/soak-scenario.ts;
// with --example, the bundled example dump instead), writes <dir>/kubeconfig, prints one JSON line
// {ready, control, kubeconfig} on stdout, and answers on a plain-HTTP control port (127.0.0.1):
//   POST /soak?scenario=events|audit&n=N  applies N changes of the scenario, then its marker
//                                          change; answers {marker, frames}
//   POST /objects  (a JSON array)          adds or replaces objects (watchers see ADDED/MODIFIED)
//   POST /remove   {kind, namespace, name} deletes one (watchers see DELETED)
//   GET  /stats                            {frames, requests, watches, lists, openWatches}
// `frames` counts every watch event the server has sent (all streams, bookmarks included).

import http from 'node:http';
import { startFakeServer } from '../test/fake/server.js';
import { exampleObjects } from '../test/helpers/examples.js';
import { createScenario, SCENARIO_NAMES, type Scenario, scenarioObjects } from './soak-scenario.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = arg('dir');
if (dir === undefined) throw new Error('--dir is required');
const example = process.argv.includes('--example');

const fake = await startFakeServer({
  objects: example ? exampleObjects() : scenarioObjects(),
  // Bookmarks as a real server sends them (about once a minute), which the client resumes from.
  watch: { bookmarkIntervalMs: 60_000 },
});
const kubeconfig = fake.writeKubeconfig(dir, { namespace: example ? 'vms-prod' : 'soak' });
const scenarios = new Map<string, Scenario>();

function frames(): number {
  let n = 0;
  for (const r of fake.requests) n += r.watchEvents?.length ?? 0;
  return n;
}

function readJson(req: http.IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

const control = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const answer = (body: unknown, status = 200): void => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  (async () => {
    switch (url.pathname) {
      case '/soak': {
        const name = url.searchParams.get('scenario') ?? 'events';
        if (!(SCENARIO_NAMES as readonly string[]).includes(name)) return answer({ error: `unknown scenario ${name}` }, 400);
        let scenario = scenarios.get(name);
        if (scenario === undefined) {
          scenario = createScenario(name as (typeof SCENARIO_NAMES)[number], fake);
          scenarios.set(name, scenario);
        }
        const n = Number(url.searchParams.get('n') ?? '1000');
        for (let i = 0; i < n; i++) scenario.step();
        const marker = scenario.marker();
        return answer({ marker, frames: frames() });
      }
      case '/objects':
        fake.add(...((await readJson(req)) as object[]));
        return answer({ frames: frames() });
      case '/remove': {
        const { kind, namespace, name } = (await readJson(req)) as { kind: string; namespace?: string; name: string };
        return answer({ removed: fake.remove(kind, namespace, name) });
      }
      case '/stats': {
        const watches = fake.requests.filter((r) => r.query.watch === '1' || r.query.watch === 'true');
        return answer({
          frames: frames(),
          requests: fake.requests.length,
          watches: watches.length,
          lists: fake.requests.filter((r) => r.method === 'GET' && r.watchEvents === undefined && r.query.limit !== undefined).length,
          openWatches: fake.openWatches(),
        });
      }
      default:
        return answer({ error: 'not found' }, 404);
    }
  })().catch((err: unknown) => answer({ error: String(err) }, 500));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const port = (control.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ ready: true, url: fake.url, control: `http://127.0.0.1:${port}`, kubeconfig })}\n`);

const stop = async (): Promise<void> => {
  control.close();
  await fake.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop()); // the runner died: go too
process.stdin.resume();
