/**
 * The client API's protocol, shared by the client and the server: proto/rootcoord.proto and
 * health.proto loaded once, plain-object (de)serialization, the services' gRPC definitions and the
 * clients' channel options.
 */
import * as grpc from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { columnOf, withColumns } from './columns.js';
import type { Column, ColumnField } from './columns.js';

/**
 * 64-bit integers are decoded to decimal text through BigInt: long.js's own toString divides in 32-bit
 * steps, about 2 µs a value, and a ShowCollections answer of 200,000 names carries 600,000 of them
 * (decoding it took 0.5 s, 0.2-0.3 s this way). protobufjs makes its longs with util.Long (its
 * documented hook, followed by configure()); the text is the same.
 */
const BaseLong = protobuf.util.Long as unknown as { new (low: number, high?: number, unsigned?: boolean): { toBigInt(): bigint; toString(radix?: number): string } };
class DecimalLong extends BaseLong {
  override toString(radix?: number): string {
    return radix === undefined || radix === 10 ? this.toBigInt().toString() : super.toString(radix);
  }
}
protobuf.util.Long = DecimalLong as unknown as typeof protobuf.util.Long;
protobuf.configure();

/** The .proto files (proto/ at the repository root). */
export const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));
/** The client API, loaded once with Milvus's field names kept as written (snake_case stays snake_case). */
export const apiRoot = new protobuf.Root().loadSync([`${protoDir}rootcoord.proto`, `${protoDir}health.proto`], { keepCase: true });

/** Decoded messages are plain objects: 64-bit integers as decimal strings, enums as numbers. */
const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: true, arrays: true, oneofs: true };

export type PlainMessage = Record<string, unknown>;

/**
 * The largest answer a client takes. Requests are bounded by the servers (4 MiB); answers from the
 * cluster may be larger, and grpc-js's default of 4 MiB refused ShowCollections of 200,000 names (6.7 MB).
 * Milvus's own clients take up to 256 MiB (`grpc.clientMaxRecvSize`).
 */
export const CLIENT_RECEIVE_BYTES_MAX = 256 * 1024 * 1024;

/**
 * Channel options for the API's gRPC clients (a call costs mostly CPU here, on two shared cores): no
 * channelz bookkeeping, no grpc-js retry layer (the client retries itself, with request IDs, and a
 * forwarded call is retried by the client that sent it), a reconnect backoff of at most a second.
 * Servers keep channelz: grpc-js 1.14 tracks a server's sessions only with it on, and without it
 * `forceShutdown` leaves peers' connections open.
 */
export const clientChannelOptions: grpc.ChannelOptions = {
  'grpc.enable_channelz': 0,
  'grpc.enable_retries': 0,
  'grpc.max_receive_message_length': CLIENT_RECEIVE_BYTES_MAX,
  // A node that was down is tried again within about a second of its return: grpc-js's default backoff
  // grows to 120 s, and its connections are shared by every client of the process (a restarted member
  // stayed unreachable for seconds to the clients of chaos runs). The price: a channel to a node that
  // is down tries it about once a second while the channel lives (one channel per endpoint for all the
  // clients of a process, one per client with grpc.use_local_subchannel_pool); a refused connection
  // costs little.
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1000,
};

