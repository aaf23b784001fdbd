/**
 * Class-data sharing for DynamoDB Local: the jar copy without `Class-Path` holds the same classes,
 * the first start writes the archive, the next one maps it, and DynamoDB Local answers either way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { classDataSharingLaunch } from '../../../local-cloud/emulators/dynamodb-local-cds';
import {
  findDynamoDbLocalDistribution,
  startDynamoDbLocal,
} from '../../../local-cloud/emulators/dynamodb-local';
import {
  manifestAttributes,
  readJarEntries,
  readManifest,
  withoutMainAttribute,
} from '../../../local-cloud/emulators/jar-manifest';

const distribution = findDynamoDbLocalDistribution();
/** The first bytes of a HotSpot dynamic archive (magic 0xf00baba8, little-endian). */
const DYNAMIC_ARCHIVE_HEADER = Buffer.from([0xa8, 0xab, 0x0b, 0xf0]);
let cache: string;

beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ddb-cds-'));
});
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

describe('jar manifests', () => {
  test('reads the main attributes, joining continuation lines', () => {
    const attributes = manifestAttributes(readManifest(distribution.jarPath));
    expect(attributes.get('Main-Class')).toBe('software.amazon.dynamodb.services.local.main.ServerRunner');
    // DynamoDB Local's Class-Path spans many folded lines and starts with its own folder, which CDS refuses
    expect(attributes.get('Class-Path')?.split(' ').slice(0, 2)).toEqual(['.', 'log4j2.xml']);
    expect(attributes.get('Class-Path')).toContain('DynamoDBLocal_lib/AwsJavaSdk-DynamoDb-2.0.jar');
  });

  test('drops one main attribute with its continuation lines and keeps every other byte', () => {
    const manifest =
      'Manifest-Version: 1.0\r\nClass-Path: . lib/a.jar\r\n lib/b.jar\r\nMain-Class: x.Main\r\n\r\n' +
      'Name: x/Main.class\r\nClass-Path: kept-in-an-entry-section\r\n\r\n';
    expect(withoutMainAttribute(manifest, 'Class-Path')).toBe(
      'Manifest-Version: 1.0\r\nMain-Class: x.Main\r\n\r\n' +
        'Name: x/Main.class\r\nClass-Path: kept-in-an-entry-section\r\n\r\n',
    );
  });
});

