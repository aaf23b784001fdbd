/**
 * API Gateway request validators: required method request parameters, and the body against the
 * method's JSON schema model (draft-04, as API Gateway validates).
 */
import AjvDraft04, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import type { ApiMethod, ApiModel } from './rest-api-model';

/** A method request as the validators see it. */
export interface ValidatedRequest {
  /** Lower-cased header names → value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly path: Readonly<Record<string, string>>;
  /** Media type of the body, lower case, without parameters. */
  readonly contentType: string;
  readonly body: string;
}

/** Why validation refused a request, in API Gateway's terms. */
export type ValidationFailure =
  | { readonly responseType: 'BAD_REQUEST_PARAMETERS'; readonly message: string }
  | {
      readonly responseType: 'BAD_REQUEST_BODY';
      readonly message: string;
      readonly validationErrorString: string;
    };

/** Validates method requests against one API's models. */
export class RequestValidation {
  private readonly ajv = new AjvDraft04({ allErrors: true, strict: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /**
   * @param models every model of the API: a schema may `$ref` another by its URL
   *   (`https://apigateway.amazonaws.com/restapis/{restApiId}/models/{name}`), also in a cycle.
   */
  public constructor(models: readonly ApiModel[] = []) {
    for (const model of models) this.ajv.addSchema(draft04(model.schema), model.url);
  }

  /** The first reason API Gateway would refuse the request, or undefined when it passes. */
  public validate(method: ApiMethod, request: ValidatedRequest): ValidationFailure | undefined {
    if (method.validateRequestParameters) {
      const missing = missingParameters(method, request);
      if (missing.length > 0) {
        return {
          responseType: 'BAD_REQUEST_PARAMETERS',
          message: `Missing required request parameters: [${missing.join(', ')}]`,
        };
      }
    }
    if (method.validateRequestBody) {
      const model = method.requestModels.get(request.contentType) ?? method.requestModels.get('$default');
      if (model) return this.validateBody(model, request.body);
    }
    return undefined;
  }

  private validateBody(model: ApiModel, body: string): ValidationFailure | undefined {
    let document: unknown;
    try {
      document = JSON.parse(body) as unknown;
    } catch (error) {
      return {
        responseType: 'BAD_REQUEST_BODY',
        message: 'Invalid request body',
        validationErrorString: `[Unable to parse request body as JSON: ${(error as Error).message}]`,
      };
    }
    const validate = this.validatorOf(model);
    if (validate(document)) return undefined;
    return {
      responseType: 'BAD_REQUEST_BODY',
      message: 'Invalid request body',
      validationErrorString: `[${(validate.errors ?? []).map(describeError).join(', ')}]`,
    };
  }

  private validatorOf(model: ApiModel): ValidateFunction {
    let validate = this.compiled.get(model.logicalId);
    if (!validate) {
      validate = this.ajv.getSchema(model.url) ?? this.ajv.compile(draft04(model.schema));
      this.compiled.set(model.logicalId, validate);
    }
    return validate;
  }
}

/** API Gateway reads a model's schema as draft-04 whatever its `$schema` says. */
function draft04(schema: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...schema };
  delete rest.$schema;
  return rest;
}

function missingParameters(method: ApiMethod, request: ValidatedRequest): string[] {
  const missing: string[] = [];
  for (const [name, required] of Object.entries(method.requestParameters)) {
    if (!required) continue;
    const match =
      /^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$/.exec(name);
    if (!match) continue;
    const [, location, parameter] = match;
    const value =
      location === 'header' || location === 'multivalueheader'
        ? request.headers.get(parameter.toLowerCase())
        : location === 'path'
          ? request.path[parameter]
          : request.querystring[parameter];
    // A blank value counts as missing (AWS docs: "Test basic request validation", `?q1=`).
    if (value === undefined || value === '') missing.push(parameter);
  }
  return missing;
}

/**
 * One validation error in the words of the validator API Gateway uses (json-schema-validator),
 * prefixed with the JSON pointer of the field so a client can find it.
 */
function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const where = error.instancePath === '' ? '' : `${error.instancePath}: `;
  switch (error.keyword) {
    case 'required':
      return `${where}object has missing required properties (["${String(params.missingProperty)}"])`;
    case 'additionalProperties':
      return `${where}object instance has properties which are not allowed by the schema: ["${String(params.additionalProperty)}"]`;
    case 'type':
      return `${where}instance type does not match any allowed primitive type (allowed: ["${String(params.type)}"])`;
    case 'minLength':
      return `${where}string is too short (minimum: ${String(params.limit)})`;
    case 'maxLength':
      return `${where}string is too long (maximum: ${String(params.limit)})`;
    case 'minimum':
      return `${where}numeric instance is lower than the required minimum (minimum: ${String(params.limit)})`;
    case 'maximum':
      return `${where}numeric instance is greater than the required maximum (maximum: ${String(params.limit)})`;
    case 'minItems':
      return `${where}array is too short: must have at least ${String(params.limit)} elements`;
    case 'maxItems':
      return `${where}array is too long: must have at most ${String(params.limit)} elements`;
    case 'enum':
      return `${where}instance value not found in enum`;
    case 'pattern':
      return `${where}string does not match pattern ${String(params.pattern)}`;
    default:
      return `${where}${error.message ?? error.keyword}`;
  }
}