export interface MethodInfo {
  readonly name: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/** A packed repeated int64 or uint64 field of a message type. */
interface PackedLongField {
  readonly name: string;
  readonly id: number;
  readonly unsigned: boolean;
}

/** A top-level field the decoder takes itself (takeColumns): a repeated 64-bit or string field. */
interface TakenField {
  readonly name: string;
  readonly id: number;
  readonly type: 'int64' | 'uint64' | 'string';
  /** A string that must be valid UTF-8 (proto3's, as protobufjs checks them). */
  readonly strict: boolean;
}

const TWO_32 = 4294967296;

/** One 64-bit varint value as decimal text (as int64 unless `unsigned`). */
function decimal(low: number, high: number, unsigned: boolean): string {
  // Exact in a double below 2^53 (and not negative as int64).
  if (high < 0x200000) return String(high * TWO_32 + low);
  const bits = (BigInt(high) << 32n) | BigInt(low);
  return (unsigned ? bits : BigInt.asIntN(64, bits)).toString();
}

/**
 * Read the varints of one packed 64-bit field's bodies (`ranges`: start and end offsets, in order) into
 * `lows` and `highs` (each value's low and high 32 bits, from `at`); false if a body is malformed
 * (protobufjs then decodes the message, and says what is wrong).
 */
function readPackedVarints(bytes: Uint8Array, ranges: readonly number[], lows: Uint32Array, highs: Uint32Array): boolean {
  let k = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    let at = ranges[r] as number;
    const end = ranges[r + 1] as number;
    while (at < end) {
      let low = 0;
      let high = 0;
      let shift = 0;
      let byte = 128;
      // The low 28 bits, then the 4 bits that straddle the halves, then the high 31 (10 bytes at most).
      for (; shift < 28 && byte >= 128; shift += 7) {
        if (at >= end) return false;
        byte = bytes[at++] as number;
        low |= (byte & 127) << shift;
      }
      if (byte >= 128) {
        if (at >= end) return false;
        byte = bytes[at++] as number;
        low |= (byte & 15) << 28;
        high = (byte & 127) >> 4;
        for (shift = 3; shift < 32 && byte >= 128; shift += 7) {
          if (at >= end) return false;
          byte = bytes[at++] as number;
          high |= (byte & 127) << shift;
        }
        if (byte >= 128) return false;
      }
      lows[k] = low;
      highs[k++] = high;
    }
  }
  return k === lows.length;
}

/** How a packed repeated 64-bit field is decoded: decimal text (as everywhere), or one typed array. */
export type LongColumns = 'decimal' | 'typed';
/** A decoded packed 64-bit column. */
type LongColumn = string[] | BigInt64Array | BigUint64Array;

/**
 * The values of the bodies `ranges` (start and end offsets, in order) of one packed 64-bit field: as
 * decimal text, without the long.js object protobufjs makes of each (two per value with toObject), or
 * as one BigInt64Array (int64) or BigUint64Array (uint64). Null if a body is malformed.
 */
function packedColumn(bytes: Uint8Array, ranges: readonly number[], unsigned: boolean, as: LongColumns): LongColumn | null {
  // Each value's last byte is the one below 128: count them for the arrays' length.
  let count = 0;
  for (let r = 0; r < ranges.length; r += 2) for (let at = ranges[r] as number; at < (ranges[r + 1] as number); at++) if ((bytes[at] as number) < 128) count++;
  const lows = new Uint32Array(count);
  const highs = new Uint32Array(count);
  if (!readPackedVarints(bytes, ranges, lows, highs)) return null;
  if (as === 'decimal') {
    const out: string[] = new Array<string>(count);
    for (let k = 0; k < count; k++) out[k] = decimal(lows[k] as number, highs[k] as number, unsigned);
    return out;
  }
  // A typed array's element takes the value modulo 2^64: int64's sign comes with it.
  const out = unsigned ? new BigUint64Array(count) : new BigInt64Array(count);
  for (let k = 0; k < count; k++) out[k] = (BigInt(highs[k] as number) << 32n) | BigInt(lows[k] as number);
  return out;
}

/**
 * The largest message whose unusual packed 64-bit or string fields protobufjs may decode (see takeColumns):
 * it makes two objects of each value, about 0.7 µs a byte of varints (a 4 MiB request of them, 4 KB
 * gzipped, held a node's thread for 2.8 s); 64 KiB take at most about 50 ms.
 */
const UNUSUAL_BYTES_MAX = 64 * 1024;

/** UTF-8 decoders as protobufjs's: a byte order mark kept; strict refuses invalid input (proto3's strings). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const looseUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Whether `bytes` from `start` to `end` are all ASCII (below 128). */
function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if ((bytes[at] as number) >= 128) return false;
  return true;
}

