/** Payloads decodePayload must refuse, each with the reason it must give. */

import { Packr } from 'msgpackr';
import type { FrameLimits } from '../../schemas/codec.js';
import type { ReasonCode } from '../../schemas/reasons.js';
import { validQuote, validTrade } from './record-fixtures.js';

// A plain encoder for building bad payloads that encodeRecord/encodeFrame would refuse to make.
const raw = new Packr({ useRecords: false });
const bytes = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) for (const b of p) out.push(b);
  return Uint8Array.from(out);
};

export interface DecodeCase {
  name: string;
  payload: Uint8Array;
  reason: ReasonCode;
  limits?: FrameLimits;
}

const trade = raw.pack(validTrade());
const otherSymbol = raw.pack({ ...validTrade(), symbol: 'ETH/USDT' });
const otherVenue = raw.pack({ ...validTrade(), venue: 'kraken' });

export const DECODE_CASES: readonly DecodeCase[] = [
  { name: 'an empty payload', payload: new Uint8Array(0), reason: 'undecodable' },
  { name: 'a map cut short', payload: trade.subarray(0, trade.length - 3), reason: 'undecodable' },
  { name: 'a map header with no entries', payload: bytes([0x82, 0xa1, 0x76]), reason: 'undecodable' },
  { name: 'a str8 longer than the payload', payload: bytes([0xd9, 0x05, 0x61, 0x62]), reason: 'undecodable' },
  { name: 'a frame header promising more records', payload: bytes([0x93], trade), reason: 'undecodable' },
  { name: 'one extra byte after the record', payload: bytes(trade, [0x00]), reason: 'trailing_bytes' },
  { name: 'two records back to back', payload: bytes(trade, trade), reason: 'trailing_bytes' },
  { name: 'a bare integer', payload: bytes([0x2a]), reason: 'not_an_object' },
  { name: 'a bare string', payload: raw.pack('trade'), reason: 'not_an_object' },
  { name: 'nil', payload: bytes([0xc0]), reason: 'not_an_object' },
  { name: 'the never-used byte 0xc1', payload: bytes([0xc1]), reason: 'not_an_object' },
  { name: 'binary data', payload: bytes([0xc4, 0x02, 0x01, 0x02]), reason: 'not_an_object' },
  {
    name: 'a frame whose second item is an integer',
    payload: bytes([0x92], trade, [0x05]),
    reason: 'not_an_object',
  },
  { name: 'a frame whose first item is an array', payload: bytes([0x91, 0x90]), reason: 'not_an_object' },
  { name: 'an empty frame', payload: bytes([0x90]), reason: 'empty_frame' },
  { name: 'an empty array16 frame', payload: bytes([0xdc, 0x00, 0x00]), reason: 'empty_frame' },
  {
    name: 'a payload over the byte limit',
    payload: trade,
    reason: 'frame_too_large',
    limits: { maxBytes: trade.length - 1, maxRecords: 10 },
  },
  {
    name: 'a frame over the record limit',
    payload: bytes([0x93], trade, trade, trade),
    reason: 'frame_too_large',
    limits: { maxBytes: 1 << 20, maxRecords: 2 },
  },
  {
    name: 'an array32 header claiming 4 billion records',
    payload: bytes([0xdd, 0xff, 0xff, 0xff, 0xff], trade),
    reason: 'frame_too_large',
  },
  {
    name: 'a frame mixing symbols',
    payload: bytes([0x92], trade, otherSymbol),
    reason: 'frame_mixed_symbols',
  },
  {
    name: 'a frame mixing venues',
    payload: bytes([0x93], trade, trade, otherVenue),
    reason: 'frame_mixed_symbols',
  },
  {
    name: 'a frame mixing a trade and a quote of other symbols',
    payload: bytes([0x92], trade, raw.pack(validQuote())),
    reason: 'frame_mixed_symbols',
  },
];
