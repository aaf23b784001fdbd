/**
 * Rewriting a jar's manifest without unpacking it: every other entry's content is copied as it is
 * stored (compressed bytes, CRC and sizes unchanged; the headers are written anew, without their
 * extra fields); the manifest is written uncompressed. Enough ZIP for a jar: a ZIP64 archive is
 * refused; encryption and multi-disk archives are not expected in a jar and not checked.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

const MANIFEST = 'META-INF/MANIFEST.MF';
const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
/** General purpose flag bit 3: sizes and CRC follow the data in a descriptor. */
const DATA_DESCRIPTOR_FLAG = 0x0008;

/** One entry of the central directory, as much of it as the copy needs. */
interface CentralEntry {
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly time: number;
  readonly date: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly externalAttributes: number;
  readonly name: Buffer;
  readonly localHeaderOffset: number;
}

/** The main attributes of a manifest, continuation lines joined. */
export function manifestAttributes(manifest: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const lines = manifest.replace(/\r\n?/g, '\n').split('\n');
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') break; // the main section ends at the first empty line
    if (line.startsWith(' ') && last !== undefined) {
      attributes.set(last, attributes.get(last) + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    attributes.set(last, line.slice(colon + 1).trim());
  }
  return attributes;
}

/**
 * A manifest without one main attribute (its line and continuation lines); every other byte, the
 * per-entry sections included, stays as it was.
 */
export function withoutMainAttribute(manifest: string, name: string): string {
  // Lines keep their own line ending (CRLF or LF), so what is kept is kept byte for byte.
  const lines = manifest.split(/(?<=\n)/);
  const kept: string[] = [];
  let mainSection = true;
  let dropping = false;
  for (const line of lines) {
    if (line.startsWith(' ') && dropping) continue;
    dropping = mainSection && line.toLowerCase().startsWith(`${name.toLowerCase()}:`);
    if (!dropping) kept.push(line);
    // The main section ends at the first empty line.
    if (/^\r?\n$/.test(line)) mainSection = false;
  }
  return kept.join('');
}

/** The manifest text of a jar. */
export function readManifest(jarPath: string): string {
  const manifest = readJarEntries(jarPath).get(MANIFEST);
  if (manifest === undefined) throw new Error(`${jarPath} has no ${MANIFEST}`);
  return manifest().toString('utf8');
}

/** A jar's entries in the order it stores them, each with a function that reads its content. */
export function readJarEntries(jarPath: string): Map<string, () => Buffer> {
  const jar = readFileSync(jarPath);
  return new Map(
    centralEntries(jar).map((entry) => [
      entry.name.toString(),
      () => {
        const data = entryData(jar, entry);
        if (entry.method === 0) return data;
        if (entry.method === 8) return inflateRawSync(data);
        throw new Error(`${jarPath}: ${entry.name.toString()} uses unsupported compression ${entry.method}`);
      },
    ]),
  );
}

/**
 * Writes a copy of a jar whose manifest is `transform(manifest)`. The copy is written to a
 * temporary file beside `destination` and renamed, so no reader sees it half-written.
 *
 * @throws Error for what is not a plain jar (ZIP64, no manifest)
 */
export function writeJarWithManifest(
  sourcePath: string,
  destination: string,
  transform: (manifest: string) => string,
): void {
  const jar = readFileSync(sourcePath);
  const entries = centralEntries(jar);
  const manifest = Buffer.from(transform(readManifest(sourcePath)), 'utf8');
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const isManifest = entry.name.toString() === MANIFEST;
    const data = isManifest ? manifest : entryData(jar, entry);
    const written: CentralEntry = {
      ...entry,
      flags: entry.flags & ~DATA_DESCRIPTOR_FLAG,
      ...(isManifest
        ? { method: 0, crc: crc32(manifest), compressedSize: manifest.length, size: manifest.length }
        : {}),
      localHeaderOffset: offset,
    };
    const header = localHeader(written);
    parts.push(header, data);
    central.push(centralHeader(written));
    offset += header.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const temporary = `${destination}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([...parts, directory, end]));
    renameSync(temporary, destination);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function centralEntries(jar: Buffer): CentralEntry[] {
  const end = findEndOfCentralDirectory(jar);
  const count = jar.readUInt16LE(end + 10);
  let position = jar.readUInt32LE(end + 16);
  const zip64Locator = end >= 20 && jar.readUInt32LE(end - 20) === ZIP64_END_LOCATOR;
  if (zip64Locator || position === 0xffffffff) throw new Error('ZIP64 archives are not supported');
  const entries: CentralEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (jar.readUInt32LE(position) !== CENTRAL_HEADER) throw new Error('Malformed central directory');
    const nameLength = jar.readUInt16LE(position + 28);
    const extraLength = jar.readUInt16LE(position + 30);
    const commentLength = jar.readUInt16LE(position + 32);
    entries.push({
      versionMadeBy: jar.readUInt16LE(position + 4),
      versionNeeded: jar.readUInt16LE(position + 6),
      flags: jar.readUInt16LE(position + 8),
      method: jar.readUInt16LE(position + 10),
      time: jar.readUInt16LE(position + 12),
      date: jar.readUInt16LE(position + 14),
      crc: jar.readUInt32LE(position + 16),
      compressedSize: jar.readUInt32LE(position + 20),
      size: jar.readUInt32LE(position + 24),
      externalAttributes: jar.readUInt32LE(position + 38),
      localHeaderOffset: jar.readUInt32LE(position + 42),
      name: jar.subarray(position + 46, position + 46 + nameLength),
    });
    position += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(jar: Buffer): number {
  for (let position = jar.length - 22; position >= Math.max(0, jar.length - 22 - 0xffff); position--) {
    if (jar.readUInt32LE(position) === END_OF_CENTRAL_DIRECTORY) return position;
  }
  throw new Error('Not a zip archive (no end of central directory)');
}

/** The stored (possibly compressed) bytes of an entry. */
function entryData(jar: Buffer, entry: CentralEntry): Buffer {
  const offset = entry.localHeaderOffset;
  if (jar.readUInt32LE(offset) !== LOCAL_HEADER) throw new Error('Malformed local header');
  const start = offset + 30 + jar.readUInt16LE(offset + 26) + jar.readUInt16LE(offset + 28);
  return jar.subarray(start, start + entry.compressedSize);
}

function localHeader(entry: CentralEntry): Buffer {
  const header = Buffer.alloc(30 + entry.name.length);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  writeSharedFields(header, entry, 4);
  entry.name.copy(header, 30);
  return header;
}

function centralHeader(entry: CentralEntry): Buffer {
  const header = Buffer.alloc(46 + entry.name.length);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(entry.versionMadeBy, 4);
  writeSharedFields(header, entry, 6);
  header.writeUInt32LE(entry.externalAttributes, 38);
  header.writeUInt32LE(entry.localHeaderOffset, 42);
  entry.name.copy(header, 46);
  return header;
}

/**
 * The fields both headers hold in the same order, from `at` (4 in a local header, 6 in a central
 * one): version needed, flags, method, time, date, CRC, sizes and the name's length.
 */
function writeSharedFields(header: Buffer, entry: CentralEntry, at: number): void {
  header.writeUInt16LE(entry.versionNeeded, at);
  header.writeUInt16LE(entry.flags, at + 2);
  header.writeUInt16LE(entry.method, at + 4);
  header.writeUInt16LE(entry.time, at + 6);
  header.writeUInt16LE(entry.date, at + 8);
  header.writeUInt32LE(entry.crc, at + 10);
  header.writeUInt32LE(entry.compressedSize, at + 14);
  header.writeUInt32LE(entry.size, at + 18);
  header.writeUInt16LE(entry.name.length, at + 22);
}
