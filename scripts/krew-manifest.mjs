// Writes the krew plugin manifest (krew/rds-migrate.yaml) for a release archive: the version
// of package.json, the archive's uri (under the release URL the manifest already names) and
// its sha256. The rest of the manifest is kept as it is, comments included.
//   npm run krew-manifest                                  (npm pack, then this script)
//   node scripts/krew-manifest.mjs <archive.tgz> [--out <file>]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifestPath = join(root, 'krew', 'rds-migrate.yaml');

/** The manifest text for an archive: version, uri and sha256 replaced, everything else kept. */
export function renderManifest(manifest, { version, archiveName, sha256 }) {
  const replaced = { version: 0, uri: 0, sha256: 0 };
  const text = manifest
    .replace(/^( {2}version: ).*$/m, (_, key) => {
      replaced.version++;
      return `${key}v${version}`;
    })
    .replace(/^( +uri: .*\/)v[^/\n]+\/[^/\n]+$/gm, (_, base) => {
      replaced.uri++;
      return `${base}v${version}/${archiveName}`;
    })
    .replace(/^( +sha256: ).*$/gm, (_, key) => {
      replaced.sha256++;
      // Quoted: a hex digest of digits only would otherwise read as a number.
      return `${key}"${sha256}"`;
    });
  for (const [field, count] of Object.entries(replaced)) {
    if (count === 0) throw new Error(`krew manifest: no ${field} line to write`);
  }
  return text;
}

function main(argv) {
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : manifestPath;
  const archive = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--out');
  if (!archive || !out) {
    console.error('usage: node scripts/krew-manifest.mjs <archive.tgz> [--out <file>]');
    process.exit(2);
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  writeFileSync(out, renderManifest(readFileSync(manifestPath, 'utf8'), { version, archiveName: basename(archive), sha256 }));
  console.log(`${out}: v${version}, ${basename(archive)}, sha256 ${sha256}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
