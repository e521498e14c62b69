import { App, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TwinthreadConsoleStack } from './console';
import { TwinthreadStack } from './stack';

// No `env` and no lookups: synth needs neither an AWS account nor the network.
const app = new App();
const main = new TwinthreadStack(app, 'Twinthread');
// The web console behind CloudFront, with the API on the same origin.
new TwinthreadConsoleStack(app, 'TwinthreadConsole', {
  api: main.node.findChild('Api') as HttpApi,
  documentsBucket: main.node.findChild('DocumentsBucket') as IBucket,
});
// Any unacknowledged AwsSolutions finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
