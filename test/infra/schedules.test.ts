import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULED_JOBS } from '../../infra/access';
import { TwinthreadStack } from '../../infra/stack';
import { BASELINE_JOB_EVENT } from '../../shared/domain/baseline-schedule';
import { asArray, flatten, type Resources, type Statement, SYNTH_TIMEOUT } from '../support/template';

describe('scheduled baselines on EventBridge Scheduler', () => {
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    // Prepare
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new TwinthreadStack(app, 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  }, SYNTH_TIMEOUT);

  it('invokes the twins function with the baseline job input, every 15 minutes', () => {
    // Assess
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule') as Resources);
    expect(schedules).toHaveLength(Object.keys(SCHEDULED_JOBS).length);
    const schedule = schedules[0]!.Properties as {
      ScheduleExpression: string;
      Target: { Arn: unknown; RoleArn: unknown; Input: string };
    };
    expect(schedule.ScheduleExpression).toBe('rate(15 minutes)');
    expect(JSON.parse(schedule.Target.Input)).toEqual(BASELINE_JOB_EVENT);
    const twinsFunction = Object.entries(resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Description === 'twinthread twins',
    )![0];
    expect(flatten(schedule.Target.Arn)).toBe(`<${twinsFunction}.Arn>`);
  });

  it("gives the schedule's role lambda:InvokeFunction on the twins function and nothing else", () => {
    // Assess
    const roleId = Object.entries(resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::IAM::Role' &&
        JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    )![0];
    const statements = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          asArray(resource.Properties.Roles as unknown[]).some((role) => flatten(role) === `<${roleId}>`),
      )
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(
      statements.map((statement) => [statement.Action, asArray(statement.Resource).map(flatten)]),
    ).toEqual([['lambda:InvokeFunction', [expect.stringMatching(/^<TwinsFunction[0-9A-F]+\.Arn>$/)]]]);
  });
});
