import {
  JavaString,
  escapeJavaScript,
  renderTemplate,
  urlEncode,
  type ResponseOverride,
  type TemplateVariables,
} from '../../../local-cloud/apigateway/velocity';
import { gatewayErrorTemplate } from '../../../lambdas/contract/errors';

function variables(overrides: Partial<TemplateVariables> = {}): TemplateVariables {
  return {
    context: { requestId: 'req-1', identity: { apiKeyId: 'key-1' } },
    input: {
      body: '{"a":{"b":[1,2]}}',
      path: { orderId: 'o-1' },
      querystring: { q: 'x' },
      header: { 'Idempotency-Key': 'k' },
    },
    ...overrides,
  };
}

describe('mapping templates (velocityjs with Java string semantics)', () => {
  test('matches() is a whole-string Java regex match', () => {
    // WHEN / THEN
    expect(
      renderTemplate("#if($input.params('idempotency-key').matches('k'))yes#{else}no#end", variables()),
    ).toBe('yes');
    expect(
      renderTemplate("#if($input.params('Idempotency-Key').matches('^x'))yes#{else}no#end", variables()),
    ).toBe('no');
    expect(new JavaString('abc').matches('b')).toBe(false);
  });

  test('replaceAll() takes a regex and a Java replacement, unlike JavaScript replaceAll', () => {
    // WHEN / THEN
    expect(new JavaString('a.b.c').replaceAll('\\.', '-').toString()).toBe('a-b-c');
    expect(new JavaString('ab12').replaceAll('([a-z]+)(\\d+)', '$2$1').toString()).toBe('12ab');
    expect(new JavaString('price').replaceAll('price', '\\$5').toString()).toBe('$5');
  });

  test('$input.params looks up path, then query string, then headers case-insensitively; missing is empty', () => {
    // WHEN / THEN
    expect(
      renderTemplate(
        "$input.params('orderId')|$input.params('q')|$input.params('IDEMPOTENCY-KEY')|$input.params('none')|",
        variables(),
      ),
    ).toBe('o-1|x|k||');
  });

  test('$input.json and $input.path select with JSONPath', () => {
    // WHEN / THEN
    expect(renderTemplate("$input.json('$')|$input.json('$.a.b')|$input.path('$.a.b[1]')", variables())).toBe(
      '{"a":{"b":[1,2]}}|[1,2]|2',
    );
  });

  test('$util.escapeJavaScript escapes like Apache Commons: quotes, slash, control and non-ASCII characters', () => {
    // WHEN / THEN
    expect(escapeJavaScript(`it's "x" a/b \\ \n é 😀`)).toBe(
      `it\\'s \\"x\\" a\\/b \\\\ \\n \\u00E9 \\uD83D\\uDE00`,
    );
  });

  test('$util.urlEncode form-encodes like Java URLEncoder', () => {
    // WHEN / THEN
    expect(urlEncode("a b&c=d+e~'*")).toBe('a+b%26c%3Dd%2Be%7E%27*');
    expect(renderTemplate('$util.urlEncode($input.body)', variables())).toBe(urlEncode('{"a":{"b":[1,2]}}'));
  });

  test('the project gateway error template renders valid JSON with quotes in the validation error', () => {
    // GIVEN
    const template = gatewayErrorTemplate('VALIDATION_FAILED', { validationDetails: true });
    const context = {
      requestId: 'req-1',
      error: {
        messageString: '"Invalid request body"',
        validationErrorString: `[object has missing required properties (["items"]), 'x' / ü]`,
      },
    };

    // WHEN
    const rendered = renderTemplate(template, variables({ context }));

    // THEN
    expect(JSON.parse(rendered)).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Invalid request body',
        details: [
          { field: 'body', message: `[object has missing required properties (["items"]), 'x' / ü]` },
        ],
        requestId: 'req-1',
      },
    });
  });
});

describe('$context.responseOverride', () => {
  test('a template sets the status and headers of the method response', () => {
    // GIVEN an integration response template that overrides the status and a header
    const responseOverride: ResponseOverride = { header: {} };
    // WHEN it renders
    const body = renderTemplate(
      '#set($context.responseOverride.status = 413)#set($context.responseOverride.header.Retry-After = "2")done',
      { context: {}, input: { body: '', path: {}, querystring: {}, header: {} }, responseOverride },
    );
    // THEN the override holds what it set
    expect(body).toBe('done');
    expect(responseOverride).toEqual({ status: 413, header: { 'Retry-After': '2' } });
  });
});
