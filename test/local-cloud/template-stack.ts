/**
 * A hand-written template as the local cloud's modules take a stack: the assembly stack and its
 * intrinsic resolver (stack `Api` in us-east-1, account 111111111111), for unit tests of one module.
 */
import type { AssemblyStack } from '../../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../local-cloud/assembly/intrinsic-resolver';
import { TEST_ACCOUNT } from '../harness/local-aws';

/** The region and account of {@link templateStack}. */
export const TEMPLATE_STACK_PLACE = { region: 'us-east-1', accountId: TEST_ACCOUNT } as const;

/** The stack of a template and a resolver for it. */
export function templateStack(template: { readonly Resources: Record<string, unknown> }): {
  readonly stack: AssemblyStack;
  readonly resolver: IntrinsicResolver;
} {
  const stack = { stackName: 'Api', template } as unknown as AssemblyStack;
  const resolver = new IntrinsicResolver({
    stackName: 'Api',
    template: stack.template,
    ...TEMPLATE_STACK_PLACE,
  });
  return { stack, resolver };
}
