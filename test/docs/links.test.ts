/**
 * Every link of the project's documents leads somewhere: a relative link names a file of the
 * checkout, and an anchor names a heading of its document (GitHub's slugs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const projectRoot = path.join(__dirname, '../..');

/** The project's Markdown documents, outside dependencies and generated output. */
function documents(directory = projectRoot): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'cdk.out', 'dist', 'reports', 'coverage'].includes(entry.name)) return [];
    if (entry.name.startsWith('.')) return [];
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return documents(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1])));
}

/** The links of a document outside code blocks: `[text](target)`. */
function linksOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

const files = documents();

describe("the documents' links", () => {
  test('the README and docs/ are found', () => {
    const names = files.map((file) => path.relative(projectRoot, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/local-cloud.md']));
  });

  test.each(files.map((file) => [path.relative(projectRoot, file), file] as const))(
    '%s links only to files and headings that exist',
    (_name, file) => {
      const broken = linksOf(file).filter((link) => {
        if (/^[a-z]+:/i.test(link)) return false; // https:, mailto:
        const [target, anchor] = link.split('#');
        const targetFile = target === '' ? file : path.resolve(path.dirname(file), decodeURI(target));
        if (!fs.existsSync(targetFile)) return true;
        return anchor !== undefined && targetFile.endsWith('.md') && !anchorsOf(targetFile).has(anchor);
      });
      expect(broken).toEqual([]);
    },
  );
});
