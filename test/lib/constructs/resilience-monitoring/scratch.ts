import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
for (const form of ['plain', 'namespaced']) {
const app = new App({ context: require('aws-cdk-lib/recommended-feature-flags.json') });
const stack = new Stack(app, 'TestStack');
const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
Validations.of(app).addPlugins(...packs);
const fn = new lambda.Function(stack, 'Handler', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
const ids = ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'Serverless-LambdaDefaultMemorySize', 'Serverless-LambdaDefaultTimeout', 'Serverless-LambdaDLQ', 'Serverless-LambdaTracing'];
for (const id of ids) Validations.of(fn).acknowledge({ id: form === 'plain' ? id : `${id.split('-')[0]}::${id}`, reason: 'x' });
try { app.synth(); console.log(form, 'synth OK'); } catch (e) { console.log(form, 'SYNTH FAILED', (e as Error).message.slice(0, 300)); }
for (const p of packs) console.log(form, JSON.stringify(p.validateScope(app).violations.map(v => [v.ruleName, v.severity])));
console.log(JSON.stringify(fn.node.metadata.map(m => m.data)));
}
