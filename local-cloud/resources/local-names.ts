/**
 * Names of local resources whose template sets no physical name.
 */

/**
 * The local name of a resource: the template's own name when it sets one, else
 * `<prefix><stackName>-<logicalId>` (CloudFormation would add a random suffix; locally the name
 * stays predictable). The prefix keeps concurrent local clouds on one emulator apart.
 *
 * @throws Error when the generated name exceeds the service's limit
 */
export function localResourceName(props: {
  readonly templateName: string | undefined;
  readonly stackName: string;
  readonly logicalId: string;
  readonly prefix?: string;
  readonly maxLength: number;
  readonly kind: string;
}): string {
  if (props.templateName !== undefined) return props.templateName;
  const name = `${props.prefix ?? ''}${props.stackName}-${props.logicalId}`;
  if (name.length > props.maxLength) {
    throw new Error(
      `The local ${props.kind} name ${name} is ${name.length} characters long, over the limit of ` +
        `${props.maxLength}; use a shorter name prefix`,
    );
  }
  return name;
}