describe('classDataSharingLaunch', () => {
  test('copies the jar with every entry unchanged but a manifest without Class-Path', () => {
    // WHEN
    const launch = classDataSharingLaunch(distribution, 'java 17', cache);
    // THEN the copy is on the class path before the library jars, named explicitly
    const classPath = launch?.args[launch.args.indexOf('-cp') + 1].split(path.delimiter) ?? [];
    const [copy, ...libraries] = classPath;
    expect(path.dirname(path.dirname(copy))).toBe(cache);
    expect(libraries.length).toBeGreaterThan(50);
    expect(libraries.every((library) => library.startsWith(distribution.libraryPath))).toBe(true);
    // ...its manifest lost only Class-Path, and every other entry is byte for byte the original's
    const original = readJarEntries(distribution.jarPath);
    const copied = readJarEntries(copy);
    expect([...copied.keys()]).toEqual([...original.keys()]);
    const attributes = manifestAttributes(readManifest(copy));
    const expected = manifestAttributes(readManifest(distribution.jarPath));
    expected.delete('Class-Path');
    expect(attributes).toEqual(expected);
    const changed = [...original]
      .filter(([name]) => name !== 'META-INF/MANIFEST.MF')
      .filter(([name, read]) => !copied.get(name)?.().equals(read()))
      .map(([name]) => name);
    expect(changed).toEqual([]);
  });

  test('the first launch writes the archive, which a clean exit keeps and later launches map', () => {
    // GIVEN a first launch
    const first = classDataSharingLaunch(distribution, 'java 17', cache)!;
    expect(first.writesArchive).toBe(true);
    const written = first.args.find((arg) => arg.startsWith('-XX:ArchiveClassesAtExit='))!.split('=')[1];
    // WHEN the JVM exits on SIGTERM after writing it
    fs.writeFileSync(written, DYNAMIC_ARCHIVE_HEADER);
    first.afterExit(143);
    // THEN the next launch maps it and writes none
    const next = classDataSharingLaunch(distribution, 'java 17', cache)!;
    expect(next.writesArchive).toBe(false);
    expect(next.args).toContain(`-XX:SharedArchiveFile=${path.join(path.dirname(written), 'classes.jsa')}`);
    // ...while another JDK gets a folder of its own
    expect(classDataSharingLaunch(distribution, 'java 21', cache)?.writesArchive).toBe(true);
    // ...and an archive the JVM says it cannot use is deleted, for the next start to rewrite
    next.afterStart(
      '[0.047s][warning][cds,dynamic] Unable to use shared archive. The top archive failed to load',
    );
    expect(fs.existsSync(path.join(path.dirname(written), 'classes.jsa'))).toBe(false);
  });

  test('an archive from a killed JVM is thrown away', () => {
    const launch = classDataSharingLaunch(distribution, 'java 17', cache)!;
    const written = launch.args.find((arg) => arg.startsWith('-XX:ArchiveClassesAtExit='))!.split('=')[1];
    fs.writeFileSync(written, 'half an archive');
    launch.afterExit(null); // SIGKILL: no exit code
    expect(fs.existsSync(written)).toBe(false);
    expect(classDataSharingLaunch(distribution, 'java 17', cache)?.writesArchive).toBe(true);
  });

  test('without a usable jar there is no class-data sharing launch (the caller runs the jar as it is)', () => {
    expect(
      classDataSharingLaunch(
        { jarPath: path.join(cache, 'missing.jar'), libraryPath: cache },
        'java 17',
        cache,
      ),
    ).toBeUndefined();
  });
});

describe('DynamoDB Local with class-data sharing', () => {
  test('answers on the first start (writing the archive) and on the next (mapping it)', async () => {
    for (const start of ['first', 'next']) {
      const dynamoDb = await startDynamoDbLocal({ cacheDirectory: cache });
      const client = new DynamoDBClient({
        endpoint: dynamoDb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'cds', secretAccessKey: 'cds' },
      });
      try {
        await client.send(
          new CreateTableCommand({
            TableName: 'orders',
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        await client.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: start } } }));
        const { Item } = await client.send(
          new GetItemCommand({ TableName: 'orders', Key: { id: { S: start } } }),
        );
        expect(Item).toEqual({ id: { S: start } });
      } finally {
        client.destroy();
        await dynamoDb.stop();
      }
      const archives = fs
        .readdirSync(cache)
        .flatMap((folder) =>
          fs.readdirSync(path.join(cache, folder)).filter((name) => name.endsWith('.jsa')),
        );
      // the first start's JVM wrote the archive on its way out
      expect(archives).toEqual(['classes.jsa']);
    }
  }, 60_000);

  test.each([['not an archive at all', (archive: string) => fs.writeFileSync(archive, 'not an archive')]])(
    'a spoilt archive (%s) is not kept, and DynamoDB Local answers anyway',
    async (_name, spoil) => {
      // GIVEN an archive written by a first start, then spoilt
      const first = await startDynamoDbLocal({ cacheDirectory: cache });
      await first.stop();
      const [folder] = fs.readdirSync(cache);
      const archive = path.join(cache, folder, 'classes.jsa');
      spoil(archive);
      const spoilt = fs.readFileSync(archive);
      // WHEN DynamoDB Local starts with it
      const again = await startDynamoDbLocal({ cacheDirectory: cache });
      await again.stop();
      // THEN it answered (the start resolved), and the spoilt archive is not kept: gone, or replaced
      // by the archive this start wrote
      const after = fs.existsSync(archive) ? fs.readFileSync(archive) : undefined;
      expect(after?.equals(spoilt) ?? false).toBe(false);
      expect(after === undefined || after.subarray(0, 4).equals(DYNAMIC_ARCHIVE_HEADER)).toBe(true);
    },
    60_000,
  );
});
