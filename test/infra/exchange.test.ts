import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TwinthreadStack } from '../../infra/stack';
import { asArray, type Resources, type Statement, SYNTH_TIMEOUT } from '../support/template';

// Building the stack bundles every function with esbuild; 2-core machines need the room.

describe('the exchange function runs tenant export jobs by invoking itself', () => {
  let template: Template;
  let functions: Resources;
  let exchangeId: string;
  let exchangeRoleId: string;

  beforeAll(() => {
    // Prepare
    const stack = new TwinthreadStack(new App(), 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    functions = template.findResources('AWS::Lambda::Function') as Resources;
    exchangeId = Object.keys(functions).find((id) => id.startsWith('ExchangeFunction'))!;
    exchangeRoleId = (functions[exchangeId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
  }, SYNTH_TIMEOUT);

  it('may invoke itself and nothing else; only the twins function (fleet re-judgements) invokes too, itself', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
    // Act
    // the roles of EventBridge Scheduler's schedules invoke their function (test/infra/schedules.test.ts)
    const ofFunctions = policies.filter(
      (policy) =>
        !asArray(policy.Properties.Roles).some((role) => JSON.stringify(role).includes('ScheduleRole')),
    );
    const invokes = ofFunctions.flatMap((policy) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('lambda:')),
      ).map((statement) => ({ statement, roles: asArray(policy.Properties.Roles) })),
    );
    // Assess
    const twinsId = Object.keys(functions).find((id) => id.startsWith('TwinsFunction'))!;
    const twinsRoleId = (functions[twinsId]!.Properties.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    expect(invokes).toHaveLength(2);
    for (const { statement } of invokes)
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction' });
    expect(invokes.map(({ statement, roles }) => [statement.Resource, roles])).toEqual(
      expect.arrayContaining([
        [{ 'Fn::GetAtt': [exchangeId, 'Arn'] }, [{ Ref: exchangeRoleId }]],
        [{ 'Fn::GetAtt': [twinsId, 'Arn'] }, [{ Ref: twinsRoleId }]],
      ]),
    );
  });

  it('gives the job the time of a 15-minute invocation, the API functions 29 s, and no retry of a failed job', () => {
    // Act
    const timeouts = Object.entries(functions)
      .filter(([id]) => /^[A-Z][a-z]+Function/.test(id))
      .map(([id, resource]) => [id.replace(/Function.*/, ''), resource.Properties.Timeout]);
    // Assess
    expect(Object.fromEntries(timeouts)).toMatchObject({ Exchange: 900, Twins: 29, Thread: 29 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: exchangeId },
      MaximumRetryAttempts: 0,
    });
  });

  it('writes exports only under the tenant prefix of the bucket', () => {
    // Prepare: object actions are the exchange function's tenant-scoped role's (infra/tenant-role.ts)
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
      asArray(policy.Properties.Roles).some((role) => JSON.stringify(role).includes('ExchangeTenantRole')),
    );
    // Act
    const s3 = policies
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => asArray(statement.Action).some((action) => action.startsWith('s3:')));
    // Assess
    expect(s3).toHaveLength(1);
    expect([...asArray(s3[0]!.Action)].sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(JSON.stringify(s3[0]!.Resource)).toMatch(/\/tenants\/\$\{aws:PrincipalTag\/tenant\}\/\*/);
  });
});
