/**
 * The stage's access log, rendered in the stage's own format (`AccessLogSetting.Format`): each
 * `$context.<variable>` becomes the request's value, and a variable without a value becomes `-`, as
 * API Gateway writes it. Values are inserted as they are, without JSON escaping (API Gateway does not
 * escape them either, so a quote in a user agent breaks a JSON format's line on AWS too).
 *
 * Source: "Customize HTTP API access logs" / "$context variables for data models, authorizers,
 * mapping templates, and access logging", API Gateway developer guide.
 */

/** Values of the `$context` variables an access log line can name, by path (`integration.status`). */
export type AccessLogValues = Readonly<Record<string, string | number | undefined>>;

/** Renders one access log line in a stage's format. */
export function renderAccessLogLine(format: string, values: AccessLogValues): string {
  return format.replace(/\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_match, path: string) => {
    const value = values[path];
    return value === undefined || value === '' ? '-' : String(value);
  });
}

/** `$context` as access log variables: nested objects become dotted paths (`identity.sourceIp`). */
export function flattenContext(
  context: Readonly<Record<string, unknown>>,
  prefix = '',
): Record<string, string | number | undefined> {
  const values: Record<string, string | number | undefined> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== null && typeof value === 'object') {
      Object.assign(values, flattenContext(value as Record<string, unknown>, `${prefix}${key}.`));
    } else if (typeof value === 'string' || typeof value === 'number') {
      values[`${prefix}${key}`] = value;
    }
  }
  return values;
}

/** The log group name of a CloudWatch Logs ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`). */
export function logGroupNameOfArn(arn: string): string {
  const match = /:log-group:([^:]+)/.exec(arn);
  if (!match) throw new Error(`${arn} is not a CloudWatch Logs log group ARN`);
  return match[1];
}
