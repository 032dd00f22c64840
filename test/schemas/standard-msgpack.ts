/**
 * A small, strict decoder of the standard MessagePack format, written from
 * the spec and independent of msgpackr: it refuses every extension type
 * (fixext 0xd4-0xd8, ext 0xc7-0xc9), the unused byte 0xc1, invalid UTF-8,
 * non-string map keys and trailing bytes. What it decodes is what a plain
 * msgpack library in Python or Go would see.
 */

export class NonStandardMsgpack extends Error {
  constructor(
    readonly offset: number,
    why: string,
  ) {
    super(`${why} at byte ${offset}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeStandard(buf: Uint8Array): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;

  const need = (n: number): void => {
    if (pos + n > buf.length) throw new NonStandardMsgpack(pos, 'truncated');
  };
  const u8 = (): number => {
    need(1);
    return buf[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos);
    pos += 4;
    return v;
  };
  const str = (n: number): string => {
    need(n);
    const at = pos;
    pos += n;
    try {
      return utf8.decode(buf.subarray(at, at + n));
    } catch {
      throw new NonStandardMsgpack(at, 'invalid UTF-8 in a string');
    }
  };
  const array = (n: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(value());
    return out;
  };
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const at = pos;
      const k = value();
      if (typeof k !== 'string') throw new NonStandardMsgpack(at, 'non-string map key');
      if (Object.hasOwn(out, k)) throw new NonStandardMsgpack(at, `duplicate map key ${k}`);
      Object.defineProperty(out, k, { value: value(), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };

  function value(): unknown {
    const at = pos;
    const b = u8();
    if (b <= 0x7f) return b;
    if (b <= 0x8f) return map(b & 0x0f);
    if (b <= 0x9f) return array(b & 0x0f);
    if (b <= 0xbf) return str(b & 0x1f);
    if (b >= 0xe0) return b - 0x100;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return binary(u8());
      case 0xc5:
        return binary(u16());
      case 0xc6:
        return binary(u32());
      case 0xca: {
        need(4);
        const v = view.getFloat32(pos);
        pos += 4;
        return v;
      }
      case 0xcb: {
        need(8);
        const v = view.getFloat64(pos);
        pos += 8;
        return v;
      }
      case 0xcc:
        return u8();
      case 0xcd:
        return u16();
      case 0xce:
        return u32();
      case 0xcf: {
        need(8);
        const v = view.getBigUint64(pos);
        pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xd0:
        need(1);
        return view.getInt8(pos++);
      case 0xd1: {
        need(2);
        const v = view.getInt16(pos);
        pos += 2;
        return v;
      }
      case 0xd2: {
        need(4);
        const v = view.getInt32(pos);
        pos += 4;
        return v;
      }
      case 0xd3: {
        need(8);
        const v = view.getBigInt64(pos);
        pos += 8;
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xd9:
        return str(u8());
      case 0xda:
        return str(u16());
      case 0xdb:
        return str(u32());
      case 0xdc:
        return array(u16());
      case 0xdd:
        return array(u32());
      case 0xde:
        return map(u16());
      case 0xdf:
        return map(u32());
      default:
        // 0xc1 (never used), 0xc7-0xc9 (ext 8/16/32), 0xd4-0xd8 (fixext 1-16).
        throw new NonStandardMsgpack(at, `non-standard or extension type byte 0x${b.toString(16)}`);
    }
  }

  function binary(n: number): Uint8Array {
    need(n);
    const out = buf.slice(pos, pos + n);
    pos += n;
    return out;
  }

  const result = value();
  if (pos !== buf.length) throw new NonStandardMsgpack(pos, 'trailing bytes');
  return result;
}
