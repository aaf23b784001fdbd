/** The local API Gateway (REST): serves a synthesized template's REST API over HTTP. */
export * from './api-gateway-emulator';
export type { GatewayError, GatewayResponseType, RenderedResponse } from './gateway-responses';
export type {
  FunctionInvocationResult,
  InvokeFunction,
  LambdaFunctionError,
  LambdaProxyResult,
  LambdaThrottled,
} from './lambda-proxy';
export { EMULATED_RESOURCE_TYPES } from './rest-api-model';
export type { SendSqsMessage, SqsMessageAttribute, SqsSendMessageInput } from './mapped-integration';
export { apiGatewayLocalValues } from './template-references';
export type { StackTemplate } from '../assembly/cloud-assembly';
export type { ThrottleLimits } from './token-bucket';
