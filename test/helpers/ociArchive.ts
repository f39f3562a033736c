// Reading an OCI image archive (podman save --format oci-archive) to search what an image ships:
// its config and every byte of every layer, as a registry would serve them.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';

const exec = promisify(execFile);

export interface OciImage {
  /** The image config blob, as text (env, user, entrypoint, history, labels). */
  readonly configText: string;
  /** Paths of the layer blobs, in order. */
  readonly layers: readonly string[];
}

interface Descriptor {
  digest: string;
  mediaType: string;
}
const blob = (dir: string, d: Descriptor) => join(dir, 'blobs', ...d.digest.split(':'));

/** Unpacks the archive into dir and reads its one image's manifest. */
export async function unpackOciArchive(archive: string, dir: string): Promise<OciImage> {
  await exec('tar', ['-xf', archive, '-C', dir]);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  if (index.manifests.length !== 1) throw new Error(`expected one image in ${archive}, found ${index.manifests.length}`);
  const manifest = JSON.parse(await readFile(blob(dir, index.manifests[0]!), 'utf8')) as { config: Descriptor; layers: Descriptor[] };
  return { configText: await readFile(blob(dir, manifest.config), 'utf8'), layers: manifest.layers.map((l) => blob(dir, l)) };
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file names a layer holds (tar's listing). */
export async function layerFileNames(layer: string): Promise<string[]> {
  const { stdout } = await exec('tar', [(await isGzip(layer)) ? '-tzf' : '-tf', layer], { maxBuffer: 256 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.length > 0);
}

/** Which of the needles occur anywhere in the layer's uncompressed bytes (file names and contents). */
export async function needlesInLayer(layer: string, needles: readonly string[]): Promise<string[]> {
  const wanted = needles.map((n) => Buffer.from(n));
  const keep = Math.max(...wanted.map((w) => w.length)) - 1;
  const found = new Set<string>();
  let tail = Buffer.alloc(0);
  const source = createReadStream(layer);
  const stream = (await isGzip(layer)) ? source.pipe(createGunzip()) : source;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    // The end of the previous chunk is searched again: a needle may straddle the boundary.
    const window = Buffer.concat([tail, chunk]);
    wanted.forEach((w, i) => {
      if (window.includes(w)) found.add(needles[i]!);
    });
    tail = window.subarray(Math.max(0, window.length - keep));
  }
  return [...found];
}