/**
 * A top-level repeated string field's values, from their bodies `ranges` (start and end offsets, in
 * order); null if one is not valid UTF-8 and `strict` (protobufjs then refuses the message). Names are
 * mostly ASCII: then the span they lie in becomes one string and each name a piece of it (V8 makes a
 * long piece a slice of the whole, a short one a copy), when the names fill most of the span (another
 * field between them is not made into text too). 200,000 names: about 22 ms this way, 51 ms as one
 * string each from the bytes (ASCII names otherwise), 75 ms through protobufjs, 90 ms through a
 * TextDecoder (names that are not ASCII, decoded as protobufjs decodes them).
 */
function stringColumn(bytes: Uint8Array, ranges: readonly number[], strict: boolean): string[] | null {
  const count = ranges.length / 2;
  const out = new Array<string>(count);
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const from = ranges[0] as number;
  const span = (ranges[ranges.length - 1] as number) - from;
  let ascii = true;
  let bodyBytes = 0;
  for (let r = 0; r < ranges.length && ascii; r += 2) {
    bodyBytes += (ranges[r + 1] as number) - (ranges[r] as number);
    ascii = isAscii(bytes, ranges[r] as number, ranges[r + 1] as number);
  }
  if (ascii && count > 1 && span <= 2 * bodyBytes + 16 * count) {
    const whole = buffer.toString('latin1', from, from + span);
    for (let k = 0; k < count; k++) out[k] = whole.substring((ranges[2 * k] as number) - from, (ranges[2 * k + 1] as number) - from);
    return out;
  }
  const decoder = strict ? strictUtf8 : looseUtf8;
  try {
    for (let k = 0; k < count; k++) {
      const start = ranges[2 * k] as number;
      const end = ranges[2 * k + 1] as number;
      out[k] = isAscii(bytes, start, end) ? buffer.toString('latin1', start, end) : decoder.decode(bytes.subarray(start, end));
    }
  } catch {
    return null;
  }
  return out;
}

/**
 * Take a message's top-level repeated 64-bit fields and repeated string fields out of it: the 64-bit values (decimal text or typed arrays, `as`), packed or not (a value of its own is a
 * body of one varint), the strings (stringColumn), each in order, and the rest of the message (the other
 * fields, in order) for protobufjs. Tags, lengths and the other fields are read by protobufjs's own
 * Reader, with its bounds. 'none' when there is nothing to take; 'unusual' when anything is (another
 * wire type for one of these fields, a bad tag or length, a body that is not varints or not UTF-8): protobufjs
 * decodes the whole message then, and says what is wrong (or reads what it reads).
 */
function takeColumns(bytes: Uint8Array, fields: readonly TakenField[], as: LongColumns): { rest: Uint8Array; values: Map<string, LongColumn | string[]> } | 'none' | 'unusual' {
  const bodies = new Map<TakenField, number[]>();
  const kept: Uint8Array[] = [];
  let keptFrom = 0;
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const fieldStart = reader.pos;
      const tag = reader.tag();
      const field = fields.find((f) => f.id === tag >>> 3);
      if (field === undefined) {
        reader.skipType(tag & 7);
        continue;
      }
      const wireType = tag & 7;
      if (wireType !== 2 && (wireType !== 0 || field.type === 'string')) return 'unusual';
      let bodyStart: number;
      if (wireType === 2) {
        const length = reader.size();
        bodyStart = reader.pos;
        reader.skip(length);
      } else {
        bodyStart = reader.pos;
        reader.skipType(0);
      }
      const ranges = bodies.get(field);
      if (ranges === undefined) bodies.set(field, [bodyStart, reader.pos]);
      else ranges.push(bodyStart, reader.pos);
      if (fieldStart > keptFrom) kept.push(bytes.subarray(keptFrom, fieldStart));
      keptFrom = reader.pos;
    }
  } catch {
    return 'unusual';
  }
  if (bodies.size === 0) return 'none';
  const values = new Map<string, LongColumn | string[]>();
  for (const [field, ranges] of bodies) {
    const column = field.type === 'string' ? stringColumn(bytes, ranges, field.strict) : packedColumn(bytes, ranges, field.type === 'uint64', as);
    if (column === null) return 'unusual';
    values.set(field.name, column);
  }
  if (keptFrom < bytes.length) kept.push(bytes.subarray(keptFrom));
  return { rest: kept.length === 1 ? (kept[0] as Uint8Array) : Buffer.concat(kept), values };
}

