/**
 * Which logical ids a template value refers to, for creating resources in dependency order.
 */
import type { TemplateResource } from './cloud-assembly';

/**
 * The logical ids a resource depends on: its `DependsOn` and every `Ref`, `Fn::GetAtt` and
 * `Fn::Sub` reference in its properties (pseudo parameters excluded).
 */
export function dependenciesOf(resource: TemplateResource): Set<string> {
  const found = new Set<string>();
  const dependsOn = resource.DependsOn;
  for (const logicalId of typeof dependsOn === 'string' ? [dependsOn] : (dependsOn ?? [])) {
    found.add(logicalId);
  }
  collectReferences(resource.Properties, found);
  return found;
}

function collectReferences(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const element of value) collectReferences(element, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, element] of Object.entries(value)) {
    if (key === 'Ref' && typeof element === 'string') {
      addLogicalId(element, found);
    } else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(element) ? element[0] : String(element).split('.')[0];
      if (typeof target === 'string') addLogicalId(target, found);
    } else if (key === 'Fn::Sub') {
      const template = Array.isArray(element) ? element[0] : element;
      if (typeof template === 'string') {
        for (const match of template.matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) {
          if (match[1] !== undefined) addLogicalId(match[1].trim(), found);
        }
      }
      if (Array.isArray(element)) collectReferences(element[1], found);
    } else {
      collectReferences(element, found);
    }
  }
}

function addLogicalId(name: string, found: Set<string>): void {
  if (!name.startsWith('AWS::')) found.add(name);
}

/**
 * Orders logical ids so that each comes after the ids (of the same set) it depends on.
 *
 * @throws Error on a dependency cycle, naming the ids in it
 */
export function inDependencyOrder(resources: ReadonlyMap<string, TemplateResource>): string[] {
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (logicalId: string, path: readonly string[]): void => {
    const seen = state.get(logicalId);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new Error(`Dependency cycle between ${[...path, logicalId].join(' → ')}`);
    }
    state.set(logicalId, 'visiting');
    const resource = resources.get(logicalId);
    for (const dependency of resource === undefined ? [] : dependenciesOf(resource)) {
      if (resources.has(dependency)) visit(dependency, [...path, logicalId]);
    }
    state.set(logicalId, 'done');
    ordered.push(logicalId);
  };
  for (const logicalId of resources.keys()) visit(logicalId, []);
  return ordered;
}
