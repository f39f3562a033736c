// Decodes the Kubernetes protobuf wire format for the few kinds kubectl's typed commands send
// that way (`kubectl create secret|configmap|namespace`): client-go does not fall back to JSON
// on 415, so the server must read them. Field numbers are those of k8s.io/api generated.proto.
import { badRequest } from './status.ts';
import type { KubeObject } from './store.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Fields = Map<number, Array<Buffer | bigint>>;

function readVarint(buf: Buffer, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.i >= buf.length) throw badRequest('protobuf: truncated varint');
    const b = buf[pos.i++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
    shift += 7n;
  }
}

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const tag = Number(readVarint(buf, pos));
    const field = tag >>> 3;
    let value: Buffer | bigint;
    switch (tag & 7) {
      case 0: value = readVarint(buf, pos); break;
      case 1: value = buf.subarray(pos.i, pos.i + 8); pos.i += 8; break;
      case 2: { const n = Number(readVarint(buf, pos)); value = buf.subarray(pos.i, pos.i + n); pos.i += n; break; }
      case 5: value = buf.subarray(pos.i, pos.i + 4); pos.i += 4; break;
      default: throw badRequest(`protobuf: unsupported wire type ${tag & 7}`);
    }
    if (pos.i > buf.length) throw badRequest('protobuf: truncated message');
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const bytes = (f: Fields, n: number): Buffer | undefined => f.get(n)?.at(-1) as Buffer | undefined;
const str = (f: Fields, n: number): string | undefined => bytes(f, n)?.toString('utf8');
const bool = (f: Fields, n: number): boolean | undefined => (f.has(n) ? (f.get(n)!.at(-1) as bigint) !== 0n : undefined);

function map(f: Fields, n: number, asBase64: boolean): Record<string, string> | undefined {
  const entries = f.get(n) as Buffer[] | undefined;
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e);
    const v = bytes(kv, 2) ?? Buffer.alloc(0);
    out[str(kv, 1) ?? ''] = asBase64 ? v.toString('base64') : v.toString('utf8');
  }
  return out;
}

function objectMeta(buf: Buffer | undefined): KubeObject {
  if (!buf) return {};
  const f = fields(buf);
  const meta: KubeObject = {};
  const set = (k: string, v: unknown): void => { if (v !== undefined && v !== '') meta[k] = v; };
  set('name', str(f, 1));
  set('generateName', str(f, 2));
  set('namespace', str(f, 3));
  set('resourceVersion', str(f, 6));
  set('labels', map(f, 11, false));
  set('annotations', map(f, 12, false));
  const finalizers = (f.get(14) as Buffer[] | undefined)?.map((b) => b.toString('utf8'));
  set('finalizers', finalizers);
  return meta;
}

const KINDS: Record<string, (f: Fields) => KubeObject> = {
  Secret: (f) => strip({ metadata: objectMeta(bytes(f, 1)), data: map(f, 2, true), type: str(f, 3), stringData: map(f, 4, false), immutable: bool(f, 5) }),
  ConfigMap: (f) => strip({ metadata: objectMeta(bytes(f, 1)), data: map(f, 2, false), binaryData: map(f, 3, true), immutable: bool(f, 4) }),
  Namespace: (f) => strip({ metadata: objectMeta(bytes(f, 1)) }),
};

function strip(o: KubeObject): KubeObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

/** The JSON object a protobuf request body stands for (only the kinds above). */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest('protobuf: missing k8s magic prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytes(unknown, 1) ?? Buffer.alloc(0));
  const apiVersion = str(typeMeta, 1) ?? '';
  const kind = str(typeMeta, 2) ?? '';
  const decode = KINDS[kind];
  if (!decode) throw badRequest(`protobuf bodies are only understood for ${Object.keys(KINDS).join(', ')}; send ${kind || 'this object'} as application/json`);
  return { apiVersion, kind, ...decode(fields(bytes(unknown, 2) ?? Buffer.alloc(0))) };
}