/** Plain objects to and from the messages of one protobuf root. */
export class ProtoCodec {
  private readonly types = new Map<string, protobuf.Type>();
  private readonly packedLongs = new Map<protobuf.Type, readonly PackedLongField[]>();
  private readonly taken = new Map<protobuf.Type, readonly TakenField[]>();
  private readonly columns = new Map<protobuf.Type, readonly ColumnField[]>();
  /** A message column's element, encoded by this codec (columns and all). */
  private readonly encodeElement = (typeName: string, element: PlainMessage): Buffer => this.encode(typeName, element);

  constructor(readonly root: protobuf.Root) {}

  lookupType(typeName: string): protobuf.Type {
    let type = this.types.get(typeName);
    if (type === undefined) {
      type = this.root.lookupType(typeName);
      this.types.set(typeName, type);
    }
    return type;
  }

  /**
   * Top-level repeated strings, and packed repeated 64-bit fields given as bigints (an array, or a
   * BigInt64Array or BigUint64Array), are written by the codec itself, after the rest: see columns.ts.
   */
  encode(typeName: string, value: PlainMessage): Buffer {
    const type = this.lookupType(typeName);
    let rest = value;
    const columns: Column[] = [];
    for (const field of this.columnFields(type)) {
      const column = columnOf(field, value[field.name], this.encodeElement);
      if (column === null) continue;
      if (rest === value) rest = { ...value };
      rest[field.name] = [];
      columns.push(column);
    }
    const head = type.encode(type.fromObject(rest)).finish();
    if (columns.length === 0) return Buffer.isBuffer(head) ? head : Buffer.from(head);
    return withColumns(head, columns);
  }

  private columnFields(type: protobuf.Type): readonly ColumnField[] {
    let fields = this.columns.get(type);
    if (fields === undefined) {
      fields = type.fieldsArray
        .map((f) => f.resolve())
        .filter((f) => f.repeated && (f.type === 'string' || (f.packed && (f.type === 'int64' || f.type === 'uint64')) || (f.resolvedType instanceof protobuf.Type && !f.delimited)))
        .map((f) =>
          f.resolvedType instanceof protobuf.Type
            ? { name: f.name, id: f.id, kind: 'message' as const, typeName: f.resolvedType.fullName, int64Fields: this.packedLongFields(f.resolvedType).map((e) => e.name) }
            : { name: f.name, id: f.id, kind: f.type as 'string' | 'int64' | 'uint64' },
        );
      this.columns.set(type, fields);
    }
    return fields;
  }

  private packedLongFields(type: protobuf.Type): readonly PackedLongField[] {
    let fields = this.packedLongs.get(type);
    if (fields === undefined) {
      fields = type.fieldsArray.filter((f) => f.repeated && f.packed && (f.type === 'int64' || f.type === 'uint64')).map((f) => ({ name: f.name, id: f.id, unsigned: f.type === 'uint64' }));
      this.packedLongs.set(type, fields);
    }
    return fields;
  }

  /** The top-level fields decode() takes itself: the packed repeated 64-bit fields and the repeated strings. */
  private takenFields(type: protobuf.Type): readonly TakenField[] {
    let fields = this.taken.get(type);
    if (fields === undefined) {
      const longs = this.packedLongFields(type).map((f): TakenField => ({ name: f.name, id: f.id, type: f.unsigned ? 'uint64' : 'int64', strict: false }));
      const strings = type.fieldsArray
        .filter((f) => f.repeated && f.type === 'string')
        // protobufjs decodes a string field strictly where its features say VERIFY (proto3's default).
        .map((f): TakenField => ({ name: f.name, id: f.id, type: 'string', strict: (f as unknown as { _features?: { utf8_validation?: string } })._features?.utf8_validation === 'VERIFY' }));
      fields = [...longs, ...strings];
      this.taken.set(type, fields);
    }
    return fields;
  }

