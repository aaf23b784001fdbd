/**
 * Class-data sharing (CDS) for DynamoDB Local's JVM: the classes it loads at start are archived
 * once and mapped from the archive on every later start, which halves the time until it answers
 * (2.4–2.6 s → 1.2–1.4 s on this project's machine).
 *
 * The JVM archives only a class path of jars: DynamoDB Local's jar names `.` (its own folder) in
 * its manifest's `Class-Path`, which CDS refuses. So the jar is copied once with the same content
 * but a manifest without `Class-Path`, and java starts its `Main-Class` with the jars that
 * `Class-Path` names, in its order, listed explicitly: the same classes, the same database. The
 * first start writes the archive when the JVM exits. An archive that is not one, or that the JVM
 * says it cannot use, is deleted so that the next start writes a new one; a start that fails with
 * these flags falls back to the plain jar. Everything lives in `node_modules/.cache/local-cloud/`,
 * named after the jar, its libraries and the JDK, so an upgrade of any of them starts afresh.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_CLOUD_CACHE_DIRECTORY } from '../cache-directory';
import { manifestAttributes, readManifest, withoutMainAttribute, writeJarWithManifest } from './jar-manifest';

/** How DynamoDB Local's JVM is started, and what to do once it has exited. */
export interface JavaLaunch {
  /** The arguments before DynamoDB Local's own (`-inMemory`, `-port`). */
  readonly args: readonly string[];
  /** Whether this start writes the class archive when the JVM exits (which takes a moment). */
  readonly writesArchive: boolean;
  /** Called once the JVM has exited: keeps the archive it wrote if it exited by itself or on SIGTERM. */
  afterExit(exitCode: number | null): void;
  /**
   * Called once the JVM answers, with what it printed: an archive it refused (written by another
   * build of the JDK, or damaged) is deleted, so that the next start writes a new one.
   */
  afterStart(output: string): void;
  /** Called when the JVM did not start with these arguments: deletes the archive it was given. */
  failed(): void;
}

/** The first four bytes of a HotSpot dynamic archive (JDK 13 and later), little-endian. */
const DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;

function isDynamicArchive(file: string): boolean {
  const header = Buffer.alloc(4);
  const descriptor = openSync(file, 'r');
  try {
    return readSync(descriptor, header, 0, 4, 0) === 4 && header.readUInt32LE(0) === DYNAMIC_ARCHIVE_MAGIC;
  } finally {
    closeSync(descriptor);
  }
}

/** What HotSpot prints when it cannot map the archive it was given (it then runs without). */
const ARCHIVE_REFUSED = 'Unable to use shared archive';

/** Launches prepared by this process, for unique names of the archives being written. */
let launches = 0;

/** The JVM's exit code after SIGTERM (128 + 15): its shutdown ran, the archive is complete. */
const EXIT_ON_SIGTERM = 143;

/**
 * The launch with class-data sharing, or undefined when it cannot be prepared (an unusual jar, a
 * read-only cache folder): the caller then starts the jar as it is.
 *
 * @param javaVersion what `java -version` printed, to name the archive after the JDK
 */
export function classDataSharingLaunch(
  distribution: { readonly jarPath: string; readonly libraryPath: string },
  javaVersion: string,
  cacheDirectory: string = LOCAL_CLOUD_CACHE_DIRECTORY,
): JavaLaunch | undefined {
  try {
    const jar = statSync(distribution.jarPath);
    const manifest = manifestAttributes(readManifest(distribution.jarPath));
    const mainClass = manifest.get('Main-Class');
    if (mainClass === undefined) return undefined;
    // The manifest's own class path, in its order, without what CDS refuses (`.`) and what is not a
    // jar (`log4j2.xml`), resolved against the jar's folder as the JVM resolves it.
    const libraries = (manifest.get('Class-Path') ?? '')
      .split(' ')
      .filter((entry) => entry.endsWith('.jar'))
      .map((entry) => path.join(path.dirname(distribution.jarPath), entry));
    // Named after everything the archive depends on: another jar, library or JDK starts afresh.
    const key = createHash('sha256')
      .update(`${distribution.jarPath}\n${jar.size}\n${jar.mtimeMs}\n${javaVersion}\n`)
      .update(libraries.map((library) => `${library} ${statSync(library).size}`).join('\n'))
      .digest('hex')
      .slice(0, 16);
    const directory = path.join(cacheDirectory, `dynamodb-local-cds-${key}`);
    mkdirSync(directory, { recursive: true });
    const copiedJar = path.join(directory, path.basename(distribution.jarPath));
    if (!existsSync(copiedJar)) {
      writeJarWithManifest(distribution.jarPath, copiedJar, (text) =>
        withoutMainAttribute(text, 'Class-Path'),
      );
    }
    const classPath = [copiedJar, ...libraries].join(path.delimiter);
    const archive = path.join(directory, 'classes.jsa');
    const common = [`-Djava.library.path=${distribution.libraryPath}`, '-cp', classPath, mainClass];
    // A file that is not a dynamic archive is ignored by the JVM without a word: not worth keeping.
    if (existsSync(archive) && !isDynamicArchive(archive)) rmSync(archive, { force: true });
    if (existsSync(archive)) {
      return {
        args: [`-XX:SharedArchiveFile=${archive}`, ...common],
        writesArchive: false,
        afterExit: () => {},
        afterStart(output) {
          if (output.includes(ARCHIVE_REFUSED)) this.failed();
        },
        failed() {
          rmSync(archive, { force: true });
        },
      };
    }
    // Concurrent first starts each write their own archive; the last rename wins, all are equal.
    const written = `${archive}.${process.pid}.${++launches}.tmp`;
    return {
      args: [`-XX:ArchiveClassesAtExit=${written}`, ...common],
      writesArchive: true,
      afterStart: () => {},
      failed: () => {},
      afterExit(exitCode) {
        // Runs in an 'exit' listener: a file system error must not take the caller down.
        try {
          if ((exitCode === 0 || exitCode === EXIT_ON_SIGTERM) && existsSync(written))
            renameSync(written, archive);
          rmSync(written, { force: true });
        } catch {
          // No archive this time: the next start writes one.
        }
      },
    };
  } catch {
    return undefined;
  }
}
