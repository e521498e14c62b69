import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TwinthreadStack } from './stack';

// No `env` and no lookups: synth needs neither an AWS account nor the network.
const app = new App();
new TwinthreadStack(app, 'Twinthread');
// Any unacknowledged AwsSolutions finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
