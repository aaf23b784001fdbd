/**
 * Pass-through props (`queueProps`, `restApiProps`, `functionProps`) reach the underlying resource
 * for the cases a construct did not foresee, but never the keys the construct derives: `Omit<>`
 * stops typed callers, and this check stops JavaScript callers and casts.
 */

/**
 * Throws for the first key of `given` that `derived` lists, with the reason `derived` gives (which
 * names the prop to use instead). A key given as `undefined` is refused too: spreading it would
 * still erase the construct's value.
 *
 * @param propsName the pass-through prop, e.g. `queueProps`
 */
export function refuseDerivedKeys(
  propsName: string,
  given: object | undefined,
  derived: Readonly<Record<string, string>>,
): void {
  for (const key of Object.keys(given ?? {})) {
    if (Object.hasOwn(derived, key)) {
      throw new Error(`${propsName}.${key} ${derived[key]} (given ${propsName}.${key})`);
    }
  }
}