  /**
   * Packed repeated 64-bit fields at the top level are decoded by the codec itself (see
   * takeColumns): as decimal text like every other 64-bit value, or with `longColumns` 'typed' each as
   * one BigInt64Array (int64) or BigUint64Array (uint64), empty when absent: 200,000 values in a few
   * milliseconds instead of 200,000 strings. So are top-level repeated strings (stringColumn).
   */
  decode(typeName: string, bytes: Uint8Array, longColumns: LongColumns = 'decimal'): PlainMessage {
    const type = this.lookupType(typeName);
    const fields = this.packedLongFields(type);
    const takenFields = this.takenFields(type);
    const taken = takenFields.length === 0 ? 'none' : takeColumns(bytes, takenFields, longColumns);
    if (taken === 'unusual' && bytes.length > UNUSUAL_BYTES_MAX) {
      throw new Error(`${typeName}: a repeated 64-bit or string field of a message of ${bytes.length} bytes is malformed or has an unusual wire type (protobufjs decodes such a message only up to ${UNUSUAL_BYTES_MAX} bytes)`);
    }
    const message = type.toObject(type.decode(typeof taken === 'string' ? bytes : taken.rest), toObjectOptions) as PlainMessage;
    if (typeof taken !== 'string') for (const [name, values] of taken.values) message[name] = values;
    if (longColumns === 'typed') {
      // What protobufjs decoded (fields not sent, or sent unpacked: valid too) as decimal text.
      for (const field of fields) {
        const value = message[field.name];
        if (Array.isArray(value)) message[field.name] = field.unsigned ? BigUint64Array.from(value, (v) => BigInt(String(v))) : BigInt64Array.from(value, (v) => BigInt(String(v)));
      }
    }
    return message;
  }

  /**
   * The methods of a service and a grpc-js definition that (de)serializes plain objects with protobufjs
   * (the messages' packed 64-bit columns decoded as `longColumns` says).
   */
  serviceDefinition(serviceName: string, longColumns: LongColumns = 'decimal'): { methods: MethodInfo[]; definition: grpc.ServiceDefinition } {
    const service = this.root.lookupService(serviceName);
    const methods: MethodInfo[] = [];
    const definition: Record<string, grpc.MethodDefinition<PlainMessage, PlainMessage>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = (method.resolvedRequestType as protobuf.Type).fullName.slice(1);
      const responseType = (method.resolvedResponseType as protobuf.Type).fullName.slice(1);
      const requestStream = method.requestStream === true;
      const responseStream = method.responseStream === true;
      methods.push({ name: method.name, requestType, responseType, requestStream, responseStream });
      definition[method.name] = {
        path: `/${service.fullName.slice(1)}/${method.name}`,
        requestStream,
        responseStream,
        requestSerialize: (value: PlainMessage) => this.encode(requestType, value),
        requestDeserialize: (bytes: Buffer) => this.decode(requestType, bytes, longColumns),
        responseSerialize: (value: PlainMessage) => this.encode(responseType, value),
        responseDeserialize: (bytes: Buffer) => this.decode(responseType, bytes, longColumns),
      };
    }
    return { methods, definition };
  }
}

const apiCodec = new ProtoCodec(apiRoot);

export function encodeMessage(typeName: string, value: PlainMessage): Buffer {
  return apiCodec.encode(typeName, value);
}

export function decodeMessage(typeName: string, bytes: Uint8Array, longColumns: LongColumns = 'decimal'): PlainMessage {
  return apiCodec.decode(typeName, bytes, longColumns);
}

export const rootCoordService = apiCodec.serviceDefinition('rootcoord.RootCoord');
/**
 * The same service with the top-level repeated 64-bit fields of messages decoded as typed arrays: for a
 * client that takes answers that way, and for the servers, which take requests that way (4 MiB of
 * them decode in tens of milliseconds instead of half a second of decimal strings; a handler reads
 * them with bigints()).
 */
export const rootCoordServiceTypedColumns = apiCodec.serviceDefinition('rootcoord.RootCoord', 'typed');
export const adminService = apiCodec.serviceDefinition('rootcoord.RootCoordAdmin');
export const adminServiceTypedColumns = apiCodec.serviceDefinition('rootcoord.RootCoordAdmin', 'typed');
export const healthService = apiCodec.serviceDefinition('grpc.health.v1.Health');
